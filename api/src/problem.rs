//! Errors at the HTTP edge: every failure becomes an RFC 9457 `application/problem+json`
//! with a stable `type`. Internal causes go to the log with the request id; the client
//! only ever sees the safe message.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::error::FieldError;
use domain::ports::{ObjectStoreError, StorageError, SubmitError, TransitionError};
use infra::identity::AuthError;
use serde::Serialize;
use utoipa::ToSchema;

/// Prefix of every problem `type` (a relative URI reference, stable across hosts).
pub const TYPE_PREFIX: &str = "/problems/";

/// One invalid field or parameter.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldProblem {
    /// JSON path of the field (`company.siren`) or name of the query parameter.
    #[schema(example = "company.siren")]
    pub field: String,
    /// Stable machine-readable code.
    #[schema(example = "invalid-checksum")]
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
}

impl From<FieldError> for FieldProblem {
    fn from(e: FieldError) -> Self {
        Self {
            field: e.field,
            code: e.code.to_owned(),
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
    pub fn new(status: StatusCode, slug: &str, title: &str, detail: impl Into<String>) -> Self {
        Self(Box::new(ProblemDetails {
            type_: format!("{TYPE_PREFIX}{slug}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
            reasons: Vec::new(),
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
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
            "Invalid request content",
            detail,
        )
        .with_errors(errors.into_iter().map(FieldProblem::from))
    }

    /// 400: a query parameter or header is invalid.
    #[must_use]
    pub fn invalid_parameter(field: &str, code: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid-parameter",
            "Invalid parameter",
            format!("{field}: {message}"),
        )
        .with_errors([FieldProblem {
            field: field.to_owned(),
            code: code.to_owned(),
            message,
        }])
    }

    #[must_use]
    pub fn malformed_json(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "malformed-json",
            "Malformed JSON",
            detail,
        )
    }

    #[must_use]
    pub fn unsupported_media_type() -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Unsupported media type",
            "the body must be JSON, sent with Content-Type: application/json",
        )
    }

    #[must_use]
    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            "Payload too large",
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
        let mut p = Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Authentication required",
            detail,
        );
        p.0.bearer_challenge = Some(match err {
            AuthError::Missing => "Bearer",
            AuthError::Malformed => "Bearer error=\"invalid_request\"",
            _ => "Bearer error=\"invalid_token\"",
        });
        p
    }

    #[must_use]
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "Forbidden", detail)
    }

    #[must_use]
    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "Not found",
            "no such resource",
        )
    }

    #[must_use]
    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            "Method not allowed",
            "this resource does not support this method",
        )
    }

    #[must_use]
    pub fn unprocessable(slug: &str, title: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, slug, title, detail)
    }

    #[must_use]
    pub fn not_eligible(reasons: Vec<String>) -> Self {
        let mut p = Self::unprocessable(
            "not-eligible",
            "Company not eligible",
            format!("the company is not eligible: {}", reasons.join(", ")),
        );
        p.0.reasons = reasons;
        p
    }

    #[must_use]
    pub fn precondition_required() -> Self {
        Self::new(
            StatusCode::PRECONDITION_REQUIRED,
            "precondition-required",
            "If-Match required",
            "send the request's current ETag in If-Match",
        )
    }

    #[must_use]
    pub fn precondition_failed(current: i32) -> Self {
        Self::new(
            StatusCode::PRECONDITION_FAILED,
            "precondition-failed",
            "Stale version",
            format!("the request was changed meanwhile; its current version is {current}"),
        )
    }

    /// 412 for an `If-Match` that cannot be any version of the resource.
    #[must_use]
    pub fn precondition_failed_unknown() -> Self {
        Self::new(
            StatusCode::PRECONDITION_FAILED,
            "precondition-failed",
            "Stale version",
            "If-Match does not match the request's current ETag",
        )
    }

    #[must_use]
    pub fn service_unavailable(slug: &str, detail: impl Into<String>, retry_after: u32) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            slug,
            "Service unavailable",
            detail,
        )
        .retry_after(retry_after)
    }

    /// 500 with the cause kept for the log only.
    #[must_use]
    pub fn internal(cause: impl Into<String>) -> Self {
        let mut p = Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
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
    fn into_response(self) -> Response {
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
            "object-storage-unavailable",
            "document storage is unavailable; try again shortly",
            5,
        )
        .with_internal(e.0)
    }
}

impl From<StorageError> for Problem {
    fn from(e: StorageError) -> Self {
        if e.unavailable {
            Self::service_unavailable(
                "database-unavailable",
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
                StatusCode::CONFLICT,
                "invalid-transition",
                "Invalid transition",
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
            SubmitError::IdempotencyKeyReused => Self::unprocessable(
                "idempotency-key-reused",
                "Idempotency key reused",
                "this Idempotency-Key was already used with a different body",
            ),
            SubmitError::UnknownBank(code) => Self::validation(vec![FieldError::new(
                "bank_id",
                "unknown-bank",
                format!("no participating bank has code {code}"),
            )]),
            SubmitError::AggregateCapExceeded(exceeded) => Self::unprocessable(
                "aggregate-cap-exceeded",
                "Aggregate cap exceeded",
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
