//! Reddit CAPI Console: turn Segment events into the exact Reddit Conversions API requests
//! Segment (or a careful console) would send, explain every identifier, and lint the result.
//!
//! The pure core is its own crate, [`reddit_capi_core`] (`crates/core`), re-exported here under
//! the same names: [`segment`] events → [`mapping`] (triggers, directives, presets, Segment's
//! schema post-processing) → [`identity`] (normalization + hashing) → [`reddit`] (request
//! bodies, batching, lints); [`workspace`] and [`versioned`] are the file formats, [`engine`]
//! runs the whole flow and [`report`] summarises a corpus. The core has no tokio, reqwest,
//! hyper, egui or file access: its dependency list and its clippy.toml keep it so.
//!
//! Around the core, the edges do the I/O: [`net`] sends requests (reqwest on tokio), [`store`]
//! reads and writes files (history, versioned files, atomic writes), [`secret::tokens`] keeps the
//! token, [`emulator`] is a faithful local Reddit, [`collect`] is a Segment collection endpoint, [`cli`] is the command line and `app` the
//! desktop app.

pub use reddit_capi_core::{
    capture, diff, engine, identity, mapping, random, reddit, report, segment, timestamp, tracking, verdict,
    versioned, workspace,
};

// The app indexes nothing that could panic mid-frame: every lookup is checked.
pub mod about;
mod accept;
#[cfg(feature = "gui")]
#[warn(clippy::indexing_slicing)]
pub mod app;
pub mod cli;
pub mod collect;
pub mod emulator;
pub mod input;
pub mod local_time;
pub mod net;
pub mod paths;
pub mod process;
pub mod secret;
pub mod store;
#[cfg(test)]
mod test_dir;
