//! A loan request as stored, and the values that travel with it: who acted, what the
//! audit trail records, which requests a caller may see.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::company::{Company, Siren};
use crate::money::Cents;
use crate::reference::Reference;
use crate::rules::{AmortizationYears, LoanTerms};
use crate::submission::{BankCode, EmailAddress};
use crate::workflow::{Action, Role, Status};

/// Internal identifier of a loan request (a UUIDv7: time-ordered, unguessable enough
/// for an id, but never a credential: every read checks the caller's scope).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LoanRequestId(pub Uuid);

impl std::fmt::Display for LoanRequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The identity-provider subject (`sub`) of a person.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Subject(String);

impl Subject {
    /// Builds a subject; the identity provider guarantees it is non-empty and short,
    /// and the verifier checks that before calling this.
    #[must_use]
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Who performs an action: written into the audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub role: Role,
    pub subject: Subject,
}

/// A loan request as the platform keeps it.
#[derive(Debug, Clone)]
pub struct LoanRequest {
    pub id: LoanRequestId,
    pub reference: Reference,
    pub status: Status,
    /// Optimistic-concurrency version, exposed as the `ETag`.
    pub version: i32,
    pub bank: BankCode,
    pub applicant: Subject,
    pub company: Company,
    pub amount: Cents,
    pub amortization: AmortizationYears,
    pub contact_email: EmailAddress,
    pub terms: LoanTerms,
    pub decision_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl LoanRequest {
    /// The version of a request just submitted; each state change adds one.
    pub const FIRST_VERSION: i32 = 1;
}

/// One line of a request's audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub at: DateTime<Utc>,
    pub actor_role: Role,
    /// Who acted; `None` where the reader may not know it (an applicant reading what the
    /// bank's staff did: they are named as their bank).
    pub actor_subject: Option<String>,
    pub action: String,
    pub from_status: Option<Status>,
    pub to_status: Status,
    pub reason: Option<String>,
}

/// Which requests a caller may see: the tenancy rule of docs/RULES.md §1, applied inside
/// every query so that a request outside the scope is indistinguishable from a missing
/// one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    Applicant(Subject),
    Bank(BankCode),
    All,
}

/// Filters of `GET /api/v1/loan-requests` (docs/ARCHITECTURE.md §4), already parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ListFilter {
    pub status: Option<Status>,
    pub siren: Option<Siren>,
    pub reference: Option<Reference>,
    pub created_from: Option<DateTime<Utc>>,
    pub created_to: Option<DateTime<Utc>>,
    /// Admins only: narrow to one bank.
    pub bank: Option<BankCode>,
}

/// Position after which a keyset page starts: newest first, ties broken by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub created_at: DateTime<Utc>,
    pub id: LoanRequestId,
}

/// One page of a keyset-paginated list.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Where the next page starts, when there is one.
    pub next: Option<Position>,
}

/// A state change asked by someone, checked against the version they last saw.
#[derive(Debug, Clone)]
pub struct TransitionCommand {
    pub id: LoanRequestId,
    pub scope: Scope,
    pub expected_version: i32,
    pub action: Action,
    pub actor: Actor,
    pub reason: Option<String>,
}

/// Idempotency data of a submission (docs/RULES.md §10): the key the client sent and a
/// fingerprint of the body it sent with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    pub key: String,
    pub body_fingerprint: String,
}

/// What an e-mail in the outbox is about; the template is chosen from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailKind {
    SubmissionReceived,
    PreApproved,
    Rejected,
    Granted,
    /// The bank wrote to the applicant (the e-mail says only that a message waits).
    MessageToApplicant,
    /// The applicant wrote to the bank, e-mailed to the bank's notification address.
    MessageToBank,
}

impl MailKind {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SubmissionReceived => "submission_received",
            Self::PreApproved => "pre_approved",
            Self::Rejected => "rejected",
            Self::Granted => "granted",
            Self::MessageToApplicant => "message_to_applicant",
            Self::MessageToBank => "message_to_bank",
        }
    }

    /// The e-mail a transition triggers, if any (docs/RULES.md §14).
    #[must_use]
    pub fn for_status(status: Status) -> Option<Self> {
        match status {
            Status::PreApproved => Some(Self::PreApproved),
            Status::Rejected => Some(Self::Rejected),
            Status::Granted => Some(Self::Granted),
            Status::Submitted | Status::InReview | Status::Withdrawn => None,
        }
    }
}

/// A participating bank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bank {
    pub code: BankCode,
    pub name: String,
    /// The bank's shared mailbox, told when an applicant writes; none: nobody is.
    pub notification_email: Option<EmailAddress>,
}
