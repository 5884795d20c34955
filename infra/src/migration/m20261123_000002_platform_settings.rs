//! Platform switches shared by every replica (degraded mode).

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
                    .table(PlatformSettings::Table)
                    .col(string_len(PlatformSettings::Name, 64).primary_key())
                    .col(text(PlatformSettings::Value))
                    .col(string_len(PlatformSettings::UpdatedBy, 255))
                    .col(timestamp_with_time_zone(PlatformSettings::UpdatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PlatformSettings::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum PlatformSettings {
    Table,
    Name,
    Value,
    UpdatedBy,
    UpdatedAt,
}
