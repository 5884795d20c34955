//! Applicants' unfinished requests (one each), kept 30 days after their last save.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{string_len, text, timestamp_with_time_zone};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Drafts::Table)
                    .col(string_len(Drafts::ApplicantSub, 255).primary_key())
                    .col(text(Drafts::Body))
                    .col(timestamp_with_time_zone(Drafts::UpdatedAt))
                    .col(timestamp_with_time_zone(Drafts::ExpiresAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Drafts::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Drafts {
    Table,
    ApplicantSub,
    Body,
    UpdatedAt,
    ExpiresAt,
}
