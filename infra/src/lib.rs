//! Adapters behind the domain's ports: the relational store (SQLite and PostgreSQL via
//! sea-orm), identity (JWKS verification, the dev identity provider).

pub mod entity;
pub mod identity;
pub mod migration;
pub mod persistence;

pub use persistence::{DatabaseSettings, Store};
