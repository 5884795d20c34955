//! Ports: what the rules need from the outside world, as traits. `infra` implements
//! them; `api` wires one implementation of each at start-up.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::FieldError;
use crate::four_eyes::{GrantThreshold, PendingGrant, SameReviewer};
use crate::guarantee::GuaranteeIdentifier;
use crate::issuance::{Guarantee, IssueRefusal, OneIdentifierPerCompany};
use crate::loan_request::{
    Actor, AuditEvent, Bank, IdempotencyKey, ListFilter, LoanRequest, LoanRequestId, Page,
    PageQuery, Scope, Subject, Total, TransitionCommand,
};
use crate::message::{Message, NewMessage, Side};
use crate::reference::Reference;
use crate::rules::AggregateCapExceeded;
use crate::submission::{BankCode, Submission};
use crate::workflow::InvalidTransition;

/// Failure of a storage adapter that the caller cannot fix (connection lost, disk full,
/// corrupt row). The detail is for the logs only.
#[derive(Debug, thiserror::Error)]
#[error("storage failure: {detail}")]
pub struct StorageError {
    pub detail: String,
    /// The database cannot be reached right now (refused or lost connection, pool
    /// exhausted, server shutting down): the same call may succeed in a moment.
    pub unavailable: bool,
}

impl StorageError {
    /// A failure that retrying will not fix (a corrupt row, a broken invariant…).
    #[must_use]
    pub fn other(detail: impl Into<String>) -> Self {
        Self {
            detail: detail.into(),
            unavailable: false,
        }
    }

    /// The database is out of reach for now.
    #[must_use]
    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self {
            detail: detail.into(),
            unavailable: true,
        }
    }
}

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

impl NewLoanRequest {
    /// The request as stored: submitted, at its first version.
    #[must_use]
    pub fn stored(&self) -> LoanRequest {
        let submission = &self.submission;
        LoanRequest {
            id: self.id,
            reference: self.reference,
            status: crate::workflow::Status::Submitted,
            version: LoanRequest::FIRST_VERSION,
            bank: submission.bank.clone(),
            applicant: self.actor.subject.clone(),
            company: submission.company.clone(),
            amount: submission.amount,
            amortization: submission.amortization,
            contact_email: submission.contact_email.clone(),
            terms: submission.terms.clone(),
            decision_reason: None,
            created_at: self.now,
            updated_at: self.now,
        }
    }
}

/// The first answer to a submission, kept with its idempotency key and handed back
/// unchanged when the same key comes again with the same body. Opaque to the rules and
/// to the store: the API's rendering of the stored request ([`ReceiptFormat`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt(pub String);

/// How the first answer to a submission is rendered from the request as stored. The
/// API owns it (the body of its 201) and renders its answer with it after the service
/// returns; the composition root gives the same one to the store's writer, which keeps
/// that rendering with an idempotency key, so that a replay answers those very bytes.
pub trait ReceiptFormat: Send + Sync + 'static {
    fn receipt(&self, request: &LoanRequest) -> Receipt;
}

impl<F> ReceiptFormat for F
where
    F: Fn(&LoanRequest) -> Receipt + Send + Sync + 'static,
{
    fn receipt(&self, request: &LoanRequest) -> Receipt {
        self(request)
    }
}

/// Result of a submission attempt that did not fail in storage.
#[derive(Debug)]
pub enum SubmitOutcome {
    /// Stored now, together with its audit event and its outbox e-mail; with a key, the
    /// receipt kept with it (rendered once, by the writer's [`ReceiptFormat`]: the
    /// caller answers those bytes rather than render them again).
    Created {
        request: Box<LoanRequest>,
        receipt: Option<Receipt>,
    },
    /// The same idempotency key was used before with the same body: the receipt saved
    /// then, and the request it created.
    Replayed {
        loan_request_id: Option<LoanRequestId>,
        receipt: Receipt,
    },
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
    /// A grant whose guarantee identifier is not the one issued for the request, or is
    /// no longer valid (field `guarantee_identifier`).
    #[error("guarantee identifier refused: {0}")]
    Guarantee(FieldError),
    /// The reviewer who asked for a grant above the bank's threshold tried to confirm it.
    #[error(transparent)]
    SameReviewer(#[from] SameReviewer),
    /// No grant is pending on the request (to send back).
    #[error("no grant awaits a second approval on this request")]
    NoPendingGrant,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// The submission's writer: one adapter per database (`infra::persistence::submission`:
/// PostgreSQL's one-statement writer, and the sea-orm writer SQLite uses), and the fake.
/// `app::contract` is the contract every one of them passes.
#[async_trait]
pub trait SubmissionRepository: Send + Sync + 'static {
    /// Stores a submission in one transaction: idempotency check, race-free aggregate
    /// cap check for the SIREN (decided once, [`crate::rules::Commitments`]), the
    /// request, its audit event (`submit`, at `request.now`), its outbox e-mail
    /// (`submission_received`, pending, due at `request.now`) and, with a key, the
    /// idempotency record, which keeps the writer's [`ReceiptFormat`] rendering of the
    /// stored request.
    ///
    /// # Errors
    /// [`SubmitError`] for every refusal; nothing is written when it fails.
    async fn submit(
        &self,
        request: NewLoanRequest,
        idempotency: Option<IdempotencyKey>,
    ) -> Result<SubmitOutcome, SubmitError>;
}

/// Persistence of loan requests, their audit trail and their outbox.
///
/// Every method that reads a request takes the caller's [`Scope`] and answers as if a
/// request outside it did not exist.
#[async_trait]
pub trait LoanRequestRepository: Send + Sync + 'static {
    /// One request, if the scope lets the caller see it.
    ///
    /// # Errors
    /// [`StorageError`] only.
    async fn get(
        &self,
        id: LoanRequestId,
        scope: &Scope,
    ) -> Result<Option<LoanRequest>, StorageError>;

    /// A keyset page in the query's order, after or before its position.
    ///
    /// # Errors
    /// [`StorageError`] only.
    async fn list(
        &self,
        scope: &Scope,
        filter: &ListFilter,
        page: PageQuery,
    ) -> Result<Page<LoanRequest>, StorageError>;

    /// How many requests of the scope the filter matches, counted up to `bound`.
    ///
    /// # Errors
    /// [`StorageError`] only.
    async fn count(
        &self,
        scope: &Scope,
        filter: &ListFilter,
        bound: u32,
    ) -> Result<Total, StorageError>;

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
    /// and, where docs/RULES.md §14 asks for one, the outbox e-mail in the same
    /// transaction, all at the command's time (`command.now`).
    ///
    /// # Errors
    /// [`TransitionError`]; nothing is written when it fails.
    async fn transition(&self, command: TransitionCommand) -> Result<LoanRequest, TransitionError>;
}

/// An applicant's request for the guarantee identifier of their pre-approved request.
#[derive(Debug, Clone)]
pub struct IssueCommand {
    pub id: LoanRequestId,
    pub scope: Scope,
    /// A fresh identifier, used when none was issued for the request yet.
    pub identifier: GuaranteeIdentifier,
    pub actor: Actor,
    /// The first month's rule, as configured.
    pub rule: OneIdentifierPerCompany,
    pub now: DateTime<Utc>,
}

/// An identifier issued, now or before.
#[derive(Debug, Clone)]
pub struct Issued {
    pub guarantee: Guarantee,
    pub request: LoanRequest,
    /// Issued by this call (else it is the one issued before: asking twice gives the
    /// same one).
    pub new: bool,
}

/// Why an identifier was not issued.
#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    /// No such request in the caller's scope.
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Refused(#[from] IssueRefusal),
    /// The fresh identifier exists already (60 random bits: never in practice); a new
    /// one works.
    #[error("identifier collision")]
    IdentifierCollision,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// The guarantees of loan requests (docs/RULES.md §20).
#[async_trait]
pub trait GuaranteeRepository: Send + Sync + 'static {
    /// Issues the request's identifier in one transaction, under the company's lock:
    /// the one issued before if there is one; else the domain's decision
    /// ([`crate::issuance::may_issue`]) on what the company holds, then the guarantee,
    /// the request's new version (the request changed: a stale `If-Match` no longer
    /// applies), its audit event (`issue_guarantee`) and the outbox e-mail
    /// (`guarantee_issued`).
    ///
    /// # Errors
    /// [`IssueError`]; nothing is written when it fails.
    async fn issue(&self, command: IssueCommand) -> Result<Issued, IssueError>;

    /// The guarantee of a request visible in `scope`: `None` when the request is not
    /// visible, `Some(None)` when it has none.
    ///
    /// # Errors
    /// [`StorageError`] only.
    async fn guarantee_of(
        &self,
        id: LoanRequestId,
        scope: &Scope,
    ) -> Result<Option<Option<Guarantee>>, StorageError>;

    /// The guarantee with this identifier, whoever's it is (the caller filters).
    ///
    /// # Errors
    /// [`StorageError`] only.
    async fn find(
        &self,
        identifier: GuaranteeIdentifier,
    ) -> Result<Option<Guarantee>, StorageError>;
}

/// A second reviewer sends a pending grant back to the first, with a reason.
#[derive(Debug, Clone)]
pub struct ReturnCommand {
    pub id: LoanRequestId,
    pub scope: Scope,
    pub expected_version: i32,
    pub actor: Actor,
    pub reason: String,
    pub now: DateTime<Utc>,
}

/// Four eyes on large grants (docs/RULES.md §21): the banks' thresholds and the grants
/// awaiting a second reviewer. The grant itself is [`LoanRequestRepository::transition`],
/// which reads both in its transaction ([`crate::four_eyes::grant_step`]).
#[async_trait]
pub trait FourEyesRepository: Send + Sync + 'static {
    /// The bank's threshold; `None`: no four eyes.
    ///
    /// # Errors
    /// [`StorageError`] only.
    async fn threshold(&self, bank: &BankCode) -> Result<Option<GrantThreshold>, StorageError>;

    /// Sets (or, with `None`, removes) the bank's threshold, recording who and when.
    ///
    /// # Errors
    /// [`StorageError`] only.
    async fn set_threshold(
        &self,
        bank: &BankCode,
        threshold: Option<GrantThreshold>,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError>;

    /// The grant awaiting a second reviewer on a request visible in `scope`.
    ///
    /// # Errors
    /// [`StorageError`] only.
    async fn pending(
        &self,
        id: LoanRequestId,
        scope: &Scope,
    ) -> Result<Option<PendingGrant>, StorageError>;

    /// Sends the pending grant back, at the version the reviewer saw: the pending grant
    /// is removed, the request's version moves on, the audit line (`return_grant`, with
    /// the reason) is written, in one transaction.
    ///
    /// # Errors
    /// [`TransitionError`]: not found, stale version, [`TransitionError::NoPendingGrant`].
    async fn return_grant(&self, command: ReturnCommand) -> Result<LoanRequest, TransitionError>;
}

/// One chain of the audit trail as a verification walked it (docs/RULES.md §22).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainState {
    /// `{bank}-{lane}`: a bank's events, in 16 lanes by request.
    pub chain: String,
    /// Events walked in the chain.
    pub events: u64,
    /// The head as stored (its last event's number and hash), for an external
    /// timestamp.
    pub head_seq: u64,
    pub head_hash: String,
    /// The first broken link, if any.
    pub broken: Option<BrokenLink>,
}

/// Where a chain stops proving its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    /// The event's number in its chain (the one expected, when an event is missing).
    pub seq: u64,
    /// The stored event there, if any (`audit_events.id`).
    pub event_id: Option<i64>,
    pub loan_request_id: Option<LoanRequestId>,
    /// `hash-mismatch` (the event was changed), `prev-mismatch` (it does not follow the
    /// one before), `missing` (an event was removed), `head-mismatch` (the head does not
    /// end the chain: its last events were removed), `unchained` (an event without its
    /// link, written after the chain began).
    pub problem: &'static str,
}

/// What a verification of the whole audit trail found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuditReport {
    pub chains: Vec<ChainState>,
    /// Events written before the chain began (none on a database created since).
    pub unchained_before: u64,
}

impl AuditReport {
    /// Whether every chain holds.
    #[must_use]
    pub fn intact(&self) -> bool {
        self.chains.iter().all(|c| c.broken.is_none())
    }
}

/// The tamper-evident audit trail (docs/RULES.md §22): every event carries the hash of
/// the one before it in its chain, written in the event's transaction.
#[async_trait]
pub trait AuditChains: Send + Sync + 'static {
    /// Walks every chain and names the first broken link of each.
    ///
    /// # Errors
    /// [`StorageError`] only.
    async fn verify(&self) -> Result<AuditReport, StorageError>;
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

/// The time, for every rule and row that needs it: a port, so that handlers do not read
/// it from an adapter and a test can set it.
pub trait Clock: Send + Sync + 'static {
    /// Now, at the precision both databases keep (microseconds), so that a value read
    /// back equals the value written.
    fn now(&self) -> DateTime<Utc>;
}

/// New identifiers: a port, for the same reasons as [`Clock`].
pub trait IdGenerator: Send + Sync + 'static {
    /// A new loan request's internal id (time-ordered).
    fn loan_request_id(&self) -> LoanRequestId;
    /// A new public reference (random; a collision is retried by the caller).
    fn reference(&self) -> Reference;
    /// A new document's id (time-ordered).
    fn document_id(&self) -> crate::document::DocumentId;
    /// A fresh guarantee identifier (60 random bits).
    fn guarantee_identifier(&self) -> GuaranteeIdentifier;
}

/// Why a message could not be posted.
#[derive(Debug, thiserror::Error)]
pub enum PostMessageError {
    /// No such request in the author's scope.
    #[error("no such loan request")]
    NotFound,
    /// The thread holds [`crate::message::MAX_MESSAGES_PER_REQUEST`] messages already.
    #[error("the request's thread is full")]
    ThreadFull,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// The messages of a request's thread.
#[async_trait]
pub trait MessageRepository: Send + Sync + 'static {
    /// The thread of a request in `scope`, oldest first; `None` when the request is not
    /// in the scope. A `reader` side marks the other side's messages read; `None`
    /// (an admin) reads without marking.
    ///
    /// # Errors
    /// [`StorageError`] only.
    async fn messages(
        &self,
        id: LoanRequestId,
        scope: &Scope,
        reader: Option<Side>,
        now: DateTime<Utc>,
    ) -> Result<Option<Vec<Message>>, StorageError>;

    /// Posts a message: the message, its audit line and the e-mail telling the other
    /// side are written in one transaction.
    ///
    /// # Errors
    /// [`PostMessageError`].
    async fn post(
        &self,
        message: NewMessage,
        now: DateTime<Utc>,
    ) -> Result<Message, PostMessageError>;

    /// For each of `ids` with unread messages, how many the `reader` side has not read.
    ///
    /// # Errors
    /// [`StorageError`] only.
    async fn unread(
        &self,
        ids: &[LoanRequestId],
        reader: Side,
    ) -> Result<std::collections::HashMap<LoanRequestId, u32>, StorageError>;
}

/// Count and amounts of the requests in one group. The sums are in cents, as `i128`:
/// no number of requests can overflow them (an `i64` sum could be, by 46,000 requests
/// at the largest cap a company may declare).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub count: i64,
    pub requested_cents: i128,
    pub guaranteed_cents: i128,
}

/// A sum the database returns in two parts that cannot overflow a 64-bit integer, for
/// any number of rows: `Σ(x / 10^9)` and `Σ(x % 10^9)` over non-negative `x`.
#[must_use]
pub fn join_split_sum(high: i64, low: i64) -> i128 {
    i128::from(high) * 1_000_000_000 + i128::from(low)
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
    /// When the oldest message still waiting was written (none waiting: `None`): how
    /// late e-mails are.
    pub oldest_pending_at: Option<DateTime<Utc>>,
}

/// What an admin did to the platform as a whole (not to one request, whose trail is its
/// audit events): kept, newest first, for whoever checks later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminAction {
    pub at: DateTime<Utc>,
    pub actor: Actor,
    pub kind: AdminActionKind,
    /// How many items the action touched.
    pub count: i64,
}

/// The platform-wide actions that are recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminActionKind {
    /// Dead letters of the outbox put back in line to be sent.
    RetryDeadLetters,
}

impl AdminActionKind {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RetryDeadLetters => "retry_dead_letters",
        }
    }

    #[must_use]
    pub fn parse(raw: &str) -> Option<Self> {
        (raw == "retry_dead_letters").then_some(Self::RetryDeadLetters)
    }
}

/// Platform-wide admin actions, each done and recorded in one transaction.
#[async_trait]
pub trait AdminActions: Send + Sync + 'static {
    /// Puts every dead letter back in line (pending, due now, attempts from zero) and
    /// records the action; returns how many.
    ///
    /// # Errors
    /// [`StorageError`] only; then nothing changed.
    async fn retry_dead_letters(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<i64, StorageError>;

    /// The most recent actions, newest first.
    ///
    /// # Errors
    /// [`StorageError`] only.
    async fn recent_actions(&self, limit: u16) -> Result<Vec<AdminAction>, StorageError>;
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

/// Why a document could not be announced.
#[derive(Debug, thiserror::Error)]
pub enum AnnounceDocumentError {
    /// The request already holds the maximum number of documents.
    #[error("the request already holds {0} documents")]
    TooMany(u64),
    /// The request is no longer in a state that accepts documents.
    #[error("the request is {0}: documents are closed")]
    Closed(crate::workflow::Status),
    /// The request does not exist.
    #[error("no such request")]
    NotFound,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// The documents' records (the objects themselves are in an [`ObjectStore`]).
#[async_trait]
pub trait DocumentRepository: Send + Sync + 'static {
    /// Records a pending document, atomically checking the request's state and the
    /// per-request limit against concurrent announcements. Pending announcements older
    /// than [`crate::document::ABANDONED_AFTER`] are removed first and do not count.
    ///
    /// # Errors
    /// See [`AnnounceDocumentError`].
    async fn announce(
        &self,
        document: &crate::document::Document,
        limit: u64,
    ) -> Result<(), AnnounceDocumentError>;

    /// One document of a request.
    ///
    /// # Errors
    /// [`StorageError`] only.
    async fn document(
        &self,
        request: LoanRequestId,
        document: crate::document::DocumentId,
    ) -> Result<Option<crate::document::Document>, StorageError>;

    /// Marks a document available (idempotent) and writes its audit event.
    ///
    /// # Errors
    /// [`StorageError`] only.
    async fn mark_available(
        &self,
        document: &crate::document::Document,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<crate::document::Document, StorageError>;

    /// Forgets a document whose upload was refused.
    ///
    /// # Errors
    /// [`StorageError`] only.
    async fn forget(
        &self,
        request: LoanRequestId,
        document: crate::document::DocumentId,
    ) -> Result<(), StorageError>;

    /// The available documents of a request, oldest first.
    ///
    /// # Errors
    /// [`StorageError`] only.
    async fn available(
        &self,
        request: LoanRequestId,
    ) -> Result<Vec<crate::document::Document>, StorageError>;

    /// The pending documents of a request announced at or after `since`, oldest first.
    ///
    /// # Errors
    /// [`StorageError`] only.
    async fn pending(
        &self,
        request: LoanRequestId,
        since: DateTime<Utc>,
    ) -> Result<Vec<crate::document::Document>, StorageError>;

    /// Removes a document only while it is still pending: `false` when there is no
    /// such pending document (none at all, or confirmed meanwhile).
    ///
    /// # Errors
    /// [`StorageError`] only.
    async fn remove_pending(
        &self,
        request: LoanRequestId,
        document: crate::document::DocumentId,
    ) -> Result<bool, StorageError>;
}

/// Failure of object storage (unreachable, refused). The message is for the logs.
#[derive(Debug, thiserror::Error)]
#[error("object storage failure: {0}")]
pub struct ObjectStoreError(pub String);

/// A URL handed to a browser, valid until `expires_at`, with the headers the browser
/// must send with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresignedUrl {
    pub url: String,
    pub method: &'static str,
    pub headers: Vec<(String, String)>,
    pub expires_at: DateTime<Utc>,
}

/// Object storage for documents (S3, or a local folder on the embedded default).
#[async_trait]
pub trait ObjectStore: Send + Sync + 'static {
    /// A URL to upload exactly `size` bytes of `content_type` at `key`.
    ///
    /// # Errors
    /// [`ObjectStoreError`].
    async fn presign_put(
        &self,
        key: &str,
        content_type: crate::document::ContentType,
        size: u64,
        valid_for: std::time::Duration,
    ) -> Result<PresignedUrl, ObjectStoreError>;

    /// A URL to download `key`, served as an attachment named `filename`.
    ///
    /// # Errors
    /// [`ObjectStoreError`].
    async fn presign_get(
        &self,
        key: &str,
        filename: &str,
        valid_for: std::time::Duration,
    ) -> Result<PresignedUrl, ObjectStoreError>;

    /// Size and type of the stored object, `None` when there is none.
    ///
    /// # Errors
    /// [`ObjectStoreError`].
    async fn head(
        &self,
        key: &str,
    ) -> Result<Option<crate::document::ObjectInfo>, ObjectStoreError>;

    /// The first `len` bytes of the object (fewer when it is shorter), `None` when
    /// there is none.
    ///
    /// # Errors
    /// [`ObjectStoreError`].
    async fn read_head(&self, key: &str, len: usize) -> Result<Option<Vec<u8>>, ObjectStoreError>;

    /// Deletes the object (no error when absent).
    ///
    /// # Errors
    /// [`ObjectStoreError`].
    async fn delete(&self, key: &str) -> Result<(), ObjectStoreError>;
}

/// An e-mail rendered and ready to send.
#[derive(Clone, PartialEq, Eq)]
pub struct OutgoingEmail {
    /// The outbox message id, usable by providers that deduplicate.
    pub id: uuid::Uuid,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Files sent with it (the attestation of an issued guarantee identifier).
    pub attachments: Vec<Attachment>,
}

/// A file attached to an e-mail.
#[derive(Clone, PartialEq, Eq)]
pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

impl std::fmt::Debug for OutgoingEmail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Personal data stays out of logs.
        f.debug_struct("OutgoingEmail")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// Why an e-mail was not sent.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Worth retrying later (provider unreachable, throttled, 5xx).
    #[error("transient: {0}")]
    Transient(String),
    /// Retrying cannot help (address refused, message rejected).
    #[error("permanent: {0}")]
    Permanent(String),
}

/// Sends e-mails (SES v2, or `.eml` files on the embedded default).
#[async_trait]
pub trait Mailer: Send + Sync + 'static {
    /// Sends one e-mail and returns the provider's message id.
    ///
    /// # Errors
    /// [`SendError`].
    async fn send(&self, email: &OutgoingEmail) -> Result<String, SendError>;
}

/// Why a reviewer account could not be created.
#[derive(Debug, thiserror::Error)]
pub enum CreateReviewerError {
    /// An account with this e-mail address exists.
    #[error("an account with this e-mail address already exists")]
    Duplicate,
    /// The identity provider refused the address.
    #[error("the identity provider refused the address: {0}")]
    InvalidEmail(String),
    /// The identity provider failed.
    #[error("identity provider failure: {0}")]
    Unavailable(String),
}

/// Administration of user accounts (Cognito, or the dev identity provider).
#[async_trait]
pub trait IdentityAdmin: Send + Sync + 'static {
    /// Creates a reviewer of `bank` and puts them in the reviewers' group; returns
    /// their subject. Nothing is left behind when a step fails.
    ///
    /// # Errors
    /// See [`CreateReviewerError`].
    async fn create_reviewer(
        &self,
        email: &crate::submission::EmailAddress,
        bank: &crate::submission::BankCode,
    ) -> Result<String, CreateReviewerError>;
}

/// An applicant's unfinished request, kept on the server so that closing the tab or
/// switching device loses nothing: the answers as the web app keeps them (a JSON
/// object, opaque here: a draft may hold answers that are not valid yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// The answers, a JSON object as text.
    pub body: String,
    pub updated_at: DateTime<Utc>,
    /// When it is forgotten unless saved again (30 days after its last save).
    pub expires_at: DateTime<Utc>,
}

/// Drafts, one per applicant.
#[async_trait]
pub trait DraftRepository: Send + Sync + 'static {
    /// The applicant's draft, unless there is none or it expired before `now` (an
    /// expired one is deleted).
    ///
    /// # Errors
    /// [`StorageError`] only.
    async fn draft(
        &self,
        applicant: &Subject,
        now: DateTime<Utc>,
    ) -> Result<Option<Draft>, StorageError>;

    /// Saves the applicant's draft, replacing any other.
    ///
    /// # Errors
    /// [`StorageError`] only.
    async fn save_draft(&self, applicant: &Subject, draft: &Draft) -> Result<(), StorageError>;

    /// Deletes the applicant's draft; whether there was one.
    ///
    /// # Errors
    /// [`StorageError`] only.
    async fn delete_draft(&self, applicant: &Subject) -> Result<bool, StorageError>;
}
