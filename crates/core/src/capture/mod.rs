//! Reddit Conversions API requests captured elsewhere — a body, a cURL command line, a HAR file
//! saved from a browser's devtools or a proxy — turned into (place, URL, body) for the validator,
//! and each identifier in a body told apart (already SHA-256, raw PII, `_rdt_uuid` cookie).
//!
//! Pure: text and readers come in, the edge opens the files.

mod curl;
mod har;
mod identifiers;
mod text;

pub use curl::from_curl;
pub use har::{HarSummary, har_requests};
pub use identifiers::{Identifier, IdentifierKind, identifiers};
pub use text::{Checked, check, from_text};

use crate::verdict::Api;

/// One request found in an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Captured {
    /// Where it was found (`capture.har: entry 12`, `curl.txt`).
    pub place: String,
    pub method: String,
    /// The URL, when the input holds one.
    pub url: Option<String>,
    /// The version the URL names.
    pub api: Option<Api>,
    /// The pixel id the URL names.
    pub pixel: Option<String>,
    pub body: String,
}

/// Why an input could not be read as requests; each names the place.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CaptureError {
    #[error("{place}: not a cURL command (it does not start with `curl`)")]
    NotCurl { place: String },
    #[error("{place}: unclosed quote in the cURL command")]
    UnclosedQuote { place: String },
    #[error("{place}: no URL in the cURL command")]
    NoUrl { place: String },
    #[error("{place}: the cURL command sends no body (-d, --data, --data-raw, --data-binary)")]
    NoBody { place: String },
    #[error("{place}:{line}:{column}: not a HAR file: {message}")]
    Har { place: String, line: usize, column: usize, message: String },
    #[error("{place}:{line}:{column}: {message}")]
    Json { place: String, line: usize, column: usize, message: String },
    #[error("{place}: a HAR of {entries} entries, none to Reddit's conversions endpoints")]
    NoneInHar { place: String, entries: usize },
}

/// The version and pixel a Conversions API URL names (any host: Reddit's or the emulator's).
pub fn endpoint(url: &str) -> Option<(Api, String)> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let path = rest.find('/').map_or("", |i| &rest[i..]);
    Api::of_path(path).map(|(api, pixel)| (api, pixel.to_string()))
}

#[cfg(test)]
mod tests;
