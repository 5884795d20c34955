//! `POST /api/v1/loan-requests/{id}/decision`: a reviewer of the request's bank
//! pre-approves it (in_review → pre_approved) or rejects it with a reason
//! (submitted or in_review → rejected). Requires `If-Match`.

use app::loan_requests::Decision;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::workflow::StepProblems;
use super::{if_match, parse_id, with_etag};
use crate::auth::Reviewer;
use crate::extract::{ApiJson, ApiPath};
use crate::problem::Problem;
use crate::problem::openapi::{ReviewerOnly, problem_answers};
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

problem_answers! {
    /// What a decision may be refused for, besides a workflow step's reasons.
    DecisionProblems {
        NotFound => "No such request at the reviewer's bank",
        ValidationFailed => "Missing or invalid reason",
    }
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
        ReviewerOnly,
        StepProblems,
        DecisionProblems,
    ),
    security(("bearer" = []))
)]
pub async fn decide_loan_request(
    State(state): State<AppState>,
    reviewer: Reviewer,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    ApiJson { value, .. }: ApiJson<DecisionInput>,
) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let version = if_match(&headers)?;
    let decision = match value.decision {
        DecisionKind::PreApprove => Decision::PreApprove,
        DecisionKind::Reject => Decision::Reject,
    };
    let request = state
        .services
        .loan_requests
        .decide(&reviewer, id, version, decision, value.reason.as_deref())
        .await?;
    Ok(with_etag(&request))
}
