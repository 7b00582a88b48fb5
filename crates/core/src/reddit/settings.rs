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
    /// `partner_version` beside `partner` (v2 top level, v3 `data`), as Reddit's own sGTM
    /// template sends it (`"2.0.0"`); omitted when absent or blank, and never without `partner`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_version: Option<String>,
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
            partner_version: None,
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

    /// The endpoint URL on `base` (normally [`REDDIT_API_BASE`]). The Pixel ID is
    /// percent-encoded as one path segment; a query or fragment on `base` (refused by
    /// [`endpoint_problem`]) stays after the API path rather than swallowing it.
    pub fn url(&self, base: &str) -> String {
        let cut = base.find(['?', '#']).unwrap_or(base.len());
        let (base, tail) = base.split_at(cut);
        let base = base.trim_end_matches('/');
        let pixel = encode_segment(self.pixel_id.trim());
        match self.api_version {
            ApiVersion::V2 => format!("{base}/api/v2.0/conversions/events/{pixel}{tail}"),
            ApiVersion::V3 => format!("{base}/api/v3/pixels/{pixel}/conversion_events{tail}"),
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
        } else if matches!(p.trim(), "." | "..") {
            Some("the Pixel ID cannot be \".\" or \"..\"")
        } else {
            None
        }
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters, so `s` stays one path
/// segment (`#`, `?`, `%` and `/` cannot change where the request goes).
pub fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Why `url` cannot be an endpoint base URL, if it cannot: it must be `http://` or `https://`
/// with a host and an optional path, and nothing that could carry a credential or cut the API
/// path off (no user info, query or fragment, no whitespace or control characters).
pub fn endpoint_problem(url: &str) -> Option<&'static str> {
    let Some(rest) = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")) else {
        return Some("expected an http:// or https:// URL");
    };
    let authority = rest.split('/').next().unwrap_or("");
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Some("the URL contains whitespace or control characters")
    } else if authority.contains('@') {
        Some("the URL carries user info (user:password@): put the token in the environment, not the URL")
    } else if url.contains('?') || url.contains('#') {
        Some("the URL has a query or fragment: give the base URL only (a token must never go in a URL)")
    } else {
        authority_problem(authority)
    }
}

/// What is wrong with a URL's `host[:port]` (a bracketed IPv6 address, a name or an IPv4
/// address; a port from 1 to 65535), if anything: the client would otherwise fail to connect
/// and call it a closed connection.
fn authority_problem(authority: &str) -> Option<&'static str> {
    let (host, port) = match authority.strip_prefix('[') {
        Some(rest) => {
            let Some((address, after)) = rest.split_once(']') else {
                return Some("the URL's IPv6 address has no closing ]");
            };
            if address.parse::<std::net::Ipv6Addr>().is_err() {
                return Some("the URL's [host] is not an IPv6 address");
            }
            match after {
                "" => (address, None),
                after => match after.strip_prefix(':') {
                    Some(port) => (address, Some(port)),
                    None => return Some("the URL has text between its IPv6 address and the port"),
                },
            }
        }
        None => {
            let (host, port) = authority.rsplit_once(':').map_or((authority, None), |(h, p)| (h, Some(p)));
            if !host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')) {
                return Some("the URL's host has characters a host name cannot have");
            }
            (host, port)
        }
    };
    if host.is_empty() {
        return Some("the URL has no host");
    }
    match port {
        Some(port)
            if !port.bytes().all(|b| b.is_ascii_digit()) || !matches!(port.parse::<u32>(), Ok(1..=65535)) =>
        {
            Some("the URL's port must be a number from 1 to 65535")
        }
        _ => None,
    }
}

/// `reddit-capi-console/<version>`.
pub fn default_user_agent() -> String {
    format!("reddit-capi-console/{}", env!("CARGO_PKG_VERSION"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v2(pixel: &str) -> Settings {
        Settings { pixel_id: pixel.into(), ..Settings::default() }
    }

    #[test]
    fn the_pixel_id_is_one_encoded_path_segment() {
        let url = |p: &str| v2(p).url("http://h:1");
        assert_eq!(url("a2_x"), "http://h:1/api/v2.0/conversions/events/a2_x");
        assert_eq!(url("a2_x#z"), "http://h:1/api/v2.0/conversions/events/a2_x%23z");
        assert_eq!(url("a2_x?y=1"), "http://h:1/api/v2.0/conversions/events/a2_x%3Fy%3D1");
        assert_eq!(url("a%2F"), "http://h:1/api/v2.0/conversions/events/a%252F");
        assert_eq!(url("é"), "http://h:1/api/v2.0/conversions/events/%C3%A9");
        let v3 = Settings { api_version: ApiVersion::V3, ..v2("t2 x") };
        assert_eq!(v3.url("http://h/"), "http://h/api/v3/pixels/t2%20x/conversion_events");
        for dots in [".", ".."] {
            assert!(v2(dots).pixel_id_problem().is_some(), "{dots}");
        }
    }

    #[test]
    fn a_query_or_fragment_on_the_base_never_swallows_the_api_path() {
        assert_eq!(v2("p").url("http://h/base/?q=1#f"), "http://h/base/api/v2.0/conversions/events/p?q=1#f");
    }

    #[test]
    fn endpoints_with_credentials_queries_or_fragments_are_refused() {
        for ok in ["http://127.0.0.1:7878", "https://ads-api.reddit.com", "http://h/base/", "http://[::1]:80"]
        {
            assert_eq!(endpoint_problem(ok), None, "{ok}");
        }
        for bad in [
            "http://user:tok@h",
            "http://tok@h/x",
            "http://h/?access_token=tok",
            "http://h/#f",
            "ftp://h",
            "http://",
            "http://:80/x",
            "http://h/a b",
            "http://h/\r\n",
        ] {
            assert!(endpoint_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn malformed_hosts_and_ports_are_refused_before_anything_is_sent() {
        for ok in ["http://localhost:65535/x", "http://[::1]", "http://a-b.example_1.com:1"] {
            assert_eq!(endpoint_problem(ok), None, "{ok}");
        }
        for (bad, why) in [
            ("http://[::1", "no closing ]"),
            ("http://[::1]x:80", "between its IPv6 address"),
            ("http://[zz]:80", "not an IPv6 address"),
            ("http://127.0.0.1:99999", "1 to 65535"),
            ("http://h:0", "1 to 65535"),
            ("http://h:+80", "1 to 65535"),
            ("http://h:", "1 to 65535"),
            ("http://h%41st/", "characters a host name"),
            ("http://::1/", "characters a host name"),
        ] {
            assert!(
                endpoint_problem(bad).is_some_and(|p| p.contains(why)),
                "{bad}: {:?}",
                endpoint_problem(bad)
            );
        }
    }
}
