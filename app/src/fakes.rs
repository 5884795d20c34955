//! In-memory fakes of every port, for tests of the services without a database, object
//! storage or identity provider. They keep the ports' contracts — scopes, the aggregate
//! cap, idempotency, optimistic versions, the state machine, the per-request bounds —
//! on plain collections behind one lock; the real adapters' equivalence is the HTTP
//! suite's job.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use domain::document::{
    ABANDONED_AFTER, ContentType, Document, DocumentId, DocumentStatus, ObjectInfo,
    accepts_documents,
};
use domain::loan_request::{
    Actor, AuditAction, AuditEvent, Bank, Direction, IdempotencyKey, ListFilter, LoanRequest,
    LoanRequestId, MailKind, Page, PageQuery, Position, Scope, Subject, Total, TransitionCommand,
};
use domain::message::{MAX_MESSAGES_PER_REQUEST, Message, NewMessage, Side};
use domain::money::Cents;
use domain::ports::{
    AdminAction, AdminActionKind, AdminActions, AnnounceDocumentError, BankRepository, Clock,
    CreateBankError, CreateReviewerError, DocumentRepository, Draft, DraftRepository, IdGenerator,
    IdentityAdmin, LoanRequestRepository, MessageRepository, NewLoanRequest, ObjectStore,
    ObjectStoreError, OutboxStats, PlatformSettings, PostMessageError, PresignedUrl, Receipt,
    ReceiptFormat, StatsRepository, StatsRow, StorageError, SubmissionRepository, SubmitError,
    SubmitOutcome, Totals, TransitionError,
};
use domain::reference::Reference;
use domain::rules::Commitments;
use domain::submission::{BankCode, EmailAddress};
use domain::workflow::{Status, transition};
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
}

impl SequentialIds {
    /// The next references handed out will be these, in order.
    pub fn script_references(&self, references: impl IntoIterator<Item = Reference>) {
        lock(&self.references).extend(references);
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

/// The receipt the fakes keep with a key unless given another [`ReceiptFormat`]: it
/// names the request's reference.
#[must_use]
pub fn receipt(request: &LoanRequest) -> Receipt {
    Receipt(format!("receipt of {}", request.reference))
}

/// The submission's writer on the in-memory store, with the [`ReceiptFormat`] it keeps
/// with a key (as the real writers get theirs from the composition root).
pub struct InMemorySubmissions {
    store: Arc<InMemoryStore>,
    receipts: Arc<dyn ReceiptFormat>,
}

impl InMemorySubmissions {
    #[must_use]
    pub fn new(store: Arc<InMemoryStore>, receipts: Arc<dyn ReceiptFormat>) -> Self {
        Self { store, receipts }
    }
}

#[async_trait]
impl SubmissionRepository for InMemorySubmissions {
    async fn submit(
        &self,
        new: NewLoanRequest,
        idempotency: Option<IdempotencyKey>,
    ) -> Result<SubmitOutcome, SubmitError> {
        let mut data = self.store.data()?;
        let subject = new.actor.subject.as_str().to_owned();
        if let Some(key) = &idempotency
            && let Some((fingerprint, receipt, id)) =
                data.idempotency.get(&(subject.clone(), key.key.clone()))
        {
            return if *fingerprint == key.body_fingerprint {
                Ok(SubmitOutcome::Replayed {
                    loan_request_id: Some(*id),
                    receipt: receipt.clone(),
                })
            } else {
                Err(SubmitError::IdempotencyKeyReused)
            };
        }
        let submission = &new.submission;
        let standing: Vec<&LoanRequest> = data
            .requests
            .iter()
            .filter(|r| r.company.siren == submission.company.siren && r.status.counts_toward_cap())
            .collect();
        Commitments {
            committed: Cents::new(standing.iter().map(|r| r.amount.get()).sum()),
            lowest_cap: standing.iter().map(|r| r.terms.cap).min(),
        }
        .admit(submission.terms.cap, submission.amount)?;
        if data.requests.iter().any(|r| r.reference == new.reference) {
            return Err(SubmitError::ReferenceCollision);
        }
        if !data.banks.iter().any(|b| b.code == submission.bank) {
            return Err(SubmitError::UnknownBank(
                submission.bank.as_str().to_owned(),
            ));
        }
        let request = new.stored();
        InMemoryStore::audit(
            &mut data,
            request.id,
            AuditEvent {
                at: new.now,
                actor_role: new.actor.role,
                actor_subject: Some(subject.clone()),
                action: AuditAction::Submit,
                from_status: None,
                to_status: Status::Submitted,
                reason: None,
            },
        );
        data.outbox.push(QueuedMail {
            loan_request_id: request.id,
            kind: MailKind::SubmissionReceived,
            recipient: request.contact_email.as_str().to_owned(),
        });
        let receipt = idempotency.map(|key| {
            let receipt = self.receipts.receipt(&request);
            data.idempotency.insert(
                (subject, key.key),
                (key.body_fingerprint, receipt.clone(), request.id),
            );
            receipt
        });
        data.requests.push(request.clone());
        Ok(SubmitOutcome::Created {
            request: Box::new(request),
            receipt,
        })
    }
}

#[async_trait]
impl LoanRequestRepository for InMemoryStore {
    async fn get(
        &self,
        id: LoanRequestId,
        scope: &Scope,
    ) -> Result<Option<LoanRequest>, StorageError> {
        Ok(self
            .data()?
            .requests
            .iter()
            .find(|r| r.id == id && visible(r, scope))
            .cloned())
    }

    async fn list(
        &self,
        scope: &Scope,
        filter: &ListFilter,
        page: PageQuery,
    ) -> Result<Page<LoanRequest>, StorageError> {
        let data = self.data()?;
        let order = page.order;
        // Ascending (key, id) of each request; a descending order reverses it.
        let rank = |r: &LoanRequest| {
            let p = order.position(r);
            (p.key, p.id.0)
        };
        let mut found: Vec<&LoanRequest> = data
            .requests
            .iter()
            .filter(|r| visible(r, scope) && matches(r, filter, &data.messages))
            .collect();
        found.sort_by_key(|r| rank(r));
        if order.descending() {
            found.reverse();
        }
        let limit = usize::from(page.limit).max(1);
        let ahead = |r: &LoanRequest, p: Position| {
            let (key, at) = (rank(r), (p.key, p.id.0));
            if order.descending() {
                key < at
            } else {
                key > at
            }
        };
        let (items, prev, next): (Vec<&LoanRequest>, bool, bool) = match page.from {
            None => (
                found.iter().take(limit).copied().collect(),
                false,
                found.len() > limit,
            ),
            Some((p, Direction::After)) => {
                let rest: Vec<&LoanRequest> = found.into_iter().filter(|r| ahead(r, p)).collect();
                let more = rest.len() > limit;
                (rest.into_iter().take(limit).collect(), true, more)
            }
            Some((p, Direction::Before)) => {
                let before: Vec<&LoanRequest> = found
                    .into_iter()
                    .filter(|r| rank(r) != (p.key, p.id.0) && !ahead(r, p))
                    .collect();
                let start = before.len().saturating_sub(limit);
                (before[start..].to_vec(), start > 0, true)
            }
        };
        let at = |r: Option<&&LoanRequest>| r.map(|r| order.position(r));
        Ok(Page {
            prev: if prev { at(items.first()) } else { None },
            next: if next { at(items.last()) } else { None },
            items: items.into_iter().cloned().collect(),
        })
    }

    async fn count(
        &self,
        scope: &Scope,
        filter: &ListFilter,
        bound: u32,
    ) -> Result<Total, StorageError> {
        let data = self.data()?;
        let n = data
            .requests
            .iter()
            .filter(|r| visible(r, scope) && matches(r, filter, &data.messages))
            .count();
        Ok(Total::counted(n as u64, bound))
    }

    async fn events(
        &self,
        id: LoanRequestId,
        scope: &Scope,
    ) -> Result<Option<Vec<AuditEvent>>, StorageError> {
        let data = self.data()?;
        if !data
            .requests
            .iter()
            .any(|r| r.id == id && visible(r, scope))
        {
            return Ok(None);
        }
        Ok(Some(data.events.get(&id).cloned().unwrap_or_default()))
    }

    async fn transition(&self, command: TransitionCommand) -> Result<LoanRequest, TransitionError> {
        let mut data = self.data()?;
        let request = data
            .requests
            .iter_mut()
            .find(|r| r.id == command.id && visible(r, &command.scope))
            .ok_or(TransitionError::NotFound)?;
        if request.version != command.expected_version {
            return Err(TransitionError::VersionMismatch {
                current: request.version,
            });
        }
        let from = request.status;
        let to = transition(from, command.action)?;
        request.status = to;
        request.version += 1;
        request.updated_at = command.now;
        if command.reason.is_some() {
            request.decision_reason.clone_from(&command.reason);
        }
        let request = request.clone();
        Self::audit(
            &mut data,
            request.id,
            AuditEvent {
                at: command.now,
                actor_role: command.actor.role,
                actor_subject: Some(command.actor.subject.as_str().to_owned()),
                action: command.action.into(),
                from_status: Some(from),
                to_status: to,
                reason: command.reason,
            },
        );
        if let Some(kind) = MailKind::for_status(to) {
            data.outbox.push(QueuedMail {
                loan_request_id: request.id,
                kind,
                recipient: request.contact_email.as_str().to_owned(),
            });
        }
        Ok(request)
    }
}

#[async_trait]
impl BankRepository for InMemoryStore {
    async fn list(&self) -> Result<Vec<Bank>, StorageError> {
        self.bank_reads.fetch_add(1, Ordering::Relaxed);
        let mut banks = self.data()?.banks.clone();
        banks.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(banks)
    }

    async fn create(&self, bank: &Bank, _now: DateTime<Utc>) -> Result<(), CreateBankError> {
        let mut data = self.data()?;
        if data.banks.iter().any(|b| b.code == bank.code) {
            return Err(CreateBankError::Duplicate(bank.code.as_str().to_owned()));
        }
        data.banks.push(bank.clone());
        Ok(())
    }
}

#[async_trait]
impl StatsRepository for InMemoryStore {
    async fn by_bank_and_status(&self) -> Result<Vec<StatsRow>, StorageError> {
        let data = self.data()?;
        let mut rows: HashMap<(String, Status), Totals> = HashMap::new();
        for r in &data.requests {
            let totals = rows
                .entry((r.bank.as_str().to_owned(), r.status))
                .or_default();
            totals.count += 1;
            totals.requested_cents += i128::from(r.amount.get());
            totals.guaranteed_cents += i128::from(r.terms.guaranteed.get());
        }
        Ok(rows
            .into_iter()
            .map(|((bank, status), totals)| StatsRow {
                bank,
                status,
                totals,
            })
            .collect())
    }

    async fn outbox(&self) -> Result<OutboxStats, StorageError> {
        let data = self.data()?;
        Ok(OutboxStats {
            pending: i64::try_from(data.outbox.len()).unwrap_or(i64::MAX),
            sent: 0,
            dead: i64::try_from(data.dead.len()).unwrap_or(i64::MAX),
            oldest_pending_at: None,
        })
    }
}

#[async_trait]
impl AdminActions for InMemoryStore {
    async fn retry_dead_letters(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<i64, StorageError> {
        let mut data = self.data()?;
        let dead = std::mem::take(&mut data.dead);
        let count = i64::try_from(dead.len()).unwrap_or(i64::MAX);
        data.outbox.extend(dead);
        data.admin_actions.push(AdminAction {
            at: now,
            actor: actor.clone(),
            kind: AdminActionKind::RetryDeadLetters,
            count,
        });
        Ok(count)
    }

    async fn recent_actions(&self, limit: u16) -> Result<Vec<AdminAction>, StorageError> {
        Ok(self
            .data()?
            .admin_actions
            .iter()
            .rev()
            .take(usize::from(limit))
            .cloned()
            .collect())
    }
}

#[async_trait]
impl DraftRepository for InMemoryStore {
    async fn draft(
        &self,
        applicant: &Subject,
        now: DateTime<Utc>,
    ) -> Result<Option<Draft>, StorageError> {
        let mut data = self.data()?;
        let expired = data
            .drafts
            .get(applicant.as_str())
            .is_some_and(|d| d.expires_at <= now);
        if expired {
            data.drafts.remove(applicant.as_str());
        }
        Ok(data.drafts.get(applicant.as_str()).cloned())
    }

    async fn save_draft(&self, applicant: &Subject, draft: &Draft) -> Result<(), StorageError> {
        self.data()?
            .drafts
            .insert(applicant.as_str().to_owned(), draft.clone());
        Ok(())
    }

    async fn delete_draft(&self, applicant: &Subject) -> Result<bool, StorageError> {
        Ok(self.data()?.drafts.remove(applicant.as_str()).is_some())
    }
}

impl InMemoryStore {
    /// Moves every queued mail to the dead letters, as a worker that gave up would.
    pub fn bury_outbox(&self) {
        let mut data = lock(&self.data);
        let queued = std::mem::take(&mut data.outbox);
        data.dead.extend(queued);
    }
}

#[async_trait]
impl PlatformSettings for InMemoryStore {
    async fn degraded_mode(&self) -> Result<bool, StorageError> {
        self.setting_reads.fetch_add(1, Ordering::Relaxed);
        Ok(self.data()?.degraded)
    }

    async fn set_degraded_mode(
        &self,
        on: bool,
        _actor: &Actor,
        _now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        self.data()?.degraded = on;
        Ok(())
    }
}

#[async_trait]
impl DocumentRepository for InMemoryStore {
    async fn announce(&self, document: &Document, limit: u64) -> Result<(), AnnounceDocumentError> {
        let mut data = self.data()?;
        let status = data
            .requests
            .iter()
            .find(|r| r.id == document.loan_request_id)
            .ok_or(AnnounceDocumentError::NotFound)?
            .status;
        if !accepts_documents(status) {
            return Err(AnnounceDocumentError::Closed(status));
        }
        let abandoned_before = document.created_at - ABANDONED_AFTER;
        data.documents
            .retain(|d| d.status == DocumentStatus::Available || d.created_at >= abandoned_before);
        let count = data
            .documents
            .iter()
            .filter(|d| d.loan_request_id == document.loan_request_id)
            .count() as u64;
        if count >= limit {
            return Err(AnnounceDocumentError::TooMany(count));
        }
        data.documents.push(document.clone());
        Ok(())
    }

    async fn document(
        &self,
        request: LoanRequestId,
        document: DocumentId,
    ) -> Result<Option<Document>, StorageError> {
        Ok(self
            .data()?
            .documents
            .iter()
            .find(|d| d.loan_request_id == request && d.id == document)
            .cloned())
    }

    async fn mark_available(
        &self,
        document: &Document,
        _actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Document, StorageError> {
        let mut data = self.data()?;
        let stored = data
            .documents
            .iter_mut()
            .find(|d| d.id == document.id)
            .ok_or_else(|| StorageError::other("no such document"))?;
        if stored.status == DocumentStatus::Pending {
            stored.status = DocumentStatus::Available;
            stored.completed_at = Some(now);
        }
        Ok(stored.clone())
    }

    async fn forget(
        &self,
        request: LoanRequestId,
        document: DocumentId,
    ) -> Result<(), StorageError> {
        self.data()?
            .documents
            .retain(|d| !(d.loan_request_id == request && d.id == document));
        Ok(())
    }

    async fn pending(
        &self,
        request: LoanRequestId,
        since: DateTime<Utc>,
    ) -> Result<Vec<Document>, StorageError> {
        let mut found: Vec<Document> = self
            .data()?
            .documents
            .iter()
            .filter(|d| {
                d.loan_request_id == request
                    && d.status == DocumentStatus::Pending
                    && d.created_at >= since
            })
            .cloned()
            .collect();
        found.sort_by_key(|d| d.created_at);
        Ok(found)
    }

    async fn remove_pending(
        &self,
        request: LoanRequestId,
        document: DocumentId,
    ) -> Result<bool, StorageError> {
        let mut data = self.data()?;
        let before = data.documents.len();
        data.documents.retain(|d| {
            !(d.loan_request_id == request
                && d.id == document
                && d.status == DocumentStatus::Pending)
        });
        Ok(data.documents.len() < before)
    }

    async fn available(&self, request: LoanRequestId) -> Result<Vec<Document>, StorageError> {
        let mut found: Vec<Document> = self
            .data()?
            .documents
            .iter()
            .filter(|d| d.loan_request_id == request && d.status == DocumentStatus::Available)
            .cloned()
            .collect();
        found.sort_by_key(|d| d.created_at);
        Ok(found)
    }
}

#[async_trait]
impl MessageRepository for InMemoryStore {
    async fn messages(
        &self,
        id: LoanRequestId,
        scope: &Scope,
        reader: Option<Side>,
        _now: DateTime<Utc>,
    ) -> Result<Option<Vec<Message>>, StorageError> {
        let mut data = self.data()?;
        if !data
            .requests
            .iter()
            .any(|r| r.id == id && visible(r, scope))
        {
            return Ok(None);
        }
        let mut thread = Vec::new();
        for stored in data
            .messages
            .iter_mut()
            .filter(|m| m.message.loan_request_id == id)
        {
            if reader.is_some_and(|side| stored.message.from == side.other()) {
                stored.read = true;
            }
            thread.push(stored.message.clone());
        }
        Ok(Some(thread))
    }

    async fn post(&self, new: NewMessage, now: DateTime<Utc>) -> Result<Message, PostMessageError> {
        let mut data = self.data()?;
        let request = data
            .requests
            .iter()
            .find(|r| r.id == new.loan_request_id && visible(r, &new.scope))
            .ok_or(PostMessageError::NotFound)?
            .clone();
        let count = data
            .messages
            .iter()
            .filter(|m| m.message.loan_request_id == request.id)
            .count() as u64;
        if count >= MAX_MESSAGES_PER_REQUEST {
            return Err(PostMessageError::ThreadFull);
        }
        let message = Message {
            id: Uuid::from_u128(u128::from(count) + 1 + (request.id.0.as_u128() << 16)),
            loan_request_id: request.id,
            at: now,
            from: new.from,
            body: new.body.as_str().to_owned(),
        };
        data.messages.push(StoredMessage {
            message: message.clone(),
            read: false,
        });
        Self::audit(
            &mut data,
            request.id,
            AuditEvent {
                at: now,
                actor_role: new.author.role,
                actor_subject: Some(new.author.subject.as_str().to_owned()),
                action: AuditAction::Message,
                from_status: Some(request.status),
                to_status: request.status,
                reason: None,
            },
        );
        let (kind, recipient) = match new.from {
            Side::Bank => (
                MailKind::MessageToApplicant,
                Some(request.contact_email.as_str().to_owned()),
            ),
            Side::Applicant => (
                MailKind::MessageToBank,
                data.banks
                    .iter()
                    .find(|b| b.code == request.bank)
                    .and_then(|b| b.notification_email.as_ref())
                    .map(|e| e.as_str().to_owned()),
            ),
        };
        if let Some(recipient) = recipient {
            data.outbox.push(QueuedMail {
                loan_request_id: request.id,
                kind,
                recipient,
            });
        }
        Ok(message)
    }

    async fn unread(
        &self,
        ids: &[LoanRequestId],
        reader: Side,
    ) -> Result<HashMap<LoanRequestId, u32>, StorageError> {
        let data = self.data()?;
        let mut unread = HashMap::new();
        for stored in &data.messages {
            if ids.contains(&stored.message.loan_request_id)
                && stored.message.from == reader.other()
                && !stored.read
            {
                *unread.entry(stored.message.loan_request_id).or_insert(0) += 1;
            }
        }
        Ok(unread)
    }
}

/// A stored object: its content type, as uploaded, and its bytes.
type StoredObject = (Option<String>, Vec<u8>);

/// Object storage: the objects a test "uploads" with [`Self::put`].
#[derive(Default)]
pub struct InMemoryObjects {
    objects: Mutex<HashMap<String, StoredObject>>,
    /// Keys deleted so far.
    pub deleted: Mutex<Vec<String>>,
}

impl InMemoryObjects {
    /// What a browser's upload to a presigned URL does.
    pub fn put(&self, key: &str, content_type: Option<&str>, bytes: &[u8]) {
        lock(&self.objects).insert(
            key.to_owned(),
            (content_type.map(str::to_owned), bytes.to_vec()),
        );
    }

    #[must_use]
    pub fn contains(&self, key: &str) -> bool {
        lock(&self.objects).contains_key(key)
    }
}

fn expiry(valid_for: Duration) -> DateTime<Utc> {
    FixedClock::new().now() + TimeDelta::from_std(valid_for).unwrap_or_default()
}

#[async_trait]
impl ObjectStore for InMemoryObjects {
    async fn presign_put(
        &self,
        key: &str,
        content_type: ContentType,
        size: u64,
        valid_for: Duration,
    ) -> Result<PresignedUrl, ObjectStoreError> {
        Ok(PresignedUrl {
            url: format!("memory://put/{key}"),
            method: "PUT",
            headers: vec![
                ("content-type".to_owned(), content_type.as_str().to_owned()),
                ("content-length".to_owned(), size.to_string()),
            ],
            expires_at: expiry(valid_for),
        })
    }

    async fn presign_get(
        &self,
        key: &str,
        _filename: &str,
        valid_for: Duration,
    ) -> Result<PresignedUrl, ObjectStoreError> {
        Ok(PresignedUrl {
            url: format!("memory://get/{key}"),
            method: "GET",
            headers: Vec::new(),
            expires_at: expiry(valid_for),
        })
    }

    async fn head(&self, key: &str) -> Result<Option<ObjectInfo>, ObjectStoreError> {
        Ok(lock(&self.objects)
            .get(key)
            .map(|(content_type, bytes)| ObjectInfo {
                size: bytes.len() as u64,
                content_type: content_type.clone(),
            }))
    }

    async fn read_head(&self, key: &str, len: usize) -> Result<Option<Vec<u8>>, ObjectStoreError> {
        Ok(lock(&self.objects)
            .get(key)
            .map(|(_, bytes)| bytes.iter().copied().take(len).collect()))
    }

    async fn delete(&self, key: &str) -> Result<(), ObjectStoreError> {
        lock(&self.objects).remove(key);
        lock(&self.deleted).push(key.to_owned());
        Ok(())
    }
}

/// Reviewer accounts: one per e-mail address.
#[derive(Default)]
pub struct InMemoryIdentity {
    accounts: Mutex<HashSet<String>>,
    /// When set, the provider is down.
    pub unavailable: AtomicBool,
}

#[async_trait]
impl IdentityAdmin for InMemoryIdentity {
    async fn create_reviewer(
        &self,
        email: &EmailAddress,
        bank: &BankCode,
    ) -> Result<String, CreateReviewerError> {
        if self.unavailable.load(Ordering::Relaxed) {
            return Err(CreateReviewerError::Unavailable("down".to_owned()));
        }
        let mut accounts = lock(&self.accounts);
        if !accounts.insert(email.as_str().to_lowercase()) {
            return Err(CreateReviewerError::Duplicate);
        }
        Ok(format!("reviewer-{}-{}", bank.as_str(), accounts.len()))
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
