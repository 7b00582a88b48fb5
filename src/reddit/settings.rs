//! Destination settings (spec §1), as stored in a workspace. The conversion token is not here:
//! it never enters a workspace file.

use serde::{Deserialize, Serialize};

use crate::identity::Profile;

/// The Pixel ID a first run starts with: a placeholder for the local emulator, which accepts any
/// well-formed id. Reddit has no such pixel (a lint says so before a send to Reddit).
pub const PLACEHOLDER_PIXEL: &str = "a2_local_test_pixel";

/// Which Conversions API the requests target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum ApiVersion {
    /// `POST /api/v2.0/conversions/events/{pixel_id}` — what Segment sends today.
    #[default]
    #[serde(rename = "v2.0")]
    V2,
    /// `POST /api/v3/pixels/{pixel_id}/conversion_events`.
    #[serde(rename = "v3")]
    V3,
}

impl ApiVersion {
    /// `v2.0` or `v3`.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiVersion::V2 => "v2.0",
            ApiVersion::V3 => "v3",
        }
    }

    /// Parses `v2.0` (or `v2`) and `v3`.
    pub fn parse(s: &str) -> Option<ApiVersion> {
        match s.trim() {
            "v2.0" | "v2" | "2" | "2.0" => Some(ApiVersion::V2),
            "v3" | "3" => Some(ApiVersion::V3),
            _ => None,
        }
    }

    /// The request body's path to the events array, e.g. `events` or `data.events`.
    pub fn events_path(self) -> &'static str {
        match self {
            ApiVersion::V2 => "events",
            ApiVersion::V3 => "data.events",
        }
    }
}

/// Default Reddit API origin.
pub const REDDIT_API_BASE: &str = "https://ads-api.reddit.com";

/// Everything about the destination except the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The Pixel ID (Segment's `ad_account_id`).
    #[serde(default)]
    pub pixel_id: String,
    #[serde(default)]
    pub api_version: ApiVersion,
    /// v2 only: top-level `test_mode`.
    #[serde(default)]
    pub test_mode: bool,
    /// v3 only: `data.test_id` from Reddit's Event Testing page.
    #[serde(default)]
    pub test_id: Option<String>,
    /// Normalization profile: `segment` (byte-identical to Segment) or `reddit`.
    #[serde(default)]
    pub profile: Profile,
    /// `partner` in the body; `"SEGMENT"` for Segment-identical output; omitted when absent.
    #[serde(default)]
    pub partner: Option<String>,
    /// Overrides the default `reddit-capi-console/<version>` User-Agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            pixel_id: String::new(),
            api_version: ApiVersion::V2,
            test_mode: true,
            test_id: None,
            profile: Profile::Segment,
            partner: Some("SEGMENT".into()),
            user_agent: None,
        }
    }
}

impl Settings {
    /// The User-Agent to send.
    pub fn user_agent(&self) -> String {
        self.user_agent.clone().filter(|u| !u.trim().is_empty()).unwrap_or_else(default_user_agent)
    }

    /// The test id when it applies (v3, non-blank).
    pub fn active_test_id(&self) -> Option<&str> {
        match self.api_version {
            ApiVersion::V3 => self.test_id.as_deref().map(str::trim).filter(|t| !t.is_empty()),
            ApiVersion::V2 => None,
        }
    }

    /// Whether requests are marked as tests (v2 `test_mode`, v3 `test_id`).
    pub fn is_test(&self) -> bool {
        match self.api_version {
            ApiVersion::V2 => self.test_mode,
            ApiVersion::V3 => self.active_test_id().is_some(),
        }
    }

    /// The endpoint URL on `base` (normally [`REDDIT_API_BASE`]).
    pub fn url(&self, base: &str) -> String {
        let base = base.trim_end_matches('/');
        let pixel = self.pixel_id.trim();
        match self.api_version {
            ApiVersion::V2 => format!("{base}/api/v2.0/conversions/events/{pixel}"),
            ApiVersion::V3 => format!("{base}/api/v3/pixels/{pixel}/conversion_events"),
        }
    }

    /// Why the pixel id cannot be used, if it cannot (empty, whitespace, or `/`).
    pub fn pixel_id_problem(&self) -> Option<&'static str> {
        let p = &self.pixel_id;
        if p.trim().is_empty() {
            Some("no Pixel ID is set")
        } else if p.chars().any(char::is_whitespace) {
            Some("the Pixel ID contains whitespace")
        } else if p.contains('/') {
            Some("the Pixel ID contains \"/\"")
        } else {
            None
        }
    }
}

/// `reddit-capi-console/<version>`.
pub fn default_user_agent() -> String {
    format!("reddit-capi-console/{}", env!("CARGO_PKG_VERSION"))
}
