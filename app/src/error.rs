//! Why a use case did not go through: one closed list, mapped to one problem type each
//! by the API (`api::problem`).

use domain::document::Mismatch;
use domain::error::FieldError;
use domain::issuance::IssueRefusal;
use domain::ports::{
    CreateReviewerError, ObjectStoreError, StorageError, SubmitError, TransitionError,
};
use domain::rules::Ineligibility;
use domain::workflow::Status;

/// A refused or failed use case.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Nothing of that id in the caller's scope (docs/RULES.md §1: outside the scope is
    /// the same as missing).
    #[error("not found")]
    NotFound,
    /// The caller's role may not do this, whatever the request.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// Fields of the input are invalid: all of them, in field order.
    #[error("invalid input ({} field errors)", .0.len())]
    Invalid(Vec<FieldError>),
    /// A parameter of the query is refused (the first one found).
    #[error("invalid parameter {}", .0.field)]
    InvalidParameter(FieldError),
    /// Every field is valid but the company is not eligible.
    #[error("the company is not eligible")]
    NotEligible(Vec<Ineligibility>),
    /// Outside the campaign's window.
    #[error("the campaign is closed")]
    CampaignClosed,
    #[error(transparent)]
    Submit(#[from] SubmitError),
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// No guarantee identifier for this request now (docs/RULES.md §20).
    #[error(transparent)]
    IssueRefused(#[from] IssueRefusal),
    /// The request no longer takes documents.
    #[error("the request is {0}: documents are closed")]
    DocumentsClosed(Status),
    /// The request holds the most documents it may.
    #[error("the request already holds {0} documents")]
    TooManyDocuments(u64),
    /// A document is confirmed before anything was uploaded.
    #[error("no file was uploaded")]
    DocumentNotUploaded,
    /// The stored object's size or type is not the declared one (deleted since).
    #[error("{0}")]
    DocumentMismatch(Mismatch),
    /// The stored object does not start with its type's signature (deleted since).
    #[error("{0}")]
    DocumentContentMismatch(Mismatch),
    /// A confirmed document is kept: only pending ones may be removed.
    #[error("the document is confirmed: it can no longer be removed")]
    DocumentConfirmed,
    /// The request's thread holds the most messages it may.
    #[error("the thread is full")]
    ThreadFull,
    /// Degraded mode pauses this non-critical feature.
    #[error("degraded mode")]
    DegradedMode,
    /// A bank with this code exists.
    #[error("a bank with code {0} already exists")]
    BankExists(String),
    #[error(transparent)]
    Reviewer(#[from] CreateReviewerError),
    #[error(transparent)]
    Objects(#[from] ObjectStoreError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl Error {
    /// One invalid field.
    #[must_use]
    pub fn invalid(error: FieldError) -> Self {
        Self::Invalid(vec![error])
    }
}
