//! Each identifier of a request body, told apart: already a SHA-256, raw PII that Reddit expects
//! hashed, the `_rdt_uuid` cookie form, a UUID. (`docs/reddit-rules.md`, "Identifiers".)

use serde::Serialize;
use serde_json::Value;

use crate::verdict::Api;
use crate::verdict::formats::{is_rfc4122_uuid, is_sha256_hex, rdt_uuid_cookie};

/// What an identifier's value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentifierKind {
    /// 64 hex digits: already a SHA-256.
    Sha256,
    /// Raw PII (an email, a phone number, an IP address…) that Reddit expects SHA-256 hashed.
    RawPii,
    /// Not hashed and not recognisable PII (an id Reddit hashes itself, e.g. `conversion_id`).
    Unhashed,
    /// An RFC 4122 UUID (`uuid`).
    Uuid,
    /// The `_rdt_uuid` cookie value `<epoch ms>.<UUID>`: send the UUID part only.
    RdtUuidCookie,
    /// A `uuid` that is neither a UUID nor the cookie form.
    NotAUuid,
    /// Empty.
    Blank,
}

/// One identifier of one event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Identifier {
    /// `$.data.events[0].user.email`.
    pub path: String,
    pub kind: IdentifierKind,
    /// What to do about it, for people.
    pub note: String,
}

const HASHED: [&str; 6] = ["email", "phone_number", "external_id", "ip_address", "idfa", "aaid"];

/// Every identifier in `body`, event by event.
pub fn identifiers(api: Api, body: &Value) -> Vec<Identifier> {
    let (events, prefix, metadata) = match api {
        Api::V2 => (&body["events"], "$.events", "event_metadata"),
        Api::V3 => (&body["data"]["events"], "$.data.events", "metadata"),
    };
    let mut out = Vec::new();
    for (i, e) in events.as_array().into_iter().flatten().enumerate() {
        let user = &e["user"];
        for key in HASHED {
            if let Some(v) = user[key].as_str() {
                out.push(hashed(format!("{prefix}[{i}].user.{key}"), key, v));
            }
        }
        if let Some(v) = e[metadata]["conversion_id"].as_str() {
            out.push(hashed(format!("{prefix}[{i}].{metadata}.conversion_id"), "conversion_id", v));
        }
        if let Some(v) = user["uuid"].as_str() {
            out.push(uuid(format!("{prefix}[{i}].user.uuid"), api, v));
        }
    }
    out
}

fn hashed(path: String, key: &str, v: &str) -> Identifier {
    let (kind, note) = if v.trim().is_empty() {
        (IdentifierKind::Blank, "blank: sends nothing to match on".to_string())
    } else if is_sha256_hex(v) {
        (IdentifierKind::Sha256, "already a SHA-256 hash".to_string())
    } else if looks_like_pii(key, v) {
        (
            IdentifierKind::RawPii,
            format!("raw {}: Reddit expects it normalized and SHA-256 hashed", key.replace('_', " ")),
        )
    } else if key == "conversion_id" {
        (IdentifierKind::Unhashed, "not hashed: Reddit hashes an unhashed conversion_id itself".to_string())
    } else {
        (IdentifierKind::Unhashed, "not a SHA-256: Reddit expects this identifier hashed".to_string())
    };
    Identifier { path, kind, note }
}

fn looks_like_pii(key: &str, v: &str) -> bool {
    let digits = v.chars().filter(char::is_ascii_digit).count();
    match key {
        "email" => v.contains('@'),
        "phone_number" => {
            (7..=15).contains(&digits) && v.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c))
        }
        "ip_address" => v.parse::<std::net::IpAddr>().is_ok(),
        "idfa" | "aaid" => is_rfc4122_uuid(v) || (v.len() == 36 && v.matches('-').count() == 4),
        _ => false,
    }
}

fn uuid(path: String, api: Api, v: &str) -> Identifier {
    let (kind, note) = if v.is_empty() {
        (IdentifierKind::Blank, "blank".to_string())
    } else if is_rfc4122_uuid(v) {
        (IdentifierKind::Uuid, "an RFC 4122 UUID, sent as is (not hashed)".to_string())
    } else if let Some(inner) = rdt_uuid_cookie(v) {
        let refusal = if api == Api::V3 { "v3 refuses it; " } else { "" };
        (IdentifierKind::RdtUuidCookie, format!("the raw _rdt_uuid cookie: {refusal}send only {inner:?}"))
    } else {
        let refusal = if api == Api::V3 { "v3 refuses it" } else { "v2 takes it, v3 would refuse it" };
        (IdentifierKind::NotAUuid, format!("not an RFC 4122 UUID: {refusal}"))
    };
    Identifier { path, kind, note }
}
