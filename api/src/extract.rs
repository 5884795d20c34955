//! Extractors whose rejections are our own problem+json, never axum's plain text.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::header;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use crate::problem::{FieldProblem, Problem, ProblemType};
use domain::error::FieldCode;

/// Largest accepted request body.
pub const BODY_LIMIT: usize = 64 * 1024;

/// A JSON body: content type checked (415), size limited (413), syntax checked (400),
/// shape checked with the path of the offending field (422).
pub struct ApiJson<T> {
    pub value: T,
    /// SHA-256 of the body in canonical form (object keys sorted, no whitespace): two
    /// bodies that mean the same thing have the same fingerprint.
    pub fingerprint: String,
}

fn is_json_content_type(parts: &axum::http::HeaderMap) -> bool {
    let Some(value) = parts
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Turns a serde path (`company.siren`, `fee[0]`) and message into a field problem.
fn data_error(path: String, err: &serde_json::Error) -> Problem {
    let inner = err.to_string();
    // serde_json appends " at line L column C": useful for syntax, noise for fields.
    let message = inner
        .rsplit_once(" at line ")
        .map_or(inner.as_str(), |(m, _)| m)
        .to_owned();
    let (field, code) = if let Some(rest) = message.strip_prefix("unknown field `") {
        // serde_path_to_error already ends the path with the unknown key.
        let name = rest.split('`').next().unwrap_or_default();
        let field = if path == "." || path.is_empty() {
            name.to_owned()
        } else if path == name || path.ends_with(&format!(".{name}")) {
            path
        } else {
            format!("{path}.{name}")
        };
        (field, FieldCode::UnknownField)
    } else if let Some(rest) = message.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or_default();
        let field = if path == "." || path.is_empty() {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        };
        (field, FieldCode::Required)
    } else {
        let field = if path == "." { String::new() } else { path };
        (field, FieldCode::InvalidType)
    };
    let detail = if field.is_empty() {
        message.clone()
    } else {
        format!("{field}: {message}")
    };
    Problem::new(ProblemType::ValidationFailed, detail).with_errors([FieldProblem {
        field,
        code,
        message,
    }])
}

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json_content_type(req.headers()) {
            return Err(Problem::unsupported_media_type());
        }
        // Refuse an announced oversized body at once, without reading any of it.
        let announced = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if announced.is_some_and(|n| n > BODY_LIMIT as u64) {
            return Err(Problem::payload_too_large(BODY_LIMIT));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                Problem::payload_too_large(BODY_LIMIT)
            } else {
                Problem::malformed_json("the body could not be read")
            }
        })?;
        // First pass: syntax (and nesting depth: serde_json stops at 128 levels).
        let generic: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
            Problem::malformed_json(if bytes.is_empty() {
                "the body is empty".to_owned()
            } else {
                format!("the body is not valid JSON: {e}")
            })
        })?;
        let canonical = generic.to_string();
        let fingerprint = format!("{:x}", Sha256::digest(canonical.as_bytes()));
        // Second pass: shape, with the path of the first offending field.
        let value = serde_path_to_error::deserialize(generic)
            .map_err(|e| data_error(e.path().to_string(), &e.into_inner()))?;
        Ok(Self { value, fingerprint })
    }
}

/// Query parameters; a malformed query string is a 400 naming the parameter.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::try_from_uri(&parts.uri)
            .map(|Query(value)| Self(value))
            .map_err(|rejection| {
                let text = rejection.body_text();
                let message = text
                    .strip_prefix("Failed to deserialize query string: ")
                    .unwrap_or(&text)
                    .to_owned();
                // serde names the parameter in backquotes for an unknown, duplicate or
                // mistyped one ("duplicate field `status`").
                let field = ["unknown field `", "duplicate field `", "field `"]
                    .iter()
                    .find_map(|marker| message.split_once(marker))
                    .and_then(|(_, rest)| rest.split('`').next())
                    .unwrap_or("query")
                    .to_owned();
                Problem::invalid_parameter(&field, FieldCode::InvalidParameter, message)
            })
    }
}

/// Path parameters; a segment that cannot be decoded (invalid percent-encoding or
/// UTF-8) is a 400 problem naming the parameter, never axum's plain-text rejection.
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::path::ErrorKind;
        use axum::extract::rejection::PathRejection;
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Self(value)),
            Err(PathRejection::FailedToDeserializePathParams(err)) => {
                let (field, message) = match err.kind() {
                    ErrorKind::InvalidUtf8InPathParam { key } => {
                        (key.as_str(), "the path segment is not valid UTF-8")
                    }
                    ErrorKind::ParseErrorAtKey { key, .. }
                    | ErrorKind::DeserializeError { key, .. } => {
                        (key.as_str(), "the path segment could not be read")
                    }
                    _ => ("path", "the path segment could not be read"),
                };
                Err(Problem::invalid_parameter(
                    field,
                    FieldCode::InvalidPathParameter,
                    message,
                ))
            }
            Err(other) => Err(Problem::internal(format!(
                "path parameters missing for this route: {}",
                other.body_text()
            ))),
        }
    }
}
