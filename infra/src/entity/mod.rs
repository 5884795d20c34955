//! sea-orm entities: the rows as stored. They never leave `infra`; repositories turn
//! them into domain values.

pub mod admin_action;
pub mod audit_chain_head;
pub mod audit_event;
pub mod bank;
pub mod dev_account;
pub mod document;
pub mod draft;
pub mod grant_threshold;
pub mod guarantee;
pub mod idempotency_record;
pub mod loan_request;
pub mod message;
pub mod outbox_message;
pub mod pending_grant;
pub mod platform_setting;
