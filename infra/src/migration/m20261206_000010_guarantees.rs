//! The State guarantees of loan requests (docs/RULES.md §20): one per request at most,
//! issued to the company after its bank's agreement in principle, used by the bank's
//! grant, cancelled by a withdrawal or a rejection. A new table: no existing table is
//! touched, so nothing live waits on this migration.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, string_len, timestamp_with_time_zone, timestamp_with_time_zone_null, uuid,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Guarantees::Table)
                    // `PGE-XXXX-XXXX-XXXX-C`, its canonical form.
                    .col(string_len(Guarantees::Identifier, 20).primary_key())
                    .col(uuid(Guarantees::LoanRequestId))
                    .col(string_len(Guarantees::Siren, 9))
                    .col(string_len(Guarantees::BankId, 5))
                    .col(big_integer(Guarantees::AmountCents))
                    .col(string_len(Guarantees::Status, 20))
                    .col(string_len(Guarantees::IssuedBy, 255))
                    .col(timestamp_with_time_zone(Guarantees::IssuedAt))
                    .col(timestamp_with_time_zone_null(Guarantees::ClosedAt))
                    .to_owned(),
            )
            .await?;
        // One guarantee per request: the second of two concurrent issues fails here
        // (PostgreSQL's company lock already serialises them).
        manager
            .create_index(
                Index::create()
                    .name("ux_guarantees_request")
                    .table(Guarantees::Table)
                    .col(Guarantees::LoanRequestId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // What a company holds: read under its lock at each issue.
        manager
            .create_index(
                Index::create()
                    .name("ix_guarantees_siren")
                    .table(Guarantees::Table)
                    .col(Guarantees::Siren)
                    .col(Guarantees::Status)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Guarantees::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Guarantees {
    Table,
    Identifier,
    LoanRequestId,
    Siren,
    BankId,
    AmountCents,
    Status,
    IssuedBy,
    IssuedAt,
    ClosedAt,
}
