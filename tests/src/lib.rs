//! Test harness: boots the real router on `127.0.0.1:0` against a fresh database (a
//! SQLite file in a temporary folder, or a new PostgreSQL database per test, dropped
//! afterwards) and talks to it over HTTP with real signed tokens.
//!
//! - [`backends`]: the two databases, and the macro running a test on both;
//! - [`templates`]: the migrated PostgreSQL template each test's database is cloned from;
//! - [`boot`]: the API as `pge serve` boots it, its options, its teardown;
//! - [`tokens`]: bearer tokens of the dev identity provider;
//! - [`http`]: requests and answers;
//! - [`mail`]: the e-mails sent, and the outbox delivered on demand;
//! - [`builders`]: test data;
//! - [`aws`]: the production profile's services on the emulator.

pub mod aws;
pub mod backends;
pub mod boot;
pub mod builders;
pub mod http;
pub mod mail;
pub mod templates;
pub mod tokens;

pub use backends::{Backend, postgres_admin_url};
pub use boot::{Options, TestApp, fast_worker_settings};
pub use builders::{luhn_complete, random_siren, submission};
pub use http::Reply;
pub use templates::postgres_template;

pub use reqwest;
pub use serde_json;
