//! The submission on sea-orm: SQLite's writer. One explicit transaction: BEGIN, the
//! idempotency lookup, the sum, four INSERTs (the audit event linked to its chain by
//! `audit_chain::insert_event`: a read and an update of the chain's head besides), COMMIT;
//! on PostgreSQL the advisory locks too. Any refusal rolls everything back.
//!
//! Concurrency: on PostgreSQL (where this writer runs only for the rows' comparison
//! test) the transaction takes the advisory locks first, as `pge_submit_v2` does; on
//! SQLite the pool has one connection, whose single writer serialises every
//! transaction, so the sum read is the one the INSERT relies on.

use std::sync::Arc;

use async_trait::async_trait;
use domain::loan_request::{AuditAction, IdempotencyKey, MailKind};
use domain::money::Cents;
use domain::ports::{
    NewLoanRequest, ReceiptFormat, SubmissionRepository, SubmitError, SubmitOutcome,
};
use domain::rules::Commitments;
use domain::submission::Submission;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    DbBackend, DbErr, EntityTrait, IntoActiveModel, QueryFilter, QuerySelect, SqlErr, Statement,
    TransactionTrait,
};

use super::{Locks, RELEASED, SIREN_LOCK_CLASS, replayed};
use crate::entity::{idempotency_record, loan_request, outbox_message};
use crate::persistence::convert::{audit_row, outbox_row, request_row};
use crate::persistence::storage;

/// Both submission locks in one round trip, always in this order (idempotency key, then
/// company); the company's alone when there is no key.
const LOCK_KEY_AND_COMPANY: &str =
    "SELECT pg_advisory_xact_lock($1), pg_advisory_xact_lock($2, $3)";
const LOCK_COMPANY: &str = "SELECT pg_advisory_xact_lock($1, $2)";

/// The submission's writer on sea-orm (see the module's documentation).
pub struct OrmSubmissions {
    db: DatabaseConnection,
    receipts: Arc<dyn ReceiptFormat>,
}

impl std::fmt::Debug for OrmSubmissions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrmSubmissions").finish_non_exhaustive()
    }
}

impl OrmSubmissions {
    #[must_use]
    pub fn new(db: DatabaseConnection, receipts: Arc<dyn ReceiptFormat>) -> Self {
        Self { db, receipts }
    }

    async fn submit_in(
        &self,
        txn: &DatabaseTransaction,
        new: NewLoanRequest,
        idempotency: Option<IdempotencyKey>,
    ) -> Result<SubmitOutcome, SubmitError> {
        let subject = new.actor.subject.as_str().to_owned();
        let submission = &new.submission;
        lock(
            txn,
            &Locks::of(
                &subject,
                idempotency.as_ref(),
                submission.company.siren.as_str(),
            ),
        )
        .await
        .map_err(storage)?;
        if let Some(idem) = &idempotency {
            let existing =
                idempotency_record::Entity::find_by_id((subject.clone(), idem.key.clone()))
                    .one(txn)
                    .await
                    .map_err(storage)?;
            if let Some(record) = existing {
                return if record.body_fingerprint == idem.body_fingerprint {
                    Ok(replayed(record.response_body, record.loan_request_id))
                } else {
                    Err(SubmitError::IdempotencyKeyReused)
                };
            }
        }
        commitments(txn, submission)
            .await
            .map_err(storage)?
            .admit(submission.terms.cap, submission.amount)?;

        let request = new.stored();
        let row = request_row(&request).into_active_model();
        if let Err(err) = loan_request::Entity::insert(row)
            .exec_without_returning(txn)
            .await
        {
            return Err(match err.sql_err() {
                Some(SqlErr::UniqueConstraintViolation(_)) => SubmitError::ReferenceCollision,
                // The bank is checked by the foreign key, not by a lookup beforehand.
                Some(SqlErr::ForeignKeyConstraintViolation(_)) => {
                    SubmitError::UnknownBank(submission.bank.as_str().to_owned())
                }
                _ => SubmitError::Storage(storage(err)),
            });
        }
        crate::persistence::audit_chain::insert_event(
            txn,
            audit_row(
                request.id,
                new.now,
                &new.actor,
                AuditAction::Submit,
                (None, request.status),
                None,
            ),
            request.bank.as_str(),
        )
        .await
        .map_err(storage)?;
        outbox_message::Entity::insert(outbox_row(&request, MailKind::SubmissionReceived, new.now))
            .exec_without_returning(txn)
            .await
            .map_err(storage)?;
        let mut kept = None;
        if let Some(idem) = idempotency {
            let receipt = self.receipts.receipt(&request);
            // `response_status` is left to its column default (migration
            // m20261206_000009): only the previous release's replicas read it.
            idempotency_record::Entity::insert(idempotency_record::ActiveModel {
                applicant_sub: Set(subject),
                idem_key: Set(idem.key),
                body_fingerprint: Set(idem.body_fingerprint),
                response_body: Set(receipt.0.clone()),
                loan_request_id: Set(Some(request.id.0)),
                created_at: Set(new.now),
                ..Default::default()
            })
            .exec_without_returning(txn)
            .await
            .map_err(storage)?;
            kept = Some(receipt);
        }
        Ok(SubmitOutcome::Created {
            request: Box::new(request),
            receipt: kept,
        })
    }
}

#[async_trait]
impl SubmissionRepository for OrmSubmissions {
    #[tracing::instrument(name = "store.submit", skip_all, fields(loan_request_id = %request.id))]
    async fn submit(
        &self,
        request: NewLoanRequest,
        idempotency: Option<IdempotencyKey>,
    ) -> Result<SubmitOutcome, SubmitError> {
        let txn = self.db.begin().await.map_err(storage)?;
        match self.submit_in(&txn, request, idempotency).await {
            Ok(outcome) => {
                txn.commit().await.map_err(storage)?;
                Ok(outcome)
            }
            Err(err) => {
                txn.rollback().await.map_err(storage)?;
                Err(err)
            }
        }
    }
}

/// Serialises, on PostgreSQL, the submissions of one applicant with one idempotency key
/// and the submissions for one company (the aggregate cap), until the transaction ends.
/// SQLite has a single writer: nothing to do.
async fn lock(txn: &DatabaseTransaction, locks: &Locks) -> Result<(), DbErr> {
    if txn.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let statement = match locks.key {
        Some(key) => Statement::from_sql_and_values(
            DbBackend::Postgres,
            LOCK_KEY_AND_COMPANY,
            [key.into(), SIREN_LOCK_CLASS.into(), locks.company.into()],
        ),
        None => Statement::from_sql_and_values(
            DbBackend::Postgres,
            LOCK_COMPANY,
            [SIREN_LOCK_CLASS.into(), locks.company.into()],
        ),
    };
    txn.execute(statement).await?;
    Ok(())
}

/// What the SIREN's standing requests commit, and the lowest cap among them.
async fn commitments<C: ConnectionTrait>(
    db: &C,
    submission: &Submission,
) -> Result<Commitments, DbErr> {
    let row: Option<(i64, Option<i64>)> = loan_request::Entity::find()
        .select_only()
        .column_as(
            Expr::cust("CAST(COALESCE(SUM(requested_amount_cents), 0) AS BIGINT)"),
            "total",
        )
        .column_as(Expr::cust("MIN(cap_cents)"), "lowest_cap")
        .filter(loan_request::Column::Siren.eq(submission.company.siren.as_str()))
        .filter(loan_request::Column::Status.is_not_in(RELEASED.iter().copied()))
        .into_tuple()
        .one(db)
        .await?;
    let (total, lowest) = row.unwrap_or((0, None));
    Ok(Commitments {
        committed: Cents::new(total),
        lowest_cap: lowest.map(Cents::new),
    })
}
