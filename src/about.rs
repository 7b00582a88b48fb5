//! What `--version` and the app's About window say: the version, the Segment release the
//! `segment` profile matches, and where the data directory is.

use std::path::Path;

use crate::mapping::release;

/// The lines, for a data directory at `data_dir` (`None`: the system has none).
pub fn lines(data_dir: Option<&Path>) -> [String; 3] {
    let dir = data_dir.map_or_else(|| "none on this system".to_string(), |d| d.display().to_string());
    [
        format!("reddit-capi-console {}", env!("CARGO_PKG_VERSION")),
        format!("segment profile matches {}", release::segment_release()),
        format!("data directory: {dir}"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_version_the_segment_release_and_the_data_directory() {
        let [version, segment, dir] = lines(Some(Path::new("/home/u/.local/share/rcc")));
        assert_eq!(version, format!("reddit-capi-console {}", env!("CARGO_PKG_VERSION")));
        assert!(segment.contains(release::ACTION_DESTINATIONS_VERSION), "{segment}");
        assert!(segment.contains(release::ACTIONS_CORE_VERSION), "{segment}");
        assert_eq!(dir, "data directory: /home/u/.local/share/rcc");
        assert_eq!(lines(None)[2], "data directory: none on this system");
    }
}
