//! Schema migrations. They use only what SQLite and PostgreSQL both understand, so the
//! embedded default and production run the very same files; the exceptions, `pge_submit`
//! and `pge_submit_v2` (PostgreSQL functions, the submission in one round trip) and the
//! trigram index of company names, do nothing on SQLite, whose submissions take the
//! sea-orm writer and whose name search scans; and a column's new default, which SQLite
//! can only take by making its table again (`m20261206_000009`).

use sea_orm_migration::prelude::*;

mod m20261123_000001_init;
mod m20261123_000002_platform_settings;
mod m20261123_000003_documents_and_accounts;
mod m20261126_000004_messages;
mod m20261126_000005_submit_function;
mod m20261206_000006_queue_at_scale;
mod m20261206_000007_admin_actions;
mod m20261206_000008_drafts;
mod m20261206_000009_submit_outcome;
mod m20261206_000010_guarantees;
mod m20261206_000011_four_eyes;
mod m20261206_000012_audit_chain;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_init::Migration),
            Box::new(m20261123_000002_platform_settings::Migration),
            Box::new(m20261123_000003_documents_and_accounts::Migration),
            Box::new(m20261126_000004_messages::Migration),
            Box::new(m20261126_000005_submit_function::Migration),
            Box::new(m20261206_000006_queue_at_scale::Migration),
            Box::new(m20261206_000007_admin_actions::Migration),
            Box::new(m20261206_000008_drafts::Migration),
            Box::new(m20261206_000009_submit_outcome::Migration),
            Box::new(m20261206_000010_guarantees::Migration),
            Box::new(m20261206_000011_four_eyes::Migration),
            Box::new(m20261206_000012_audit_chain::Migration),
        ]
    }
}
