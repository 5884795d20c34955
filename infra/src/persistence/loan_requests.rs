//! [`LoanRequestRepository`] on sea-orm.
//!
//! Concurrency: on PostgreSQL every submission takes a transaction-scoped advisory lock
//! on its SIREN before summing that SIREN's committed amounts, so two submissions for
//! one company are serialised while submissions for different companies run in
//! parallel; a retried idempotency key is serialised the same way. On SQLite the pool
//! has one connection, so transactions are serialised anyway. State changes are
//! guarded by `version = expected` in the UPDATE itself: of two concurrent deciders,
//! the second finds no row to update and gets a version mismatch.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::company::Siren;
use domain::loan_request::{
    AuditEvent, Direction, IdempotencyKey, ListFilter, ListOrder, LoanRequest, LoanRequestId,
    MailKind, Page, PageQuery, Position, Scope, Total, TransitionCommand,
};
use domain::money::Cents;
use domain::ports::{
    LoanRequestRepository, NewLoanRequest, Receipt, StorageError, SubmitError, SubmitOutcome,
    TransitionError,
};
use domain::rules::{check_aggregate_cap, company_cap};
use domain::workflow::{Status, transition};
use sea_orm::sea_query::{Alias, Asterisk, Expr, Func, LikeExpr, Query, SimpleExpr};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, DbBackend,
    DbErr, EntityTrait, IntoActiveModel, Order, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
    SqlErr, Statement, TransactionTrait,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::convert::{audit_event_from_row, loan_request_from_row, request_row, status_from};
use super::{Store, storage};
use crate::entity::{audit_event, idempotency_record, loan_request, message, outbox_message};

/// Advisory-lock class of SIREN locks (two-int4 key space: class, SIREN).
pub(super) const SIREN_LOCK_CLASS: i32 = 0x5047_4501;

/// Statuses whose amounts no longer count toward a company's cap.
pub(super) const RELEASED_STATUSES: [&str; 2] = ["rejected", "withdrawn"];

/// Both submission locks in one round trip, always in this order (idempotency key, then
/// company); the company's alone when there is no key.
pub(super) const LOCK_KEY_AND_COMPANY: &str =
    "SELECT pg_advisory_xact_lock($1), pg_advisory_xact_lock($2, $3)";
pub(super) const LOCK_COMPANY: &str = "SELECT pg_advisory_xact_lock($1, $2)";

pub(super) fn scope_condition(scope: &Scope) -> Condition {
    match scope {
        Scope::Applicant(sub) => {
            Condition::all().add(loan_request::Column::ApplicantSub.eq(sub.as_str()))
        }
        Scope::Bank(code) => Condition::all().add(loan_request::Column::BankId.eq(code.as_str())),
        Scope::All => Condition::all(),
    }
}

fn filter_condition(filter: &ListFilter) -> Condition {
    let mut cond = Condition::all();
    if let Some(status) = filter.status {
        cond = cond.add(loan_request::Column::Status.eq(status.as_str()));
    }
    if let Some(siren) = &filter.siren {
        cond = cond.add(loan_request::Column::Siren.eq(siren.as_str()));
    }
    if let Some(reference) = &filter.reference {
        cond = cond.add(loan_request::Column::Reference.eq(reference.to_string()));
    }
    if let Some(from) = filter.created_from {
        cond = cond.add(loan_request::Column::CreatedAt.gte(from));
    }
    if let Some(to) = filter.created_to {
        cond = cond.add(loan_request::Column::CreatedAt.lt(to));
    }
    if let Some(bank) = &filter.bank {
        cond = cond.add(loan_request::Column::BankId.eq(bank.as_str()));
    }
    if let Some(name) = &filter.name {
        // `lower(legal_name) LIKE '%…%'`: on PostgreSQL a trigram index on the same
        // expression serves it (migration m20261206_000006); `\` escapes % and _.
        let escaped: String = name
            .as_str()
            .to_lowercase()
            .chars()
            .flat_map(|c| match c {
                '%' | '_' | '\\' => vec!['\\', c],
                _ => vec![c],
            })
            .collect();
        cond = cond.add(
            Expr::expr(Func::lower(Expr::col((
                loan_request::Entity,
                loan_request::Column::LegalName,
            ))))
            .like(LikeExpr::new(format!("%{escaped}%")).escape('\\')),
        );
    }
    if let Some(side) = filter.unread_from {
        let unread = Query::select()
            .expr(Expr::val(1))
            .from(message::Entity)
            .and_where(
                Expr::col((message::Entity, message::Column::LoanRequestId))
                    .equals((loan_request::Entity, loan_request::Column::Id)),
            )
            .and_where(Expr::col((message::Entity, message::Column::FromSide)).eq(side.as_str()))
            .and_where(Expr::col((message::Entity, message::Column::ReadAt)).is_null())
            .to_owned();
        cond = cond.add(Expr::exists(unread));
    }
    cond
}

/// The sort key's column: the submission time or the requested amount.
fn key_column(order: ListOrder) -> loan_request::Column {
    if order.by_amount() {
        loan_request::Column::RequestedAmountCents
    } else {
        loan_request::Column::CreatedAt
    }
}

/// `(key, id) < (position)` (or `>`) as a row-value comparison, which both databases
/// evaluate as an index range (an `OR` of two conditions would not be). `below`: the
/// rows before the position in ascending terms.
fn beyond(order: ListOrder, position: Position, below: bool) -> SimpleExpr {
    let key: SimpleExpr = if order.by_amount() {
        Expr::value(position.key)
    } else {
        Expr::value(DateTime::<Utc>::from_timestamp_micros(position.key).unwrap_or_default())
    };
    let row = Expr::tuple([
        Expr::col(key_column(order)).into(),
        Expr::col(loan_request::Column::Id).into(),
    ]);
    let at = Expr::tuple([key, Expr::value(position.id.0)]);
    if below { row.lt(at) } else { row.gt(at) }
}

pub(super) fn lock_key(parts: &[&str]) -> i64 {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    let digest = hasher.finalize();
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(bytes)
}

/// Serialises, on PostgreSQL, the submissions of one applicant with one idempotency key
/// and the submissions for one company (the aggregate cap), until the transaction ends.
/// SQLite has a single writer: nothing to do.
async fn lock_for_submission(
    txn: &DatabaseTransaction,
    subject: &str,
    idempotency: Option<&IdempotencyKey>,
    siren: &Siren,
) -> Result<(), DbErr> {
    if txn.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let company: i32 = siren.as_str().parse().unwrap_or_default();
    let statement = match idempotency {
        Some(idem) => Statement::from_sql_and_values(
            DbBackend::Postgres,
            LOCK_KEY_AND_COMPANY,
            [
                lock_key(&["idempotency", subject, &idem.key]).into(),
                SIREN_LOCK_CLASS.into(),
                company.into(),
            ],
        ),
        None => Statement::from_sql_and_values(
            DbBackend::Postgres,
            LOCK_COMPANY,
            [SIREN_LOCK_CLASS.into(), company.into()],
        ),
    };
    txn.execute(statement).await?;
    Ok(())
}

/// The amount a SIREN's standing requests commit, and the lowest cap among them.
async fn committed_amount_in<C: ConnectionTrait>(
    db: &C,
    siren: &Siren,
) -> Result<(Cents, Option<Cents>), DbErr> {
    let row: Option<(i64, Option<i64>)> = loan_request::Entity::find()
        .select_only()
        .column_as(
            Expr::cust("CAST(COALESCE(SUM(requested_amount_cents), 0) AS BIGINT)"),
            "total",
        )
        .column_as(Expr::cust("MIN(cap_cents)"), "lowest_cap")
        .filter(loan_request::Column::Siren.eq(siren.as_str()))
        .filter(loan_request::Column::Status.is_not_in(RELEASED_STATUSES))
        .into_tuple()
        .one(db)
        .await?;
    let (total, lowest) = row.unwrap_or((0, None));
    Ok((Cents::new(total), lowest.map(Cents::new)))
}

/// What `idempotency_records.response_status` holds. The column predates receipts:
/// replicas of the release before them replay it as their answer's status, so it keeps
/// the value they expect (a submission's 201) until a later migration drops it. Nothing
/// reads it any more.
pub(super) const LEGACY_RESPONSE_STATUS: i32 = 201;

/// A replay of the receipt saved with an idempotency key.
pub(super) fn replayed(receipt: String, id: Option<Uuid>) -> SubmitOutcome {
    SubmitOutcome::Replayed {
        loan_request_id: id.map(LoanRequestId),
        receipt: Receipt(receipt),
    }
}

/// What an e-mail about a request needs to know of it (the outbox message's payload).
/// With traces on, it carries the writer's trace context (`traceparent`): the worker's
/// delivery span links to the request that wrote the message.
pub(super) fn outbox_payload(request: &LoanRequest) -> String {
    let mut payload = serde_json::json!({
        "reference": request.reference.to_string(),
        "status": request.status.as_str(),
        "bank_id": request.bank.as_str(),
        "legal_name": request.company.legal_name.as_str(),
        "requested_amount_cents": request.amount.get(),
        "reason": request.decision_reason,
    });
    if let Some(traceparent) = crate::trace::current_traceparent() {
        payload["traceparent"] = serde_json::Value::String(traceparent);
    }
    payload.to_string()
}

/// The applicant's e-mail of `kind` about `request`.
fn outbox_row(
    request: &LoanRequest,
    kind: MailKind,
    now: DateTime<Utc>,
) -> outbox_message::ActiveModel {
    outbox_row_to(request, kind, request.contact_email.as_str(), now)
}

/// An e-mail of `kind` about `request` to `recipient`.
pub(super) fn outbox_row_to(
    request: &LoanRequest,
    kind: MailKind,
    recipient: &str,
    now: DateTime<Utc>,
) -> outbox_message::ActiveModel {
    outbox_message::ActiveModel {
        id: Set(Uuid::now_v7()),
        loan_request_id: Set(request.id.0),
        kind: Set(kind.as_str().to_owned()),
        recipient: Set(recipient.to_owned()),
        payload: Set(outbox_payload(request)),
        status: Set("pending".to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        last_error: Set(None),
        provider_message_id: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
    }
}

impl Store {
    async fn submit_in(
        &self,
        txn: &DatabaseTransaction,
        new: NewLoanRequest,
        idempotency: Option<(IdempotencyKey, Receipt)>,
    ) -> Result<SubmitOutcome, SubmitError> {
        let subject = new.actor.subject.as_str().to_owned();
        let siren = &new.submission.company.siren;
        // Both locks in one round trip, always in this order (key, then company).
        lock_for_submission(
            txn,
            &subject,
            idempotency.as_ref().map(|(key, _)| key),
            siren,
        )
        .await
        .map_err(storage)?;
        if let Some((idem, _)) = &idempotency {
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
        let submission = &new.submission;
        let (committed, lowest_cap) = committed_amount_in(txn, siren).await.map_err(storage)?;
        check_aggregate_cap(
            company_cap(submission.terms.cap, lowest_cap),
            committed,
            submission.amount,
        )?;

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
        audit_event::Entity::insert(audit_event::ActiveModel {
            loan_request_id: Set(request.id.0),
            at: Set(new.now),
            actor_role: Set(new.actor.role.as_str().to_owned()),
            actor_sub: Set(subject.clone()),
            action: Set("submit".to_owned()),
            from_status: Set(None),
            to_status: Set(Status::Submitted.as_str().to_owned()),
            reason: Set(None),
            ..Default::default()
        })
        .exec_without_returning(txn)
        .await
        .map_err(storage)?;
        outbox_message::Entity::insert(outbox_row(&request, MailKind::SubmissionReceived, new.now))
            .exec_without_returning(txn)
            .await
            .map_err(storage)?;
        if let Some((idem, receipt)) = idempotency {
            idempotency_record::Entity::insert(idempotency_record::ActiveModel {
                applicant_sub: Set(subject),
                idem_key: Set(idem.key),
                body_fingerprint: Set(idem.body_fingerprint),
                response_status: Set(LEGACY_RESPONSE_STATUS),
                response_body: Set(receipt.0),
                loan_request_id: Set(Some(request.id.0)),
                created_at: Set(new.now),
            })
            .exec_without_returning(txn)
            .await
            .map_err(storage)?;
        }
        Ok(SubmitOutcome::Created(Box::new(request)))
    }

    async fn transition_in(
        &self,
        txn: &DatabaseTransaction,
        command: TransitionCommand,
    ) -> Result<LoanRequest, TransitionError> {
        let row = loan_request::Entity::find_by_id(command.id.0)
            .filter(scope_condition(&command.scope))
            .one(txn)
            .await
            .map_err(storage)?
            .ok_or(TransitionError::NotFound)?;
        if row.version != command.expected_version {
            return Err(TransitionError::VersionMismatch {
                current: row.version,
            });
        }
        let from = status_from(&row.status, row.id)?;
        let to = transition(from, command.action)?;
        let now = now();
        let reason = command.reason.clone();
        let updated = loan_request::Entity::update_many()
            .col_expr(loan_request::Column::Status, Expr::value(to.as_str()))
            .col_expr(
                loan_request::Column::Version,
                Expr::value(command.expected_version + 1),
            )
            .col_expr(loan_request::Column::UpdatedAt, Expr::value(now))
            .col_expr(
                loan_request::Column::DecisionReason,
                Expr::value(reason.clone().or(row.decision_reason.clone())),
            )
            .filter(loan_request::Column::Id.eq(row.id))
            .filter(loan_request::Column::Version.eq(command.expected_version))
            .exec(txn)
            .await
            .map_err(storage)?;
        if updated.rows_affected != 1 {
            let current = loan_request::Entity::find_by_id(row.id)
                .one(txn)
                .await
                .map_err(storage)?
                .map_or(command.expected_version + 1, |r| r.version);
            return Err(TransitionError::VersionMismatch { current });
        }
        audit_event::Entity::insert(audit_event::ActiveModel {
            loan_request_id: Set(row.id),
            at: Set(now),
            actor_role: Set(command.actor.role.as_str().to_owned()),
            actor_sub: Set(command.actor.subject.as_str().to_owned()),
            action: Set(command.action.as_str().to_owned()),
            from_status: Set(Some(from.as_str().to_owned())),
            to_status: Set(to.as_str().to_owned()),
            reason: Set(reason.clone()),
            ..Default::default()
        })
        .exec_without_returning(txn)
        .await
        .map_err(storage)?;
        let mut request = loan_request_from_row(row)?;
        request.status = to;
        request.version = command.expected_version + 1;
        request.updated_at = now;
        if reason.is_some() {
            request.decision_reason = reason;
        }
        if let Some(kind) = MailKind::for_status(to) {
            outbox_message::Entity::insert(outbox_row(&request, kind, now))
                .exec_without_returning(txn)
                .await
                .map_err(storage)?;
        }
        Ok(request)
    }
}

/// The current instant at the precision both databases keep (microseconds), so that a
/// value read back equals the value written and keyset cursors stay exact.
#[must_use]
pub fn now() -> DateTime<Utc> {
    let now = Utc::now();
    let micros = now.timestamp_micros();
    DateTime::from_timestamp_micros(micros).unwrap_or(now)
}

/// The query of one page of the list: newest first, one row more than `limit` to tell
/// whether another page follows.
fn list_query(
    scope: &Scope,
    filter: &ListFilter,
    page: PageQuery,
) -> sea_orm::Select<loan_request::Entity> {
    let mut query = loan_request::Entity::find()
        .filter(scope_condition(scope))
        .filter(filter_condition(filter));
    // A page before the position is read in the opposite order, then turned around.
    let backwards = matches!(page.from, Some((_, Direction::Before)));
    let descending = page.order.descending() != backwards;
    if let Some((position, _)) = page.from {
        query = query.filter(beyond(page.order, position, descending));
    }
    let direction = if descending { Order::Desc } else { Order::Asc };
    query
        .order_by(key_column(page.order), direction.clone())
        .order_by(loan_request::Column::Id, direction)
        .limit(u64::from(page.limit) + 1)
}

impl Store {
    /// Whether the request exists in `scope` (a request outside it is "not found").
    pub(super) async fn visible(
        &self,
        id: LoanRequestId,
        scope: &Scope,
    ) -> Result<bool, StorageError> {
        Ok(loan_request::Entity::find_by_id(id.0)
            .select_only()
            .column(loan_request::Column::Id)
            .filter(scope_condition(scope))
            .into_tuple::<Uuid>()
            .one(&self.db)
            .await
            .map_err(storage)?
            .is_some())
    }

    /// The statement `list` runs for these arguments, with its values bound: the
    /// back-office benchmark EXPLAINs exactly what the API executes.
    #[must_use]
    pub fn list_statement(
        &self,
        scope: &Scope,
        filter: &ListFilter,
        page: PageQuery,
    ) -> sea_orm::Statement {
        sea_orm::QueryTrait::build(
            &list_query(scope, filter, page),
            self.db.get_database_backend(),
        )
    }
}

#[async_trait]
impl LoanRequestRepository for Store {
    #[tracing::instrument(name = "store.submit", skip_all, fields(loan_request_id = %request.id))]
    async fn submit(
        &self,
        request: NewLoanRequest,
        idempotency: Option<(IdempotencyKey, Receipt)>,
    ) -> Result<SubmitOutcome, SubmitError> {
        if let Some(lanes) = &self.lanes {
            return lanes.submit(request, idempotency).await;
        }
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

    async fn get(
        &self,
        id: LoanRequestId,
        scope: &Scope,
    ) -> Result<Option<LoanRequest>, StorageError> {
        loan_request::Entity::find_by_id(id.0)
            .filter(scope_condition(scope))
            .one(&self.db)
            .await
            .map_err(storage)?
            .map(loan_request_from_row)
            .transpose()
    }

    async fn list(
        &self,
        scope: &Scope,
        filter: &ListFilter,
        page: PageQuery,
    ) -> Result<Page<LoanRequest>, StorageError> {
        let rows = list_query(scope, filter, page)
            .all(&self.db)
            .await
            .map_err(storage)?;
        let more = rows.len() > usize::from(page.limit);
        let mut items = rows
            .into_iter()
            .take(usize::from(page.limit))
            .map(loan_request_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let at = |item: Option<&LoanRequest>| item.map(|r| page.order.position(r));
        Ok(match page.from {
            Some((_, Direction::Before)) => {
                items.reverse();
                Page {
                    prev: if more { at(items.first()) } else { None },
                    next: at(items.last()),
                    items,
                }
            }
            from => Page {
                prev: from.and_then(|_| at(items.first())),
                next: if more { at(items.last()) } else { None },
                items,
            },
        })
    }

    async fn count(
        &self,
        scope: &Scope,
        filter: &ListFilter,
        bound: u32,
    ) -> Result<Total, StorageError> {
        // At most `bound + 1` rows are looked at: a count that stays cheap on a million.
        let matching = loan_request::Entity::find()
            .select_only()
            .column(loan_request::Column::Id)
            .filter(scope_condition(scope))
            .filter(filter_condition(filter))
            .limit(u64::from(bound) + 1)
            .into_query();
        let counted = Query::select()
            .expr_as(Expr::col(Asterisk).count(), Alias::new("n"))
            .from_subquery(matching, Alias::new("matching"))
            .to_owned();
        let backend = self.db.get_database_backend();
        let row = self
            .db
            .query_one(backend.build(&counted))
            .await
            .map_err(storage)?;
        let n: i64 = row
            .map(|r| r.try_get("", "n"))
            .transpose()
            .map_err(storage)?
            .unwrap_or(0);
        Ok(Total::counted(u64::try_from(n).unwrap_or(0), bound))
    }

    async fn events(
        &self,
        id: LoanRequestId,
        scope: &Scope,
    ) -> Result<Option<Vec<AuditEvent>>, StorageError> {
        if !self.visible(id, scope).await? {
            return Ok(None);
        }
        let rows = audit_event::Entity::find()
            .filter(audit_event::Column::LoanRequestId.eq(id.0))
            .order_by_asc(audit_event::Column::Id)
            .all(&self.db)
            .await
            .map_err(storage)?;
        rows.into_iter()
            .map(audit_event_from_row)
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    #[tracing::instrument(skip_all, fields(loan_request_id = %command.id, action = command.action.as_str()))]
    async fn transition(&self, command: TransitionCommand) -> Result<LoanRequest, TransitionError> {
        let txn = self.db.begin().await.map_err(storage)?;
        match self.transition_in(&txn, command).await {
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
