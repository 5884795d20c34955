//! Banks, national figures and platform switches.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::loan_request::{Actor, Bank, OutboxStatus};
use domain::ports::{
    CreateBankError, OutboxStats, PlatformSettings, StatsRepository, StatsRow, StorageError,
    Totals, join_split_sum,
};
use sea_orm::ColumnTrait;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, EntityTrait, QueryFilter, QuerySelect, SqlErr};

use super::convert::status_from;
use super::{Store, storage};
use crate::entity::{bank, loan_request, outbox_message, platform_setting};

const DEGRADED_MODE: &str = "degraded_mode";

impl Store {
    /// Adds a bank (used by the [`domain::ports::BankRepository`] impl).
    pub(crate) async fn insert_bank(
        &self,
        new: &Bank,
        now: DateTime<Utc>,
    ) -> Result<(), CreateBankError> {
        let result = bank::Entity::insert(bank::ActiveModel {
            code: Set(new.code.as_str().to_owned()),
            name: Set(new.name.clone()),
            notification_email: Set(new
                .notification_email
                .as_ref()
                .map(|e| e.as_str().to_owned())),
            created_at: Set(now),
        })
        .exec_without_returning(&self.db)
        .await;
        match result {
            Ok(_) => Ok(()),
            Err(err) => match err.sql_err() {
                Some(SqlErr::UniqueConstraintViolation(_)) => {
                    Err(CreateBankError::Duplicate(new.code.as_str().to_owned()))
                }
                _ => Err(CreateBankError::Storage(storage(err))),
            },
        }
    }
}

#[async_trait]
impl StatsRepository for Store {
    async fn by_bank_and_status(&self) -> Result<Vec<StatsRow>, StorageError> {
        // Each sum in two parts (`join_split_sum`): a plain SUM of amounts near the
        // largest cap overflows a BIGINT after 46,000 rows (PostgreSQL: "bigint out of
        // range"; SQLite: "integer overflow"), the parts never do.
        let rows: Vec<(String, String, i64, i64, i64, i64, i64)> = loan_request::Entity::find()
            .select_only()
            .column(loan_request::Column::BankId)
            .column(loan_request::Column::Status)
            .column_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "n")
            .column_as(
                Expr::cust("CAST(COALESCE(SUM(requested_amount_cents / 1000000000), 0) AS BIGINT)"),
                "requested_high",
            )
            .column_as(
                Expr::cust("CAST(COALESCE(SUM(requested_amount_cents % 1000000000), 0) AS BIGINT)"),
                "requested_low",
            )
            .column_as(
                Expr::cust("CAST(COALESCE(SUM(guaranteed_cents / 1000000000), 0) AS BIGINT)"),
                "guaranteed_high",
            )
            .column_as(
                Expr::cust("CAST(COALESCE(SUM(guaranteed_cents % 1000000000), 0) AS BIGINT)"),
                "guaranteed_low",
            )
            .group_by(loan_request::Column::BankId)
            .group_by(loan_request::Column::Status)
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(storage)?;
        rows.into_iter()
            .map(|(bank, status, count, rh, rl, gh, gl)| {
                Ok(StatsRow {
                    status: status_from(&status, &bank)?,
                    bank,
                    totals: Totals {
                        count,
                        requested_cents: join_split_sum(rh, rl),
                        guaranteed_cents: join_split_sum(gh, gl),
                    },
                })
            })
            .collect()
    }

    async fn outbox(&self) -> Result<OutboxStats, StorageError> {
        self.outbox_counts(true).await
    }
}

impl Store {
    /// The outbox's backlog for `/metrics`: pending and dead messages and the oldest
    /// pending one, not the sent ones (`sent` is 0). Sent messages are kept (the
    /// record of what was said to whom): after launch day they are millions, and a
    /// scrape of every pod every few seconds must not count them; pending and dead are
    /// read from the `(status, next_attempt_at)` index.
    ///
    /// # Errors
    /// [`StorageError`] only.
    pub async fn outbox_backlog(&self) -> Result<OutboxStats, StorageError> {
        self.outbox_counts(false).await
    }

    async fn outbox_counts(&self, with_sent: bool) -> Result<OutboxStats, StorageError> {
        let mut counts = outbox_message::Entity::find()
            .select_only()
            .column(outbox_message::Column::Status)
            .column_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "n");
        if !with_sent {
            counts = counts.filter(
                outbox_message::Column::Status
                    .is_in([OutboxStatus::Pending.as_str(), OutboxStatus::Dead.as_str()]),
            );
        }
        let rows: Vec<(String, i64)> = counts
            .group_by(outbox_message::Column::Status)
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(storage)?;
        let oldest: Option<DateTime<Utc>> = outbox_message::Entity::find()
            .select_only()
            .column_as(outbox_message::Column::CreatedAt.min(), "oldest")
            .filter(outbox_message::Column::Status.eq(OutboxStatus::Pending.as_str()))
            .into_tuple::<Option<DateTime<Utc>>>()
            .one(&self.db)
            .await
            .map_err(storage)?
            .flatten();
        let mut stats = OutboxStats {
            oldest_pending_at: oldest,
            ..OutboxStats::default()
        };
        for (status, count) in rows {
            match OutboxStatus::parse(&status) {
                Some(OutboxStatus::Pending) => stats.pending = count,
                Some(OutboxStatus::Sent) => stats.sent = count,
                Some(OutboxStatus::Dead) => stats.dead = count,
                None => {}
            }
        }
        Ok(stats)
    }
}

#[async_trait]
impl PlatformSettings for Store {
    async fn degraded_mode(&self) -> Result<bool, StorageError> {
        let row = platform_setting::Entity::find()
            .filter(platform_setting::Column::Name.eq(DEGRADED_MODE))
            .one(&self.db)
            .await
            .map_err(storage)?;
        Ok(row.is_some_and(|r| r.value == "on"))
    }

    async fn set_degraded_mode(
        &self,
        on: bool,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        platform_setting::Entity::insert(platform_setting::ActiveModel {
            name: Set(DEGRADED_MODE.to_owned()),
            value: Set(if on { "on" } else { "off" }.to_owned()),
            updated_by: Set(format!(
                "{}:{}",
                actor.role.as_str(),
                actor.subject.as_str()
            )),
            updated_at: Set(now),
        })
        .on_conflict(
            OnConflict::column(platform_setting::Column::Name)
                .update_columns([
                    platform_setting::Column::Value,
                    platform_setting::Column::UpdatedBy,
                    platform_setting::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(&self.db)
        .await
        .map_err(storage)?;
        Ok(())
    }
}
