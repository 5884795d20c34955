//! The submission on PostgreSQL: the launch-day hot path, written against sqlx directly.
//!
//! Same steps, same order, same locks as the sea-orm writer (`orm.rs`), so that one
//! contract (`app::contract`) checks both, and a test stores the same submissions
//! through both and compares the rows column by column (`tests/tests/submissions.rs`).
//! What differs is what the profile of the submission ceiling showed to cost the API
//! CPU (`docs/PERFORMANCE.md`):
//! - **one round trip**: the steps run in `pge_submit_v2`, a PostgreSQL function
//!   (migration `m20261206_000009_submit_outcome`, after `m20261126_000005`, which says
//!   why it stays race-free), called by one prepared `SELECT` in its implicit
//!   transaction, where the sea-orm writer sends nine statements;
//! - submissions run on **lanes**: connections taken from the pool once and kept between
//!   submissions. sqlx 0.8 pings every connection it takes back (one more round trip to
//!   the database per use, not configurable); a lane's connection is not given back
//!   after each submission, so it is not pinged. The lanes are half the pool: however
//!   many submissions arrive, the other half stays for the reviewers' and applicants'
//!   reads (a bulkhead), and a submission waits for a free lane at most the pool's
//!   acquire timeout.
//!
//! The function answers a typed outcome (the PostgreSQL enum `pge_submit_outcome`, read
//! into [`Outcome`]). It decides the aggregate cap where it reads the company's sum,
//! under the company's lock; on a refusal it answers the figures it compared, from which
//! [`Commitments::refusal`] builds the refusal without deciding again.
//!
//! A lane hands its connection back to the pool (which pings it and closes it if broken)
//! after any driver error, when the submission's future is dropped halfway (client gone,
//! request timeout), after [`LANE_MAX_AGE`], and when the store closes.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use domain::loan_request::{AuditAction, IdempotencyKey, LoanRequest, MailKind, OutboxStatus};
use domain::money::Cents;
use domain::ports::{
    NewLoanRequest, ReceiptFormat, StorageError, SubmissionRepository, SubmitError, SubmitOutcome,
};
use domain::rules::Commitments;
use sea_orm::sqlx::error::{BoxDynError, ErrorKind};
use sea_orm::sqlx::pool::PoolConnection;
use sea_orm::sqlx::postgres::{PgTypeInfo, PgValueRef};
use sea_orm::sqlx::{self, PgConnection, PgPool, Postgres};
use sea_orm::{ActiveModelTrait, DbErr, IdenStatic, IntoActiveModel, Iterable, RuntimeErr};
use tokio::sync::Semaphore;

use super::{Locks, RELEASED, SIREN_LOCK_CLASS, replayed};
use crate::entity::loan_request;
use crate::persistence::convert::{outbox_payload, request_row};
use crate::persistence::storage;

/// How long a lane keeps one connection before handing it back to the pool, so that the
/// pool's own lifetime rules (and a replica's failover) still reach it.
pub const LANE_MAX_AGE: Duration = Duration::from_secs(600);

/// The whole submission, one statement: `pge_submit_v2` (migration
/// `m20261206_000009_submit_outcome`) runs the locks, the idempotency lookup, the
/// aggregate-cap decision and the four INSERTs in the statement's implicit transaction.
const SUBMIT: &str = "SELECT outcome, replay_receipt, replay_id, committed_cents, lowest_cap_cents \
     FROM pge_submit_v2($1::jsonb, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";

/// What `pge_submit_v2` did: the PostgreSQL enum `pge_submit_outcome`, whose labels are
/// these names (the one mapping, [`Outcome::parse`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Stored, with its audit event, e-mail and idempotency record.
    Created,
    /// The key came before with the same body: the receipt saved then.
    Replayed,
    /// The key came before with another body.
    KeyReused,
    /// The company's cap refuses it: the sum and lowest cap it was compared with.
    CapExceeded,
}

impl Outcome {
    const ALL: [Self; 4] = [
        Self::Created,
        Self::Replayed,
        Self::KeyReused,
        Self::CapExceeded,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Replayed => "replayed",
            Self::KeyReused => "key_reused",
            Self::CapExceeded => "cap_exceeded",
        }
    }

    fn parse(label: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == label)
    }
}

impl sqlx::Type<Postgres> for Outcome {
    fn type_info() -> PgTypeInfo {
        PgTypeInfo::with_name("pge_submit_outcome")
    }
}

impl<'r> sqlx::Decode<'r, Postgres> for Outcome {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        // An enum's value is its label, in both of PostgreSQL's formats.
        let label = <&str as sqlx::Decode<Postgres>>::decode(value)?;
        Self::parse(label).ok_or_else(|| format!("unknown pge_submit_outcome {label}").into())
    }
}

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
}

/// The submission's writer on PostgreSQL (see the module's documentation).
pub struct PgSubmissions {
    lanes: Arc<Lanes>,
    receipts: Arc<dyn ReceiptFormat>,
}

impl std::fmt::Debug for PgSubmissions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgSubmissions")
            .field("lanes", &self.lanes)
            .finish_non_exhaustive()
    }
}

impl PgSubmissions {
    #[must_use]
    pub fn new(lanes: Arc<Lanes>, receipts: Arc<dyn ReceiptFormat>) -> Self {
        Self { lanes, receipts }
    }
}

#[async_trait]
impl SubmissionRepository for PgSubmissions {
    /// One submission, in one transaction on a lane.
    #[tracing::instrument(name = "store.submit", skip_all, fields(loan_request_id = %new.id))]
    async fn submit(
        &self,
        new: NewLoanRequest,
        idempotency: Option<IdempotencyKey>,
    ) -> Result<SubmitOutcome, SubmitError> {
        let mut lane = self.lanes.take().await?;
        let outcome = submit_on(lane.connection(), new, idempotency, &*self.receipts).await;
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

/// What `pge_submit_v2` answers: one row.
type Answer = (
    Outcome,
    Option<String>,
    Option<uuid::Uuid>,
    Option<i64>,
    Option<i64>,
);

async fn submit_on(
    connection: &mut PgConnection,
    new: NewLoanRequest,
    idempotency: Option<IdempotencyKey>,
    receipts: &dyn ReceiptFormat,
) -> Result<SubmitOutcome, Failure> {
    let request = new.stored();
    let locks = Locks::of(
        new.actor.subject.as_str(),
        idempotency.as_ref(),
        request.company.siren.as_str(),
    );
    let (idem_key, fingerprint, receipt) = match idempotency {
        Some(idem) => (
            Some(idem.key),
            Some(idem.body_fingerprint),
            Some(receipts.receipt(&request)),
        ),
        None => (None, None, None),
    };
    let answer: Result<Answer, sqlx::Error> = sqlx::query_as(SUBMIT)
        .bind(row_json(&request)?)
        .bind(new.actor.role.as_str())
        .bind(AuditAction::Submit.as_str())
        .bind(locks.key)
        .bind(SIREN_LOCK_CLASS)
        .bind(locks.company)
        .bind(&RELEASED[..])
        .bind(idem_key)
        .bind(fingerprint)
        .bind(receipt.as_ref().map(|kept| kept.0.as_str()))
        .bind(uuid::Uuid::now_v7())
        .bind(MailKind::SubmissionReceived.as_str())
        .bind(OutboxStatus::Pending.as_str())
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
    match outcome {
        Outcome::Created => Ok(SubmitOutcome::Created {
            request: Box::new(request),
            receipt,
        }),
        Outcome::Replayed => Ok(replayed(replay_receipt.unwrap_or_default(), replay_id)),
        Outcome::KeyReused => Err(Failure::Refused(SubmitError::IdempotencyKeyReused)),
        Outcome::CapExceeded => {
            let decided = Commitments {
                committed: Cents::new(committed.unwrap_or_default()),
                lowest_cap: lowest_cap.map(Cents::new),
            };
            Err(Failure::Refused(
                decided.refusal(request.terms.cap, request.amount).into(),
            ))
        }
    }
}

/// The request's row as `pge_submit_v2` reads it: a JSON object keyed by column name,
/// with the values of [`request_row`] (the row the sea-orm writer inserts), each in the text
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
            // Microseconds, truncated: what the driver binds on the sea-orm writer.
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
