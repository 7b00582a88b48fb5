//! The conversion token: [`Secret`] (from the core) and [`tokens`], which keeps it between runs;
//! the Segment Public API token in [`segment`].

pub mod segment;
pub mod tokens;

pub use reddit_capi_core::secret::{BadToken, Secret};
