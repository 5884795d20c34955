//! The submission on PostgreSQL: the launch-day hot path, written against sqlx directly.
//!
//! Same steps, same order, same locks as the sea-orm path (which SQLite keeps), so the
//! black-box suite checks both against one behaviour, and a test stores the same
//! submissions through both and compares the rows column by column
//! (`tests/tests/submissions.rs`). What differs is what the profile of the submission
//! ceiling showed to cost the API CPU (`docs/PERFORMANCE.md`):
//! - **one round trip**: the steps run in `pge_submit`, a PostgreSQL function (migration
//!   `m20261126_000005_submit_function`, which says why it stays race-free), called by
//!   one prepared `SELECT` in its implicit transaction, where the sea-orm path sends
//!   nine statements (BEGIN, locks, idempotency lookup, sum, four INSERTs, COMMIT);
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

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use domain::loan_request::{IdempotencyKey, LoanRequest, MailKind};
use domain::money::Cents;
use domain::ports::{NewLoanRequest, Receipt, StorageError, SubmitError, SubmitOutcome};
use domain::rules::{check_aggregate_cap, company_cap};
use sea_orm::sqlx::error::ErrorKind;
use sea_orm::sqlx::pool::PoolConnection;
use sea_orm::sqlx::{self, PgConnection, PgPool, Postgres};
use sea_orm::{ActiveModelTrait, DbErr, IdenStatic, IntoActiveModel, Iterable, RuntimeErr};
use tokio::sync::Semaphore;

use super::convert::request_row;
use super::loan_requests::{
    LEGACY_RESPONSE_STATUS, RELEASED_STATUSES, SIREN_LOCK_CLASS, lock_key, outbox_payload, replayed,
};
use super::storage;
use crate::entity::loan_request;

/// How long a lane keeps one connection before handing it back to the pool, so that the
/// pool's own lifetime rules (and a replica's failover) still reach it.
pub const LANE_MAX_AGE: Duration = Duration::from_secs(600);

/// The whole submission, one statement: `pge_submit` (migration
/// `m20261126_000005_submit_function`) runs the locks, the idempotency lookup, the
/// aggregate-cap check and the four INSERTs in the statement's implicit transaction.
const SUBMIT: &str = "SELECT outcome, replay_receipt, replay_id, committed_cents, lowest_cap_cents \
     FROM pge_submit($1::jsonb, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";

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
        let started = Instant::now();
        let deadline = started + self.acquire_timeout;
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
        // The wait for a database connection of the submission's own (the pool's wait
        // time, where launch day's traffic waits).
        metrics::histogram!("pge_db_wait_seconds", "pool" => "submission_lanes")
            .record(started.elapsed().as_secs_f64());
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
    /// The rules said no (or the request collided); nothing was written.
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

/// What `pge_submit` answers: one row.
type Answer = (
    String,
    Option<String>,
    Option<uuid::Uuid>,
    Option<i64>,
    Option<i64>,
);

async fn submit_on(
    connection: &mut PgConnection,
    new: NewLoanRequest,
    idempotency: Option<(IdempotencyKey, Receipt)>,
) -> Result<SubmitOutcome, Failure> {
    let request = new.stored();
    let subject = new.actor.subject.as_str();
    let company: i32 = request.company.siren.as_str().parse().unwrap_or_default();
    let key_lock = idempotency
        .as_ref()
        .map(|(idem, _)| lock_key(&["idempotency", subject, &idem.key]));
    let (idem_key, fingerprint, receipt) = match idempotency {
        Some((idem, receipt)) => (Some(idem.key), Some(idem.body_fingerprint), Some(receipt.0)),
        None => (None, None, None),
    };
    let answer: Result<Answer, sqlx::Error> = sqlx::query_as(SUBMIT)
        .bind(row_json(&request)?)
        .bind(new.actor.role.as_str())
        .bind(key_lock)
        .bind(SIREN_LOCK_CLASS)
        .bind(company)
        .bind(&RELEASED_STATUSES[..])
        .bind(idem_key)
        .bind(fingerprint)
        .bind(LEGACY_RESPONSE_STATUS)
        .bind(receipt)
        .bind(uuid::Uuid::now_v7())
        .bind(MailKind::SubmissionReceived.as_str())
        .bind(outbox_payload(&request))
        .fetch_one(&mut *connection)
        .await;
    let (outcome, replay_receipt, replay_id, committed, lowest_cap) = match answer {
        Ok(answer) => answer,
        Err(sqlx::Error::Database(db)) if db.kind() == ErrorKind::UniqueViolation => {
            return Err(Failure::Refused(SubmitError::ReferenceCollision));
        }
        // The bank is checked by the foreign key, not by a lookup beforehand.
        Err(sqlx::Error::Database(db)) if db.kind() == ErrorKind::ForeignKeyViolation => {
            return Err(Failure::Refused(SubmitError::UnknownBank(
                request.bank.as_str().to_owned(),
            )));
        }
        Err(err) => return Err(failed(err)),
    };
    match outcome.as_str() {
        "created" => Ok(SubmitOutcome::Created(Box::new(request))),
        "replayed" => Ok(replayed(replay_receipt.unwrap_or_default(), replay_id)),
        "key_reused" => Err(Failure::Refused(SubmitError::IdempotencyKeyReused)),
        "cap_exceeded" => {
            let refused = check_aggregate_cap(
                company_cap(request.terms.cap, lowest_cap.map(Cents::new)),
                Cents::new(committed.unwrap_or_default()),
                request.amount,
            );
            match refused {
                Err(exceeded) => Err(Failure::Refused(exceeded.into())),
                Ok(()) => Err(Failure::Refused(SubmitError::Storage(StorageError::other(
                    "pge_submit refused a submission the aggregate-cap rule accepts",
                )))),
            }
        }
        other => Err(Failure::Refused(SubmitError::Storage(StorageError::other(
            format!("pge_submit answered an unknown outcome: {other}"),
        )))),
    }
}

/// The request's row as `pge_submit` reads it: a JSON object keyed by column name, with
/// the values of [`request_row`] (the row the sea-orm path inserts), each in the text
/// form PostgreSQL's input functions read back to the same value.
fn row_json(request: &LoanRequest) -> Result<String, Failure> {
    use sea_orm::Value as V;
    use serde_json::Value as J;
    let mut row = request_row(request).into_active_model();
    let mut object = serde_json::Map::with_capacity(loan_request::Column::iter().len());
    for column in loan_request::Column::iter() {
        let value = match row.take(column).into_value() {
            Some(V::Uuid(v)) => v.map_or(J::Null, |v| J::String(v.to_string())),
            Some(V::String(v)) => v.map_or(J::Null, |v| J::String(*v)),
            Some(V::Int(v)) => v.map_or(J::Null, J::from),
            Some(V::BigInt(v)) => v.map_or(J::Null, J::from),
            Some(V::SmallInt(v)) => v.map_or(J::Null, J::from),
            Some(V::Bool(v)) => v.map_or(J::Null, J::Bool),
            Some(V::ChronoDate(v)) => v.map_or(J::Null, |v| J::String(v.to_string())),
            // Microseconds, truncated: what the driver binds on the sea-orm path.
            Some(V::ChronoDateTimeUtc(v)) => v.map_or(J::Null, |v| {
                J::String(v.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
            }),
            _ => {
                return Err(Failure::Refused(SubmitError::Storage(StorageError::other(
                    format!("no JSON form for the type of column {}", column.as_str()),
                ))));
            }
        };
        object.insert(column.as_str().to_owned(), value);
    }
    Ok(J::Object(object).to_string())
}
