//! Where the console keeps its files: the platform's data directory, or
//! `$REDDIT_CAPI_CONSOLE_HOME` when set (tests and portable installs use it). [`DataDir`] is the
//! one place the files' names are written.

use std::path::{Path, PathBuf};

/// Environment variable that overrides the data directory.
pub const HOME_ENV: &str = "REDDIT_CAPI_CONSOLE_HOME";

/// The directory holding the workspace, the settings, the history and the token file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataDir(PathBuf);

impl DataDir {
    /// `$REDDIT_CAPI_CONSOLE_HOME`, else the platform's data directory (`None`: there is none).
    pub fn locate() -> Option<DataDir> {
        if let Some(home) = std::env::var_os(HOME_ENV).filter(|h| !h.is_empty()) {
            return Some(DataDir::new(home));
        }
        directories::ProjectDirs::from("com", "Reddit CAPI Console", "reddit-capi-console")
            .map(|d| DataDir::new(d.data_dir()))
    }

    /// The data directory at `root`.
    pub fn new(root: impl Into<PathBuf>) -> DataDir {
        DataDir(root.into())
    }

    /// The directory itself.
    pub fn root(&self) -> &Path {
        &self.0
    }

    /// eframe's own state (window size and position, panel sizes): a file in the directory,
    /// never the directory itself.
    pub fn eframe_state(&self) -> PathBuf {
        self.0.join("eframe.ron")
    }

    /// The saved workspace: the mappings and the destination settings.
    pub fn workspace(&self) -> PathBuf {
        self.0.join("workspace.json")
    }

    /// The app's settings: destinations, endpoint, composer, samples, network, sends marked seen.
    pub fn settings(&self) -> PathBuf {
        self.0.join("settings.json")
    }

    /// Moves the settings file from the name earlier releases gave it (`app-state.json`) to
    /// [`DataDir::settings`], unless a file already has that name. For the app, which writes it.
    pub fn adopt_old_settings_name(&self) -> std::io::Result<()> {
        let (old, new) = (self.0.join("app-state.json"), self.settings());
        if old.is_file() && !new.exists() { std::fs::rename(old, new) } else { Ok(()) }
    }

    /// The send history's live file (its rotation and lock are named after it).
    pub fn history(&self) -> PathBuf {
        self.0.join("history.jsonl")
    }

    /// Events captured by `listen --capture` (JSON Lines; its rotation and lock are named after it).
    pub fn captures(&self) -> PathBuf {
        self.0.join("captures.jsonl")
    }

    /// The opt-in token file (where there is no keychain).
    pub fn tokens(&self) -> PathBuf {
        self.0.join("tokens.json")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_dir::TestDir;

    #[test]
    fn the_old_settings_file_is_adopted_once_and_never_over_a_newer_one() {
        let root = TestDir::created("paths-adopt");
        let dir = DataDir::new(root.to_path_buf());
        dir.adopt_old_settings_name().unwrap();
        assert!(!dir.settings().exists(), "nothing to adopt");
        std::fs::write(root.join("app-state.json"), "old").unwrap();
        dir.adopt_old_settings_name().unwrap();
        assert_eq!(std::fs::read_to_string(dir.settings()).unwrap(), "old");
        assert!(!root.join("app-state.json").exists());
        std::fs::write(root.join("app-state.json"), "older").unwrap();
        dir.adopt_old_settings_name().unwrap();
        assert_eq!(std::fs::read_to_string(dir.settings()).unwrap(), "old", "never over settings.json");
        assert!(root.join("app-state.json").exists(), "left as it is");
    }
}
