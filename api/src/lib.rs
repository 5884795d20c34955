//! The HTTP layer of pge (axum) and the wiring of adapters into it.

pub mod auth;
pub mod compose;
pub mod config;
pub mod extract;
pub mod limits;
pub mod metrics;
pub mod problem;
pub mod routes;
pub mod server;
pub mod state;
pub mod telemetry;
pub mod traces;
pub mod views;
pub mod wiring;

pub use compose::{DEV_MAIL_FROM, aws_config, build_mailer, build_state, build_worker};
pub use server::serve;
pub use wiring::{DocumentsWiring, Identity, MailWiring, WebWiring, Wiring};
