//! Platform-wide admin actions (retrying the outbox's dead letters), recorded with who
//! and when: a request's actions are in its audit events; these touch no one request.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{big_integer, pk_auto, string_len, timestamp_with_time_zone};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AdminActions::Table)
                    .col(pk_auto(AdminActions::Id))
                    .col(timestamp_with_time_zone(AdminActions::At))
                    .col(string_len(AdminActions::ActorRole, 20))
                    .col(string_len(AdminActions::ActorSub, 255))
                    .col(string_len(AdminActions::Action, 40))
                    .col(big_integer(AdminActions::Count))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AdminActions::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum AdminActions {
    Table,
    Id,
    At,
    ActorRole,
    ActorSub,
    Action,
    Count,
}
