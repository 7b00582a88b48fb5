//! Where the conversion token is kept between runs, one per pixel, looked up in this order:
//!
//! 1. `REDDIT_CONVERSION_TOKEN` in the environment: overrides everything and is never stored;
//! 2. the OS keychain (macOS Keychain, Windows Credential Manager, the Secret Service on Linux
//!    through zbus, pure Rust) through keyring-core;
//! 3. the token file (`tokens.json`, mode 0600), only if the user opted in to it.
//!
//! Where there is no keychain the token is kept for the session only. Nothing falls back to the
//! file silently: it is written only when [`Place::File`] is asked for, and a token file that
//! others can read is refused, not used.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use keyring_core::{CredentialStore, Entry};
use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

use super::Secret;
use crate::paths::DataDir;
use crate::store::atomic;
use crate::store::versioned::{self, Found, SetAside};
use crate::versioned::FileError;

/// Environment variable holding the conversion token; it overrides any stored one.
pub const TOKEN_ENV: &str = "REDDIT_CONVERSION_TOKEN";
/// Environment variable that turns the keychain off (`off`): for scripts, CI and tests.
pub const KEYCHAIN_ENV: &str = "REDDIT_CAPI_CONSOLE_KEYCHAIN";
/// The keychain service name the tokens are filed under (the account is the pixel id).
pub const SERVICE: &str = "reddit-capi-console";
const FILE_FORMAT: &str = "reddit-capi-console/tokens";

/// Where a token was found, or is to be kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `REDDIT_CONVERSION_TOKEN`.
    Environment,
    /// The OS keychain.
    Keychain,
    /// The opt-in token file.
    File,
    /// Memory only: gone when the app quits.
    Session,
}

impl Source {
    /// For "token set (••••abcd), from …".
    pub fn describe(self) -> &'static str {
        match self {
            Source::Environment => "from REDDIT_CONVERSION_TOKEN",
            Source::Keychain => "in the OS keychain",
            Source::File => "in the token file (0600)",
            Source::Session => "for this session only",
        }
    }
}

/// Where [`Tokens::put`] keeps a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Keychain,
    /// The token file: only on the user's explicit request.
    File,
}

/// The OS keychain, or why there is none.
#[derive(Clone)]
pub enum Keychain {
    Store(Arc<CredentialStore>),
    Unavailable(String),
}

impl std::fmt::Debug for Keychain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Keychain::Store(store) => write!(f, "Keychain({})", store.vendor()),
            Keychain::Unavailable(why) => write!(f, "Keychain::Unavailable({why})"),
        }
    }
}

impl Keychain {
    /// The platform's keychain, unless `REDDIT_CAPI_CONSOLE_KEYCHAIN=off`. On Linux this connects
    /// to the Secret Service over D-Bus, which can take a moment: not on the UI thread.
    pub fn platform() -> Keychain {
        if std::env::var(KEYCHAIN_ENV).is_ok_and(|v| v.eq_ignore_ascii_case("off")) {
            return Keychain::Unavailable(format!("turned off by {KEYCHAIN_ENV}=off"));
        }
        platform_store()
    }

    /// Why there is no keychain (`None`: there is one).
    pub fn unavailable(&self) -> Option<&str> {
        match self {
            Keychain::Store(_) => None,
            Keychain::Unavailable(why) => Some(why),
        }
    }
}

#[cfg(all(feature = "keychain", any(target_os = "linux", target_os = "freebsd", target_os = "openbsd")))]
fn platform_store() -> Keychain {
    match zbus_secret_service_keyring_store::Store::new() {
        Ok(store) => Keychain::Store(store),
        Err(e) => Keychain::Unavailable(format!("Secret Service: {e}")),
    }
}

#[cfg(all(feature = "keychain", target_os = "macos"))]
fn platform_store() -> Keychain {
    match apple_native_keyring_store::keychain::Store::new() {
        Ok(store) => Keychain::Store(store),
        Err(e) => Keychain::Unavailable(format!("the macOS Keychain cannot be opened: {e}")),
    }
}

#[cfg(all(feature = "keychain", windows))]
fn platform_store() -> Keychain {
    match windows_native_keyring_store::Store::new() {
        Ok(store) => Keychain::Store(store),
        Err(e) => Keychain::Unavailable(format!("the Windows Credential Manager cannot be opened: {e}")),
    }
}

#[cfg(not(all(
    feature = "keychain",
    any(target_os = "linux", target_os = "freebsd", target_os = "openbsd", target_os = "macos", windows)
)))]
fn platform_store() -> Keychain {
    Keychain::Unavailable("this build has no keychain support".into())
}

/// Why a token could not be read, kept or forgotten.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the OS keychain: {0}")]
    Keychain(String),
    #[error("no OS keychain ({0}); the token is kept for this session unless you opt in to the token file")]
    NoKeychain(String),
    #[error("{path}: {message}")]
    File { path: PathBuf, message: String },
    #[error("no data directory on this system for the token file")]
    NoDataDir,
    #[error("set the Pixel ID first: tokens are kept per pixel")]
    NoPixel,
    #[error("the conversion token {0}")]
    Bad(crate::secret::BadToken),
}

/// Why the token file's text cannot be used.
#[derive(Debug, thiserror::Error)]
enum TokenFileError {
    #[error("not a version-1 token file (format {format:?}, version {version})")]
    NotVersion1 { format: String, version: u64 },
    #[error("damaged: {0}")]
    Damaged(serde_json::Error),
}

impl FileError for TokenFileError {
    fn is_newer(&self) -> bool {
        matches!(self, TokenFileError::NotVersion1 { version, .. } if *version > 1)
    }
}

/// The token file's content.
#[derive(Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenFile {
    format: String,
    version: u64,
    tokens: BTreeMap<String, String>,
}

impl Drop for TokenFile {
    fn drop(&mut self) {
        for token in self.tokens.values_mut() {
            token.zeroize();
        }
    }
}

/// The token stores: environment, keychain, token file.
#[derive(Debug)]
pub struct Tokens {
    keychain: Keychain,
    file: Option<PathBuf>,
    env: Option<Secret>,
    /// A token file that cannot be used is refused and left in place (commands that only read).
    read_only: bool,
}

impl Tokens {
    /// Stores over `keychain`, the token file in `data_dir`, and the environment's token.
    pub fn new(keychain: Keychain, data_dir: Option<&DataDir>, env: Option<Secret>) -> Tokens {
        Tokens { keychain, file: data_dir.map(DataDir::tokens), env, read_only: false }
    }

    /// For a command that only reads: a damaged or newer token file is refused, never moved.
    pub fn read_only(mut self) -> Tokens {
        self.read_only = true;
        self
    }

    /// `REDDIT_CONVERSION_TOKEN`, if set and not blank.
    pub fn env_token() -> Option<Secret> {
        std::env::var(TOKEN_ENV).ok().and_then(Secret::new)
    }

    pub fn keychain(&self) -> &Keychain {
        &self.keychain
    }

    /// Where the opt-in token file is (or would be).
    pub fn file_path(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// The token for `pixel` and where it was found. A keychain failure is reported only when
    /// the token file has no token either.
    pub fn get(&self, pixel: &str) -> Result<Option<(Secret, Source)>, TokenError> {
        if let Some(token) = &self.env {
            return Ok(Some((token.clone(), Source::Environment)));
        }
        let pixel = pixel.trim();
        if pixel.is_empty() {
            return Ok(None);
        }
        let mut keychain_error = None;
        if let Keychain::Store(store) = &self.keychain {
            match entry(store, pixel).and_then(|e| e.get_password().map_err(keychain_error_text)) {
                Ok(password) => {
                    if let Some(token) = Secret::token(password).map_err(TokenError::Bad)? {
                        return Ok(Some((token, Source::Keychain)));
                    }
                }
                Err(None) => {}
                Err(Some(e)) => keychain_error = Some(TokenError::Keychain(e)),
            }
        }
        let from_file = match self.read_file()?.and_then(|f| f.tokens.get(pixel).cloned()) {
            Some(text) => Secret::token(text).map_err(TokenError::Bad)?,
            None => None,
        };
        match (from_file, keychain_error) {
            (Some(token), _) => Ok(Some((token, Source::File))),
            (None, Some(e)) => Err(e),
            (None, None) => Ok(None),
        }
    }

    /// Keeps `token` for `pixel` in `place`.
    pub fn put(&self, pixel: &str, token: &Secret, place: Place) -> Result<(), TokenError> {
        // Whatever built the secret: a token that cannot go into a header is never kept.
        Secret::token(token.expose()).map_err(TokenError::Bad)?;
        let pixel = pixel.trim();
        if pixel.is_empty() {
            return Err(TokenError::NoPixel);
        }
        match place {
            Place::Keychain => match &self.keychain {
                Keychain::Store(store) => entry(store, pixel)
                    .and_then(|e| e.set_password(token.expose()).map_err(keychain_error_text))
                    .map_err(|e| TokenError::Keychain(e.unwrap_or_else(|| "no such entry".into()))),
                Keychain::Unavailable(why) => Err(TokenError::NoKeychain(why.clone())),
            },
            Place::File => {
                let mut file = self.read_file()?.unwrap_or_else(|| TokenFile {
                    format: FILE_FORMAT.into(),
                    version: 1,
                    tokens: BTreeMap::new(),
                });
                file.tokens.insert(pixel.to_string(), token.expose().to_string());
                self.write_file(&file)
            }
        }
    }

    /// Removes the token for `pixel` from the keychain and the token file (the environment's
    /// token is the environment's business).
    pub fn forget(&self, pixel: &str) -> Result<(), TokenError> {
        let pixel = pixel.trim();
        if let Keychain::Store(store) = &self.keychain {
            match entry(store, pixel).and_then(|e| e.delete_credential().map_err(keychain_error_text)) {
                Ok(()) | Err(None) => {}
                Err(Some(e)) => return Err(TokenError::Keychain(e)),
            }
        }
        if let Some(mut file) = self.read_file()?
            && let Some(mut token) = file.tokens.remove(pixel)
        {
            token.zeroize();
            let path = self.file.as_deref().expect("a file was read");
            if file.tokens.is_empty() {
                std::fs::remove_file(path).map_err(|e| file_error(path, e.to_string()))?;
            } else {
                self.write_file(&file)?;
            }
        }
        Ok(())
    }

    /// The token file, if there is one. One that others can read is refused (left in place for
    /// the user to fix); a damaged one is renamed aside (its mode kept) and reported.
    fn read_file(&self) -> Result<Option<TokenFile>, TokenError> {
        let Some(path) = &self.file else { return Ok(None) };
        #[cfg(unix)]
        match std::fs::metadata(path) {
            Ok(meta) => {
                use std::os::unix::fs::PermissionsExt;
                let mode = meta.permissions().mode() & 0o777;
                if mode & 0o077 != 0 {
                    return Err(file_error(
                        path,
                        format!(
                            "other users can read it (mode {mode:o}), so it is not used; run chmod 600 on it"
                        ),
                    ));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(file_error(path, e.to_string())),
        }
        let parse = |text: &str| {
            // serde's messages name positions and types, never the input's strings.
            match serde_json::from_str::<TokenFile>(text) {
                Ok(file) if file.format == FILE_FORMAT && file.version == 1 => Ok(file),
                Ok(file) => {
                    Err(TokenFileError::NotVersion1 { format: file.format.clone(), version: file.version })
                }
                Err(e) => Err(TokenFileError::Damaged(e)),
            }
        };
        if self.read_only {
            return versioned::read(path, parse)
                .map_err(|e| file_error(path, format!("{}; it was left as it is", e.error)));
        }
        match versioned::load(path, parse) {
            Found::Missing => Ok(None),
            Found::Read(file) => Ok(Some(file)),
            Found::SetAside(aside) => {
                let SetAside { copy, error, .. } = aside;
                let moved = match copy {
                    Some(copy) => format!("it was moved to {}", copy.display()),
                    None => "it could not be moved aside".into(),
                };
                Err(file_error(path, format!("{error}; {moved}")))
            }
        }
    }

    fn write_file(&self, file: &TokenFile) -> Result<(), TokenError> {
        let path = self.file.as_deref().ok_or(TokenError::NoDataDir)?;
        let mut bytes = serde_json::to_vec_pretty(file).expect("a token file serializes");
        bytes.push(b'\n');
        let written = atomic::write(path, &bytes);
        bytes.zeroize();
        written.map_err(|e| file_error(path, e.to_string()))
    }
}

fn entry(store: &Arc<CredentialStore>, pixel: &str) -> Result<Entry, Option<String>> {
    Entry::new_in_store(store, SERVICE, pixel).map_err(|e| Some(e.to_string()))
}

/// `None` for "no such entry", else the keychain's message.
pub(super) fn keychain_error_text(e: keyring_core::Error) -> Option<String> {
    match e {
        keyring_core::Error::NoEntry => None,
        e => Some(e.to_string()),
    }
}

fn file_error(path: &Path, message: String) -> TokenError {
    TokenError::File { path: path.to_path_buf(), message }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "tok_3f9a8b7c6d5e4f3a2b1c";

    use crate::test_dir::TestDir;

    fn dir(name: &str) -> TestDir {
        TestDir::created(&format!("tokens-{name}"))
    }

    fn mock() -> Keychain {
        Keychain::Store(keyring_core::mock::Store::new().unwrap())
    }

    fn secret(s: &str) -> Secret {
        Secret::new(s).unwrap()
    }

    #[test]
    fn keychain_round_trip_per_pixel_and_forget() {
        let dir = dir("keychain");
        let tokens = Tokens::new(mock(), Some(&DataDir::new(dir.to_path_buf())), None);
        assert_eq!(tokens.get("a2_one").unwrap(), None);
        tokens.put("a2_one", &secret(TOKEN), Place::Keychain).unwrap();
        assert_eq!(tokens.get("a2_one").unwrap(), Some((secret(TOKEN), Source::Keychain)));
        assert_eq!(tokens.get("a2_two").unwrap(), None, "tokens are per pixel");
        tokens.forget("a2_one").unwrap();
        assert_eq!(tokens.get("a2_one").unwrap(), None);
        tokens.forget("a2_one").unwrap();
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "the keychain path writes no file");
    }

    #[test]
    fn the_environment_overrides_every_store() {
        let dir = dir("env");
        let tokens = Tokens::new(mock(), Some(&DataDir::new(dir.to_path_buf())), None);
        tokens.put("a2_one", &secret(TOKEN), Place::Keychain).unwrap();
        let keychain = tokens.keychain.clone();
        let tokens =
            Tokens::new(keychain, Some(&DataDir::new(dir.to_path_buf())), Some(secret("from_env_token_xyz")));
        assert_eq!(tokens.get("a2_one").unwrap(), Some((secret("from_env_token_xyz"), Source::Environment)));
        assert_eq!(tokens.get("").unwrap().unwrap().1, Source::Environment);
    }

    #[test]
    fn without_a_keychain_nothing_is_written_unless_the_file_is_chosen() {
        let dir = dir("nokeychain");
        let tokens =
            Tokens::new(Keychain::Unavailable("no bus".into()), Some(&DataDir::new(dir.to_path_buf())), None);
        let err = tokens.put("a2_one", &secret(TOKEN), Place::Keychain).unwrap_err();
        assert_eq!(err, TokenError::NoKeychain("no bus".into()));
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "no silent fallback to a file");

        tokens.put("a2_one", &secret(TOKEN), Place::File).unwrap();
        tokens.put("a2_two", &secret("tok_second_pixel_0000"), Place::File).unwrap();
        assert_eq!(tokens.get("a2_one").unwrap(), Some((secret(TOKEN), Source::File)));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode =
                std::fs::metadata(DataDir::new(dir.to_path_buf()).tokens()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        tokens.forget("a2_one").unwrap();
        assert_eq!(tokens.get("a2_one").unwrap(), None);
        assert!(tokens.get("a2_two").unwrap().is_some());
        tokens.forget("a2_two").unwrap();
        assert!(
            !DataDir::new(dir.to_path_buf()).tokens().exists(),
            "the last token forgotten removes the file"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_token_file_others_can_read_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = dir("mode");
        let tokens =
            Tokens::new(Keychain::Unavailable("none".into()), Some(&DataDir::new(dir.to_path_buf())), None);
        tokens.put("a2_one", &secret(TOKEN), Place::File).unwrap();
        let path = DataDir::new(dir.to_path_buf()).tokens();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = tokens.get("a2_one").unwrap_err().to_string();
        assert!(err.contains("mode 644") && err.contains("chmod 600"), "{err}");
        assert!(!err.contains(TOKEN));
    }

    #[test]
    fn a_damaged_token_file_is_reported_without_its_content() {
        let dir = dir("damaged");
        let path = DataDir::new(dir.to_path_buf()).tokens();
        atomic::write(&path, format!("{{\"tokens\": {{\"a2\": \"{TOKEN}\"").as_bytes()).unwrap();
        let tokens =
            Tokens::new(Keychain::Unavailable("none".into()), Some(&DataDir::new(dir.to_path_buf())), None);
        let err = tokens.get("a2").unwrap_err().to_string();
        assert!(err.contains("damaged") && err.contains("moved to"), "{err}");
        assert!(!err.contains(TOKEN), "{err}");
        let copy = std::fs::read_dir(&dir).unwrap().next().unwrap().unwrap().path();
        assert!(copy.file_name().unwrap().to_str().unwrap().starts_with("tokens.corrupt-"));
        assert!(std::fs::read_to_string(&copy).unwrap().contains(TOKEN), "kept, not overwritten");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&copy).unwrap().permissions().mode() & 0o777, 0o600);
        }
        // The next token starts a new file; the damaged copy stays.
        tokens.put("a2", &secret(TOKEN), Place::File).unwrap();
        assert_eq!(tokens.get("a2").unwrap().unwrap().1, Source::File);
        assert!(copy.exists());
    }

    #[test]
    fn keychain_errors_name_the_keychain_and_the_file_still_answers() {
        let dir = dir("kcerror");
        let store = keyring_core::mock::Store::new().unwrap();
        let keychain = Keychain::Store(store.clone());
        let tokens = Tokens::new(keychain, Some(&DataDir::new(dir.to_path_buf())), None);
        tokens.put("a2_one", &secret(TOKEN), Place::Keychain).unwrap();
        let failing = |store: &Arc<keyring_core::mock::Store>| {
            let store: Arc<CredentialStore> = store.clone();
            let entry = Entry::new_in_store(&store, SERVICE, "a2_one").unwrap();
            let cred: &keyring_core::mock::Cred = entry.as_any().downcast_ref().unwrap();
            cred.set_error(keyring_core::Error::NoStorageAccess("locked".into()));
        };
        failing(&store);
        assert!(matches!(tokens.get("a2_one"), Err(TokenError::Keychain(m)) if m.contains("locked")));
        tokens.put("a2_one", &secret("tok_file_fallback_123"), Place::File).unwrap();
        failing(&store);
        assert_eq!(tokens.get("a2_one").unwrap().unwrap().1, Source::File);
        assert_eq!(tokens.put("", &secret(TOKEN), Place::File), Err(TokenError::NoPixel));
    }

    #[test]
    fn debug_never_shows_the_token() {
        let tokens = Tokens::new(mock(), None, Some(secret(TOKEN)));
        let debug = format!("{tokens:?}");
        assert!(!debug.contains(TOKEN) && debug.contains("Mock store"), "{debug}");
    }
}
