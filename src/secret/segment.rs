//! The Segment Public API token: `$SEGMENT_TOKEN`, else the OS keychain under a service name of
//! its own ([`SERVICE`]). Never written to a file: where there is no keychain it is kept for the
//! session only (the app) or read from the environment each time (the CLI).

use keyring_core::Entry;

use super::Secret;
use super::tokens::{Keychain, Source, TokenError, keychain_error_text};

/// The environment variable the Segment token is read from; it wins over the keychain.
pub const TOKEN_ENV: &str = "SEGMENT_TOKEN";
/// The keychain service the Segment token is filed under (not the conversion tokens').
pub const SERVICE: &str = "reddit-capi-console-segment";
const ACCOUNT: &str = "public-api";

/// `$SEGMENT_TOKEN` (blank is none; one with a line break is refused).
pub fn env_token() -> Result<Option<Secret>, TokenError> {
    Secret::token(std::env::var(TOKEN_ENV).unwrap_or_default()).map_err(TokenError::Bad)
}

fn entry(keychain: &Keychain) -> Result<Entry, TokenError> {
    match keychain {
        Keychain::Store(store) => {
            Entry::new_in_store(store, SERVICE, ACCOUNT).map_err(|e| TokenError::Keychain(e.to_string()))
        }
        Keychain::Unavailable(why) => Err(TokenError::NoKeychain(why.clone())),
    }
}

/// The token from the environment, else the keychain (none when there is no keychain).
pub fn get(keychain: impl FnOnce() -> Keychain) -> Result<Option<(Secret, Source)>, TokenError> {
    if let Some(token) = env_token()? {
        return Ok(Some((token, Source::Environment)));
    }
    let keychain = keychain();
    if keychain.unavailable().is_some() {
        return Ok(None);
    }
    match entry(&keychain)?.get_password().map_err(keychain_error_text) {
        Ok(text) => Ok(Secret::token(text).map_err(TokenError::Bad)?.map(|t| (t, Source::Keychain))),
        Err(None) => Ok(None),
        Err(Some(e)) => Err(TokenError::Keychain(e)),
    }
}

/// Keeps the token in the keychain.
pub fn put(keychain: &Keychain, token: &Secret) -> Result<(), TokenError> {
    Secret::token(token.expose()).map_err(TokenError::Bad)?;
    entry(keychain)?
        .set_password(token.expose())
        .map_err(|e| TokenError::Keychain(keychain_error_text(e).unwrap_or_else(|| "no such entry".into())))
}

/// Removes the token from the keychain (none there is fine).
pub fn forget(keychain: &Keychain) -> Result<(), TokenError> {
    match entry(keychain)?.delete_credential().map_err(keychain_error_text) {
        Ok(()) | Err(None) => Ok(()),
        Err(Some(e)) => Err(TokenError::Keychain(e)),
    }
}
