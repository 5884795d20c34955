//! The submission's storage contract, one suite for every adapter: the fake
//! ([`crate::fakes::InMemorySubmissions`], in `app`'s own tests) and both databases'
//! writers (`infra::persistence::submission`, in `tests/tests/store_contract.rs`, on
//! SQLite and PostgreSQL). What the service relies on, and nothing of how it is done:
//! the request and its audit event as stored, at the time given; idempotent replay of
//! the saved receipt and refusal of a reused key; the aggregate cap decided on the
//! company's standing requests (released ones not counted, the lowest standing cap
//! binding) and the refusal's figures; a colliding reference and an unknown bank
//! refused with nothing written; a state change at the command's time.
//!
//! [`run`] panics, naming the case, at the first broken promise.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use domain::company::{RawCompany, luhn_complete};
use domain::loan_request::{
    Actor, AuditAction, AuditEvent, IdempotencyKey, LoanRequest, LoanRequestId, Scope, Subject,
    TransitionCommand,
};
use domain::money::Cents;
use domain::ports::{
    LoanRequestRepository, NewLoanRequest, ReceiptFormat, SubmissionRepository, SubmitError,
    SubmitOutcome,
};
use domain::reference::Reference;
use domain::rules::AggregateCapExceeded;
use domain::submission::{RawSubmission, Submission};
use domain::workflow::{Action, Role, Status};
use uuid::Uuid;

/// The adapters under test, over one store.
pub struct Adapters {
    pub submissions: Arc<dyn SubmissionRepository>,
    pub requests: Arc<dyn LoanRequestRepository>,
    /// The format the writer was given (what a replay must answer).
    pub receipts: Arc<dyn ReceiptFormat>,
    /// A bank the store knows.
    pub bank: String,
}

/// The time every case stores at: a fixed instant with microseconds (what both
/// databases keep), far from the system's clock, so that an adapter reading its own
/// clock is caught.
#[must_use]
pub fn fixed_now() -> DateTime<Utc> {
    DateTime::from_timestamp_micros(1_585_818_000_123_456).unwrap_or_default()
}

/// Every case, in order, on the adapters' store (fresh, or at least without requests
/// of the companies the cases use: SIRENs `73282932…`, `40483304…`, `55208131…`,
/// `90123456…` and `65432109…`).
pub async fn run(adapters: &Adapters) {
    created_request_and_its_audit_event_at_the_given_time(adapters).await;
    a_retried_key_replays_the_saved_receipt_and_a_reused_one_is_refused(adapters).await;
    the_aggregate_cap_is_decided_on_standing_requests(adapters).await;
    a_colliding_reference_and_an_unknown_bank_write_nothing(adapters).await;
    a_state_change_happens_at_the_commands_time(adapters).await;
}

/// One request stored at [`fixed_now`] (with its e-mail due then), for the tests of
/// what reads the store afterwards.
///
/// # Panics
/// When the writer refuses it.
pub async fn one_submission(submissions: &dyn SubmissionRepository, bank: &str) -> LoanRequest {
    let new = new_request(
        raw(bank, "73282932", 5_000_000, 100_000_000),
        "contract-one",
        fresh_reference(),
    );
    match submissions.submit(new, None).await {
        Ok(SubmitOutcome::Created { request, .. }) => *request,
        other => panic!("one submission: {other:?}"),
    }
}

/// A valid submission of `amount` cents by the company `siren_body` (8 digits) with a
/// revenue of `revenue` cents (its cap: a quarter of it).
fn raw(bank: &str, siren_body: &str, amount: i64, revenue: i64) -> RawSubmission {
    RawSubmission {
        bank_id: bank.to_owned(),
        company: RawCompany {
            siren: luhn_complete(siren_body),
            siret: None,
            legal_name: "Boulangerie du Contrat".to_owned(),
            legal_form: "SAS".to_owned(),
            creation_date: NaiveDate::from_ymd_opt(2012, 5, 4).unwrap_or_default(),
            headcount: 12,
            revenue_cents: revenue,
            payroll_cents: None,
            balance_sheet_cents: None,
            innovative: false,
            collective_proceedings: false,
        },
        requested_amount_cents: amount,
        amortization_years: 4,
        contact_email: "gerant@contrat.example".to_owned(),
    }
}

fn new_request(raw: RawSubmission, who: &str, reference: Reference) -> NewLoanRequest {
    let submission = match Submission::parse(raw, fixed_now().date_naive()) {
        Ok(submission) => submission,
        Err(err) => panic!("the contract's submission must be valid: {err:?}"),
    };
    NewLoanRequest {
        id: LoanRequestId(Uuid::now_v7()),
        reference,
        submission,
        actor: Actor {
            role: Role::Applicant,
            subject: Subject::new(who),
        },
        now: fixed_now(),
    }
}

/// A reference no other case draws (random).
fn fresh_reference() -> Reference {
    Reference::from_bits(Uuid::new_v4().as_u64_pair().1)
}

async fn submit(
    adapters: &Adapters,
    new: NewLoanRequest,
    key: Option<IdempotencyKey>,
) -> Result<SubmitOutcome, SubmitError> {
    adapters.submissions.submit(new, key).await
}

async fn created(adapters: &Adapters, new: NewLoanRequest, case: &str) -> LoanRequest {
    match submit(adapters, new, None).await {
        Ok(SubmitOutcome::Created { request, receipt }) => {
            assert_eq!(receipt, None, "{case}: no key, no receipt kept");
            *request
        }
        other => panic!("{case}: expected a new request, got {other:?}"),
    }
}

async fn stored(adapters: &Adapters, id: LoanRequestId, case: &str) -> LoanRequest {
    match adapters.requests.get(id, &Scope::All).await {
        Ok(Some(request)) => request,
        other => panic!("{case}: request {id} not found: {other:?}"),
    }
}

async fn events(adapters: &Adapters, id: LoanRequestId, case: &str) -> Vec<AuditEvent> {
    match adapters.requests.events(id, &Scope::All).await {
        Ok(Some(events)) => events,
        other => panic!("{case}: no audit trail for {id}: {other:?}"),
    }
}

async fn created_request_and_its_audit_event_at_the_given_time(adapters: &Adapters) {
    let case = "created";
    let new = new_request(
        raw(&adapters.bank, "73282932", 5_000_000, 100_000_000),
        "contract-alice",
        fresh_reference(),
    );
    let expected = new.stored();
    let request = created(adapters, new, case).await;
    assert_eq!(request.id, expected.id, "{case}");
    let read = stored(adapters, request.id, case).await;
    assert_eq!(read.reference, expected.reference, "{case}");
    assert_eq!(read.status, Status::Submitted, "{case}");
    assert_eq!(read.version, LoanRequest::FIRST_VERSION, "{case}");
    assert_eq!(read.amount, expected.amount, "{case}");
    assert_eq!(read.terms.cap, expected.terms.cap, "{case}");
    assert_eq!(read.created_at, fixed_now(), "{case}: created_at");
    assert_eq!(read.updated_at, fixed_now(), "{case}: updated_at");
    let events = events(adapters, request.id, case).await;
    assert_eq!(events.len(), 1, "{case}: one audit event");
    let event = &events[0];
    assert_eq!(event.action, AuditAction::Submit, "{case}");
    assert_eq!(event.at, fixed_now(), "{case}: the audit event's time");
    assert_eq!(event.actor_role, Role::Applicant, "{case}");
    assert_eq!(
        event.actor_subject.as_deref(),
        Some("contract-alice"),
        "{case}"
    );
    assert_eq!(event.from_status, None, "{case}");
    assert_eq!(event.to_status, Status::Submitted, "{case}");
}

async fn a_retried_key_replays_the_saved_receipt_and_a_reused_one_is_refused(adapters: &Adapters) {
    let case = "replay";
    let who = "contract-bob";
    let body = || raw(&adapters.bank, "40483304", 5_000_000, 100_000_000);
    let key = IdempotencyKey {
        key: "contract-key".to_owned(),
        body_fingerprint: "fingerprint-a".to_owned(),
    };
    let first = match submit(
        adapters,
        new_request(body(), who, fresh_reference()),
        Some(key.clone()),
    )
    .await
    {
        Ok(SubmitOutcome::Created { request, receipt }) => {
            assert_eq!(
                receipt,
                Some(adapters.receipts.receipt(&request)),
                "{case}: the receipt kept"
            );
            *request
        }
        other => panic!("{case}: the first call creates, got {other:?}"),
    };
    // The retry comes with new ids (the service draws them again): the saved receipt
    // and the first request answer.
    match submit(
        adapters,
        new_request(body(), who, fresh_reference()),
        Some(key.clone()),
    )
    .await
    {
        Ok(SubmitOutcome::Replayed {
            loan_request_id,
            receipt,
        }) => {
            assert_eq!(loan_request_id, Some(first.id), "{case}");
            assert_eq!(
                receipt,
                adapters.receipts.receipt(&first),
                "{case}: byte for byte"
            );
        }
        other => panic!("{case}: the retry replays, got {other:?}"),
    }
    let reused = IdempotencyKey {
        body_fingerprint: "fingerprint-b".to_owned(),
        ..key
    };
    let refused = submit(
        adapters,
        new_request(body(), who, fresh_reference()),
        Some(reused),
    )
    .await;
    assert!(
        matches!(refused, Err(SubmitError::IdempotencyKeyReused)),
        "{case}: {refused:?}"
    );
    // Another applicant's same key is theirs alone.
    let theirs = submit(
        adapters,
        new_request(body(), "contract-carol", fresh_reference()),
        Some(IdempotencyKey {
            key: "contract-key".to_owned(),
            body_fingerprint: "fingerprint-c".to_owned(),
        }),
    )
    .await;
    assert!(
        matches!(theirs, Ok(SubmitOutcome::Created { .. })),
        "{case}: {theirs:?}"
    );
    let mine = adapters
        .requests
        .count(
            &Scope::Applicant(Subject::new(who)),
            &domain::loan_request::ListFilter::default(),
            10,
        )
        .await
        .map(|total| total.count);
    assert_eq!(mine.ok(), Some(1), "{case}: one request stored for the key");
}

async fn the_aggregate_cap_is_decided_on_standing_requests(adapters: &Adapters) {
    let case = "cap";
    let who = "contract-dave";
    // Revenue €1M: cap €250,000 (25,000,000 cents).
    let at = |amount: i64, revenue: i64| {
        new_request(
            raw(&adapters.bank, "55208131", amount, revenue),
            who,
            fresh_reference(),
        )
    };
    let first = created(adapters, at(12_500_000, 100_000_000), case).await;
    assert_eq!(
        first.terms.cap,
        Cents::new(25_000_000),
        "{case}: the cap rule"
    );
    created(adapters, at(12_500_000, 100_000_000), case).await;
    // The cap reached exactly: one cent more is refused, with the figures compared.
    let refused = submit(adapters, at(100_000, 100_000_000), None).await;
    match refused {
        Err(SubmitError::AggregateCapExceeded(exceeded)) => assert_eq!(
            exceeded,
            AggregateCapExceeded {
                cap: Cents::new(25_000_000),
                already_committed: Cents::new(25_000_000),
                requested: Cents::new(100_000),
            },
            "{case}"
        ),
        other => panic!("{case}: expected the cap's refusal, got {other:?}"),
    }
    // A later declaration of twice the revenue cannot lift the ceiling: the lowest
    // standing cap binds.
    let refused = submit(adapters, at(100_000, 200_000_000), None).await;
    match refused {
        Err(SubmitError::AggregateCapExceeded(exceeded)) => {
            assert_eq!(exceeded.cap, Cents::new(25_000_000), "{case}: lowest cap");
        }
        other => panic!("{case}: expected the cap's refusal, got {other:?}"),
    }
    // A withdrawn request no longer counts.
    let withdrawn = adapters
        .requests
        .transition(TransitionCommand {
            id: first.id,
            scope: Scope::Applicant(Subject::new(who)),
            expected_version: first.version,
            action: Action::Withdraw,
            actor: Actor {
                role: Role::Applicant,
                subject: Subject::new(who),
            },
            reason: None,
            identifier: None,
            now: fixed_now(),
        })
        .await;
    assert!(withdrawn.is_ok(), "{case}: withdraw: {withdrawn:?}");
    created(adapters, at(12_500_000, 100_000_000), case).await;
}

async fn a_colliding_reference_and_an_unknown_bank_write_nothing(adapters: &Adapters) {
    let case = "collision";
    let who = "contract-erin";
    let taken = fresh_reference();
    created(
        adapters,
        new_request(
            raw(&adapters.bank, "90123456", 5_000_000, 100_000_000),
            who,
            taken,
        ),
        case,
    )
    .await;
    let key = IdempotencyKey {
        key: "contract-collision".to_owned(),
        body_fingerprint: "fingerprint".to_owned(),
    };
    let again = new_request(
        raw(&adapters.bank, "65432109", 5_000_000, 100_000_000),
        who,
        taken,
    );
    let collided_id = again.id;
    let collided = submit(adapters, again, Some(key.clone())).await;
    assert!(
        matches!(collided, Err(SubmitError::ReferenceCollision)),
        "{case}: {collided:?}"
    );
    assert!(
        adapters
            .requests
            .get(collided_id, &Scope::All)
            .await
            .ok()
            .flatten()
            .is_none(),
        "{case}: nothing stored"
    );
    // Nothing was written: the key is free, and the next reference goes through.
    let retried = submit(
        adapters,
        new_request(
            raw(&adapters.bank, "65432109", 5_000_000, 100_000_000),
            who,
            fresh_reference(),
        ),
        Some(key),
    )
    .await;
    assert!(
        matches!(retried, Ok(SubmitOutcome::Created { .. })),
        "{case}: {retried:?}"
    );
    let unknown = submit(
        adapters,
        new_request(
            raw("99999", "90123456", 100_000, 100_000_000),
            who,
            fresh_reference(),
        ),
        None,
    )
    .await;
    match unknown {
        Err(SubmitError::UnknownBank(code)) => assert_eq!(code, "99999", "{case}"),
        other => panic!("{case}: expected an unknown bank, got {other:?}"),
    }
}

async fn a_state_change_happens_at_the_commands_time(adapters: &Adapters) {
    let case = "transition";
    let who = "contract-frank";
    let request = created(
        adapters,
        new_request(
            raw(&adapters.bank, "73282932", 100_000, 100_000_000),
            who,
            fresh_reference(),
        ),
        case,
    )
    .await;
    let later = fixed_now() + TimeDelta::microseconds(86_400_000_001);
    let moved = adapters
        .requests
        .transition(TransitionCommand {
            id: request.id,
            scope: Scope::Bank(request.bank.clone()),
            expected_version: request.version,
            action: Action::TakeInReview,
            actor: Actor {
                role: Role::Reviewer,
                subject: Subject::new("contract-reviewer"),
            },
            reason: None,
            identifier: None,
            now: later,
        })
        .await;
    let moved = match moved {
        Ok(moved) => moved,
        Err(err) => panic!("{case}: {err:?}"),
    };
    assert_eq!(moved.updated_at, later, "{case}: the answer's updated_at");
    let read = stored(adapters, request.id, case).await;
    assert_eq!(read.status, Status::InReview, "{case}");
    assert_eq!(read.updated_at, later, "{case}: the stored updated_at");
    assert_eq!(read.created_at, fixed_now(), "{case}");
    let events = events(adapters, request.id, case).await;
    assert_eq!(events.len(), 2, "{case}");
    assert_eq!(
        events[1].action,
        AuditAction::Workflow(Action::TakeInReview),
        "{case}"
    );
    assert_eq!(events[1].at, later, "{case}: the audit event's time");
    assert_eq!(events[1].from_status, Some(Status::Submitted), "{case}");
}
