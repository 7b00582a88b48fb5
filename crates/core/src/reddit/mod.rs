//! Reddit Conversions API requests: settings, the v2.0 and v3 event builders, requests and
//! batching, and the lints a careful console runs over them (spec §2, §7).

pub mod build;
pub mod json;
pub mod lint;
pub mod request;
pub mod response;
pub mod settings;
pub mod signals;
pub mod wire;

pub use build::{BuiltEvent, Identifier, Refusal, build_event};
pub use lint::{Level, Lint};
pub use request::{Authorization, MAX_EVENTS_PER_REQUEST, Request, build_request};
pub use settings::{ApiVersion, Settings};

/// Reddit deduplicates events with the same conversion_id and type received within this window.
pub const DEDUP_WINDOW_MS: i64 = 2 * 86_400_000;
