//! The Conversions API wire format (spec §2) as types: what the builder produces, what requests
//! carry, and what the emulator reads. Field order is Segment's v2 build order; absent optionals
//! are left out.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A v2.0 event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct V2Event {
    /// Passed through as given (normally an RFC 3339 string).
    pub event_at: Value,
    pub event_type: RedditEventType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub click_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_metadata: Option<V2Metadata>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<User>,
}

/// `event_type` (v2) / `type` (v3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedditEventType {
    /// Empty (and left out) only where the release sends none: a custom event whose name is ""
    /// in a batch (`event_type: {}`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub tracking_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_event_name: Option<String>,
}

/// v2 `event_metadata`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct V2Metadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_count: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_decimal: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub products: Option<Vec<V2Product>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversion_id: Option<String>,
}

/// v2 product.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct V2Product {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The user, identical in v2 and v3 (key order: Segment's).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct User {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idfa: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aaid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_processing_options: Option<DataProcessingOptions>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screen_dimensions: Option<ScreenDimensions>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
}

/// `user.data_processing_options`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DataProcessingOptions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modes: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

/// `user.screen_dimensions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScreenDimensions {
    pub height: Value,
    pub width: Value,
}

/// A v3 event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct V3Event {
    /// Epoch milliseconds (an integer) when valid; otherwise the value as given, with an error lint.
    pub event_at: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_source_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub click_id: Option<String>,
    #[serde(rename = "type")]
    pub event_type: RedditEventType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<V3Metadata>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<User>,
}

/// v3 `metadata`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct V3Metadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_count: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub products: Option<Vec<V3Product>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversion_id: Option<String>,
}

/// v3 product.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct V3Product {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_price: Option<Value>,
}

/// An event of either version.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum RedditEvent {
    V2(V2Event),
    V3(V3Event),
}

impl RedditEvent {
    /// The user part.
    pub fn user(&self) -> Option<&User> {
        match self {
            RedditEvent::V2(e) => e.user.as_ref(),
            RedditEvent::V3(e) => e.user.as_ref(),
        }
    }
    /// `event_type` / `type`.
    pub fn event_type(&self) -> &RedditEventType {
        match self {
            RedditEvent::V2(e) => &e.event_type,
            RedditEvent::V3(e) => &e.event_type,
        }
    }
    /// `click_id`.
    pub fn click_id(&self) -> Option<&str> {
        match self {
            RedditEvent::V2(e) => e.click_id.as_deref(),
            RedditEvent::V3(e) => e.click_id.as_deref(),
        }
    }
    /// As a JSON value.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).expect("events serialize")
    }

    /// The compact JSON text, as sent.
    pub fn to_json_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(1024);
        super::json::write_event(&mut out, self);
        out
    }
}

/// The v2.0 name of a field of a v3 body, so the two versions compare field by field:
/// `data.events[0].type.tracking_type` is `events[0].event_type.tracking_type`, v3's
/// `metadata.value` is v2.0's `event_metadata.value_decimal`.
pub fn v3_path_in_v2(path: &str) -> String {
    let path = path.strip_prefix("data.").unwrap_or(path);
    let mut out: Vec<&str> = Vec::new();
    for segment in path.split('.') {
        let renamed = match (out.len(), out.last().copied(), segment) {
            (1, _, "type") => "event_type",
            (1, _, "metadata") => "event_metadata",
            (2, Some("event_metadata"), "value") => "value_decimal",
            _ => segment,
        };
        out.push(renamed);
    }
    out.join(".")
}

/// A request body. It serializes as the exact bytes [`Body::to_json_bytes`] sends.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// `{"events": […], "test_mode": …, "partner"?: …, "partner_version"?: …}`.
    V2 { events: Vec<RedditEvent>, test_mode: bool, partner: Option<String>, partner_version: Option<String> },
    /// `{"data": {"events": […], "partner"?: …, "partner_version"?: …, "test_id"?: …}}`.
    V3 { data: V3Data },
}

/// v3 `data`.
#[derive(Debug, Clone, PartialEq)]
pub struct V3Data {
    pub events: Vec<RedditEvent>,
    pub partner: Option<String>,
    /// The integration's version beside `partner`, as Reddit's own sGTM template sends it.
    pub partner_version: Option<String>,
    pub test_id: Option<String>,
}

impl Serialize for Body {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let text = String::from_utf8(self.to_json_bytes()).map_err(serde::ser::Error::custom)?;
        let raw = serde_json::value::RawValue::from_string(text).map_err(serde::ser::Error::custom)?;
        raw.serialize(s)
    }
}

impl Body {
    /// The events carried.
    pub fn events(&self) -> &[RedditEvent] {
        match self {
            Body::V2 { events, .. } => events,
            Body::V3 { data } => &data.events,
        }
    }
    /// As a JSON value.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).expect("bodies serialize")
    }

    /// The same body carrying only its first `n` events.
    pub fn with_first_events(&self, n: usize) -> Body {
        let first = |events: &[RedditEvent]| events[..n.min(events.len())].to_vec();
        match self {
            Body::V2 { events, test_mode, partner, partner_version } => Body::V2 {
                events: first(events),
                test_mode: *test_mode,
                partner: partner.clone(),
                partner_version: partner_version.clone(),
            },
            Body::V3 { data } => Body::V3 { data: V3Data { events: first(&data.events), ..data.clone() } },
        }
    }

    /// The compact JSON text, as sent.
    pub fn to_json_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(1024 * self.events().len().max(1));
        super::json::write_body(&mut out, self);
        out
    }
}

#[cfg(test)]
mod path_tests {
    use super::v3_path_in_v2;

    #[test]
    fn v3_fields_are_named_as_in_v2() {
        for (v3, v2) in [
            ("data.events[0].type.tracking_type", "events[0].event_type.tracking_type"),
            ("data.events[0].metadata.value", "events[0].event_metadata.value_decimal"),
            ("data.events[0].metadata.products[0].id", "events[0].event_metadata.products[0].id"),
            ("data.events[0].user.email", "events[0].user.email"),
            ("data.partner", "partner"),
            ("data.events[0].user.type", "events[0].user.type"),
        ] {
            assert_eq!(v3_path_in_v2(v3), v2);
        }
    }
}
