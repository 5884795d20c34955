//! Errors at the HTTP edge: every failure becomes an RFC 9457 `application/problem+json`
//! with a stable `type`. Internal causes go to the log with the request id; the client
//! only ever sees the safe message.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::error::{FieldCode, FieldError};
use domain::ports::{
    CreateReviewerError, ObjectStoreError, StorageError, SubmitError, TransitionError,
};
use infra::identity::AuthError;
use serde::Serialize;
use utoipa::ToSchema;

/// Prefix of every problem `type` (a relative URI reference, stable across hosts).
pub const TYPE_PREFIX: &str = "/problems/";

/// Every kind of problem the API answers with: its `type` is `/problems/{slug}`. The
/// list is closed: a new kind of problem is a new variant here, and the OpenAPI document
/// lists them all (schema `ProblemType`; `tests/tests/openapi.rs` checks both agree).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProblemType {
    AccountExists,
    AggregateCapExceeded,
    BankExists,
    BodyTimeout,
    CampaignClosed,
    DatabaseUnavailable,
    DegradedMode,
    DocumentAlreadyUploaded,
    DocumentConfirmed,
    DocumentContentMismatch,
    DocumentMismatch,
    DocumentNotUploaded,
    DocumentsClosed,
    Forbidden,
    IdempotencyKeyReused,
    IdentityProviderUnavailable,
    Internal,
    InvalidParameter,
    InvalidTransition,
    MalformedJson,
    MethodNotAllowed,
    NotEligible,
    NotFound,
    NotReady,
    ObjectStorageUnavailable,
    Overloaded,
    PayloadTooLarge,
    PreconditionFailed,
    PreconditionRequired,
    RateLimited,
    RequestTimeout,
    SignedUrlExpired,
    SignedUrlInvalid,
    ThreadFull,
    TooManyDocuments,
    Unauthorized,
    UnsupportedMediaType,
    UploadSizeMismatch,
    ValidationFailed,
}

impl ProblemType {
    /// Every kind, in the order of the OpenAPI document's `ProblemType` enum.
    pub const ALL: [Self; 39] = [
        Self::AccountExists,
        Self::AggregateCapExceeded,
        Self::BankExists,
        Self::BodyTimeout,
        Self::CampaignClosed,
        Self::DatabaseUnavailable,
        Self::DegradedMode,
        Self::DocumentAlreadyUploaded,
        Self::DocumentConfirmed,
        Self::DocumentContentMismatch,
        Self::DocumentMismatch,
        Self::DocumentNotUploaded,
        Self::DocumentsClosed,
        Self::Forbidden,
        Self::IdempotencyKeyReused,
        Self::IdentityProviderUnavailable,
        Self::Internal,
        Self::InvalidParameter,
        Self::InvalidTransition,
        Self::MalformedJson,
        Self::MethodNotAllowed,
        Self::NotEligible,
        Self::NotFound,
        Self::NotReady,
        Self::ObjectStorageUnavailable,
        Self::Overloaded,
        Self::PayloadTooLarge,
        Self::PreconditionFailed,
        Self::PreconditionRequired,
        Self::RateLimited,
        Self::RequestTimeout,
        Self::SignedUrlExpired,
        Self::SignedUrlInvalid,
        Self::ThreadFull,
        Self::TooManyDocuments,
        Self::Unauthorized,
        Self::UnsupportedMediaType,
        Self::UploadSizeMismatch,
        Self::ValidationFailed,
    ];

    /// The last segment of the `type` URI.
    #[must_use]
    pub fn slug(self) -> &'static str {
        match self {
            Self::AccountExists => "account-exists",
            Self::AggregateCapExceeded => "aggregate-cap-exceeded",
            Self::BankExists => "bank-exists",
            Self::BodyTimeout => "body-timeout",
            Self::CampaignClosed => "campaign-closed",
            Self::DatabaseUnavailable => "database-unavailable",
            Self::DegradedMode => "degraded-mode",
            Self::DocumentAlreadyUploaded => "document-already-uploaded",
            Self::DocumentConfirmed => "document-confirmed",
            Self::DocumentContentMismatch => "document-content-mismatch",
            Self::DocumentMismatch => "document-mismatch",
            Self::DocumentNotUploaded => "document-not-uploaded",
            Self::DocumentsClosed => "documents-closed",
            Self::Forbidden => "forbidden",
            Self::IdempotencyKeyReused => "idempotency-key-reused",
            Self::IdentityProviderUnavailable => "identity-provider-unavailable",
            Self::Internal => "internal",
            Self::InvalidParameter => "invalid-parameter",
            Self::InvalidTransition => "invalid-transition",
            Self::MalformedJson => "malformed-json",
            Self::MethodNotAllowed => "method-not-allowed",
            Self::NotEligible => "not-eligible",
            Self::NotFound => "not-found",
            Self::NotReady => "not-ready",
            Self::ObjectStorageUnavailable => "object-storage-unavailable",
            Self::Overloaded => "overloaded",
            Self::PayloadTooLarge => "payload-too-large",
            Self::PreconditionFailed => "precondition-failed",
            Self::PreconditionRequired => "precondition-required",
            Self::RateLimited => "rate-limited",
            Self::RequestTimeout => "request-timeout",
            Self::SignedUrlExpired => "signed-url-expired",
            Self::SignedUrlInvalid => "signed-url-invalid",
            Self::ThreadFull => "thread-full",
            Self::TooManyDocuments => "too-many-documents",
            Self::Unauthorized => "unauthorized",
            Self::UnsupportedMediaType => "unsupported-media-type",
            Self::UploadSizeMismatch => "upload-size-mismatch",
            Self::ValidationFailed => "validation-failed",
        }
    }

    /// The HTTP status this kind of problem is always answered with.
    #[must_use]
    pub fn status(self) -> StatusCode {
        match self {
            Self::InvalidParameter | Self::MalformedJson | Self::UploadSizeMismatch => {
                StatusCode::BAD_REQUEST
            }
            Self::AccountExists
            | Self::BankExists
            | Self::DocumentConfirmed
            | Self::DocumentsClosed
            | Self::InvalidTransition
            | Self::ThreadFull
            | Self::TooManyDocuments => StatusCode::CONFLICT,
            Self::Forbidden | Self::SignedUrlExpired | Self::SignedUrlInvalid => {
                StatusCode::FORBIDDEN
            }
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::DocumentAlreadyUploaded | Self::PreconditionFailed => {
                StatusCode::PRECONDITION_FAILED
            }
            Self::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            Self::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::DatabaseUnavailable
            | Self::DegradedMode
            | Self::IdentityProviderUnavailable
            | Self::NotReady
            | Self::ObjectStorageUnavailable
            | Self::Overloaded
            | Self::RequestTimeout => StatusCode::SERVICE_UNAVAILABLE,
            Self::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::AggregateCapExceeded
            | Self::CampaignClosed
            | Self::DocumentContentMismatch
            | Self::DocumentMismatch
            | Self::DocumentNotUploaded
            | Self::IdempotencyKeyReused
            | Self::NotEligible
            | Self::ValidationFailed => StatusCode::UNPROCESSABLE_ENTITY,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        }
    }

    /// Short summary of the kind of problem (`title`).
    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            Self::AccountExists => "Account exists",
            Self::AggregateCapExceeded => "Aggregate cap exceeded",
            Self::DocumentAlreadyUploaded => "Already uploaded",
            Self::Unauthorized => "Authentication required",
            Self::BankExists => "Bank exists",
            Self::CampaignClosed => "Campaign closed",
            Self::NotEligible => "Company not eligible",
            Self::DocumentContentMismatch | Self::DocumentMismatch => {
                "Document does not match its declaration"
            }
            Self::DocumentConfirmed => "Document confirmed",
            Self::DocumentNotUploaded => "Document not uploaded",
            Self::DocumentsClosed => "Documents closed",
            Self::Forbidden => "Forbidden",
            Self::IdempotencyKeyReused => "Idempotency key reused",
            Self::PreconditionRequired => "If-Match required",
            Self::Internal => "Internal error",
            Self::SignedUrlInvalid => "Invalid link",
            Self::InvalidParameter => "Invalid parameter",
            Self::ValidationFailed => "Invalid request content",
            Self::InvalidTransition => "Invalid transition",
            Self::SignedUrlExpired => "Link expired",
            Self::MalformedJson => "Malformed JSON",
            Self::MethodNotAllowed => "Method not allowed",
            Self::NotFound => "Not found",
            Self::PayloadTooLarge => "Payload too large",
            Self::BodyTimeout => "Request body too slow",
            Self::DatabaseUnavailable
            | Self::DegradedMode
            | Self::IdentityProviderUnavailable
            | Self::NotReady
            | Self::ObjectStorageUnavailable
            | Self::Overloaded
            | Self::RequestTimeout => "Service unavailable",
            Self::PreconditionFailed => "Stale version",
            Self::ThreadFull => "Thread full",
            Self::TooManyDocuments => "Too many documents",
            Self::RateLimited => "Too many requests",
            Self::UnsupportedMediaType => "Unsupported media type",
            Self::UploadSizeMismatch => "Upload size mismatch",
        }
    }
}

/// One invalid field or parameter.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldProblem {
    /// JSON path of the field (`company.siren`) or name of the query parameter.
    #[schema(example = "company.siren")]
    pub field: String,
    /// Stable machine-readable code: one of the `FieldCode` schema's values.
    #[schema(value_type = String, example = "invalid-checksum")]
    pub code: FieldCode,
    /// Human-readable explanation.
    pub message: String,
}

impl From<FieldError> for FieldProblem {
    fn from(e: FieldError) -> Self {
        Self {
            field: e.field,
            code: e.code,
            message: e.message,
        }
    }
}

/// RFC 9457 problem details, as serialised.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Problem)]
pub struct ProblemDetails {
    /// Stable identifier of the kind of problem, e.g. `/problems/validation-failed`.
    #[serde(rename = "type")]
    #[schema(example = "/problems/validation-failed")]
    pub type_: String,
    /// Short summary of the kind of problem.
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// What went wrong in this occurrence.
    pub detail: String,
    /// Field errors, for validation problems.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
    /// Eligibility refusal codes, for `not-eligible`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
    /// This request's id (its `X-Request-Id`): every log line of the request carries it.
    /// Quote it when reporting the problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "0193f2a4-6c1e-7d52-9a0b-3c4d5e6f7a8b")]
    pub request_id: Option<String>,
    /// The request's trace id (W3C, 32 hex digits), when the platform exports traces:
    /// the key to the request's trace and, in its log lines, `trace_id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "4bf92f3577b34da6a3ce929d0e0e4736")]
    pub trace_id: Option<String>,
    #[serde(skip)]
    #[schema(ignore)]
    retry_after: Option<u32>,
    #[serde(skip)]
    #[schema(ignore)]
    bearer_challenge: Option<&'static str>,
    #[serde(skip)]
    #[schema(ignore)]
    internal: Option<String>,
}

/// An error answered as problem+json (boxed: it travels in every `Result`).
#[derive(Debug, Clone)]
pub struct Problem(Box<ProblemDetails>);

impl Problem {
    #[must_use]
    pub fn new(kind: ProblemType, detail: impl Into<String>) -> Self {
        Self(Box::new(ProblemDetails {
            type_: format!("{TYPE_PREFIX}{}", kind.slug()),
            title: kind.title().to_owned(),
            status: kind.status().as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
            reasons: Vec::new(),
            request_id: None,
            trace_id: None,
            retry_after: None,
            bearer_challenge: None,
            internal: None,
        }))
    }

    /// The details (tests, logs).
    #[must_use]
    pub fn details(&self) -> &ProblemDetails {
        &self.0
    }

    #[must_use]
    pub fn with_errors(mut self, errors: impl IntoIterator<Item = FieldProblem>) -> Self {
        self.0.errors.extend(errors);
        self
    }

    /// Keeps a cause for the log only (never sent to the client).
    #[must_use]
    pub fn with_internal(mut self, cause: impl Into<String>) -> Self {
        self.0.internal = Some(cause.into());
        self
    }

    #[must_use]
    pub fn retry_after(mut self, seconds: u32) -> Self {
        self.0.retry_after = Some(seconds);
        self
    }

    /// 422: the body parsed but its values break the rules.
    #[must_use]
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [one] => format!("{}: {}", one.field, one.message),
            _ => format!("{} fields are invalid", errors.len()),
        };
        Self::new(ProblemType::ValidationFailed, detail)
            .with_errors(errors.into_iter().map(FieldProblem::from))
    }

    /// 400: a query parameter or header is invalid.
    #[must_use]
    pub fn invalid_parameter(field: &str, code: FieldCode, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::new(ProblemType::InvalidParameter, format!("{field}: {message}")).with_errors([
            FieldProblem {
                field: field.to_owned(),
                code,
                message,
            },
        ])
    }

    #[must_use]
    pub fn malformed_json(detail: impl Into<String>) -> Self {
        Self::new(ProblemType::MalformedJson, detail)
    }

    #[must_use]
    pub fn unsupported_media_type() -> Self {
        Self::new(
            ProblemType::UnsupportedMediaType,
            "the body must be JSON, sent with Content-Type: application/json",
        )
    }

    #[must_use]
    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            ProblemType::PayloadTooLarge,
            format!("the body exceeds {limit} bytes"),
        )
    }

    #[must_use]
    /// Not authenticated (401). The client reads one message whatever failed (which
    /// check refused a token helps whoever forges one); the log line says which.
    pub fn unauthorized(err: &AuthError) -> Self {
        tracing::info!(reason = %err, "authentication refused");
        let detail = match err {
            AuthError::Missing => "sign in: this requires a bearer token",
            _ => "the bearer token is not valid: sign in again",
        };
        let mut p = Self::new(ProblemType::Unauthorized, detail);
        p.0.bearer_challenge = Some(match err {
            AuthError::Missing => "Bearer",
            AuthError::Malformed => "Bearer error=\"invalid_request\"",
            _ => "Bearer error=\"invalid_token\"",
        });
        p
    }

    #[must_use]
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(ProblemType::Forbidden, detail)
    }

    #[must_use]
    pub fn not_found() -> Self {
        Self::new(ProblemType::NotFound, "no such resource")
    }

    #[must_use]
    pub fn method_not_allowed() -> Self {
        Self::new(
            ProblemType::MethodNotAllowed,
            "this resource does not support this method",
        )
    }

    #[must_use]
    pub fn not_eligible(reasons: Vec<String>) -> Self {
        let mut p = Self::new(
            ProblemType::NotEligible,
            format!("the company is not eligible: {}", reasons.join(", ")),
        );
        p.0.reasons = reasons;
        p
    }

    #[must_use]
    pub fn precondition_required() -> Self {
        Self::new(
            ProblemType::PreconditionRequired,
            "send the request's current ETag in If-Match",
        )
    }

    #[must_use]
    pub fn precondition_failed(current: i32) -> Self {
        Self::new(
            ProblemType::PreconditionFailed,
            format!("the request was changed meanwhile; its current version is {current}"),
        )
    }

    /// 412 for an `If-Match` that cannot be any version of the resource.
    #[must_use]
    pub fn precondition_failed_unknown() -> Self {
        Self::new(
            ProblemType::PreconditionFailed,
            "If-Match does not match the request's current ETag",
        )
    }

    #[must_use]
    pub fn service_unavailable(
        kind: ProblemType,
        detail: impl Into<String>,
        retry_after: u32,
    ) -> Self {
        debug_assert_eq!(kind.status(), StatusCode::SERVICE_UNAVAILABLE);
        Self::new(kind, detail).retry_after(retry_after)
    }

    /// 500 with the cause kept for the log only.
    #[must_use]
    pub fn internal(cause: impl Into<String>) -> Self {
        let mut p = Self::new(
            ProblemType::Internal,
            "an unexpected error occurred; it was logged",
        );
        p.0.internal = Some(cause.into());
        p
    }

    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl IntoResponse for Problem {
    fn into_response(mut self) -> Response {
        if let Some(ids) = crate::telemetry::current_ids() {
            self.0.request_id = Some(ids.request_id);
            self.0.trace_id = ids.trace_id;
        }
        if let Some(cause) = &self.0.internal {
            tracing::error!(cause = %cause, "request failed");
        } else if self.0.status >= 500 {
            tracing::warn!(problem = %self.0.type_, "request refused");
        }
        let status = self.status_code();
        let body = serde_json::to_vec(&*self.0).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(seconds) = self.0.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if let Some(challenge) = self.0.bearer_challenge {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(challenge),
            );
        }
        response
    }
}

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
                    match invalid.action.as_str() {
                        "review" => "taken in review",
                        "pre_approve" => "pre-approved",
                        "reject" => "rejected",
                        "grant" => "granted",
                        _ => "withdrawn",
                    }
                ),
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
            E::NotEligible(reasons) => {
                Self::not_eligible(reasons.iter().map(|r| r.code().to_owned()).collect())
            }
            E::CampaignClosed => Self::new(
                ProblemType::CampaignClosed,
                "loan requests are not accepted at this time",
            ),
            E::Submit(e) => e.into(),
            E::Transition(e) => e.into(),
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
