//! Platform administration.

pub mod audit;
pub mod degraded_mode;
pub mod outbox;
