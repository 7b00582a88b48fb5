//! Normalization and SHA-256 hashing of personal identifiers, with provenance.
//!
//! Two profiles (spec §6): [`Profile::Segment`] reproduces byte for byte what Segment's Reddit
//! destination sends (including JavaScript string semantics, see [`js`]); [`Profile::Reddit`]
//! follows Reddit's published advanced-matching rules. [`hash_identifier`] explains every step
//! and shows the other profile's hash; [`hash_value`] is the allocation-lean path for requests.
//!
//! Shared by both profiles, in the order of Segment's `processHashing`:
//! 1. blank (JS-trimmed raw value empty) → `""` is sent, no hash;
//! 2. already hashed (raw, untrimmed value matches `^[a-fA-F0-9]{64}$`) → sent unchanged;
//! 3. otherwise the field's cleaning rules, then lowercase hex SHA-256 of the UTF-8 result.

pub mod js;
mod normalize;

#[cfg(test)]
mod tests;

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

pub(crate) use normalize::PHONE_EXTENSION_KEYWORDS;
pub use normalize::step_rule;
use normalize::{Normalized, Trace};

/// Which normalization rules to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// Byte-identical to Segment's Reddit Conversions API destination.
    #[default]
    Segment,
    /// Reddit's published advanced-matching normalization rules.
    Reddit,
}

impl Profile {
    /// Both profiles, Segment first.
    pub const ALL: [Profile; 2] = [Profile::Segment, Profile::Reddit];

    /// The profile this one is compared with.
    pub fn other(self) -> Profile {
        match self {
            Profile::Segment => Profile::Reddit,
            Profile::Reddit => Profile::Segment,
        }
    }

    /// `"segment"` or `"reddit"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Segment => "segment",
            Profile::Reddit => "reddit",
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for a string that names no [`Profile`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown normalization profile {0:?} (expected \"segment\" or \"reddit\")")]
pub struct UnknownProfile(pub String);

impl FromStr for Profile {
    type Err = UnknownProfile;

    /// Accepts `segment` / `reddit`, ASCII case-insensitively.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Profile::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownProfile(s.to_owned()))
    }
}

/// A hashed user identifier of the Reddit Conversions API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentifierField {
    /// `user.email`.
    Email,
    /// `user.phone_number`.
    Phone,
    /// `user.external_id`.
    ExternalId,
    /// `user.ip_address`.
    IpAddress,
    /// `event_metadata.conversion_id`.
    ConversionId,
    /// `user.idfa` (iOS advertising id).
    Idfa,
    /// `user.aaid` (Android advertising id).
    Aaid,
}

impl IdentifierField {
    /// Every field, in display order.
    pub const ALL: [IdentifierField; 7] = [
        IdentifierField::Email,
        IdentifierField::Phone,
        IdentifierField::ExternalId,
        IdentifierField::IpAddress,
        IdentifierField::ConversionId,
        IdentifierField::Idfa,
        IdentifierField::Aaid,
    ];

    /// `"email"`, `"phone"`, `"external_id"`, `"ip_address"`, `"conversion_id"`, `"idfa"`, `"aaid"`.
    pub fn as_str(self) -> &'static str {
        match self {
            IdentifierField::Email => "email",
            IdentifierField::Phone => "phone",
            IdentifierField::ExternalId => "external_id",
            IdentifierField::IpAddress => "ip_address",
            IdentifierField::ConversionId => "conversion_id",
            IdentifierField::Idfa => "idfa",
            IdentifierField::Aaid => "aaid",
        }
    }
}

impl fmt::Display for IdentifierField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for a string that names no [`IdentifierField`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown identifier field {0:?} (expected one of email, phone, external_id, ip_address, conversion_id, idfa, aaid)"
)]
pub struct UnknownField(pub String);

impl FromStr for IdentifierField {
    type Err = UnknownField;

    /// Accepts the [`as_str`](IdentifierField::as_str) names ASCII case-insensitively, plus the
    /// aliases `ip` and `phone_number` (Reddit's JSON key).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("ip") {
            return Ok(IdentifierField::IpAddress);
        }
        if t.eq_ignore_ascii_case("phone_number") {
            return Ok(IdentifierField::Phone);
        }
        IdentifierField::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(t))
            .ok_or_else(|| UnknownField(s.to_owned()))
    }
}

/// One identifier, normalized and hashed, with the steps that produced it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Hashed {
    /// Which identifier this is.
    pub field: IdentifierField,
    /// The profile that produced `normalized` and `hash`.
    pub profile: Profile,
    /// Raw value as given.
    pub input: String,
    /// Rules that changed something, in order, e.g. "trimmed 2 characters", "lowercased",
    /// "cut at extension \"ext\" (dropped \"ext. 89\")", "already hashed: sent unchanged".
    pub steps: Vec<String>,
    /// The value that was hashed (`""` when blank; the input when already hashed).
    pub normalized: String,
    /// Lowercase hex SHA-256 of `normalized`; `""` when blank; the input unchanged when already hashed.
    pub hash: String,
    /// Whether the input was already a SHA-256 hex digest.
    pub already_hashed: bool,
    /// The other profile's hash when it differs from `hash` (None when identical, or when the other profile refuses the value).
    pub other_profile_hash: Option<String>,
}

/// Why an identifier cannot be sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    /// Segment profile only: `canonicalizeEmail` reads `parts[1].toLowerCase()` and throws.
    #[error("email has no \"@\": Segment's code throws on it, so Segment drops the whole event")]
    EmailWithoutAt,
}

/// Normalizes and hashes one identifier under one profile, recording every step.
///
/// `hash` always equals [`hash_value`] for the same arguments.
pub fn hash_identifier(field: IdentifierField, profile: Profile, raw: &str) -> Result<Hashed, IdentityError> {
    let mut steps = Vec::new();
    let outcome = normalize::run(field, profile, raw, &mut Trace::to(&mut steps))?;
    let already_hashed = matches!(outcome, Normalized::AlreadyHashed);
    let (normalized, hash) = match outcome {
        Normalized::Blank => (String::new(), String::new()),
        Normalized::AlreadyHashed => (raw.to_owned(), raw.to_owned()),
        Normalized::Value(v) => {
            let hash = sha256_hex(&v);
            (v.into_owned(), hash)
        }
    };
    let other_profile_hash = hash_value(field, profile.other(), raw).ok().filter(|other| *other != hash);
    Ok(Hashed {
        field,
        profile,
        input: raw.to_owned(),
        steps,
        normalized,
        hash,
        already_hashed,
        other_profile_hash,
    })
}

/// Fast path for the request builder: only the value to send (no provenance, no other-profile work).
pub fn hash_value(field: IdentifierField, profile: Profile, raw: &str) -> Result<String, IdentityError> {
    Ok(match normalize::run(field, profile, raw, &mut Trace::off())? {
        Normalized::Blank => String::new(),
        Normalized::AlreadyHashed => raw.to_owned(),
        Normalized::Value(v) => sha256_hex(&v),
    })
}

/// The value that gets hashed: `""` when blank, `raw` unchanged when already hashed, else the
/// profile's normalization of `raw`.
pub fn normalize(field: IdentifierField, profile: Profile, raw: &str) -> Result<String, IdentityError> {
    Ok(match normalize::run(field, profile, raw, &mut Trace::off())? {
        Normalized::Blank => String::new(),
        Normalized::AlreadyHashed => raw.to_owned(),
        Normalized::Value(v) => v.into_owned(),
    })
}

/// Lowercase hex SHA-256 of the UTF-8 bytes Node makes of `s` (a lone surrogate as U+FFFD).
pub fn sha256_hex(s: &str) -> String {
    let digest = sha256(&js::utf8_bytes(s));
    let mut hex = String::with_capacity(64);
    for b in digest {
        hex.push_str(&HEX_PAIRS[2 * usize::from(b)..2 * usize::from(b) + 2]);
    }
    hex
}

/// Every byte's two lowercase hex digits, back to back.
const HEX_PAIRS: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\
202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f\
404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f\
606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f\
808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f\
a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf\
c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf\
e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

/// SHA-256. (A hand-padded single block for short identifiers was measured against this in
/// `benches/pipeline.rs`: 118 ns against 135 ns a hash, about 1 % of an event's 7.4 µs, so the
/// streaming hasher it replaced is used.)
fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// Whether the raw (untrimmed) value is a SHA-256 hex digest: exactly 64 of `[a-fA-F0-9]`.
pub fn is_already_hashed(raw: &str) -> bool {
    raw.len() == 64 && raw.bytes().all(|b| b.is_ascii_hexdigit())
}
