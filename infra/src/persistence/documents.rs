//! Document records. The per-request limit is checked under a lock on the request row
//! (PostgreSQL) or SQLite's single writer, so concurrent announcements cannot exceed it.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::document::{
    ABANDONED_AFTER, ContentType, Declaration, Document, DocumentId, DocumentStatus, Filename,
    accepts_documents,
};
use domain::loan_request::{Actor, AuditAction, LoanRequestId};
use domain::ports::{AnnounceDocumentError, DocumentRepository, StorageError};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};

use super::convert::{audit_row, status_from};
use super::{Store, storage};
use crate::entity::{document, loan_request};

fn corrupt(id: uuid::Uuid) -> StorageError {
    StorageError::other(format!("corrupt document row {id}"))
}

fn from_row(row: document::Model) -> Result<Document, StorageError> {
    let id = row.id;
    Ok(Document {
        id: DocumentId(row.id),
        loan_request_id: LoanRequestId(row.loan_request_id),
        declaration: Declaration {
            filename: Filename::parse(&row.filename, "filename").map_err(|_| corrupt(id))?,
            content_type: ContentType::parse(&row.content_type).ok_or_else(|| corrupt(id))?,
            size: u64::try_from(row.size).map_err(|_| corrupt(id))?,
        },
        status: DocumentStatus::parse(&row.status).ok_or_else(|| corrupt(id))?,
        created_at: row.created_at,
        completed_at: row.completed_at,
    })
}

#[async_trait]
impl DocumentRepository for Store {
    async fn announce(&self, doc: &Document, limit: u64) -> Result<(), AnnounceDocumentError> {
        let txn = self.db.begin().await.map_err(storage)?;
        // Row lock on the request (ignored by SQLite, whose single writer serialises).
        let request = loan_request::Entity::find_by_id(doc.loan_request_id.0)
            .lock_exclusive()
            .one(&txn)
            .await
            .map_err(storage)?
            .ok_or(AnnounceDocumentError::NotFound)?;
        let status = status_from(&request.status, request.id)?;
        if !accepts_documents(status) {
            return Err(AnnounceDocumentError::Closed(status));
        }
        // Uploads never confirmed are dropped, so they cannot use up the limit for good.
        document::Entity::delete_many()
            .filter(document::Column::LoanRequestId.eq(doc.loan_request_id.0))
            .filter(document::Column::Status.eq(DocumentStatus::Pending.as_str()))
            .filter(document::Column::CreatedAt.lt(doc.created_at - ABANDONED_AFTER))
            .exec(&txn)
            .await
            .map_err(storage)?;
        let count = document::Entity::find()
            .filter(document::Column::LoanRequestId.eq(doc.loan_request_id.0))
            .count(&txn)
            .await
            .map_err(storage)?;
        if count >= limit {
            return Err(AnnounceDocumentError::TooMany(count));
        }
        document::Entity::insert(document::ActiveModel {
            id: Set(doc.id.0),
            loan_request_id: Set(doc.loan_request_id.0),
            filename: Set(doc.declaration.filename.as_str().to_owned()),
            content_type: Set(doc.declaration.content_type.as_str().to_owned()),
            size: Set(i64::try_from(doc.declaration.size).unwrap_or(i64::MAX)),
            status: Set(DocumentStatus::Pending.as_str().to_owned()),
            created_at: Set(doc.created_at),
            completed_at: Set(None),
        })
        .exec_without_returning(&txn)
        .await
        .map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        Ok(())
    }

    async fn document(
        &self,
        request: LoanRequestId,
        id: DocumentId,
    ) -> Result<Option<Document>, StorageError> {
        document::Entity::find_by_id(id.0)
            .filter(document::Column::LoanRequestId.eq(request.0))
            .one(&self.db)
            .await
            .map_err(storage)?
            .map(from_row)
            .transpose()
    }

    async fn mark_available(
        &self,
        doc: &Document,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Document, StorageError> {
        let txn = self.db.begin().await.map_err(storage)?;
        let updated = document::Entity::update_many()
            .col_expr(
                document::Column::Status,
                DocumentStatus::Available.as_str().into(),
            )
            .col_expr(document::Column::CompletedAt, now.into())
            .filter(document::Column::Id.eq(doc.id.0))
            .filter(document::Column::Status.eq(DocumentStatus::Pending.as_str()))
            .exec(&txn)
            .await
            .map_err(storage)?;
        if updated.rows_affected == 1 {
            let request = loan_request::Entity::find_by_id(doc.loan_request_id.0)
                .one(&txn)
                .await
                .map_err(storage)?
                .ok_or_else(|| StorageError::other("document without request"))?;
            let status = status_from(&request.status, request.id)?;
            crate::persistence::audit_chain::insert_event(
                &txn,
                audit_row(
                    doc.loan_request_id,
                    now,
                    actor,
                    AuditAction::AttachDocument,
                    (Some(status), status),
                    None,
                ),
                request.bank_id.as_str(),
            )
            .await
            .map_err(storage)?;
        }
        txn.commit().await.map_err(storage)?;
        self.document(doc.loan_request_id, doc.id)
            .await?
            .ok_or_else(|| StorageError::other("document vanished"))
    }

    async fn forget(&self, request: LoanRequestId, id: DocumentId) -> Result<(), StorageError> {
        document::Entity::delete_many()
            .filter(document::Column::Id.eq(id.0))
            .filter(document::Column::LoanRequestId.eq(request.0))
            .exec(&self.db)
            .await
            .map_err(storage)?;
        Ok(())
    }

    async fn pending(
        &self,
        request: LoanRequestId,
        since: DateTime<Utc>,
    ) -> Result<Vec<Document>, StorageError> {
        self.with_status(request, DocumentStatus::Pending, Some(since))
            .await
    }

    async fn remove_pending(
        &self,
        request: LoanRequestId,
        id: DocumentId,
    ) -> Result<bool, StorageError> {
        // One statement: a confirmation racing with the removal either lands first
        // (nothing is removed) or finds no row.
        let removed = document::Entity::delete_many()
            .filter(document::Column::Id.eq(id.0))
            .filter(document::Column::LoanRequestId.eq(request.0))
            .filter(document::Column::Status.eq(DocumentStatus::Pending.as_str()))
            .exec(&self.db)
            .await
            .map_err(storage)?;
        Ok(removed.rows_affected == 1)
    }

    async fn available(&self, request: LoanRequestId) -> Result<Vec<Document>, StorageError> {
        self.with_status(request, DocumentStatus::Available, None)
            .await
    }
}

impl Store {
    /// A request's documents in `status` (announced at or after `since`), oldest first.
    async fn with_status(
        &self,
        request: LoanRequestId,
        status: DocumentStatus,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<Document>, StorageError> {
        let mut query = document::Entity::find()
            .filter(document::Column::LoanRequestId.eq(request.0))
            .filter(document::Column::Status.eq(status.as_str()));
        if let Some(since) = since {
            query = query.filter(document::Column::CreatedAt.gte(since));
        }
        query
            .order_by_asc(document::Column::CreatedAt)
            .order_by_asc(document::Column::Id)
            .all(&self.db)
            .await
            .map_err(storage)?
            .into_iter()
            .map(from_row)
            .collect()
    }
}
