//! [`GuaranteeRepository`] on sea-orm, for both databases (docs/RULES.md §20), and the
//! guarantee's part of a request's state change (used by a grant, cancelled by a
//! withdrawal or a rejection), which `loan_requests.rs` runs in its transaction.
//!
//! Concurrency: an issue takes the company's lock first (PostgreSQL: the advisory lock
//! the submissions take; SQLite: its single writer), so that what the company holds is
//! read once and decided on before anything else of the company's is written; the
//! request's new version is written under `status = 'pre_approved'`, so that an issue
//! and a withdrawal racing for the same request cannot both win.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::four_eyes::{GrantStep, grant_step};
use domain::guarantee::GuaranteeIdentifier;
use domain::issuance::{CompanyGuarantees, Guarantee, GuaranteeStatus, IssueRefusal, may_issue};
use domain::loan_request::{Actor, AuditAction, LoanRequest, LoanRequestId, MailKind, Scope};
use domain::money::Cents;
use domain::ports::{
    GuaranteeRepository, IssueCommand, IssueError, Issued, StorageError, TransitionError,
};
use domain::workflow::Status;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, QueryFilter,
    QuerySelect, SqlErr, Statement, TransactionTrait,
};

use super::convert::{
    audit_row, loan_request_from_row, outbox_payload_with, outbox_row_with, status_from,
};
use super::loan_requests::scope_condition;
use super::submission::{RELEASED, SIREN_LOCK_CLASS};
use super::{Store, storage};
use crate::entity::{guarantee, loan_request, outbox_message};

fn guarantee_from_row(row: guarantee::Model) -> Result<Guarantee, StorageError> {
    let corrupt = |what: &str| {
        StorageError::other(format!(
            "guarantee of request {} has an invalid {what}",
            row.loan_request_id
        ))
    };
    Ok(Guarantee {
        identifier: GuaranteeIdentifier::parse(&row.identifier)
            .map_err(|_| corrupt("identifier"))?,
        loan_request_id: LoanRequestId(row.loan_request_id),
        siren: row.siren.parse().map_err(|_| corrupt("SIREN"))?,
        bank: domain::submission::BankCode::parse(&row.bank_id).map_err(|_| corrupt("bank"))?,
        amount: Cents::new(row.amount_cents),
        status: GuaranteeStatus::parse(&row.status).ok_or_else(|| corrupt("status"))?,
        issued_at: row.issued_at,
        closed_at: row.closed_at,
    })
}

fn guarantee_row(guarantee: &Guarantee, issued_by: &str) -> guarantee::ActiveModel {
    guarantee::ActiveModel {
        identifier: Set(guarantee.identifier.as_string()),
        loan_request_id: Set(guarantee.loan_request_id.0),
        siren: Set(guarantee.siren.as_str().to_owned()),
        bank_id: Set(guarantee.bank.as_str().to_owned()),
        amount_cents: Set(guarantee.amount.get()),
        status: Set(guarantee.status.as_str().to_owned()),
        issued_by: Set(issued_by.to_owned()),
        issued_at: Set(guarantee.issued_at),
        closed_at: Set(guarantee.closed_at),
    }
}

/// What the e-mail of an issued identifier needs: the request's figures, the
/// identifier and its date (the worker renders the attestation from them).
fn issued_payload(request: &LoanRequest, guarantee: &Guarantee) -> String {
    let terms = &request.terms;
    let serde_json::Value::Object(more) = serde_json::json!({
        "siren": request.company.siren.as_str(),
        "amortization_years": request.amortization.get(),
        "guarantee_share_bp": terms.guarantee_share.get(),
        "guaranteed_cents": terms.guaranteed.get(),
        "total_fee_cents": terms.total_fee.get(),
        "fee_schedule": terms.fee_schedule.iter().map(|y| serde_json::json!({
            "year": y.year,
            "rate_bp": y.rate_bp.get(),
            "outstanding_cents": y.outstanding.get(),
            "fee_cents": y.fee.get(),
        })).collect::<Vec<_>>(),
        "identifier": guarantee.identifier.as_string(),
        "issued_on": guarantee.issued_at.date_naive().to_string(),
    }) else {
        unreachable!("a JSON object literal")
    };
    outbox_payload_with(request, more)
}

impl Store {
    async fn issue_in(
        &self,
        txn: &DatabaseTransaction,
        command: IssueCommand,
    ) -> Result<Issued, IssueError> {
        let row = loan_request::Entity::find_by_id(command.id.0)
            .filter(scope_condition(&command.scope))
            .one(txn)
            .await
            .map_err(storage)?
            .ok_or(IssueError::NotFound)?;
        lock_company(txn, &row.siren).await?;
        if let Some(existing) = guarantee::Entity::find()
            .filter(guarantee::Column::LoanRequestId.eq(row.id))
            .one(txn)
            .await
            .map_err(storage)?
        {
            return Ok(Issued {
                guarantee: guarantee_from_row(existing)?,
                request: loan_request_from_row(row)?,
                new: false,
            });
        }
        let mut request = loan_request_from_row(row)?;
        let company = company_guarantees(txn, &request).await?;
        may_issue(&request, company, command.rule, command.now)?;
        let updated = loan_request::Entity::update_many()
            .col_expr(
                loan_request::Column::Version,
                Expr::value(request.version + 1),
            )
            .col_expr(loan_request::Column::UpdatedAt, Expr::value(command.now))
            .filter(loan_request::Column::Id.eq(request.id.0))
            .filter(loan_request::Column::Version.eq(request.version))
            .filter(loan_request::Column::Status.eq(Status::PreApproved.as_str()))
            .exec(txn)
            .await
            .map_err(storage)?;
        if updated.rows_affected != 1 {
            // Withdrawn or rejected since it was read.
            let status = loan_request::Entity::find_by_id(request.id.0)
                .one(txn)
                .await
                .map_err(storage)?
                .map_or(Ok(Status::Withdrawn), |r| status_from(&r.status, r.id))?;
            return Err(IssueRefusal::NotPreApproved(status).into());
        }
        request.version += 1;
        request.updated_at = command.now;
        let guarantee = Guarantee::issue(command.identifier, &request, command.now);
        if let Err(err) =
            guarantee::Entity::insert(guarantee_row(&guarantee, command.actor.subject.as_str()))
                .exec_without_returning(txn)
                .await
        {
            return Err(match err.sql_err() {
                Some(SqlErr::UniqueConstraintViolation(_)) => IssueError::IdentifierCollision,
                _ => IssueError::Storage(storage(err)),
            });
        }
        crate::persistence::audit_chain::insert_event(
            txn,
            audit_row(
                request.id,
                command.now,
                &command.actor,
                AuditAction::IssueGuarantee,
                (Some(Status::PreApproved), Status::PreApproved),
                None,
            ),
            request.bank.as_str(),
        )
        .await
        .map_err(storage)?;
        outbox_message::Entity::insert(outbox_row_with(
            &request,
            MailKind::GuaranteeIssued,
            request.contact_email.as_str(),
            issued_payload(&request, &guarantee),
            command.now,
        ))
        .exec_without_returning(txn)
        .await
        .map_err(storage)?;
        Ok(Issued {
            guarantee,
            request,
            new: true,
        })
    }

    /// The guarantee's checks of a state change, in its transaction, before anything is
    /// written: a grant needs the identifier issued for the request (the domain's
    /// [`Guarantee::confirm_for`]), and above the bank's threshold a second reviewer
    /// (the domain's [`grant_step`], on the bank's threshold and the grant pending on
    /// the request). `None` for other changes.
    pub(super) async fn guarantee_check(
        &self,
        txn: &DatabaseTransaction,
        request: &LoanRequest,
        to: Status,
        identifier: Option<GuaranteeIdentifier>,
        actor: &Actor,
    ) -> Result<Option<GrantStep>, TransitionError> {
        if to != Status::Granted {
            return Ok(None);
        }
        let found = match identifier {
            Some(identifier) => guarantee::Entity::find_by_id(identifier.as_string())
                .one(txn)
                .await
                .map_err(storage)?
                .map(guarantee_from_row)
                .transpose()?,
            None => None,
        };
        Guarantee::confirm_for(found.as_ref(), request).map_err(TransitionError::Guarantee)?;
        let threshold = super::four_eyes::threshold_of(txn, &request.bank).await?;
        let pending = super::four_eyes::pending_of(txn, request.id).await?;
        Ok(Some(grant_step(
            threshold,
            request.amount,
            pending.as_ref(),
            &actor.subject,
        )?))
    }

    /// The guarantee's writes of a state change, once the request's row was updated: a
    /// grant uses the guarantee, the first approval of a grant above the threshold
    /// records the pending grant, a withdrawal or a rejection cancels the guarantee; a
    /// grant, a withdrawal and a rejection end a pending grant.
    pub(super) async fn guarantee_apply(
        &self,
        txn: &DatabaseTransaction,
        request: &LoanRequest,
        to: Status,
        step: Option<GrantStep>,
        (identifier, actor): (Option<GuaranteeIdentifier>, &Actor),
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        match (to, step) {
            (Status::PreApproved, Some(GrantStep::AwaitSecondReviewer)) => {
                if let Some(identifier) = identifier {
                    super::four_eyes::insert_pending(txn, request.id, identifier, actor, now)
                        .await?;
                }
            }
            (Status::Granted, _) => {
                close(txn, request.id, GuaranteeStatus::Used, now).await?;
                super::four_eyes::delete_pending(txn, request.id).await?;
            }
            (Status::Withdrawn | Status::Rejected, _) => {
                close(txn, request.id, GuaranteeStatus::Cancelled, now).await?;
                super::four_eyes::delete_pending(txn, request.id).await?;
            }
            _ => {}
        }
        Ok(())
    }
}

/// Moves the request's issued guarantee, if any, to `status`.
async fn close(
    txn: &DatabaseTransaction,
    id: LoanRequestId,
    status: GuaranteeStatus,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    guarantee::Entity::update_many()
        .col_expr(guarantee::Column::Status, Expr::value(status.as_str()))
        .col_expr(guarantee::Column::ClosedAt, Expr::value(Some(now)))
        .filter(guarantee::Column::LoanRequestId.eq(id.0))
        .filter(guarantee::Column::Status.eq(GuaranteeStatus::Issued.as_str()))
        .exec(txn)
        .await
        .map_err(storage)?;
    Ok(())
}

/// On PostgreSQL, the company's advisory lock (the one its submissions take) until the
/// transaction ends; SQLite has a single writer.
async fn lock_company(txn: &DatabaseTransaction, siren: &str) -> Result<(), StorageError> {
    if txn.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let company: i32 = siren.parse().unwrap_or_default();
    txn.execute(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT pg_advisory_xact_lock($1, $2)",
        [SIREN_LOCK_CLASS.into(), company.into()],
    ))
    .await
    .map_err(storage)?;
    Ok(())
}

/// What the company of `request` holds: its other committing identifiers and their sum,
/// and its cap as known now (the lowest among its standing requests).
async fn company_guarantees(
    txn: &DatabaseTransaction,
    request: &LoanRequest,
) -> Result<CompanyGuarantees, StorageError> {
    let siren = request.company.siren.as_str();
    let committing: Vec<&str> = GuaranteeStatus::ALL
        .into_iter()
        .filter(|s| s.commits())
        .map(GuaranteeStatus::as_str)
        .collect();
    let (held, guaranteed): (i64, i64) = guarantee::Entity::find()
        .select_only()
        .column_as(Expr::cust("COUNT(*)"), "held")
        .column_as(
            Expr::cust("CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT)"),
            "guaranteed",
        )
        .filter(guarantee::Column::Siren.eq(siren))
        .filter(guarantee::Column::Status.is_in(committing))
        .into_tuple()
        .one(txn)
        .await
        .map_err(storage)?
        .unwrap_or((0, 0));
    let lowest: Option<i64> = loan_request::Entity::find()
        .select_only()
        .column_as(Expr::cust("MIN(cap_cents)"), "lowest_cap")
        .filter(loan_request::Column::Siren.eq(siren))
        .filter(loan_request::Column::Status.is_not_in(RELEASED.iter().copied()))
        .into_tuple::<Option<i64>>()
        .one(txn)
        .await
        .map_err(storage)?
        .flatten();
    Ok(CompanyGuarantees {
        held: u32::try_from(held).unwrap_or(u32::MAX),
        guaranteed: Cents::new(guaranteed),
        cap: lowest.map_or(request.terms.cap, |cap| {
            Cents::new(cap).min(request.terms.cap)
        }),
    })
}

#[async_trait]
impl GuaranteeRepository for Store {
    #[tracing::instrument(name = "store.issue_guarantee", skip_all, fields(loan_request_id = %command.id))]
    async fn issue(&self, command: IssueCommand) -> Result<Issued, IssueError> {
        let txn = self.db.begin().await.map_err(storage)?;
        match self.issue_in(&txn, command).await {
            Ok(issued) => {
                txn.commit().await.map_err(storage)?;
                Ok(issued)
            }
            Err(err) => {
                txn.rollback().await.map_err(storage)?;
                Err(err)
            }
        }
    }

    async fn guarantee_of(
        &self,
        id: LoanRequestId,
        scope: &Scope,
    ) -> Result<Option<Option<Guarantee>>, StorageError> {
        if !self.visible(id, scope).await? {
            return Ok(None);
        }
        let row = guarantee::Entity::find()
            .filter(guarantee::Column::LoanRequestId.eq(id.0))
            .one(&self.db)
            .await
            .map_err(storage)?;
        Ok(Some(row.map(guarantee_from_row).transpose()?))
    }

    async fn find(
        &self,
        identifier: GuaranteeIdentifier,
    ) -> Result<Option<Guarantee>, StorageError> {
        guarantee::Entity::find_by_id(identifier.as_string())
            .one(&self.db)
            .await
            .map_err(storage)?
            .map(guarantee_from_row)
            .transpose()
    }
}
