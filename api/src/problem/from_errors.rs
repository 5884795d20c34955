//! From the application's errors to problems: each refusal of a use case, and each
//! failure of a port, becomes its kind of problem with a detail for this occurrence.

use domain::error::{FieldCode, FieldError};
use domain::issuance::IssueRefusal;
use domain::ports::{
    CreateReviewerError, ObjectStoreError, StorageError, SubmitError, TransitionError,
};
use domain::workflow::Action;

use super::{Problem, ProblemType};

impl From<ObjectStoreError> for Problem {
    fn from(e: ObjectStoreError) -> Self {
        Self::service_unavailable(
            ProblemType::ObjectStorageUnavailable,
            "document storage is unavailable; try again shortly",
            5,
        )
        .with_internal(e.0)
    }
}

impl From<StorageError> for Problem {
    fn from(e: StorageError) -> Self {
        if e.unavailable {
            Self::service_unavailable(ProblemType::DatabaseUnavailable,
                "the database is out of reach for a moment; retry shortly (with the same Idempotency-Key for a submission: it is never applied twice)",
                1,
            )
            .with_internal(e.detail)
        } else {
            Self::internal(e.detail)
        }
    }
}

impl From<TransitionError> for Problem {
    fn from(e: TransitionError) -> Self {
        match e {
            TransitionError::NotFound => Self::not_found(),
            TransitionError::VersionMismatch { current } => Self::precondition_failed(current),
            TransitionError::Invalid(invalid) => Self::new(
                ProblemType::InvalidTransition,
                format!(
                    "a request in status {} cannot be {}",
                    invalid.from.as_str(),
                    match invalid.action {
                        Action::TakeInReview => "taken in review",
                        Action::PreApprove => "pre-approved",
                        Action::Reject => "rejected",
                        Action::Grant => "granted",
                        Action::Withdraw => "withdrawn",
                    }
                ),
            ),
            TransitionError::Guarantee(error) => Self::validation(vec![error]),
            TransitionError::SameReviewer(_) => Self::new(
                ProblemType::SecondReviewerRequired,
                "this grant is above the bank's four-eyes threshold and you asked for it: another reviewer of the bank confirms it",
            ),
            TransitionError::NoPendingGrant => Self::new(
                ProblemType::NoPendingGrant,
                "no grant awaits a second approval on this request",
            ),
            TransitionError::Storage(s) => s.into(),
        }
    }
}

impl From<SubmitError> for Problem {
    fn from(e: SubmitError) -> Self {
        match e {
            SubmitError::IdempotencyKeyReused => Self::new(
                ProblemType::IdempotencyKeyReused,
                "this Idempotency-Key was already used with a different body",
            ),
            SubmitError::UnknownBank(code) => Self::validation(vec![FieldError::new(
                "bank_id",
                domain::error::FieldCode::UnknownBank,
                format!("no participating bank has code {code}"),
            )]),
            SubmitError::AggregateCapExceeded(exceeded) => Self::new(
                ProblemType::AggregateCapExceeded,
                format!(
                    "the company's requests would total more than its cap of €{}: €{} already requested, €{} asked",
                    exceeded.cap, exceeded.already_committed, exceeded.requested
                ),
            ),
            SubmitError::ReferenceCollision => Self::internal("reference collision twice"),
            SubmitError::Storage(s) => s.into(),
        }
    }
}

impl From<app::Error> for Problem {
    fn from(e: app::Error) -> Self {
        use app::Error as E;
        match e {
            E::NotFound => Self::not_found(),
            E::Forbidden(detail) => Self::forbidden(detail),
            E::Invalid(errors) => Self::validation(errors),
            E::InvalidParameter(e) => Self::invalid_parameter(&e.field, e.code, e.message),
            E::NotEligible(reasons) => {
                Self::not_eligible(reasons.iter().map(|r| r.code().to_owned()).collect())
            }
            E::CampaignClosed => Self::new(
                ProblemType::CampaignClosed,
                "loan requests are not accepted at this time",
            ),
            E::Submit(e) => e.into(),
            E::Transition(e) => e.into(),
            E::IssueRefused(refusal) => match refusal {
                IssueRefusal::NotPreApproved(status) => Self::new(
                    ProblemType::GuaranteeUnavailable,
                    format!(
                        "a guarantee identifier is issued once the bank has pre-approved the request; this one is {}",
                        status.as_str()
                    ),
                ),
                IssueRefusal::OnePerCompany => Self::new(
                    ProblemType::OneIdentifierPerCompany,
                    "the company already holds a guarantee identifier: while the one-identifier-per-company rule holds, it may hold only one",
                ),
                IssueRefusal::AggregateCap(exceeded) => Self::new(
                    ProblemType::AggregateCapExceeded,
                    format!(
                        "the company's guaranteed loans would total more than its cap of €{}: €{} already guaranteed, €{} asked",
                        exceeded.cap, exceeded.already_committed, exceeded.requested
                    ),
                ),
            },
            E::DocumentsClosed(status) => Self::new(
                ProblemType::DocumentsClosed,
                format!(
                    "the request is {}: documents can be attached only while it is submitted or in review",
                    status.as_str()
                ),
            ),
            E::TooManyDocuments(count) => Self::new(
                ProblemType::TooManyDocuments,
                format!(
                    "the request already holds {count} documents, the most allowed is {}",
                    domain::document::MAX_DOCUMENTS_PER_REQUEST
                ),
            ),
            E::DocumentNotUploaded => Self::new(
                ProblemType::DocumentNotUploaded,
                "no file was uploaded for this document: upload it to its upload URL first",
            ),
            E::DocumentMismatch(mismatch) => Self::new(
                ProblemType::DocumentMismatch,
                format!("{mismatch}; the upload was deleted, announce the document again"),
            ),
            E::DocumentContentMismatch(mismatch) => Self::new(
                ProblemType::DocumentContentMismatch,
                format!("{mismatch}; the upload was deleted, announce the document again"),
            ),
            E::DocumentConfirmed => Self::new(
                ProblemType::DocumentConfirmed,
                "this document is confirmed: only a document not confirmed yet can be removed",
            ),
            E::ThreadFull => Self::new(
                ProblemType::ThreadFull,
                format!(
                    "this request's thread holds {} messages, the most it may",
                    domain::message::MAX_MESSAGES_PER_REQUEST
                ),
            ),
            E::DegradedMode => Self::service_unavailable(
                ProblemType::DegradedMode,
                "the platform is in degraded mode: this non-critical feature is paused, submissions still work",
                60,
            ),
            E::BankExists(code) => Self::new(
                ProblemType::BankExists,
                format!("a bank with code {code} already exists"),
            ),
            E::Reviewer(e) => match e {
                CreateReviewerError::Duplicate => Self::new(
                    ProblemType::AccountExists,
                    "an account with this e-mail address already exists",
                ),
                CreateReviewerError::InvalidEmail(reason) => {
                    Self::validation(vec![FieldError::new(
                        "email",
                        FieldCode::Refused,
                        format!("the identity provider refused the address: {reason}"),
                    )])
                }
                CreateReviewerError::Unavailable(cause) => Self::service_unavailable(
                    ProblemType::IdentityProviderUnavailable,
                    "the identity provider is unavailable; no account was created, try again",
                    5,
                )
                .with_internal(cause),
            },
            E::Objects(e) => e.into(),
            E::Storage(e) => e.into(),
        }
    }
}
