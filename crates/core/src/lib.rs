//! The pure core of Reddit CAPI Console: Segment events in, the exact Reddit Conversions API
//! requests out, every identifier explained and the result linted.
//!
//! Data flows one way: [`segment`] events → [`mapping`] (triggers, directives, presets, Segment's
//! schema post-processing) → [`identity`] (normalization + hashing) → [`reddit`] (request
//! bodies, batching, lints). [`workspace`] is the file format that holds settings and mappings,
//! [`versioned`] checks and migrates the console's file formats, [`engine`] runs the whole flow,
//! [`report`] summarises a corpus of events and [`tracking`] reads Segment's Tracking API requests
//! and enriches their events as Segment's pipeline does.
//!
//! Nothing here touches a screen, a socket, a process or a disk: text and values come in and go
//! out. The dependency list has no tokio, reqwest, hyper or egui, and `clippy.toml` refuses
//! std's file, network, process and environment functions, so the boundary holds by itself.

pub mod capture;
pub mod diff;
pub mod engine;
pub mod identity;
pub mod mapping;
pub mod random;
pub mod reddit;
pub mod report;
pub mod secret;
pub mod segment;
pub mod timestamp;
pub mod tracking;
pub mod verdict;
pub mod versioned;
pub mod workspace;
