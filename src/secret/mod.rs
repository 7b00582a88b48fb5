//! The conversion token: [`Secret`] (from the core) and [`tokens`], which keeps it between runs.

pub mod tokens;

pub use reddit_capi_core::secret::{BadToken, Secret};
