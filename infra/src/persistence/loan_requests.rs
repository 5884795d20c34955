//! [`LoanRequestRepository`] on sea-orm, for both databases: reads, lists and state
//! changes (the submission has writers of its own, `persistence::submission`).
//!
//! Concurrency: state changes are guarded by `version = expected` in the UPDATE itself:
//! of two concurrent deciders, the second finds no row to update and gets a version
//! mismatch.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::four_eyes::GrantStep;
use domain::loan_request::{
    AuditAction, AuditEvent, Direction, ListFilter, ListOrder, LoanRequest, LoanRequestId,
    MailKind, Page, PageQuery, Position, Scope, Total, TransitionCommand,
};
use domain::ports::{LoanRequestRepository, StorageError, TransitionError};
use domain::workflow::transition;
use sea_orm::sea_query::{Alias, Asterisk, Expr, Func, LikeExpr, Query, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait, Order, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, TransactionTrait,
};
use uuid::Uuid;

use super::convert::{
    audit_event_from_row, audit_row, loan_request_from_row, outbox_row, status_from,
};
use super::{Store, storage};
use crate::entity::{audit_event, loan_request, message, outbox_message};

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

/// The request's row in `scope` at `expected` version, locked until the transaction ends
/// (PostgreSQL; SQLite has one writer): of concurrent deciders, each reads what the one
/// before it committed — its version first, so the loser is told 412, not what the
/// winner's change made of the guarantee or the pending grant.
pub(super) async fn locked_at_version(
    txn: &DatabaseTransaction,
    id: LoanRequestId,
    scope: &Scope,
    expected: i32,
) -> Result<loan_request::Model, TransitionError> {
    let row = loan_request::Entity::find_by_id(id.0)
        .filter(scope_condition(scope))
        .lock_exclusive()
        .one(txn)
        .await
        .map_err(storage)?
        .ok_or(TransitionError::NotFound)?;
    if row.version != expected {
        return Err(TransitionError::VersionMismatch {
            current: row.version,
        });
    }
    Ok(row)
}

impl Store {
    async fn transition_in(
        &self,
        txn: &DatabaseTransaction,
        command: TransitionCommand,
    ) -> Result<LoanRequest, TransitionError> {
        let row =
            locked_at_version(txn, command.id, &command.scope, command.expected_version).await?;
        let from = status_from(&row.status, row.id)?;
        let to = transition(from, command.action)?;
        let now = command.now;
        let request = loan_request_from_row(row.clone())?;
        let step = self
            .guarantee_check(txn, &request, to, command.identifier, &command.actor)
            .await?;
        // The first approval of a grant above the bank's threshold leaves the request
        // pre-approved, awaiting a second reviewer (docs/RULES.md §21).
        let (to, action) = if step == Some(GrantStep::AwaitSecondReviewer) {
            (from, AuditAction::RequestGrant)
        } else {
            (to, command.action.into())
        };
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
        self.guarantee_apply(
            txn,
            &request,
            to,
            step,
            (command.identifier, &command.actor),
            now,
        )
        .await?;
        crate::persistence::audit_chain::insert_event(
            txn,
            audit_row(
                LoanRequestId(row.id),
                now,
                &command.actor,
                action,
                (Some(from), to),
                reason.clone(),
            ),
            row.bank_id.as_str(),
        )
        .await
        .map_err(storage)?;
        let mut request = request;
        request.status = to;
        request.version = command.expected_version + 1;
        request.updated_at = now;
        if reason.is_some() {
            request.decision_reason = reason;
        }
        if let Some(kind) = MailKind::for_status(to).filter(|_| to != from) {
            outbox_message::Entity::insert(outbox_row(&request, kind, now))
                .exec_without_returning(txn)
                .await
                .map_err(storage)?;
        }
        Ok(request)
    }
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
