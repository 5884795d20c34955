//! `POST /api/v1/loan-requests/bulk-decisions`: a reviewer takes one decision on up to
//! 100 requests of their bank at once. Each item is decided in its own transaction by
//! the same path as the single-request routes (its `version` plays `If-Match`: state
//! machine, audit line, e-mail), and reported with its outcome; a request of another
//! bank is "not found", as it would be alone. A body that cannot be right as a whole
//! (no items, over 100, an id twice, a rejection without a reason) is refused before
//! anything is written.

use axum::Json;
use axum::extract::State;
use domain::loan_request::LoanRequestId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Reviewer;
use crate::extract::ApiJson;
use crate::problem::openapi::{ReviewerOnly, problem_answers};
use crate::problem::{Problem, ProblemDetails};
use crate::state::AppState;
use crate::views::LoanStatus;

/// The most items one bulk decision may carry.
pub const MAX_ITEMS: usize = app::loan_requests::MAX_BULK_ITEMS;

/// A decision that can be taken in bulk.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BulkAction {
    /// Take in review (submitted → in_review).
    Review,
    /// Pre-approve (in_review → pre_approved).
    PreApprove,
    /// Reject with a reason (submitted or in_review → rejected).
    Reject,
}

/// One request to decide, at the version the reviewer saw.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkItem {
    pub id: Uuid,
    /// The request's version as last read (its `ETag`).
    pub version: i32,
}

/// A decision on several requests.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkDecisionInput {
    pub action: BulkAction,
    /// Required to reject (1–2,000 characters); an optional comment to pre-approve;
    /// refused with `review`.
    pub reason: Option<String>,
    /// 1 to 100 distinct requests.
    pub items: Vec<BulkItem>,
}

/// The outcome for one item.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkResult {
    pub id: Uuid,
    /// The request's status after the decision; `null` when it was refused.
    #[schema(value_type = Option<LoanStatus>)]
    pub status: Option<String>,
    /// The request's new version; `null` when it was refused.
    pub version: Option<i32>,
    /// Why this item was refused (404 not at the reviewer's bank, 409 not allowed from
    /// its status, 412 changed since `version`, 503 database unavailable); `null` when
    /// it was decided.
    pub problem: Option<ProblemDetails>,
}

/// The outcomes, in the order of the items.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkDecisionReport {
    pub results: Vec<BulkResult>,
}

impl From<BulkAction> for app::loan_requests::BulkAction {
    fn from(action: BulkAction) -> Self {
        match action {
            BulkAction::Review => Self::Review,
            BulkAction::PreApprove => Self::PreApprove,
            BulkAction::Reject => Self::Reject,
        }
    }
}

problem_answers! {
    /// `bulk_decide`'s own problem answers (the shared sets are named in its `responses`).
    BulkDecideProblems {
        ValidationFailed => "No items, over 100, an id twice, or a missing or invalid reason: nothing was written",
    }
}

/// Decide several requests of the reviewer's bank at once (reviewers).
#[utoipa::path(
    post,
    path = "/api/v1/loan-requests/bulk-decisions",
    tag = "loan-requests",
    request_body = BulkDecisionInput,
    responses(
        (status = 200, description = "One outcome per item, in order; refused items carry their problem", body = BulkDecisionReport),
        ReviewerOnly,
        BulkDecideProblems,
    ),
    security(("bearer" = []))
)]
pub async fn bulk_decide(
    State(state): State<AppState>,
    reviewer: Reviewer,
    ApiJson { value, .. }: ApiJson<BulkDecisionInput>,
) -> Result<Json<BulkDecisionReport>, Problem> {
    let items: Vec<(LoanRequestId, i32)> = value
        .items
        .iter()
        .map(|item| (LoanRequestId(item.id), item.version))
        .collect();
    let outcomes = state
        .services
        .loan_requests
        .bulk_decide(
            &reviewer,
            value.action.into(),
            value.reason.as_deref(),
            &items,
        )
        .await?;
    let results = value
        .items
        .iter()
        .zip(outcomes)
        .map(|(item, outcome)| match outcome {
            Ok(request) => BulkResult {
                id: item.id,
                status: Some(request.status.as_str().to_owned()),
                version: Some(request.version),
                problem: None,
            },
            Err(err) => BulkResult {
                id: item.id,
                status: None,
                version: None,
                problem: Some(Problem::from(err).details().clone()),
            },
        })
        .collect();
    Ok(Json(BulkDecisionReport { results }))
}
