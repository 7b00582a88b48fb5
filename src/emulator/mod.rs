//! A local Reddit Conversions API emulator, run in-process on a loopback port.
//!
//! It serves `POST /api/v2.0/conversions/events/{pixel_id}` and
//! `POST /api/v3/pixels/{pixel_id}/conversion_events` with Reddit's checks and response bodies
//! (spec §2, §7, §8), records every accepted event with a deduplication verdict, and injects
//! faults on request. Control endpoints:
//!
//! - `GET /_emulator/events` → `{"events": [Received…]}`; `DELETE /_emulator/events` → `{"cleared": N}`.
//! - `POST /_emulator/faults` with a [`Fault`] as JSON → `{"queued": fault, "pending": N}`;
//!   `GET /_emulator/faults` → `{"faults": […]}`; `DELETE /_emulator/faults` → `{"cleared": N}`.
//! - `PUT /_emulator/faults/random` with [`RandomFaults`] as JSON (`{"seed": 7, "faults": [{"status":
//!   500, "rate": 0.1}, …]}`) → `{"random": …}`; `GET` shows them, `DELETE` stops them.
//! - `GET /_emulator/stats` → [`Stats`]: API requests, accepted requests and events, faults by kind.
//!
//! The rules ([`rules`]) are pure and separate from the server loop ([`Emulator`]); the body checks
//! are the core's validator ([`crate::verdict`]), so the emulator answers what `check` says.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

mod fault;
pub mod rules;
mod server;
mod store;

pub use fault::{Fault, FaultKind, RandomFaults};
pub use rules::{Accepted, Reply, ReplyBody};
pub use server::{Emulator, Stats};
pub use store::{DEFAULT_MAX_EVENTS, Dedup, EarlierEvent, Received};

/// Default request body limit: 8 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 8 * 1024 * 1024;
/// API requests read and checked at once. The rest wait with their bodies unread, so memory is
/// bounded by the store plus this many bodies, however many clients connect. Two cores check
/// two at a time; 16 keeps them busy while bodies arrive.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 16;
/// Default header and body read timeout.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// The token sent to an in-process emulator when the user has none (it checks only that one is
/// sent).
pub const LOCAL_TOKEN: &str = "local-emulator-token";

/// "Now" for the emulator, in epoch milliseconds: the system clock, or anything a test injects.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> i64 + Send + Sync>);

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock(Arc::new(crate::timestamp::now_millis))
    }

    /// A clock that always says `ms`.
    pub fn fixed(ms: i64) -> Clock {
        Clock(Arc::new(move || ms))
    }

    /// A clock reading `f`.
    pub fn from_fn(f: impl Fn() -> i64 + Send + Sync + 'static) -> Clock {
        Clock(Arc::new(f))
    }

    /// The current time in epoch milliseconds.
    pub fn now_ms(&self) -> i64 {
        (self.0)()
    }
}

impl Default for Clock {
    fn default() -> Clock {
        Clock::system()
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Clock")
    }
}

/// How the emulator behaves.
#[derive(Clone)]
pub struct Config {
    /// The conversion token requests must carry; `None` (or blank) accepts any non-empty bearer token.
    pub token: Option<String>,
    /// The only pixel requests may post to; `None` (or blank) accepts any pixel.
    pub pixel: Option<String>,
    /// Largest request body in bytes (413 above it).
    pub body_limit: usize,
    /// How long the request head may take, and separately the body (408 when the body is late).
    pub read_timeout: Duration,
    /// How many received events are kept (the oldest are forgotten first).
    pub max_events: usize,
    /// How many API requests are read and checked at once (at least 1).
    pub max_in_flight: usize,
    /// "Now", for the event_at window and the received times.
    pub clock: Clock,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            token: None,
            pixel: None,
            body_limit: DEFAULT_BODY_LIMIT,
            read_timeout: DEFAULT_READ_TIMEOUT,
            max_events: DEFAULT_MAX_EVENTS,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            clock: Clock::system(),
        }
    }
}

impl fmt::Debug for Config {
    /// The token is never shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("pixel", &self.pixel)
            .field("body_limit", &self.body_limit)
            .field("read_timeout", &self.read_timeout)
            .field("max_events", &self.max_events)
            .field("clock", &self.clock)
            .finish()
    }
}

#[cfg(test)]
mod tests;
