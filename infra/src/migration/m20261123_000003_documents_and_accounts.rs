//! Documents attached to loan requests, and the dev identity provider's accounts.

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
                    .table(Documents::Table)
                    .col(uuid(Documents::Id).primary_key())
                    .col(uuid(Documents::LoanRequestId))
                    .col(string_len(Documents::Filename, 255))
                    .col(string_len(Documents::ContentType, 64))
                    .col(big_integer(Documents::Size))
                    .col(string_len(Documents::Status, 10))
                    .col(timestamp_with_time_zone(Documents::CreatedAt))
                    .col(timestamp_with_time_zone_null(Documents::CompletedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_documents_request")
                    .table(Documents::Table)
                    .col(Documents::LoanRequestId)
                    .col(Documents::CreatedAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(DevAccounts::Table)
                    .col(string_len(DevAccounts::Subject, 64).primary_key())
                    .col(string_len(DevAccounts::Email, 254))
                    .col(string_len(DevAccounts::BankId, 5))
                    .col(string_len(DevAccounts::UserGroup, 64))
                    .col(timestamp_with_time_zone(DevAccounts::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_dev_accounts_email")
                    .table(DevAccounts::Table)
                    .col(DevAccounts::Email)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DevAccounts::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Documents::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Documents {
    Table,
    Id,
    LoanRequestId,
    Filename,
    ContentType,
    Size,
    Status,
    CreatedAt,
    CompletedAt,
}

#[derive(DeriveIden)]
enum DevAccounts {
    Table,
    Subject,
    Email,
    BankId,
    UserGroup,
    CreatedAt,
}
