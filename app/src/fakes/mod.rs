//! In-memory fakes of every port, for tests of the services without a database, object
//! storage or identity provider. They keep the ports' contracts — scopes, the aggregate
//! cap, idempotency, optimistic versions, the state machine, the per-request bounds —
//! on plain collections behind one lock; the real adapters' equivalence is the HTTP
//! suite's job.

mod documents;
mod four_eyes;
mod guarantees;
mod identity;
mod messages;
mod store;
mod submissions;

pub use documents::InMemoryObjects;
pub use identity::InMemoryIdentity;
pub use submissions::{InMemorySubmissions, receipt};

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use domain::document::{Document, DocumentId};
use domain::loan_request::{
    AuditEvent, Bank, ListFilter, LoanRequest, LoanRequestId, MailKind, Scope,
};
use domain::message::{Message, Side};
use domain::ports::{AdminAction, Clock, Draft, IdGenerator, Receipt, StorageError};
use domain::reference::Reference;
use domain::submission::{BankCode, EmailAddress};
use uuid::Uuid;

use crate::Ports;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A clock that stands still until moved.
#[derive(Debug)]
pub struct FixedClock(Mutex<DateTime<Utc>>);

impl FixedClock {
    /// 2 April 2020, 09:00 UTC: inside the scheme's first weeks.
    #[must_use]
    pub fn new() -> Self {
        Self::at(
            Utc.with_ymd_and_hms(2020, 4, 2, 9, 0, 0)
                .single()
                .unwrap_or_default(),
        )
    }

    #[must_use]
    pub fn at(now: DateTime<Utc>) -> Self {
        Self(Mutex::new(now))
    }

    pub fn advance(&self, by: TimeDelta) {
        let mut now = lock(&self.0);
        *now += by;
    }
}

impl Default for FixedClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *lock(&self.0)
    }
}

/// Ids counted from 1, and references from a script, then counted.
#[derive(Debug, Default)]
pub struct SequentialIds {
    next: AtomicU64,
    references: Mutex<VecDeque<Reference>>,
    identifiers: Mutex<VecDeque<domain::guarantee::GuaranteeIdentifier>>,
}

impl SequentialIds {
    /// The next references handed out will be these, in order.
    pub fn script_references(&self, references: impl IntoIterator<Item = Reference>) {
        lock(&self.references).extend(references);
    }

    /// The next guarantee identifiers handed out will be these, in order.
    pub fn script_identifiers(
        &self,
        identifiers: impl IntoIterator<Item = domain::guarantee::GuaranteeIdentifier>,
    ) {
        lock(&self.identifiers).extend(identifiers);
    }

    fn next(&self) -> u64 {
        self.next.fetch_add(1, Ordering::Relaxed) + 1
    }
}

impl IdGenerator for SequentialIds {
    fn loan_request_id(&self) -> LoanRequestId {
        LoanRequestId(Uuid::from_u128(u128::from(self.next())))
    }

    fn reference(&self) -> Reference {
        let scripted = lock(&self.references).pop_front();
        scripted.unwrap_or_else(|| Reference::from_bits(self.next().wrapping_mul(0x9E37_79B9)))
    }

    fn document_id(&self) -> DocumentId {
        DocumentId(Uuid::from_u128(u128::from(self.next()) << 64))
    }

    fn guarantee_identifier(&self) -> domain::guarantee::GuaranteeIdentifier {
        let scripted = lock(&self.identifiers).pop_front();
        scripted.unwrap_or_else(|| {
            domain::guarantee::GuaranteeIdentifier::from_value(
                self.next().wrapping_mul(0x9E37_79B9_7F4A) & ((1 << 60) - 1),
            )
            .unwrap_or_else(|| unreachable!("masked to 60 bits"))
        })
    }
}

/// An e-mail the store queued in its outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedMail {
    pub loan_request_id: LoanRequestId,
    pub kind: MailKind,
    pub recipient: String,
}

#[derive(Debug, Clone)]
struct StoredMessage {
    message: Message,
    read: bool,
}

#[derive(Default)]
struct Data {
    requests: Vec<LoanRequest>,
    events: HashMap<LoanRequestId, Vec<AuditEvent>>,
    idempotency: HashMap<(String, String), (String, Receipt, LoanRequestId)>,
    banks: Vec<Bank>,
    degraded: bool,
    documents: Vec<Document>,
    messages: Vec<StoredMessage>,
    outbox: Vec<QueuedMail>,
    /// Mails that can no longer be sent (put here by a test, as the worker would).
    dead: Vec<QueuedMail>,
    admin_actions: Vec<AdminAction>,
    drafts: HashMap<String, Draft>,
    guarantees: Vec<domain::issuance::Guarantee>,
    thresholds: HashMap<BankCode, domain::four_eyes::GrantThreshold>,
    pending_grants: HashMap<LoanRequestId, domain::four_eyes::PendingGrant>,
}

fn visible(request: &LoanRequest, scope: &Scope) -> bool {
    match scope {
        Scope::Applicant(subject) => &request.applicant == subject,
        Scope::Bank(bank) => &request.bank == bank,
        Scope::All => true,
    }
}

fn matches(request: &LoanRequest, filter: &ListFilter, messages: &[StoredMessage]) -> bool {
    let unread = |side: Side| {
        messages
            .iter()
            .any(|m| m.message.loan_request_id == request.id && m.message.from == side && !m.read)
    };
    filter.status.is_none_or(|s| request.status == s)
        && filter
            .name
            .as_ref()
            .is_none_or(|n| n.matches(request.company.legal_name.as_str()))
        && filter.unread_from.is_none_or(unread)
        && filter
            .siren
            .as_ref()
            .is_none_or(|s| &request.company.siren == s)
        && filter.reference.is_none_or(|r| request.reference == r)
        && filter.created_from.is_none_or(|t| request.created_at >= t)
        && filter.created_to.is_none_or(|t| request.created_at < t)
        && filter.bank.as_ref().is_none_or(|b| &request.bank == b)
}

/// The database: requests, audit trail, outbox, idempotency records, banks, settings,
/// documents and messages.
#[derive(Default)]
pub struct InMemoryStore {
    data: Mutex<Data>,
    /// How many times the bank list was read (the caches' tests count them).
    pub bank_reads: AtomicUsize,
    /// How many times degraded mode was read.
    pub setting_reads: AtomicUsize,
    /// When set, every call fails as if the database were out of reach.
    pub unavailable: AtomicBool,
}

impl InMemoryStore {
    fn data(&self) -> Result<MutexGuard<'_, Data>, StorageError> {
        if self.unavailable.load(Ordering::Relaxed) {
            return Err(StorageError::unavailable("the fake database is down"));
        }
        Ok(lock(&self.data))
    }

    /// Adds a participating bank.
    pub fn add_bank(&self, code: &str, name: &str, notification_email: Option<&str>) {
        lock(&self.data).banks.push(Bank {
            code: BankCode::parse(code).unwrap_or_else(|_| panic!("bank code {code}")),
            name: name.to_owned(),
            notification_email: notification_email
                .map(|e| EmailAddress::parse(e).unwrap_or_else(|_| panic!("e-mail {e}"))),
        });
    }

    /// The e-mails queued so far, oldest first.
    #[must_use]
    pub fn outbox(&self) -> Vec<QueuedMail> {
        lock(&self.data).outbox.clone()
    }

    /// Every stored request, oldest first.
    #[must_use]
    pub fn requests(&self) -> Vec<LoanRequest> {
        lock(&self.data).requests.clone()
    }

    fn audit(data: &mut Data, id: LoanRequestId, event: AuditEvent) {
        data.events.entry(id).or_default().push(event);
    }
}

/// Every fake, with the ports that stand on them.
pub struct Fakes {
    pub store: Arc<InMemoryStore>,
    pub objects: Arc<InMemoryObjects>,
    pub identity: Arc<InMemoryIdentity>,
    pub clock: Arc<FixedClock>,
    pub ids: Arc<SequentialIds>,
}

impl Fakes {
    /// Empty fakes; the clock at [`FixedClock::new`].
    #[must_use]
    pub fn new() -> Self {
        Self {
            store: Arc::default(),
            objects: Arc::default(),
            identity: Arc::default(),
            clock: Arc::default(),
            ids: Arc::default(),
        }
    }

    /// The ports, on these fakes.
    #[must_use]
    pub fn ports(&self) -> Ports {
        Ports {
            submissions: Arc::new(InMemorySubmissions::new(
                self.store.clone(),
                Arc::new(receipt),
            )),
            loan_requests: self.store.clone(),
            guarantees: self.store.clone(),
            four_eyes: self.store.clone(),
            audit: self.store.clone(),
            banks: self.store.clone(),
            stats: self.store.clone(),
            settings: self.store.clone(),
            admin_actions: self.store.clone(),
            drafts: self.store.clone(),
            documents: self.store.clone(),
            messages: self.store.clone(),
            objects: self.objects.clone(),
            identity_admin: self.identity.clone(),
            clock: self.clock.clone(),
            ids: self.ids.clone(),
        }
    }
}

impl Default for Fakes {
    fn default() -> Self {
        Self::new()
    }
}
