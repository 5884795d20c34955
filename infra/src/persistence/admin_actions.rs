//! Platform-wide admin actions: the dead-letter retry, done and recorded in one
//! transaction, and the record read back.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::loan_request::{Actor, OutboxStatus, Subject};
use domain::ports::{AdminAction, AdminActionKind, AdminActions, StorageError};
use domain::workflow::Role;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};

use super::{Store, storage};
use crate::entity::{admin_action, outbox_message};

#[async_trait]
impl AdminActions for Store {
    #[tracing::instrument(skip_all)]
    async fn retry_dead_letters(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<i64, StorageError> {
        let txn = self.db.begin().await.map_err(storage)?;
        let retried = outbox_message::Entity::update_many()
            .col_expr(
                outbox_message::Column::Status,
                Expr::value(OutboxStatus::Pending.as_str()),
            )
            .col_expr(outbox_message::Column::Attempts, Expr::value(0))
            .col_expr(outbox_message::Column::NextAttemptAt, Expr::value(now))
            .filter(outbox_message::Column::Status.eq(OutboxStatus::Dead.as_str()))
            .exec(&txn)
            .await
            .map_err(storage)?
            .rows_affected;
        let count = i64::try_from(retried).unwrap_or(i64::MAX);
        admin_action::Entity::insert(admin_action::ActiveModel {
            at: Set(now),
            actor_role: Set(actor.role.as_str().to_owned()),
            actor_sub: Set(actor.subject.as_str().to_owned()),
            action: Set(AdminActionKind::RetryDeadLetters.as_str().to_owned()),
            count: Set(count),
            ..Default::default()
        })
        .exec(&txn)
        .await
        .map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        Ok(count)
    }

    async fn recent_actions(&self, limit: u16) -> Result<Vec<AdminAction>, StorageError> {
        let rows = admin_action::Entity::find()
            .order_by_desc(admin_action::Column::Id)
            .limit(u64::from(limit))
            .all(&self.db)
            .await
            .map_err(storage)?;
        rows.into_iter()
            .map(|row| {
                let corrupt = || StorageError::other(format!("corrupt admin action {}", row.id));
                Ok(AdminAction {
                    at: row.at,
                    actor: Actor {
                        role: Role::parse(&row.actor_role).ok_or_else(corrupt)?,
                        subject: Subject::new(row.actor_sub.clone()),
                    },
                    kind: AdminActionKind::parse(&row.action).ok_or_else(corrupt)?,
                    count: row.count,
                })
            })
            .collect()
    }
}
