//! Messages between an applicant and their request's bank, and the bank's notification
//! address (told when an applicant writes).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    string_len, string_len_null, text, timestamp_with_time_zone, timestamp_with_time_zone_null,
    uuid,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Messages::Table)
                    .col(uuid(Messages::Id).primary_key())
                    .col(uuid(Messages::LoanRequestId))
                    .col(timestamp_with_time_zone(Messages::At))
                    .col(string_len(Messages::FromSide, 10))
                    .col(string_len(Messages::AuthorSub, 128))
                    .col(text(Messages::Body))
                    .col(timestamp_with_time_zone_null(Messages::ReadAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_messages_request")
                            .from(Messages::Table, Messages::LoanRequestId)
                            .to(LoanRequests::Table, LoanRequests::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // A thread in order, and the unread count of a page of requests, both by request.
        manager
            .create_index(
                Index::create()
                    .name("ix_messages_request")
                    .table(Messages::Table)
                    .col(Messages::LoanRequestId)
                    .col(Messages::At)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Banks::Table)
                    .add_column(string_len_null(Banks::NotificationEmail, 254))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Banks::Table)
                    .drop_column(Banks::NotificationEmail)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(Messages::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
    LoanRequestId,
    At,
    FromSide,
    AuthorSub,
    Body,
    ReadAt,
}

#[derive(DeriveIden)]
enum LoanRequests {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Banks {
    Table,
    NotificationEmail,
}
