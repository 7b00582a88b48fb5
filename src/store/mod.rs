//! What the console keeps on disk: the send history, the captured live events, atomic (0600) writes, the checks of the data
//! directory before it is used (no symlink followed, no other user's file), and reading its
//! versioned files with the set-aside rule (the format checks and migrations are the core's
//! `versioned`). Nothing here holds the token.

pub mod atomic;
pub mod capture;
pub mod dedup;
pub mod guard;
pub mod history;
pub mod jsonl;
pub mod versioned;
