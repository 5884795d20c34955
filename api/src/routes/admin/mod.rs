//! Platform administration.

pub mod degraded_mode;
