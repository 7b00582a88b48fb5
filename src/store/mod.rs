//! What the console keeps on disk: the send history (and, as the app grows, settings and the
//! saved workspace). Nothing here holds the conversion token.

pub mod atomic;
pub mod history;
