//! `POST /api/v1/loan-requests/{id}/decision`: a reviewer of the request's bank
//! pre-approves it (in_review → pre_approved) or rejects it with a reason
//! (submitted, in_review or pre_approved → rejected). `POST
//! /api/v1/loan-requests/{id}/grant`: a reviewer grants it on the guarantee identifier
//! the company handed over (pre_approved → granted, docs/RULES.md §20). Both require
//! `If-Match`.

use app::loan_requests::Decision;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::workflow::workflow_routes;
use crate::auth::Reviewer;
use crate::problem::openapi::{ReviewerOnly, problem_answers};

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

impl From<DecisionKind> for Decision {
    fn from(kind: DecisionKind) -> Self {
        match kind {
            DecisionKind::PreApprove => Self::PreApprove,
            DecisionKind::Reject => Self::Reject,
        }
    }
}

/// A grant: the guarantee identifier the company handed to its bank.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantInput {
    /// `PGE-XXXX-XXXX-XXXX-C` (spaces, hyphens and case are forgiven).
    #[schema(example = "PGE-7K3M-Q9TX-2HBW-D")]
    pub guarantee_identifier: String,
}

problem_answers! {
    /// What a grant may be refused for, besides a workflow step's reasons.
    GrantProblems {
        NotFound => "No such request at the reviewer's bank",
        ValidationFailed => "Not the guarantee identifier issued for this request (field guarantee_identifier: does-not-match, already-used, cancelled, or its format)",
        InvalidTransition | SecondReviewerRequired => "Not pre-approved (invalid-transition), or above the bank's four-eyes threshold the reviewer who asked for the grant confirms it (second-reviewer-required)",
        PreconditionFailed => "Stale ETag",
        PreconditionRequired => "If-Match missing",
    }
}

/// Grant a pre-approved request on its guarantee identifier: it must be the one issued
/// for this request (same SIREN and bank, an amount not below the loan's), still valid;
/// the request becomes `granted` and the guarantee `used`. Above the bank's four-eyes
/// threshold, a first reviewer's grant is recorded as awaiting a second reviewer (the
/// request stays `pre_approved`, `awaiting_second_approval` set), and another reviewer of
/// the bank grants it the same way.
#[utoipa::path(
    post,
    path = "/api/v1/loan-requests/{id}/grant",
    tag = "loan-requests",
    request_body = GrantInput,
    params(
        ("id" = uuid::Uuid, Path, description = "Loan request id"),
        ("If-Match" = String, Header, description = "The request's current ETag"),
    ),
    responses(
        (status = 200, description = "Granted, or awaiting a second reviewer (awaiting_second_approval)", body = crate::views::LoanRequestView,
            headers(("ETag" = String, description = "New version"))),
        ReviewerOnly,
        GrantProblems,
    ),
    security(("bearer" = []))
)]
pub async fn grant_loan_request(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    reviewer: Reviewer,
    crate::extract::ApiPath(id): crate::extract::ApiPath<String>,
    headers: axum::http::HeaderMap,
    crate::extract::ApiJson { value, .. }: crate::extract::ApiJson<GrantInput>,
) -> Result<axum::response::Response, crate::problem::Problem> {
    use super::{if_match, parse_id, view_with_etag};
    let id = parse_id(&id)?;
    let version = if_match(&headers)?;
    let granted = state
        .services
        .loan_requests
        .grant(&reviewer, id, version, &value.guarantee_identifier)
        .await?;
    let mut view = crate::views::LoanRequestView::from(&granted.request);
    view.awaiting_second_approval = granted
        .pending_grant
        .as_ref()
        .map(|pending| crate::views::PendingGrantView::for_caller(pending, &reviewer));
    Ok(view_with_etag(view, granted.request.version))
}

/// Why a pending grant is sent back.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnGrantInput {
    /// 1–2,000 characters.
    pub reason: Option<String>,
}

problem_answers! {
    /// What a send-back may be refused for, besides a workflow step's reasons.
    ReturnProblems {
        NotFound => "No such request at the reviewer's bank",
        ValidationFailed => "Missing or invalid reason",
    }
}

workflow_routes! {
    /// Send a grant awaiting a second approval back, with a reason: the request stays
    /// `pre_approved`, with no grant pending (409 `no-pending-grant` when none is).
    return_grant: "/api/v1/loan-requests/{id}/grant/return", Reviewer, [ReviewerOnly, ReturnProblems],
        body ReturnGrantInput => value,
        |service, reviewer, id, version| service.return_grant(&reviewer, id, version, value.reason.as_deref());
    /// Pre-approve or reject a request.
    decide_loan_request: "/api/v1/loan-requests/{id}/decision", Reviewer, [ReviewerOnly, DecisionProblems],
        body DecisionInput => value,
        |service, reviewer, id, version| service.decide(&reviewer, id, version, value.decision.into(), value.reason.as_deref());
}
