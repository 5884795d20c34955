//! The transactional outbox, as the mail worker sees it.
//!
//! A claim moves a batch of due messages' `next_attempt_at` a lease into the future and
//! counts the attempt, in one statement. On PostgreSQL the batch is chosen with
//! `FOR UPDATE SKIP LOCKED`, so concurrent workers take disjoint batches without
//! waiting on each other; the lease then keeps other workers away while the claimant
//! sends. SQLite's single writer serialises claims. A worker that dies mid-batch leaves
//! its messages to be claimed again once the lease has run out.

use chrono::{DateTime, Utc};
use domain::loan_request::OutboxStatus;
use domain::ports::StorageError;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, QueryFilter, Statement,
};
use uuid::Uuid;

use super::{Store, storage};
use crate::entity::outbox_message;

/// The claim; the status it claims (pending) is bound, from [`OutboxStatus`].
const CLAIM_POSTGRES: &str = "UPDATE outbox_messages SET attempts = attempts + 1, next_attempt_at = $1 \
     WHERE id IN (SELECT id FROM outbox_messages WHERE status = $2 AND next_attempt_at <= $3 \
     ORDER BY next_attempt_at LIMIT $4 FOR UPDATE SKIP LOCKED) RETURNING *";
const CLAIM_SQLITE: &str = "UPDATE outbox_messages SET attempts = attempts + 1, next_attempt_at = ? \
     WHERE id IN (SELECT id FROM outbox_messages WHERE status = ? AND next_attempt_at <= ? \
     ORDER BY next_attempt_at LIMIT ?) RETURNING *";

/// A message claimed by a worker for one attempt.
#[derive(Clone, PartialEq, Eq)]
pub struct ClaimedMessage {
    pub id: Uuid,
    pub loan_request_id: Uuid,
    /// The stored kind (`MailKind`'s name); the worker renders its template, and a kind
    /// no template knows fails that message alone.
    pub kind: String,
    pub recipient: String,
    pub payload: String,
    /// Attempts so far, this one included.
    pub attempts: u32,
}

impl std::fmt::Debug for ClaimedMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClaimedMessage")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Claims up to `batch` due messages until `lease_until`.
    ///
    /// # Errors
    /// [`StorageError`] only.
    pub async fn claim_outbox(
        &self,
        batch: u32,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Vec<ClaimedMessage>, StorageError> {
        let backend = self.db.get_database_backend();
        let sql = if backend == DbBackend::Postgres {
            CLAIM_POSTGRES
        } else {
            CLAIM_SQLITE
        };
        let rows = outbox_message::Model::find_by_statement(Statement::from_sql_and_values(
            backend,
            sql,
            [
                lease_until.into(),
                OutboxStatus::Pending.as_str().into(),
                now.into(),
                i64::from(batch).into(),
            ],
        ))
        .all(&self.db)
        .await
        .map_err(storage)?;
        Ok(rows
            .into_iter()
            .map(|row| ClaimedMessage {
                id: row.id,
                loan_request_id: row.loan_request_id,
                kind: row.kind,
                recipient: row.recipient,
                payload: row.payload,
                attempts: u32::try_from(row.attempts).unwrap_or(u32::MAX),
            })
            .collect())
    }

    /// Records a successful send.
    ///
    /// # Errors
    /// [`StorageError`] only.
    pub async fn mark_outbox_sent(
        &self,
        id: Uuid,
        provider_message_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        outbox_message::Entity::update_many()
            .col_expr(
                outbox_message::Column::Status,
                OutboxStatus::Sent.as_str().into(),
            )
            .col_expr(
                outbox_message::Column::ProviderMessageId,
                provider_message_id.into(),
            )
            .col_expr(outbox_message::Column::SentAt, now.into())
            .col_expr(
                outbox_message::Column::LastError,
                Option::<String>::None.into(),
            )
            .filter(outbox_message::Column::Id.eq(id))
            .filter(outbox_message::Column::Status.eq(OutboxStatus::Pending.as_str()))
            .exec(&self.db)
            .await
            .map_err(storage)?;
        Ok(())
    }

    /// Records a failed attempt: retried at `retry_at`, or dead when `None`.
    ///
    /// # Errors
    /// [`StorageError`] only.
    pub async fn mark_outbox_failed(
        &self,
        id: Uuid,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), StorageError> {
        let mut update = outbox_message::Entity::update_many()
            .col_expr(outbox_message::Column::LastError, error.into())
            .filter(outbox_message::Column::Id.eq(id))
            .filter(outbox_message::Column::Status.eq(OutboxStatus::Pending.as_str()));
        update = match retry_at {
            Some(at) => update.col_expr(outbox_message::Column::NextAttemptAt, at.into()),
            None => update.col_expr(
                outbox_message::Column::Status,
                OutboxStatus::Dead.as_str().into(),
            ),
        };
        update.exec(&self.db).await.map_err(storage)?;
        Ok(())
    }
}
