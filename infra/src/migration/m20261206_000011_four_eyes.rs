//! Four eyes on large grants (docs/RULES.md §21): each bank's threshold, and the grants
//! awaiting a second reviewer. New tables: no existing table is touched.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{big_integer, string_len, timestamp_with_time_zone, uuid};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(GrantThresholds::Table)
                    .col(string_len(GrantThresholds::BankId, 5).primary_key())
                    .col(big_integer(GrantThresholds::ThresholdCents))
                    .col(string_len(GrantThresholds::UpdatedBy, 255))
                    .col(timestamp_with_time_zone(GrantThresholds::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PendingGrants::Table)
                    .col(uuid(PendingGrants::LoanRequestId).primary_key())
                    .col(string_len(PendingGrants::Identifier, 20))
                    .col(string_len(PendingGrants::RequestedBy, 255))
                    .col(timestamp_with_time_zone(PendingGrants::RequestedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PendingGrants::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(GrantThresholds::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum GrantThresholds {
    Table,
    BankId,
    ThresholdCents,
    UpdatedBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PendingGrants {
    Table,
    LoanRequestId,
    Identifier,
    RequestedBy,
    RequestedAt,
}
