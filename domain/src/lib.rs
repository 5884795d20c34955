//! The PGE rules (docs/RULES.md) as pure code: types that can only be built valid,
//! and the functions that compute eligibility, caps, guarantee shares and fees.
//!
//! This crate depends on no async runtime, web framework, ORM or SDK.

pub mod campaign;
pub mod company;
pub mod document;
pub mod error;
pub mod four_eyes;
pub mod guarantee;
pub mod issuance;
pub mod loan_request;
pub mod message;
pub mod money;
pub mod ports;
pub mod reference;
pub mod rules;
pub mod submission;
pub mod workflow;
