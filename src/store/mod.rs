//! What the console keeps on disk: the send history, atomic writes, and the format/version
//! checks, migrations and set-aside rule for its own files. Nothing here holds the token.

pub mod atomic;
pub mod history;
pub mod versioned;
