//! The console as a Segment collection endpoint: Segment's HTTP Tracking API (`POST /v1/track`,
//! `/v1/identify`, `/v1/page`, `/v1/screen`, `/v1/group`, `/v1/alias`, `/v1/batch` and
//! analytics.js's short `/v1/t`, `/v1/p`, …) on a loopback port, as Segment's libraries use it:
//! the write key by HTTP Basic auth or in the body, JSON or `text/plain` bodies, gzip, CORS for
//! browsers, Segment's limits and answers. Each accepted request's events are enriched as
//! Segment's pipeline does (the core's [`crate::tracking`]), optionally appended to the capture
//! file, and handed on as an [`Arrival`].
//!
//! Bounded whatever clients do: bodies are capped (500 KB, gzip or not), at most
//! [`DEFAULT_MAX_IN_FLIGHT`] bodies are read at once (others wait unread), slow clients are
//! timed out, and arrivals wait in a bounded queue (a slow reader slows the answers, not memory).

mod server;

use std::fmt;
use std::time::Duration;

pub use server::Collector;

use crate::emulator::Clock;
use crate::store::capture::Captures;
use crate::tracking::{Call, Enrichment};

/// Request bodies read at once.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 16;
/// How long a request's head, and separately its body, may take.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Arrivals waiting for the reader before answers wait too.
pub const QUEUE: usize = 64;

/// How the collection endpoint behaves.
#[derive(Clone)]
pub struct Config {
    /// The write key requests must carry (HTTP Basic user or `writeKey` in the body).
    pub write_key: String,
    /// Bind addresses other than loopback too (the caller warns).
    pub allow_remote: bool,
    /// How many request bodies are read at once (at least 1).
    pub max_in_flight: usize,
    /// Header and body read timeout.
    pub read_timeout: Duration,
    /// Where arriving events are appended (`None`: nothing is kept).
    pub captures: Option<Captures>,
    /// "Now", for `receivedAt` and the skew correction.
    pub clock: Clock,
}

impl Config {
    /// Loopback only, the default limits, no capture, the system clock.
    pub fn new(write_key: impl Into<String>) -> Config {
        Config {
            write_key: write_key.into(),
            allow_remote: false,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            read_timeout: DEFAULT_READ_TIMEOUT,
            captures: None,
            clock: Clock::system(),
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("allow_remote", &self.allow_remote)
            .field("max_in_flight", &self.max_in_flight)
            .field("read_timeout", &self.read_timeout)
            .field("captures", &self.captures.as_ref().map(|c| c.file().path()))
            .finish_non_exhaustive()
    }
}

/// One accepted request's events, enriched.
#[derive(Debug, Clone)]
pub struct Arrival {
    /// What the path asked for.
    pub call: Call,
    /// When it arrived (epoch milliseconds).
    pub received_at_ms: i64,
    /// Each event and what enrichment did to it.
    pub events: Vec<(serde_json::Map<String, serde_json::Value>, Vec<Enrichment>)>,
}

#[cfg(test)]
mod tests;
