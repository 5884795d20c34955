//! `/api/v1/loan-requests` and its sub-resources: one file per action, but the two
//! workflow steps without a body, described together in `workflow.rs`.

pub mod bulk;
pub mod decide;
pub mod documents;
pub mod events;
pub mod get;
pub mod list;
pub mod messages;
pub mod submit;
pub mod workflow;

use axum::Json;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use domain::loan_request::{LoanRequest, LoanRequestId};
use uuid::Uuid;

use crate::problem::Problem;
use crate::views::{LoanRequestView, etag};

/// A path id that is not a UUID names nothing: 404, like an id outside the scope.
pub(crate) fn parse_id(raw: &str) -> Result<LoanRequestId, Problem> {
    Uuid::parse_str(raw)
        .map(LoanRequestId)
        .map_err(|_| Problem::not_found())
}

/// The version a state change is conditioned on (`If-Match`, docs/RULES.md §14).
pub(crate) fn if_match(headers: &HeaderMap) -> Result<i32, Problem> {
    let value = headers
        .get(header::IF_MATCH)
        .ok_or_else(Problem::precondition_required)?
        .to_str()
        .map_err(|_| {
            Problem::invalid_parameter(
                "If-Match",
                domain::error::FieldCode::InvalidEtag,
                "not an ETag",
            )
        })?
        .trim();
    let unquoted = value.strip_prefix("W/").unwrap_or(value).trim_matches('"');
    if unquoted == "*" {
        return Err(Problem::invalid_parameter(
            "If-Match",
            domain::error::FieldCode::InvalidEtag,
            "a concrete ETag is required, not *",
        ));
    }
    unquoted
        .parse::<i32>()
        .map_err(|_| Problem::precondition_failed_unknown())
}

/// A request with its `ETag`.
pub(crate) fn with_etag(request: &LoanRequest) -> Response {
    view_with_etag(LoanRequestView::from(request), request.version)
}

/// A request's view with its `ETag`.
pub(crate) fn view_with_etag(view: LoanRequestView, version: i32) -> Response {
    let mut response = Json(view).into_response();
    if let Ok(value) = HeaderValue::from_str(&etag(version)) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}
