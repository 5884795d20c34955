//! `POST /api/v1/loan-requests/{id}/decision`: a reviewer of the request's bank
//! pre-approves it (in_review → pre_approved) or rejects it with a reason
//! (submitted or in_review → rejected). Requires `If-Match`.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use domain::workflow::Action;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::apply;
use crate::auth::{Caller, Reviewer};
use crate::extract::{ApiJson, ApiPath};
use crate::problem::{Problem, ProblemDetails};
use crate::state::AppState;
use crate::views::LoanRequestView;

/// The two decisions a reviewer can take.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    PreApprove,
    Reject,
}

/// A reviewer's decision.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    pub decision: DecisionKind,
    /// Required to reject (1–2,000 characters); optional comment otherwise.
    pub reason: Option<String>,
}

/// Pre-approve or reject a request.
#[utoipa::path(
    post,
    path = "/api/v1/loan-requests/{id}/decision",
    tag = "loan-requests",
    request_body = DecisionInput,
    params(
        ("id" = uuid::Uuid, Path, description = "Loan request id"),
        ("If-Match" = String, Header, description = "The request's current ETag"),
    ),
    responses(
        (status = 200, description = "New state", body = LoanRequestView,
            headers(("ETag" = String, description = "New version"))),
        (status = 400, description = "Malformed JSON", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not a reviewer", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such request at the reviewer's bank", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "Transition not allowed from the current status", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 412, description = "Stale ETag", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Missing or invalid reason", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn decide_loan_request(
    State(state): State<AppState>,
    Reviewer { subject, bank }: Reviewer,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    ApiJson { value, .. }: ApiJson<DecisionInput>,
) -> Result<Response, Problem> {
    let action = match value.decision {
        DecisionKind::PreApprove => Action::PreApprove,
        DecisionKind::Reject => Action::Reject,
    };
    let caller = Caller::Reviewer { subject, bank };
    apply(
        &state,
        &caller,
        &id,
        &headers,
        action,
        value.reason.as_deref(),
    )
    .await
}
