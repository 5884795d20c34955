//! [`FourEyesRepository`] on sea-orm, for both databases (docs/RULES.md §21): the banks'
//! thresholds (`grant_thresholds`), the grants awaiting a second reviewer
//! (`pending_grants`), and the reads and writes the grant's transaction makes of them
//! (`loan_requests.rs`, through `guarantees.rs`).
//!
//! Concurrency: every change of a pending grant also moves the request's version, under
//! `version = expected` (the grant's own UPDATE, or the send-back's below): of two
//! reviewers acting on the same version, the second gets a version mismatch before it
//! writes anything.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::four_eyes::{GrantThreshold, PendingGrant};
use domain::guarantee::GuaranteeIdentifier;
use domain::loan_request::{Actor, AuditAction, LoanRequest, LoanRequestId, Scope, Subject};
use domain::ports::{FourEyesRepository, ReturnCommand, StorageError, TransitionError};
use domain::submission::BankCode;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, TransactionTrait,
};

use super::convert::{audit_row, loan_request_from_row, status_from};
use super::loan_requests::locked_at_version;
use super::{Store, storage};
use crate::entity::{grant_threshold, loan_request, pending_grant};

fn threshold_from(row: &grant_threshold::Model) -> Result<GrantThreshold, StorageError> {
    GrantThreshold::new(row.threshold_cents).map_err(|_| {
        StorageError::other(format!(
            "bank {} has an invalid grant threshold",
            row.bank_id
        ))
    })
}

fn pending_from(row: pending_grant::Model) -> Result<PendingGrant, StorageError> {
    Ok(PendingGrant {
        identifier: GuaranteeIdentifier::parse(&row.identifier).map_err(|_| {
            StorageError::other(format!(
                "the pending grant of {} has an invalid identifier",
                row.loan_request_id
            ))
        })?,
        requested_by: Subject::new(row.requested_by),
        requested_at: row.requested_at,
    })
}

/// The bank's threshold, read with `db` (the grant's transaction).
pub(super) async fn threshold_of<C: ConnectionTrait>(
    db: &C,
    bank: &BankCode,
) -> Result<Option<GrantThreshold>, StorageError> {
    grant_threshold::Entity::find_by_id(bank.as_str().to_owned())
        .one(db)
        .await
        .map_err(storage)?
        .as_ref()
        .map(threshold_from)
        .transpose()
}

/// The grant pending on a request, read with `db`.
pub(super) async fn pending_of<C: ConnectionTrait>(
    db: &C,
    id: LoanRequestId,
) -> Result<Option<PendingGrant>, StorageError> {
    pending_grant::Entity::find_by_id(id.0)
        .one(db)
        .await
        .map_err(storage)?
        .map(pending_from)
        .transpose()
}

/// Records the first approval of a grant above the threshold.
pub(super) async fn insert_pending(
    txn: &DatabaseTransaction,
    id: LoanRequestId,
    identifier: GuaranteeIdentifier,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    pending_grant::Entity::insert(pending_grant::ActiveModel {
        loan_request_id: Set(id.0),
        identifier: Set(identifier.as_string()),
        requested_by: Set(actor.subject.as_str().to_owned()),
        requested_at: Set(now),
    })
    .exec_without_returning(txn)
    .await
    .map_err(storage)?;
    Ok(())
}

/// Ends the grant pending on a request, if any; whether there was one.
pub(super) async fn delete_pending(
    txn: &DatabaseTransaction,
    id: LoanRequestId,
) -> Result<bool, StorageError> {
    let deleted = pending_grant::Entity::delete_by_id(id.0)
        .exec(txn)
        .await
        .map_err(storage)?;
    Ok(deleted.rows_affected > 0)
}

impl Store {
    async fn return_in(
        &self,
        txn: &DatabaseTransaction,
        command: ReturnCommand,
    ) -> Result<LoanRequest, TransitionError> {
        let row =
            locked_at_version(txn, command.id, &command.scope, command.expected_version).await?;
        let status = status_from(&row.status, row.id)?;
        let updated = loan_request::Entity::update_many()
            .col_expr(
                loan_request::Column::Version,
                Expr::value(command.expected_version + 1),
            )
            .col_expr(loan_request::Column::UpdatedAt, Expr::value(command.now))
            .col_expr(
                loan_request::Column::DecisionReason,
                Expr::value(Some(command.reason.clone())),
            )
            .filter(loan_request::Column::Id.eq(row.id))
            .filter(loan_request::Column::Version.eq(command.expected_version))
            .exec(txn)
            .await
            .map_err(storage)?;
        if updated.rows_affected != 1 {
            return Err(TransitionError::VersionMismatch {
                current: command.expected_version + 1,
            });
        }
        if !delete_pending(txn, LoanRequestId(row.id)).await? {
            return Err(TransitionError::NoPendingGrant);
        }
        crate::persistence::audit_chain::insert_event(
            txn,
            audit_row(
                LoanRequestId(row.id),
                command.now,
                &command.actor,
                AuditAction::ReturnGrant,
                (Some(status), status),
                Some(command.reason.clone()),
            ),
            row.bank_id.as_str(),
        )
        .await
        .map_err(storage)?;
        let mut request = loan_request_from_row(row)?;
        request.version = command.expected_version + 1;
        request.updated_at = command.now;
        request.decision_reason = Some(command.reason);
        Ok(request)
    }
}

#[async_trait]
impl FourEyesRepository for Store {
    async fn threshold(&self, bank: &BankCode) -> Result<Option<GrantThreshold>, StorageError> {
        threshold_of(&self.db, bank).await
    }

    async fn set_threshold(
        &self,
        bank: &BankCode,
        threshold: Option<GrantThreshold>,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        match threshold {
            Some(threshold) => {
                grant_threshold::Entity::insert(grant_threshold::ActiveModel {
                    bank_id: Set(bank.as_str().to_owned()),
                    threshold_cents: Set(threshold.cents().get()),
                    updated_by: Set(actor.subject.as_str().to_owned()),
                    updated_at: Set(now),
                })
                .on_conflict(
                    OnConflict::column(grant_threshold::Column::BankId)
                        .update_columns([
                            grant_threshold::Column::ThresholdCents,
                            grant_threshold::Column::UpdatedBy,
                            grant_threshold::Column::UpdatedAt,
                        ])
                        .to_owned(),
                )
                .exec_without_returning(&self.db)
                .await
                .map_err(storage)?;
            }
            None => {
                grant_threshold::Entity::delete_by_id(bank.as_str().to_owned())
                    .exec(&self.db)
                    .await
                    .map_err(storage)?;
            }
        }
        Ok(())
    }

    async fn pending(
        &self,
        id: LoanRequestId,
        scope: &Scope,
    ) -> Result<Option<PendingGrant>, StorageError> {
        if !self.visible(id, scope).await? {
            return Ok(None);
        }
        pending_of(&self.db, id).await
    }

    #[tracing::instrument(name = "store.return_grant", skip_all, fields(loan_request_id = %command.id))]
    async fn return_grant(&self, command: ReturnCommand) -> Result<LoanRequest, TransitionError> {
        let txn = self.db.begin().await.map_err(storage)?;
        match self.return_in(&txn, command).await {
            Ok(request) => {
                txn.commit().await.map_err(storage)?;
                Ok(request)
            }
            Err(err) => {
                txn.rollback().await.map_err(storage)?;
                Err(err)
            }
        }
    }
}
