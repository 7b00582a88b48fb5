//! Talking to a Conversions API endpoint (Reddit or the local emulator): the HTTP client with
//! retries, cancellation, pacing, and cURL rendering; Segment's Public API in [`segment`]. Depends on the core; the core does not
//! depend on it.

pub mod client;
pub mod curl;
pub mod dispatch;
pub mod retry;
pub mod segment;
pub mod session;

pub use client::{
    Cancel, Client, ClientConfig, ClientError, MAX_RESPONSE_BODY_BYTES, Pacer, Prepared, Progress,
    ProxySetting, SendResult,
};
pub use dispatch::{Dispatcher, Endpoint, RawRequest, Sent};
pub use session::{Session, SessionError};
