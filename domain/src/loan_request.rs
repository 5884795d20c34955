//! A loan request as stored, and the values that travel with it: who acted, what the
//! audit trail records, which requests a caller may see.

use std::fmt;

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
    pub action: AuditAction,
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
    /// The company's legal name contains this text (any case).
    pub name: Option<NameQuery>,
    /// Only requests with a message from this side that the reader has not read.
    pub unread_from: Option<crate::message::Side>,
}

/// A search in company names: 2 to 100 characters, trimmed, without control or format
/// characters; matched anywhere in the legal name, in any case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NameQuery(String);

impl NameQuery {
    /// # Errors
    /// The field code of what is wrong with `raw`.
    pub fn parse(raw: &str) -> Result<Self, crate::error::FieldCode> {
        let text = raw.trim();
        let length = text.chars().count();
        if length < 2 {
            return Err(crate::error::FieldCode::InvalidFormat);
        }
        if length > 100 {
            return Err(crate::error::FieldCode::TooLong);
        }
        if crate::error::has_hidden_characters(text) {
            return Err(crate::error::FieldCode::InvalidCharacters);
        }
        Ok(Self(text.to_owned()))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `legal_name` contains the query, in any case.
    #[must_use]
    pub fn matches(&self, legal_name: &str) -> bool {
        legal_name.to_lowercase().contains(&self.0.to_lowercase())
    }
}

/// What a list is sorted by; ties are broken by id, so every order is total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ListOrder {
    /// The most recent submissions first (the default).
    #[default]
    Newest,
    /// The oldest first: who has waited longest.
    Oldest,
    /// The largest requested amounts first.
    AmountDesc,
    /// The smallest requested amounts first.
    AmountAsc,
}

impl ListOrder {
    pub const ALL: [Self; 4] = [
        Self::Newest,
        Self::Oldest,
        Self::AmountDesc,
        Self::AmountAsc,
    ];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Newest => "newest",
            Self::Oldest => "oldest",
            Self::AmountDesc => "amount_desc",
            Self::AmountAsc => "amount_asc",
        }
    }

    #[must_use]
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == raw)
    }

    /// Sorted by the amount (else by the submission time).
    #[must_use]
    pub fn by_amount(self) -> bool {
        matches!(self, Self::AmountDesc | Self::AmountAsc)
    }

    /// Largest or most recent first.
    #[must_use]
    pub fn descending(self) -> bool {
        matches!(self, Self::Newest | Self::AmountDesc)
    }

    /// Where `request` stands in this order.
    #[must_use]
    pub fn position(self, request: &LoanRequest) -> Position {
        Position {
            key: if self.by_amount() {
                request.amount.get()
            } else {
                request.created_at.timestamp_micros()
            },
            id: request.id,
        }
    }
}

/// A place in a keyset-paginated list: the sort key (microseconds since the epoch for
/// the time orders, cents for the amount orders) and the id that breaks ties.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub key: i64,
    pub id: LoanRequestId,
}

/// Which side of a position a page is taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The page after the position (the next page).
    After,
    /// The page before it (the previous page).
    Before,
}

/// A page asked for: the order, where it starts, and its size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageQuery {
    pub order: ListOrder,
    pub from: Option<(Position, Direction)>,
    pub limit: u16,
}

/// One page of a keyset-paginated list.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Where the next page starts, when there is one.
    pub next: Option<Position>,
    /// Where the previous page ends, when there is one.
    pub prev: Option<Position>,
}

/// How many requests a filter matches, counted up to a bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Total {
    pub count: u32,
    /// More than `count` match (the count stopped at its bound).
    pub more: bool,
}

impl Total {
    /// `matched` rows counted against `bound` (a count may read one row past it).
    #[must_use]
    pub fn counted(matched: u64, bound: u32) -> Self {
        let n = u32::try_from(matched).unwrap_or(u32::MAX);
        Self {
            count: n.min(bound),
            more: n > bound,
        }
    }
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
    /// The guarantee identifier the company handed to its bank: a grant needs the one
    /// issued for this request (docs/RULES.md §20), checked in the grant's transaction.
    pub identifier: Option<crate::guarantee::GuaranteeIdentifier>,
    /// When it happens: the service's [`crate::ports::Clock`], written as the request's
    /// `updated_at` and the audit event's time.
    pub now: DateTime<Utc>,
}

/// What an audit event records (`audit_events.action`): a submission, a workflow
/// action, an attached document or a message. The one mapping to and from the stored
/// name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditAction {
    Submit,
    Workflow(Action),
    AttachDocument,
    Message,
    /// The company obtained its guarantee identifier (docs/RULES.md §20).
    IssueGuarantee,
    /// A first reviewer granted a loan above the bank's threshold: awaiting a second
    /// (docs/RULES.md §21).
    RequestGrant,
    /// A second reviewer sent a pending grant back, with a reason.
    ReturnGrant,
}

impl AuditAction {
    /// `submit`, the workflow action's own name (`review`, `reject`…),
    /// `attach_document`, `message`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Workflow(action) => action.as_str(),
            Self::AttachDocument => "attach_document",
            Self::Message => "message",
            Self::IssueGuarantee => "issue_guarantee",
            Self::RequestGrant => "request_grant",
            Self::ReturnGrant => "return_grant",
        }
    }

    #[must_use]
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "submit" => Some(Self::Submit),
            "attach_document" => Some(Self::AttachDocument),
            "message" => Some(Self::Message),
            "issue_guarantee" => Some(Self::IssueGuarantee),
            "request_grant" => Some(Self::RequestGrant),
            "return_grant" => Some(Self::ReturnGrant),
            other => Action::parse(other).map(Self::Workflow),
        }
    }
}

impl From<Action> for AuditAction {
    fn from(action: Action) -> Self {
        Self::Workflow(action)
    }
}

impl fmt::Display for AuditAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
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
    /// The company obtained its guarantee identifier: the e-mail carries the attestation.
    GuaranteeIssued,
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
            Self::GuaranteeIssued => "guarantee_issued",
        }
    }

    pub const ALL: [Self; 7] = [
        Self::SubmissionReceived,
        Self::PreApproved,
        Self::Rejected,
        Self::Granted,
        Self::MessageToApplicant,
        Self::MessageToBank,
        Self::GuaranteeIssued,
    ];

    #[must_use]
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
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

/// Where an outbox e-mail stands (`outbox_messages.status`): waiting to be sent (or
/// retried), sent, or given up on. The one mapping to and from the stored name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutboxStatus {
    Pending,
    Sent,
    Dead,
}

impl OutboxStatus {
    pub const ALL: [Self; 3] = [Self::Pending, Self::Sent, Self::Dead];

    /// `pending`, `sent`, `dead`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Dead => "dead",
        }
    }

    #[must_use]
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stored_name_reads_back_to_its_value() {
        let actions = [
            AuditAction::Submit,
            AuditAction::AttachDocument,
            AuditAction::Message,
        ]
        .into_iter()
        .chain(Action::ALL.into_iter().map(AuditAction::from));
        for action in actions {
            assert_eq!(
                AuditAction::parse(action.as_str()),
                Some(action),
                "{action}"
            );
        }
        for status in OutboxStatus::ALL {
            assert_eq!(OutboxStatus::parse(status.as_str()), Some(status));
        }
        for kind in MailKind::ALL {
            assert_eq!(MailKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(AuditAction::parse("unheard_of"), None);
        assert_eq!(OutboxStatus::parse("lost"), None);
    }

    #[test]
    fn the_released_statuses_are_those_that_no_longer_count_toward_the_cap() {
        let released: Vec<Status> = Status::released().collect();
        assert_eq!(released, vec![Status::Rejected, Status::Withdrawn]);
    }
}
