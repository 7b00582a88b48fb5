//! The Segment release the `segment` profile reproduces, named here and nowhere else in the
//! code. Moving to a newer release is a bump of these two versions (and of
//! `tests/differential/package.json`) plus a run of the differential harness
//! (`scripts/differential.sh`), which refuses to run when the two disagree.

use crate::identity::Profile;
use crate::reddit::ApiVersion;

/// npm `@segment/action-destinations`: module `dist/destinations/reddit-conversions-api`.
pub const ACTION_DESTINATIONS_VERSION: &str = "3.497.0";

/// npm `@segment/actions-core`: mapping-kit, the schema step (AJV) and the `date-like` format.
pub const ACTIONS_CORE_VERSION: &str = "3.170.0";

/// `@segment/action-destinations 3.497.0 (@segment/actions-core 3.170.0)`.
pub fn segment_release() -> String {
    format!(
        "@segment/action-destinations {ACTION_DESTINATIONS_VERSION} (@segment/actions-core {ACTIONS_CORE_VERSION})"
    )
}

/// What a body built with this profile and API version matches, in one line for people.
pub fn body_reference(profile: Profile, api: ApiVersion) -> String {
    match (profile, api) {
        (Profile::Segment, ApiVersion::V2) => {
            format!("matches Segment's published release: {}", segment_release())
        }
        (Profile::Segment, ApiVersion::V3) => {
            "v3 follows Reddit's v3 rules (unreleased at Segment: no Segment release sends v3)".to_string()
        }
        (Profile::Reddit, _) => {
            "reddit profile: Reddit's published advanced-matching rules, not Segment's".to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_pinned_release() {
        assert_eq!(
            body_reference(Profile::Segment, ApiVersion::V2),
            "matches Segment's published release: @segment/action-destinations 3.497.0 (@segment/actions-core 3.170.0)"
        );
        assert!(body_reference(Profile::Segment, ApiVersion::V3).contains("unreleased at Segment"));
    }
}

/// An event the release's runtime throws on after the schema step, before the destination code
/// runs: actions-core's audience membership destructures `context` and `context.personas` with
/// defaults that stand in for `undefined` only, so `null` throws a TypeError. A single event is
/// not sent; in a batch, once it holds an event the schema step passed, nothing is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuntimeThrow {
    /// `context` or `context.personas`.
    pub field: &'static str,
    /// The release's error.
    pub error: &'static str,
}

impl RuntimeThrow {
    /// The quirk in words, for refusals and lints.
    pub fn describe(&self) -> String {
        format!(
            "{} is null, and Segment's release throws on it before the destination code runs (\"{}\"): a release bug",
            self.field, self.error
        )
    }
}

/// Whether the release's runtime throws on `event` (see [`RuntimeThrow`]).
pub fn runtime_throw(event: &serde_json::Value) -> Option<RuntimeThrow> {
    match event.get("context")? {
        serde_json::Value::Null => Some(RuntimeThrow {
            field: "context",
            error: "Cannot destructure property 'personas' of '{}' as it is null.",
        }),
        context if context.get("personas").is_some_and(serde_json::Value::is_null) => Some(RuntimeThrow {
            field: "context.personas",
            error: "Cannot read properties of null (reading 'computation_class')",
        }),
        _ => None,
    }
}
