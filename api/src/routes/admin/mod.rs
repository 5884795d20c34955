//! Platform administration.

pub mod degraded_mode;
pub mod outbox;
