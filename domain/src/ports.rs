//! Ports: what the rules need from the outside world, as traits. `infra` implements
//! them; `api` wires one implementation of each at start-up.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::company::Siren;
use crate::loan_request::{
    Actor, AuditEvent, Bank, IdempotencyKey, ListFilter, LoanRequest, LoanRequestId, Page,
    Position, SavedResponse, Scope, TransitionCommand,
};
use crate::money::Cents;
use crate::reference::Reference;
use crate::rules::AggregateCapExceeded;
use crate::submission::Submission;
use crate::workflow::InvalidTransition;

/// Failure of a storage adapter that the caller cannot fix (connection lost, disk full,
/// corrupt row). The message is for the logs only.
#[derive(Debug, thiserror::Error)]
#[error("storage failure: {0}")]
pub struct StorageError(pub String);

/// A new request ready to be stored: the validated submission plus what the platform
/// adds to it.
#[derive(Debug, Clone)]
pub struct NewLoanRequest {
    pub id: LoanRequestId,
    pub reference: Reference,
    pub submission: Submission,
    pub actor: Actor,
    pub now: DateTime<Utc>,
}

/// Builds the response saved with an idempotency key from the stored request.
pub type RenderResponse = fn(&LoanRequest) -> SavedResponse;

/// Result of a submission attempt that did not fail in storage.
#[derive(Debug)]
pub enum SubmitOutcome {
    /// Stored now, together with its audit event and its outbox e-mail.
    Created(Box<LoanRequest>),
    /// The same idempotency key was used before with the same body: replay this.
    Replayed(SavedResponse),
}

/// Why a submission was refused by the store.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    #[error("the idempotency key was already used with another body")]
    IdempotencyKeyReused,
    #[error("the bank {0} does not take part in the scheme")]
    UnknownBank(String),
    #[error(transparent)]
    AggregateCapExceeded(#[from] AggregateCapExceeded),
    /// A random reference collided with an existing one; retrying with a new one works.
    #[error("reference collision")]
    ReferenceCollision,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Why a state change was refused.
#[derive(Debug, thiserror::Error)]
pub enum TransitionError {
    /// No such request in the caller's scope.
    #[error("not found")]
    NotFound,
    /// The caller's version is not the current one.
    #[error("stale version: current is {current}")]
    VersionMismatch { current: i32 },
    #[error(transparent)]
    Invalid(#[from] InvalidTransition),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Persistence of loan requests, their audit trail and their outbox.
///
/// Every method that reads a request takes the caller's [`Scope`] and answers as if a
/// request outside it did not exist.
#[async_trait]
pub trait LoanRequestRepository: Send + Sync + 'static {
    /// Stores a submission in one transaction: idempotency check, race-free aggregate
    /// cap check for the SIREN, the request, its audit event, its outbox e-mail and the
    /// idempotency record. `render` builds the response body saved with the key.
    ///
    /// # Errors
    /// [`SubmitError`] for every refusal; nothing is written when it fails.
    async fn submit(
        &self,
        request: NewLoanRequest,
        idempotency: Option<IdempotencyKey>,
        render: RenderResponse,
    ) -> Result<SubmitOutcome, SubmitError>;

    /// One request, if the scope lets the caller see it.
    ///
    /// # Errors
    /// [`StorageError`] only.
    async fn get(
        &self,
        id: LoanRequestId,
        scope: &Scope,
    ) -> Result<Option<LoanRequest>, StorageError>;

    /// A keyset page, newest first.
    ///
    /// # Errors
    /// [`StorageError`] only.
    async fn list(
        &self,
        scope: &Scope,
        filter: &ListFilter,
        after: Option<Position>,
        limit: u16,
    ) -> Result<Page<LoanRequest>, StorageError>;

    /// The audit trail of a request visible in the scope, oldest first; `None` when the
    /// request is not visible.
    ///
    /// # Errors
    /// [`StorageError`] only.
    async fn events(
        &self,
        id: LoanRequestId,
        scope: &Scope,
    ) -> Result<Option<Vec<AuditEvent>>, StorageError>;

    /// Applies a workflow action with optimistic concurrency, writing the audit event
    /// and, where SPEC §3 asks for one, the outbox e-mail in the same transaction.
    ///
    /// # Errors
    /// [`TransitionError`]; nothing is written when it fails.
    async fn transition(&self, command: TransitionCommand) -> Result<LoanRequest, TransitionError>;

    /// Sum of the amounts of a SIREN's requests that still count toward its cap.
    ///
    /// # Errors
    /// [`StorageError`] only.
    async fn committed_amount(&self, siren: &Siren) -> Result<Cents, StorageError>;
}

/// Why a bank could not be added.
#[derive(Debug, thiserror::Error)]
pub enum CreateBankError {
    #[error("a bank with code {0} already exists")]
    Duplicate(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// The participating banks.
#[async_trait]
pub trait BankRepository: Send + Sync + 'static {
    /// All banks, ordered by name.
    ///
    /// # Errors
    /// [`StorageError`] only.
    async fn list(&self) -> Result<Vec<Bank>, StorageError>;

    /// Adds a bank.
    ///
    /// # Errors
    /// [`CreateBankError::Duplicate`] when the code is taken.
    async fn create(&self, bank: &Bank, now: DateTime<Utc>) -> Result<(), CreateBankError>;
}

/// Count and amounts of the requests in one group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub count: i64,
    pub requested: Cents,
    pub guaranteed: Cents,
}

/// One row of the national figures: a bank and a status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatsRow {
    pub bank: String,
    pub status: crate::workflow::Status,
    pub totals: Totals,
}

/// Outbox figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxStats {
    pub pending: i64,
    pub sent: i64,
    pub dead: i64,
}

/// National figures, computed by the database.
#[async_trait]
pub trait StatsRepository: Send + Sync + 'static {
    /// Counts and sums grouped by bank and status.
    ///
    /// # Errors
    /// [`StorageError`] only.
    async fn by_bank_and_status(&self) -> Result<Vec<StatsRow>, StorageError>;

    /// Outbox counts by state.
    ///
    /// # Errors
    /// [`StorageError`] only.
    async fn outbox(&self) -> Result<OutboxStats, StorageError>;
}

/// Platform switches shared by every replica through the database.
#[async_trait]
pub trait PlatformSettings: Send + Sync + 'static {
    /// Whether degraded mode is on.
    ///
    /// # Errors
    /// [`StorageError`] only.
    async fn degraded_mode(&self) -> Result<bool, StorageError>;

    /// Switches degraded mode, recording who did it.
    ///
    /// # Errors
    /// [`StorageError`] only.
    async fn set_degraded_mode(
        &self,
        on: bool,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError>;
}

/// Whether the store is reachable and migrated, for readiness probes.
#[async_trait]
pub trait HealthCheck: Send + Sync + 'static {
    /// # Errors
    /// A message saying what is not ready.
    async fn ready(&self) -> Result<(), String>;
}
