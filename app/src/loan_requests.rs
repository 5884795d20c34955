//! Loan requests: submission (docs/RULES.md §10), reading, listing, history, workflow
//! actions (§14) one at a time or in bulk.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use domain::campaign::CampaignWindow;
use domain::error::{FieldCode, FieldError};
use domain::four_eyes::PendingGrant;
use domain::loan_request::{
    AuditEvent, Direction, IdempotencyKey, ListFilter, ListOrder, LoanRequest, LoanRequestId, Page,
    PageQuery, Position, Scope, Total, TransitionCommand,
};
use domain::message::Side;
use domain::ports::{
    Clock, FourEyesRepository, IdGenerator, LoanRequestRepository, MessageRepository,
    NewLoanRequest, Receipt, ReturnCommand, SubmissionRepository, SubmitError, SubmitOutcome,
};
use domain::submission::{RawSubmission, Submission, SubmissionError};
use domain::workflow::{Action, Reason, Role, Status};

use crate::{Applicant, BackOffice, Caller, Error, Platform, Ports, Reviewer};

/// How many fresh references a submission tries. A reference is 50 random bits: with
/// a million requests stored, one collides with odds of 1 in 10⁹, two in a row 1 in 10¹⁸;
/// the third try is there so that even that never reaches the applicant.
pub const REFERENCE_ATTEMPTS: usize = 3;

/// The most requests one bulk decision may carry.
pub const MAX_BULK_ITEMS: usize = 100;

/// What a submission gave.
#[derive(Debug)]
pub enum Submitted {
    /// Stored now: the request as stored, which the caller renders its answer from; with
    /// a key, the receipt the store kept, which the writer rendered with the caller's
    /// own `domain::ports::ReceiptFormat` (the answer, not to be rendered twice).
    Created {
        request: Box<LoanRequest>,
        receipt: Option<Receipt>,
    },
    /// The same key and body came before: the receipt saved then.
    Replayed {
        loan_request_id: Option<LoanRequestId>,
        receipt: Receipt,
    },
}

/// A request as its reader sees it.
#[derive(Debug)]
pub struct Reading {
    pub request: LoanRequest,
    /// Messages of the other side the reader has not read; `None` for an admin.
    pub unread_messages: Option<u32>,
    /// A grant above the bank's threshold awaiting a second reviewer.
    pub pending_grant: Option<PendingGrant>,
}

/// What a grant did: granted the loan, or recorded the first approval of a grant above
/// the bank's threshold (the request stays pre-approved, awaiting a second reviewer).
#[derive(Debug)]
pub struct Granted {
    pub request: LoanRequest,
    /// The first approval, when the grant awaits a second reviewer.
    pub pending_grant: Option<PendingGrant>,
}

/// A page of requests as their reader sees them.
#[derive(Debug)]
pub struct Listing {
    pub page: Page<LoanRequest>,
    /// Unread messages per request with any; `None` for an admin.
    pub unread_messages: Option<HashMap<LoanRequestId, u32>>,
    /// How many requests the filter matches.
    pub total: Total,
}

/// The decisions a reviewer may take on several requests at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkAction {
    Review,
    PreApprove,
    Reject,
}

impl BulkAction {
    #[must_use]
    pub fn action(self) -> Action {
        match self {
            Self::Review => Action::TakeInReview,
            Self::PreApprove => Action::PreApprove,
            Self::Reject => Action::Reject,
        }
    }
}

/// What a reviewer of the request's bank does to it (docs/RULES.md §14) besides the
/// grant, which takes the guarantee identifier ([`LoanRequests::grant`]); the owner's
/// one action is [`LoanRequests::withdraw`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    TakeInReview,
    PreApprove,
    Reject,
}

impl Decision {
    #[must_use]
    pub fn action(self) -> Action {
        match self {
            Self::TakeInReview => Action::TakeInReview,
            Self::PreApprove => Action::PreApprove,
            Self::Reject => Action::Reject,
        }
    }
}

/// An export under way: where it stands in its scope's requests.
#[derive(Debug)]
pub struct Export {
    scope: Scope,
    filter: ListFilter,
    order: ListOrder,
    after: Option<Position>,
    done: bool,
}

/// Loan requests' use cases.
pub struct LoanRequests {
    submissions: Arc<dyn SubmissionRepository>,
    store: Arc<dyn LoanRequestRepository>,
    four_eyes: Arc<dyn FourEyesRepository>,
    messages: Arc<dyn MessageRepository>,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdGenerator>,
    campaign: CampaignWindow,
    platform: Arc<Platform>,
}

impl LoanRequests {
    #[must_use]
    pub fn new(ports: &Ports, campaign: CampaignWindow, platform: Arc<Platform>) -> Self {
        Self {
            submissions: ports.submissions.clone(),
            store: ports.loan_requests.clone(),
            four_eyes: ports.four_eyes.clone(),
            messages: ports.messages.clone(),
            clock: ports.clock.clone(),
            ids: ports.ids.clone(),
            campaign,
            platform,
        }
    }

    /// An applicant submits a request. With an idempotency key, the store keeps the
    /// receipt of the request it stores (its writer's `ReceiptFormat`, the API's
    /// rendering) in the submission's transaction and returns it as is when the same
    /// key and body come again ([`Submitted::Replayed`]).
    ///
    /// # Errors
    /// [`Error::CampaignClosed`], [`Error::Invalid`], [`Error::NotEligible`], and the
    /// store's refusals ([`Error::Submit`]).
    pub async fn submit(
        &self,
        applicant: &Applicant,
        raw: RawSubmission,
        idempotency: Option<IdempotencyKey>,
    ) -> Result<Submitted, Error> {
        let now = self.clock.now();
        if !self.campaign.is_open(now) {
            return Err(Error::CampaignClosed);
        }
        let submission = Submission::parse(raw, now.date_naive()).map_err(|e| match e {
            SubmissionError::Invalid(errors) => Error::Invalid(errors),
            SubmissionError::NotEligible(reasons) => Error::NotEligible(reasons),
        })?;
        let actor = applicant.actor();
        for _ in 0..REFERENCE_ATTEMPTS {
            let new = NewLoanRequest {
                id: self.ids.loan_request_id(),
                reference: self.ids.reference(),
                submission: submission.clone(),
                actor: actor.clone(),
                now,
            };
            match self.submissions.submit(new, idempotency.clone()).await {
                Ok(SubmitOutcome::Created { request, receipt }) => {
                    tracing::info!(loan_request_id = %request.id, "loan request submitted");
                    return Ok(Submitted::Created { request, receipt });
                }
                Ok(SubmitOutcome::Replayed {
                    loan_request_id,
                    receipt,
                }) => {
                    return Ok(Submitted::Replayed {
                        loan_request_id,
                        receipt,
                    });
                }
                Err(SubmitError::ReferenceCollision) => {}
                Err(other) => return Err(other.into()),
            }
        }
        Err(SubmitError::ReferenceCollision.into())
    }

    /// One request in the caller's scope, with the caller's unread count.
    ///
    /// # Errors
    /// [`Error::NotFound`] outside the scope.
    pub async fn get(&self, caller: &Caller, id: LoanRequestId) -> Result<Reading, Error> {
        let request = self
            .store
            .get(id, &caller.scope())
            .await?
            .ok_or(Error::NotFound)?;
        let unread_messages = match caller.side() {
            Some(side) => {
                let unread = self.messages.unread(&[request.id], side).await?;
                Some(unread.get(&request.id).copied().unwrap_or(0))
            }
            None => None,
        };
        let pending_grant = if request.status == Status::PreApproved {
            self.four_eyes.pending(request.id, &caller.scope()).await?
        } else {
            None
        };
        Ok(Reading {
            request,
            unread_messages,
            pending_grant,
        })
    }

    /// How many requests a list counts exactly before it says "more than".
    pub const TOTAL_BOUND: u32 = 1000;

    /// A keyset page of the caller's scope in the query's order, the unread counts of
    /// its requests, and how many requests match (exactly up to [`Self::TOTAL_BOUND`]).
    /// Only admins may narrow it to one bank.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (`bank`) for a bank filter of anyone else; storage.
    pub async fn list(
        &self,
        caller: &Caller,
        filter: &ListFilter,
        query: PageQuery,
    ) -> Result<Listing, Error> {
        may_filter_by_bank(caller, filter)?;
        let scope = caller.scope();
        let page = self.store.list(&scope, filter, query).await?;
        let total = self.store.count(&scope, filter, Self::TOTAL_BOUND).await?;
        let unread_messages = match caller.side() {
            Some(side) if !page.items.is_empty() => {
                let ids: Vec<LoanRequestId> = page.items.iter().map(|r| r.id).collect();
                Some(self.messages.unread(&ids, side).await?)
            }
            Some(_) => Some(HashMap::new()),
            None => None,
        };
        Ok(Listing {
            page,
            unread_messages,
            total,
        })
    }

    /// Starts the back office's export of the requests of its scope that `filter`
    /// matches, in `order` (only admins may narrow it to one bank; paused in degraded
    /// mode: docs/RULES.md §17); read it with [`Self::export_batch`].
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (`bank`) for a bank filter of a reviewer,
    /// [`Error::DegradedMode`], storage.
    pub async fn export(
        &self,
        back_office: &BackOffice,
        filter: ListFilter,
        order: ListOrder,
    ) -> Result<Export, Error> {
        may_filter_by_bank(back_office, &filter)?;
        self.platform.refuse_when_degraded().await?;
        Ok(Export {
            scope: back_office.scope(),
            filter,
            order,
            after: None,
            done: false,
        })
    }

    /// The export's next batch of at most `limit` requests, in its order; `None` once
    /// every request was read.
    ///
    /// # Errors
    /// Storage only.
    pub async fn export_batch(
        &self,
        export: &mut Export,
        limit: u16,
    ) -> Result<Option<Vec<LoanRequest>>, Error> {
        if export.done {
            return Ok(None);
        }
        let page = self
            .store
            .list(
                &export.scope,
                &export.filter,
                PageQuery {
                    order: export.order,
                    from: export.after.map(|p| (p, Direction::After)),
                    limit,
                },
            )
            .await?;
        export.after = page.next;
        export.done = page.next.is_none();
        Ok(Some(page.items))
    }

    /// The audit trail of a request in the caller's scope, oldest first. An applicant
    /// reads what the bank's staff did without their account: staff are named to
    /// applicants only as their bank (docs/RULES.md §14).
    ///
    /// # Errors
    /// [`Error::NotFound`] outside the scope.
    pub async fn history(
        &self,
        caller: &Caller,
        id: LoanRequestId,
    ) -> Result<Vec<AuditEvent>, Error> {
        let mut events = self
            .store
            .events(id, &caller.scope())
            .await?
            .ok_or(Error::NotFound)?;
        if matches!(caller, Caller::Applicant(_)) {
            for event in &mut events {
                if event.actor_role != Role::Applicant {
                    event.actor_subject = None;
                }
            }
        }
        Ok(events)
    }

    /// A reviewer's decision on one request of their bank, at the version they saw. A
    /// rejection needs a reason (1–2,000 characters); other decisions take an optional
    /// comment.
    ///
    /// # Errors
    /// [`Error::Invalid`] on the reason, and the store's refusals
    /// ([`Error::Transition`]: not found, stale version, not allowed from the status).
    pub async fn decide(
        &self,
        reviewer: &Reviewer,
        id: LoanRequestId,
        expected_version: i32,
        decision: Decision,
        reason: Option<&str>,
    ) -> Result<LoanRequest, Error> {
        let action = decision.action();
        let reason = parse_reason(action, reason).map_err(Error::invalid)?;
        self.transition(reviewer, id, expected_version, action, reason, None)
            .await
    }

    /// A reviewer of the request's bank grants the loan on the guarantee identifier the
    /// company handed over (docs/RULES.md §20): the identifier issued for this request,
    /// still valid, for this SIREN and bank and an amount not below the loan's. The
    /// request becomes `granted` and the guarantee `used` in one transaction.
    ///
    /// # Errors
    /// [`Error::Invalid`] on the identifier's format; the store's refusals
    /// ([`Error::Transition`]: not found, stale version, not allowed from the status,
    /// an identifier that does not confirm the grant).
    pub async fn grant(
        &self,
        reviewer: &Reviewer,
        id: LoanRequestId,
        expected_version: i32,
        identifier: &str,
    ) -> Result<Granted, Error> {
        let identifier = crate::guarantees::parse_identifier(domain::issuance::FIELD, identifier)
            .map_err(Error::invalid)?;
        let request = self
            .transition(
                reviewer,
                id,
                expected_version,
                Action::Grant,
                None,
                Some(identifier),
            )
            .await?;
        let pending_grant = if request.status == Status::PreApproved {
            self.four_eyes
                .pending(request.id, &reviewer.scope())
                .await?
        } else {
            None
        };
        Ok(Granted {
            request,
            pending_grant,
        })
    }

    /// A reviewer of the bank sends a grant awaiting a second approval back, with a
    /// reason (required, like a rejection's): the request stays pre-approved, with no
    /// grant pending.
    ///
    /// # Errors
    /// [`Error::Invalid`] on the reason; the store's refusals ([`Error::Transition`]:
    /// not found, stale version, no grant pending).
    pub async fn return_grant(
        &self,
        reviewer: &Reviewer,
        id: LoanRequestId,
        expected_version: i32,
        reason: Option<&str>,
    ) -> Result<LoanRequest, Error> {
        let reason = match parse_reason(Action::Reject, reason) {
            Ok(Some(reason)) => reason,
            Ok(None) => {
                return Err(Error::invalid(FieldError::new(
                    "reason",
                    FieldCode::Required,
                    "sending a grant back needs a reason",
                )));
            }
            Err(e) => return Err(Error::invalid(e)),
        };
        Ok(self
            .four_eyes
            .return_grant(ReturnCommand {
                id,
                scope: reviewer.scope(),
                expected_version,
                actor: reviewer.actor(),
                reason: reason.into_string(),
                now: self.clock.now(),
            })
            .await?)
    }

    /// The owner withdraws their request, at the version they saw.
    ///
    /// # Errors
    /// The store's refusals ([`Error::Transition`]: not found, stale version, not
    /// allowed from the status).
    pub async fn withdraw(
        &self,
        applicant: &Applicant,
        id: LoanRequestId,
        expected_version: i32,
    ) -> Result<LoanRequest, Error> {
        self.transition(
            applicant,
            id,
            expected_version,
            Action::Withdraw,
            None,
            None,
        )
        .await
    }

    async fn transition(
        &self,
        caller: &Caller,
        id: LoanRequestId,
        expected_version: i32,
        action: Action,
        reason: Option<Reason>,
        identifier: Option<domain::guarantee::GuaranteeIdentifier>,
    ) -> Result<LoanRequest, Error> {
        Ok(self
            .store
            .transition(TransitionCommand {
                id,
                scope: caller.scope(),
                expected_version,
                action,
                actor: caller.actor(),
                reason: reason.map(Reason::into_string),
                identifier,
                now: self.clock.now(),
            })
            .await?)
    }

    /// One decision on several requests (a reviewer's). A body that cannot be right as
    /// a whole — no items, over [`MAX_BULK_ITEMS`], an id twice, a rejection without a
    /// reason, a reason to take in review — is refused before anything is written.
    /// Each item then goes through the path of [`Self::decide`] in its own transaction,
    /// its version playing `If-Match`, and gets its own outcome, in order.
    ///
    /// # Errors
    /// [`Error::Invalid`] for the body.
    pub async fn bulk_decide(
        &self,
        reviewer: &Reviewer,
        action: BulkAction,
        reason: Option<&str>,
        items: &[(LoanRequestId, i32)],
    ) -> Result<Vec<Result<LoanRequest, Error>>, Error> {
        let reason = check_bulk(action, reason, items)?;
        let mut outcomes = Vec::with_capacity(items.len());
        for &(id, version) in items {
            let outcome = self
                .transition(reviewer, id, version, action.action(), reason.clone(), None)
                .await;
            if let Err(err) = &outcome
                && matches!(
                    err,
                    Error::Transition(domain::ports::TransitionError::Storage(_))
                )
            {
                tracing::warn!(loan_request_id = %id.0, error = %err, "bulk decision item failed");
            }
            outcomes.push(outcome);
        }
        Ok(outcomes)
    }
}

/// Who may narrow a list or an export to one bank: admins; the others' scope is one
/// bank's requests or their own already.
fn may_filter_by_bank(caller: &Caller, filter: &ListFilter) -> Result<(), Error> {
    if filter.bank.is_none() || matches!(caller, Caller::Admin(_)) {
        Ok(())
    } else {
        Err(Error::InvalidParameter(FieldError::new(
            "bank",
            FieldCode::NotAllowed,
            "only admins may filter by bank",
        )))
    }
}

/// Whose messages a caller asking for their unread requests has not read: the other
/// side's.
///
/// # Errors
/// [`Error::InvalidParameter`] (`unread`) for an admin, who reads threads without a
/// read state.
pub fn unread_from(caller: &Caller) -> Result<Side, Error> {
    match caller.side() {
        Some(Side::Applicant) => Ok(Side::Bank),
        Some(Side::Bank) => Ok(Side::Applicant),
        None => Err(Error::InvalidParameter(FieldError::new(
            "unread",
            FieldCode::NotAllowed,
            "admins read threads without a read state",
        ))),
    }
}

/// The reason of an action: required where the action needs one.
fn parse_reason(action: Action, raw: Option<&str>) -> Result<Option<Reason>, FieldError> {
    match raw {
        None if action.requires_reason() => Err(FieldError::new(
            "reason",
            FieldCode::Required,
            "a rejection needs a reason",
        )),
        None => Ok(None),
        Some(raw) => Reason::parse(raw).map(Some),
    }
}

fn check_bulk(
    action: BulkAction,
    reason: Option<&str>,
    items: &[(LoanRequestId, i32)],
) -> Result<Option<Reason>, Error> {
    let mut errors = Vec::new();
    if items.is_empty() || items.len() > MAX_BULK_ITEMS {
        errors.push(FieldError::new(
            "items",
            if items.is_empty() {
                FieldCode::Required
            } else {
                FieldCode::OutOfRange
            },
            format!("from 1 to {MAX_BULK_ITEMS} requests"),
        ));
    }
    let mut seen = HashSet::with_capacity(items.len());
    for (i, (id, _)) in items.iter().enumerate() {
        if !seen.insert(*id) {
            errors.push(FieldError::new(
                format!("items[{i}].id"),
                FieldCode::Duplicate,
                "this request is already in the list",
            ));
        }
    }
    let reason = if action == BulkAction::Review && reason.is_some() {
        errors.push(FieldError::new(
            "reason",
            FieldCode::NotAllowed,
            "taking a request in review takes no reason",
        ));
        None
    } else {
        match parse_reason(action.action(), reason) {
            Ok(reason) => reason,
            Err(e) => {
                errors.push(e);
                None
            }
        }
    };
    if errors.is_empty() {
        Ok(reason)
    } else {
        Err(Error::Invalid(errors))
    }
}
