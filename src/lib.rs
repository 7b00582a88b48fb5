//! Reddit CAPI Console: turn Segment events into the exact Reddit Conversions API requests
//! Segment (or a careful console) would send, explain every identifier, and lint the result.
//!
//! Data flows one way: [`segment`] events → [`mapping`] (triggers, directives, presets, Segment's
//! schema post-processing) → [`identity`] (normalization + hashing) → [`reddit`] (request
//! bodies, batching, lints). [`workspace`] is the file format that holds settings and mappings,
//! and [`engine`] runs the whole flow. None of these modules touch a screen, a socket or a disk.
//!
//! Around the core: [`net`] sends requests (reqwest on tokio), [`store`] keeps the history,
//! [`emulator`] is a faithful local Reddit, and [`cli`] is the command line.

#[cfg(feature = "gui")]
pub mod app;
pub mod cli;
pub mod diff;
pub mod emulator;
pub mod engine;
pub mod identity;
pub mod mapping;
pub mod net;
pub mod paths;
pub mod random;
pub mod reddit;
pub mod report;
pub mod secret;
pub mod segment;
pub mod store;
pub mod timestamp;
pub mod workspace;
