//! A Conversions API request — URL, headers, body — for a list of built events.

use serde::Serialize;

use super::settings::{ApiVersion, REDDIT_API_BASE, Settings};
use super::wire::{Body, RedditEvent, V3Data};

/// Reddit accepts at most this many events in one request.
pub const MAX_EVENTS_PER_REQUEST: usize = 1000;

/// How the Authorization header is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Authorization {
    /// No token is known (the command line names its environment variable).
    Missing,
    /// No token is set in the app's Settings.
    NotInSettings,
    /// `Bearer ••••` and the token's last four characters.
    Masked(String),
    /// The real header (only for sending, or `--show-token`).
    Shown(String),
}

impl Authorization {
    /// Masks a token unless `show` is set.
    pub fn for_token(token: Option<&str>, show: bool) -> Authorization {
        match token.map(str::trim).filter(|t| !t.is_empty()) {
            None => Authorization::Missing,
            Some(t) if show => Authorization::Shown(t.to_string()),
            Some(t) => {
                let chars: Vec<char> = t.chars().collect();
                let tail: String =
                    if chars.len() > 8 { chars[chars.len() - 4..].iter().collect() } else { String::new() };
                Authorization::Masked(tail)
            }
        }
    }

    /// The header value.
    pub fn header_value(&self) -> String {
        match self {
            Authorization::Missing => "Bearer <no token: set REDDIT_CONVERSION_TOKEN>".into(),
            Authorization::NotInSettings => "Bearer <no conversion token: paste it in Settings>".into(),
            Authorization::Masked(tail) => format!("Bearer ••••{tail}"),
            Authorization::Shown(token) => format!("Bearer {token}"),
        }
    }
}

/// One HTTP request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Request {
    pub url: String,
    pub method: &'static str,
    /// Header name and value pairs, in sending order.
    #[serde(serialize_with = "headers_as_object")]
    pub headers: Vec<(String, String)>,
    pub body: Body,
}

fn headers_as_object<S: serde::Serializer>(headers: &[(String, String)], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = s.serialize_map(Some(headers.len()))?;
    for (k, v) in headers {
        map.serialize_entry(k, v)?;
    }
    map.end()
}

/// Builds the request carrying `events` (already built for `settings.api_version`).
pub fn build_request(
    settings: &Settings,
    events: Vec<RedditEvent>,
    auth: &Authorization,
    base: Option<&str>,
) -> Request {
    let headers = vec![
        ("Authorization".to_string(), auth.header_value()),
        ("Content-Type".to_string(), "application/json".to_string()),
        ("User-Agent".to_string(), settings.user_agent()),
    ];
    let trimmed =
        |s: &Option<String>| s.as_deref().map(str::trim).filter(|p| !p.is_empty()).map(str::to_string);
    let partner = trimmed(&settings.partner);
    let partner_version = partner.as_ref().and_then(|_| trimmed(&settings.partner_version));
    let body = match settings.api_version {
        ApiVersion::V2 => Body::V2 { events, test_mode: settings.test_mode, partner, partner_version },
        ApiVersion::V3 => Body::V3 {
            data: V3Data {
                events,
                partner,
                partner_version,
                test_id: settings.active_test_id().map(str::to_string),
            },
        },
    };
    Request { url: settings.url(base.unwrap_or(REDDIT_API_BASE)), method: "POST", headers, body }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(v: serde_json::Value) -> RedditEvent {
        RedditEvent::V2(serde_json::from_value(v).unwrap())
    }

    fn ev() -> RedditEvent {
        event(json!({"event_at": "x", "event_type": {"tracking_type": "Lead"}}))
    }

    #[test]
    fn v2_body_in_segments_order() {
        let s = Settings { pixel_id: "a2_x".into(), test_mode: true, ..Settings::default() };
        let r = build_request(&s, vec![ev()], &Authorization::Missing, None);
        assert_eq!(r.url, "https://ads-api.reddit.com/api/v2.0/conversions/events/a2_x");
        assert_eq!(
            serde_json::to_string(&r.body).unwrap(),
            r#"{"events":[{"event_at":"x","event_type":{"tracking_type":"Lead"}}],"test_mode":true,"partner":"SEGMENT"}"#
        );
        let no_partner = Settings { partner: None, ..s };
        assert_eq!(
            build_request(&no_partner, vec![], &Authorization::Missing, None).body.to_value(),
            json!({"events": [], "test_mode": true})
        );
    }

    #[test]
    fn partner_version_goes_beside_partner_as_reddits_template_sends_it() {
        let s = Settings {
            pixel_id: "a2_x".into(),
            partner: Some("SGTM".into()),
            partner_version: Some(" 2.0.0 ".into()),
            ..Settings::default()
        };
        let v2 = build_request(&s, vec![ev()], &Authorization::Missing, None);
        assert_eq!(
            serde_json::to_string(&v2.body).unwrap(),
            r#"{"events":[{"event_at":"x","event_type":{"tracking_type":"Lead"}}],"test_mode":true,"partner":"SGTM","partner_version":"2.0.0"}"#
        );
        let v3 = Settings { api_version: ApiVersion::V3, test_id: Some("t".into()), ..s.clone() };
        assert_eq!(
            build_request(&v3, vec![], &Authorization::Missing, None).body.to_value(),
            json!({"data": {"events": [], "partner": "SGTM", "partner_version": "2.0.0", "test_id": "t"}})
        );
        let alone = Settings { partner: None, ..s };
        assert_eq!(
            build_request(&alone, vec![], &Authorization::Missing, None).body.to_value(),
            json!({"events": [], "test_mode": true}),
            "never without partner"
        );
    }

    #[test]
    fn v3_body_has_data_and_test_id_but_no_test_mode() {
        let s = Settings {
            pixel_id: "a2_x".into(),
            api_version: ApiVersion::V3,
            test_id: Some(" t-1 ".into()),
            partner: None,
            ..Settings::default()
        };
        let r = build_request(&s, vec![ev()], &Authorization::Missing, Some("http://127.0.0.1:9/"));
        assert_eq!(r.url, "http://127.0.0.1:9/api/v3/pixels/a2_x/conversion_events");
        assert_eq!(
            r.body.to_value(),
            json!({"data": {"events": [{"event_at": "x", "event_type": {"tracking_type": "Lead"}}], "test_id": "t-1"}})
        );
    }

    #[test]
    fn token_is_masked_to_its_last_four_characters() {
        let token = "eyJhbGciOiJSUzI1NiIsImtpZCI6IlNIQTI1NjpzS3dsMkpsV";
        assert_eq!(Authorization::for_token(Some(token), false).header_value(), "Bearer ••••kpsV");
        assert_eq!(Authorization::for_token(Some("short"), false).header_value(), "Bearer ••••");
        assert_eq!(Authorization::for_token(Some(token), true).header_value(), format!("Bearer {token}"));
        assert_eq!(Authorization::for_token(Some("  "), true), Authorization::Missing);
    }

    #[test]
    fn headers_name_the_user_agent() {
        let r = build_request(&Settings::default(), vec![], &Authorization::Masked("abcd".into()), None);
        let ua = &r.headers.iter().find(|(k, _)| k == "User-Agent").unwrap().1;
        assert!(ua.starts_with("reddit-capi-console/"));
    }
}
