//! Where the console keeps its files: the platform's data directory, or
//! `$REDDIT_CAPI_CONSOLE_HOME` when set (tests and portable installs use it).

use std::path::PathBuf;

/// Environment variable that overrides the data directory.
pub const HOME_ENV: &str = "REDDIT_CAPI_CONSOLE_HOME";

/// The directory holding the workspace, settings and history.
pub fn data_dir() -> Option<PathBuf> {
    if let Some(home) = std::env::var_os(HOME_ENV).filter(|h| !h.is_empty()) {
        return Some(PathBuf::from(home));
    }
    directories::ProjectDirs::from("com", "Reddit CAPI Console", "reddit-capi-console")
        .map(|d| d.data_dir().to_path_buf())
}

/// The saved workspace.
pub fn workspace_file() -> Option<PathBuf> {
    data_dir().map(|d| d.join("workspace.json"))
}
