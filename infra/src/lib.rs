//! Adapters behind the domain's ports: the relational store (SQLite and PostgreSQL via
//! sea-orm), identity (JWKS verification, account administration), mail (SES v2,
//! `.eml` files) and the outbox worker, document storage (S3, a local folder); and the
//! guarantee attestation's PDF (`attestation`).

pub mod attestation;
pub mod audit_watch;
pub mod aws;
pub mod entity;
pub mod identity;
pub mod mail;
pub mod migration;
pub mod objects;
pub mod persistence;
pub mod signing;
pub mod system;
pub mod trace;
pub mod worker;

pub use persistence::{ClaimedMessage, DatabaseSettings, Store};
