//! The submission on PostgreSQL: the launch-day hot path, written against sqlx directly.
//!
//! Same statements, same order, same locks as the sea-orm path (which SQLite keeps), so
//! the black-box suite checks both against one behaviour. Two things differ, both costs
//! the profile of the submission ceiling showed (`docs/PERFORMANCE.md`):
//! - the SQL is written once, here, instead of being built by sea-query for every call
//!   (building and binding took a fifth of the API's CPU per submission);
//! - submissions run on **lanes**: connections taken from the pool once and kept between
//!   submissions. sqlx 0.8 pings every connection it takes back (one more round trip to
//!   the database per use, not configurable); a lane's connection is not given back
//!   after each submission, so it is not pinged. The lanes are half the pool: however
//!   many submissions arrive, the other half stays for the reviewers' and applicants'
//!   reads (a bulkhead), and a submission waits for a free lane at most the pool's
//!   acquire timeout.
//!
//! A lane hands its connection back to the pool (which pings it and closes it if broken)
//! after any driver error, when the submission's future is dropped halfway (client gone,
//! request timeout), after [`LANE_MAX_AGE`], and when the store closes.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use domain::loan_request::{IdempotencyKey, LoanRequest, MailKind};
use domain::ports::{NewLoanRequest, Receipt, StorageError, SubmitError, SubmitOutcome};
use domain::rules::{check_aggregate_cap, company_cap};
use sea_orm::sqlx::error::ErrorKind;
use sea_orm::sqlx::pool::PoolConnection;
use sea_orm::sqlx::{self, Connection, PgConnection, PgPool, Postgres, Row};
use sea_orm::{ActiveModelTrait, DbErr, IdenStatic, IntoActiveModel, Iterable, RuntimeErr};
use tokio::sync::Semaphore;

use super::convert::request_row;
use super::loan_requests::{
    LEGACY_RESPONSE_STATUS, LOCK_COMPANY, LOCK_KEY_AND_COMPANY, RELEASED_STATUSES,
    SIREN_LOCK_CLASS, lock_key, outbox_payload, replayed,
};
use super::storage;
use crate::entity::loan_request;

/// How long a lane keeps one connection before handing it back to the pool, so that the
/// pool's own lifetime rules (and a replica's failover) still reach it.
pub const LANE_MAX_AGE: Duration = Duration::from_secs(600);

const FIND_IDEMPOTENCY: &str = r#"SELECT "body_fingerprint", "response_body", "loan_request_id" FROM "idempotency_records" WHERE "applicant_sub" = $1 AND "idem_key" = $2 LIMIT 1"#;
const COMMITTED: &str = r#"SELECT CAST(COALESCE(SUM(requested_amount_cents), 0) AS BIGINT) AS "total", MIN(cap_cents) AS "lowest_cap" FROM "loan_requests" WHERE "siren" = $1 AND "status" NOT IN ($2, $3)"#;
/// The request's `INSERT`, written once from the entity's columns in their order; the
/// values are those of [`request_row`], bound in the same order.
static INSERT_REQUEST: LazyLock<String> = LazyLock::new(|| {
    let columns: Vec<loan_request::Column> = loan_request::Column::iter().collect();
    format!(
        r#"INSERT INTO "loan_requests" ({}) VALUES ({})"#,
        columns
            .iter()
            .map(|c| format!(r#""{}""#, c.as_str()))
            .collect::<Vec<_>>()
            .join(", "),
        (1..=columns.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ")
    )
});
const INSERT_AUDIT: &str = r#"INSERT INTO "audit_events" ("loan_request_id", "at", "actor_role", "actor_sub", "action", "from_status", "to_status", "reason") VALUES ($1, $2, $3, $4, 'submit', NULL, $5, NULL)"#;
const INSERT_OUTBOX: &str = r#"INSERT INTO "outbox_messages" ("id", "loan_request_id", "kind", "recipient", "payload", "status", "attempts", "next_attempt_at", "last_error", "provider_message_id", "created_at", "sent_at") VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, NULL, NULL, $6, NULL)"#;
const INSERT_IDEMPOTENCY: &str = r#"INSERT INTO "idempotency_records" ("applicant_sub", "idem_key", "body_fingerprint", "response_status", "response_body", "loan_request_id", "created_at") VALUES ($1, $2, $3, $4, $5, $6, $7)"#;

struct Held {
    connection: PoolConnection<Postgres>,
    since: Instant,
}

/// The submission lanes of one pool (see the module's documentation).
pub struct Lanes {
    pool: PgPool,
    permits: Semaphore,
    idle: Mutex<Vec<Held>>,
    acquire_timeout: Duration,
    closed: AtomicBool,
}

impl std::fmt::Debug for Lanes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lanes")
            .field("free", &self.permits.available_permits())
            .finish_non_exhaustive()
    }
}

/// A lane in use: gives its connection back to the lane when the submission went through
/// the database without a driver error, and to the pool otherwise (also when dropped
/// halfway).
struct Lane<'a> {
    lanes: &'a Lanes,
    held: Option<Held>,
    healthy: bool,
    _permit: tokio::sync::SemaphorePermit<'a>,
}

impl Drop for Lane<'_> {
    fn drop(&mut self) {
        if let Some(held) = self.held.take()
            && self.healthy
            && held.since.elapsed() < LANE_MAX_AGE
            && !self.lanes.closed.load(Ordering::Acquire)
        {
            self.lanes
                .idle
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(held);
        }
        // Otherwise the connection drops here: back to the pool, which tests it.
    }
}

impl Lane<'_> {
    fn connection(&mut self) -> &mut PgConnection {
        // `Lanes::take` always fills `held`; it is only emptied by `Drop`.
        match self.held.as_mut() {
            Some(held) => &mut held.connection,
            None => unreachable!("a lane in use holds a connection"),
        }
    }
}

impl Lanes {
    /// Half the pool's connections (at least one) as submission lanes.
    #[must_use]
    pub fn new(pool: PgPool, max_connections: u32, acquire_timeout: Duration) -> Self {
        let lanes = usize::try_from((max_connections / 2).max(1)).unwrap_or(1);
        Self {
            pool,
            permits: Semaphore::new(lanes),
            idle: Mutex::new(Vec::with_capacity(lanes)),
            acquire_timeout,
            closed: AtomicBool::new(false),
        }
    }

    /// Hands every kept connection back to the pool, and every one in use when its
    /// submission ends, so that the pool can close.
    pub fn close(&self) {
        self.closed.store(true, Ordering::Release);
        let held = std::mem::take(
            &mut *self
                .idle
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        drop(held);
    }

    async fn take(&self) -> Result<Lane<'_>, StorageError> {
        let deadline = Instant::now() + self.acquire_timeout;
        let permit = tokio::time::timeout(self.acquire_timeout, self.permits.acquire())
            .await
            .map_err(|_| StorageError::unavailable("no submission lane free in time"))?
            .map_err(|_| StorageError::unavailable("submission lanes closed"))?;
        let kept = self
            .idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop();
        let held = match kept {
            Some(held) => held,
            None => {
                let left = deadline.saturating_duration_since(Instant::now());
                let connection = tokio::time::timeout(left, self.pool.acquire())
                    .await
                    .map_err(|_| StorageError::unavailable("no database connection in time"))?
                    .map_err(driver)?;
                Held {
                    connection,
                    since: Instant::now(),
                }
            }
        };
        Ok(Lane {
            lanes: self,
            held: Some(held),
            healthy: false,
            _permit: permit,
        })
    }

    /// One submission, in one transaction on a lane.
    pub async fn submit(
        &self,
        new: NewLoanRequest,
        idempotency: Option<(IdempotencyKey, Receipt)>,
    ) -> Result<SubmitOutcome, SubmitError> {
        let mut lane = self.take().await?;
        let outcome = submit_on(lane.connection(), new, idempotency).await;
        lane.healthy = !matches!(&outcome, Err(Failure::Driver(_)));
        outcome.map_err(Failure::into_submit_error)
    }
}

/// Why a submission did not go through.
enum Failure {
    /// The rules said no (or the request collided); the transaction was rolled back.
    Refused(SubmitError),
    /// The driver failed: the connection is suspect.
    Driver(SubmitError),
}

impl Failure {
    fn into_submit_error(self) -> SubmitError {
        match self {
            Self::Refused(err) | Self::Driver(err) => err,
        }
    }
}

fn driver(err: sqlx::Error) -> StorageError {
    storage(DbErr::Exec(RuntimeErr::SqlxError(err)))
}

fn failed(err: sqlx::Error) -> Failure {
    Failure::Driver(SubmitError::Storage(driver(err)))
}

async fn submit_on(
    connection: &mut PgConnection,
    new: NewLoanRequest,
    idempotency: Option<(IdempotencyKey, Receipt)>,
) -> Result<SubmitOutcome, Failure> {
    let mut tx = connection.begin().await.map_err(failed)?;
    match submit_in(&mut tx, new, idempotency).await {
        Ok(outcome) => {
            tx.commit().await.map_err(failed)?;
            Ok(outcome)
        }
        Err(failure) => {
            tx.rollback().await.map_err(failed)?;
            Err(failure)
        }
    }
}

async fn submit_in(
    tx: &mut PgConnection,
    new: NewLoanRequest,
    idempotency: Option<(IdempotencyKey, Receipt)>,
) -> Result<SubmitOutcome, Failure> {
    let subject = new.actor.subject.as_str();
    let siren = &new.submission.company.siren;
    let company: i32 = siren.as_str().parse().unwrap_or_default();
    // Both locks in one round trip, always in this order (key, then company).
    match &idempotency {
        Some((idem, _)) => sqlx::query(LOCK_KEY_AND_COMPANY)
            .bind(lock_key(&["idempotency", subject, &idem.key]))
            .bind(SIREN_LOCK_CLASS)
            .bind(company),
        None => sqlx::query(LOCK_COMPANY)
            .bind(SIREN_LOCK_CLASS)
            .bind(company),
    }
    .execute(&mut *tx)
    .await
    .map_err(failed)?;
    if let Some((idem, _)) = &idempotency {
        let existing = sqlx::query(FIND_IDEMPOTENCY)
            .bind(subject)
            .bind(&idem.key)
            .fetch_optional(&mut *tx)
            .await
            .map_err(failed)?;
        if let Some(row) = existing {
            let fingerprint: String = row.try_get(0).map_err(failed)?;
            return if fingerprint == idem.body_fingerprint {
                Ok(replayed(
                    row.try_get(1).map_err(failed)?,
                    row.try_get(2).map_err(failed)?,
                ))
            } else {
                Err(Failure::Refused(SubmitError::IdempotencyKeyReused))
            };
        }
    }
    let submission = &new.submission;
    let [released_a, released_b] = RELEASED_STATUSES;
    let (committed, lowest_cap): (i64, Option<i64>) = sqlx::query_as(COMMITTED)
        .bind(siren.as_str())
        .bind(released_a)
        .bind(released_b)
        .fetch_one(&mut *tx)
        .await
        .map_err(failed)?;
    check_aggregate_cap(
        company_cap(
            submission.terms.cap,
            lowest_cap.map(domain::money::Cents::new),
        ),
        domain::money::Cents::new(committed),
        submission.amount,
    )
    .map_err(|e| Failure::Refused(e.into()))?;

    let request = new.stored();
    insert_request(tx, &request).await?;
    let now = new.now;
    sqlx::query(INSERT_AUDIT)
        .bind(request.id.0)
        .bind(now)
        .bind(new.actor.role.as_str())
        .bind(subject)
        .bind(request.status.as_str())
        .execute(&mut *tx)
        .await
        .map_err(failed)?;
    sqlx::query(INSERT_OUTBOX)
        .bind(uuid::Uuid::now_v7())
        .bind(request.id.0)
        .bind(MailKind::SubmissionReceived.as_str())
        .bind(request.contact_email.as_str())
        .bind(outbox_payload(&request))
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(failed)?;
    if let Some((idem, receipt)) = idempotency {
        sqlx::query(INSERT_IDEMPOTENCY)
            .bind(subject)
            .bind(idem.key)
            .bind(idem.body_fingerprint)
            .bind(LEGACY_RESPONSE_STATUS)
            .bind(receipt.0)
            .bind(request.id.0)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(failed)?;
    }
    Ok(SubmitOutcome::Created(Box::new(request)))
}

type PgQuery<'q> = sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments>;

/// Binds one value of [`request_row`]; `None` for a type the row does not use.
fn bind(query: PgQuery<'_>, value: sea_orm::Value) -> Option<PgQuery<'_>> {
    use sea_orm::Value as V;
    Some(match value {
        V::Uuid(v) => query.bind(v.map(|v| *v)),
        V::String(v) => query.bind(v.map(|v| *v)),
        V::Int(v) => query.bind(v),
        V::BigInt(v) => query.bind(v),
        V::SmallInt(v) => query.bind(v),
        V::Bool(v) => query.bind(v),
        V::ChronoDate(v) => query.bind(v.map(|v| *v)),
        V::ChronoDateTimeUtc(v) => query.bind(v.map(|v| *v)),
        _ => return None,
    })
}

async fn insert_request(tx: &mut PgConnection, request: &LoanRequest) -> Result<(), Failure> {
    // Moved out of the row column by column: the values are bound, not copied again.
    let mut row = request_row(request).into_active_model();
    let mut query = sqlx::query(INSERT_REQUEST.as_str());
    for column in loan_request::Column::iter() {
        let value = row.take(column).into_value();
        query = value.and_then(|value| bind(query, value)).ok_or_else(|| {
            Failure::Refused(SubmitError::Storage(StorageError::other(format!(
                "no binding for the type of column {}",
                column.as_str()
            ))))
        })?;
    }
    let inserted = query.execute(&mut *tx).await;
    match inserted {
        Ok(_) => Ok(()),
        Err(sqlx::Error::Database(db)) if db.kind() == ErrorKind::UniqueViolation => {
            Err(Failure::Refused(SubmitError::ReferenceCollision))
        }
        // The bank is checked by the foreign key, not by a lookup beforehand.
        Err(sqlx::Error::Database(db)) if db.kind() == ErrorKind::ForeignKeyViolation => Err(
            Failure::Refused(SubmitError::UnknownBank(request.bank.as_str().to_owned())),
        ),
        Err(err) => Err(failed(err)),
    }
}
