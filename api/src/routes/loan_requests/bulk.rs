//! `POST /api/v1/loan-requests/bulk-decisions`: a reviewer takes one decision on up to
//! 100 requests of their bank at once. Each item is decided in its own transaction by
//! the same path as the single-request routes (its `version` plays `If-Match`: state
//! machine, audit line, e-mail), and reported with its outcome; a request of another
//! bank is "not found", as it would be alone. A body that cannot be right as a whole
//! (no items, over 100, an id twice, a rejection without a reason) is refused before
//! anything is written.

use std::collections::HashSet;

use axum::Json;
use axum::extract::State;
use domain::error::FieldError;
use domain::loan_request::{LoanRequestId, TransitionCommand};
use domain::workflow::{Action, Reason};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{Caller, Reviewer};
use crate::extract::ApiJson;
use crate::problem::{Problem, ProblemDetails};
use crate::state::AppState;
use crate::views::LoanStatus;

/// The most items one bulk decision may carry.
pub const MAX_ITEMS: usize = 100;

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

fn action_of(action: BulkAction) -> Action {
    match action {
        BulkAction::Review => Action::TakeInReview,
        BulkAction::PreApprove => Action::PreApprove,
        BulkAction::Reject => Action::Reject,
    }
}

fn check(input: &BulkDecisionInput) -> Result<Option<String>, Problem> {
    let mut errors = Vec::new();
    if input.items.is_empty() || input.items.len() > MAX_ITEMS {
        errors.push(FieldError::new(
            "items",
            if input.items.is_empty() {
                domain::error::codes::REQUIRED
            } else {
                domain::error::codes::OUT_OF_RANGE
            },
            format!("from 1 to {MAX_ITEMS} requests"),
        ));
    }
    let mut seen = HashSet::with_capacity(input.items.len());
    for (i, item) in input.items.iter().enumerate() {
        if !seen.insert(item.id) {
            errors.push(FieldError::new(
                format!("items[{i}].id"),
                domain::error::FieldCode::Duplicate,
                "this request is already in the list",
            ));
        }
    }
    let action = action_of(input.action);
    let reason = match (input.action, input.reason.as_deref()) {
        (_, None) if action.requires_reason() => {
            errors.push(FieldError::new(
                "reason",
                domain::error::codes::REQUIRED,
                "a rejection needs a reason",
            ));
            None
        }
        (BulkAction::Review, Some(_)) => {
            errors.push(FieldError::new(
                "reason",
                domain::error::FieldCode::NotAllowed,
                "taking a request in review takes no reason",
            ));
            None
        }
        (_, Some(raw)) => match Reason::parse(raw) {
            Ok(reason) => Some(reason.as_str().to_owned()),
            Err(e) => {
                errors.push(e);
                None
            }
        },
        (_, None) => None,
    };
    if errors.is_empty() {
        Ok(reason)
    } else {
        Err(Problem::validation(errors))
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
        (status = 400, description = "Malformed JSON", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not a reviewer", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "No items, over 100, an id twice, or a missing or invalid reason: nothing was written", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn bulk_decide(
    State(state): State<AppState>,
    Reviewer { subject, bank }: Reviewer,
    ApiJson { value, .. }: ApiJson<BulkDecisionInput>,
) -> Result<Json<BulkDecisionReport>, Problem> {
    let reason = check(&value)?;
    let action = action_of(value.action);
    let caller = Caller::Reviewer { subject, bank };
    let mut results = Vec::with_capacity(value.items.len());
    for item in &value.items {
        let outcome = state
            .loan_requests
            .transition(TransitionCommand {
                id: LoanRequestId(item.id),
                scope: caller.scope(),
                expected_version: item.version,
                action,
                actor: caller.actor(),
                reason: reason.clone(),
            })
            .await;
        results.push(match outcome {
            Ok(request) => BulkResult {
                id: item.id,
                status: Some(request.status.as_str().to_owned()),
                version: Some(request.version),
                problem: None,
            },
            Err(err) => {
                let problem = Problem::from(err);
                if problem.details().status >= 500 {
                    tracing::warn!(loan_request_id = %item.id, detail = %problem.details().detail, "bulk decision item failed");
                }
                BulkResult {
                    id: item.id,
                    status: None,
                    version: None,
                    problem: Some(problem.details().clone()),
                }
            }
        });
    }
    Ok(Json(BulkDecisionReport { results }))
}
