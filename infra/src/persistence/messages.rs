//! The messages of a request's thread.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::loan_request::{AuditAction, LoanRequestId, MailKind, Scope};
use domain::message::{MAX_MESSAGES_PER_REQUEST, Message, NewMessage, Side};
use domain::ports::{MessageRepository, PostMessageError, StorageError};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};
use uuid::Uuid;

use super::convert::loan_request_from_row;
use super::convert::{audit_row, outbox_row_to};
use super::loan_requests::scope_condition;
use super::{Store, storage};
use crate::entity::{bank, loan_request, message};

fn message_from_row(row: message::Model) -> Result<Message, StorageError> {
    let from = Side::parse(&row.from_side)
        .ok_or_else(|| StorageError::other(format!("corrupt message side {}", row.from_side)))?;
    Ok(Message {
        id: row.id,
        loan_request_id: LoanRequestId(row.loan_request_id),
        at: row.at,
        from,
        body: row.body,
    })
}

impl Store {
    async fn post_in(
        &self,
        txn: &DatabaseTransaction,
        new: NewMessage,
        now: DateTime<Utc>,
    ) -> Result<Message, PostMessageError> {
        // The request's row stays locked until the transaction ends, so that concurrent
        // posts count the thread one after the other (PostgreSQL; SQLite has one writer).
        let row = loan_request::Entity::find_by_id(new.loan_request_id.0)
            .filter(scope_condition(&new.scope))
            .lock_exclusive()
            .one(txn)
            .await
            .map_err(storage)?
            .ok_or(PostMessageError::NotFound)?;
        let count = message::Entity::find()
            .filter(message::Column::LoanRequestId.eq(row.id))
            .count(txn)
            .await
            .map_err(storage)?;
        if count >= MAX_MESSAGES_PER_REQUEST {
            return Err(PostMessageError::ThreadFull);
        }
        let request = loan_request_from_row(row)?;
        let posted = Message {
            id: Uuid::now_v7(),
            loan_request_id: request.id,
            at: now,
            from: new.from,
            body: new.body.as_str().to_owned(),
        };
        message::Entity::insert(message::ActiveModel {
            id: Set(posted.id),
            loan_request_id: Set(request.id.0),
            at: Set(now),
            from_side: Set(new.from.as_str().to_owned()),
            author_sub: Set(new.author.subject.as_str().to_owned()),
            body: Set(posted.body.clone()),
            read_at: Set(None),
        })
        .exec_without_returning(txn)
        .await
        .map_err(storage)?;
        // The audit trail records that a message was written, not what it says.
        crate::persistence::audit_chain::insert_event(
            txn,
            audit_row(
                request.id,
                now,
                &new.author,
                AuditAction::Message,
                (Some(request.status), request.status),
                None,
            ),
            request.bank.as_str(),
        )
        .await
        .map_err(storage)?;
        let recipient = match new.from {
            Side::Bank => Some(request.contact_email.as_str().to_owned()),
            Side::Applicant => bank::Entity::find_by_id(request.bank.as_str())
                .one(txn)
                .await
                .map_err(storage)?
                .and_then(|b| b.notification_email),
        };
        if let Some(recipient) = recipient {
            let kind = match new.from {
                Side::Bank => MailKind::MessageToApplicant,
                Side::Applicant => MailKind::MessageToBank,
            };
            crate::entity::outbox_message::Entity::insert(outbox_row_to(
                &request, kind, &recipient, now,
            ))
            .exec_without_returning(txn)
            .await
            .map_err(storage)?;
        }
        Ok(posted)
    }
}

#[async_trait]
impl MessageRepository for Store {
    async fn messages(
        &self,
        id: LoanRequestId,
        scope: &Scope,
        reader: Option<Side>,
        now: DateTime<Utc>,
    ) -> Result<Option<Vec<Message>>, StorageError> {
        if !self.visible(id, scope).await? {
            return Ok(None);
        }
        if let Some(reader) = reader {
            message::Entity::update_many()
                .col_expr(message::Column::ReadAt, Expr::value(now))
                .filter(message::Column::LoanRequestId.eq(id.0))
                .filter(message::Column::FromSide.eq(reader.other().as_str()))
                .filter(message::Column::ReadAt.is_null())
                .exec(&self.db)
                .await
                .map_err(storage)?;
        }
        message::Entity::find()
            .filter(message::Column::LoanRequestId.eq(id.0))
            .order_by_asc(message::Column::At)
            .order_by_asc(message::Column::Id)
            .all(&self.db)
            .await
            .map_err(storage)?
            .into_iter()
            .map(message_from_row)
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    #[tracing::instrument(skip_all, fields(loan_request_id = %message.loan_request_id))]
    async fn post(
        &self,
        message: NewMessage,
        now: DateTime<Utc>,
    ) -> Result<Message, PostMessageError> {
        let txn = self.db.begin().await.map_err(storage)?;
        match self.post_in(&txn, message, now).await {
            Ok(posted) => {
                txn.commit().await.map_err(storage)?;
                Ok(posted)
            }
            Err(err) => {
                txn.rollback().await.map_err(storage)?;
                Err(err)
            }
        }
    }

    async fn unread(
        &self,
        ids: &[LoanRequestId],
        reader: Side,
    ) -> Result<HashMap<LoanRequestId, u32>, StorageError> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let rows: Vec<(Uuid, i64)> = message::Entity::find()
            .select_only()
            .column(message::Column::LoanRequestId)
            .column_as(message::Column::Id.count(), "unread")
            .filter(message::Column::LoanRequestId.is_in(ids.iter().map(|id| id.0)))
            .filter(message::Column::FromSide.eq(reader.other().as_str()))
            .filter(message::Column::ReadAt.is_null())
            .group_by(message::Column::LoanRequestId)
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(storage)?;
        Ok(rows
            .into_iter()
            .map(|(id, n)| (LoanRequestId(id), u32::try_from(n).unwrap_or(u32::MAX)))
            .collect())
    }
}
