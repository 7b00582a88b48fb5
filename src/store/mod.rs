//! What the console keeps on disk: the send history, atomic (0600) writes, and reading its
//! versioned files with the set-aside rule (the format checks and migrations are the core's
//! `versioned`). Nothing here holds the token.

pub mod atomic;
pub mod dedup;
pub mod history;
pub mod versioned;
