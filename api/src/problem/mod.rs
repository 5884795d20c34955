//! Errors at the HTTP edge: every failure becomes an RFC 9457 `application/problem+json`
//! with a stable `type`. Internal causes go to the log with the request id; the client
//! only ever sees the safe message.
//!
//! - this module: [`Problem`] (its constructors and its answer) and what it serialises;
//! - `catalogue.rs`: [`ProblemType`], every kind with its slug, status and title, from
//!   one table;
//! - `from_errors.rs`: the application's and the ports' errors as problems;
//! - [`openapi`]: the problems in the OpenAPI document (closed lists, common answers,
//!   `problem_answers!`).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::error::{FieldCode, FieldError};
use infra::identity::AuthError;
use serde::Serialize;
use utoipa::ToSchema;

mod catalogue;
mod from_errors;
pub mod openapi;

pub use catalogue::ProblemType;

/// Prefix of every problem `type` (a relative URI reference, stable across hosts).
pub const TYPE_PREFIX: &str = "/problems/";

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
