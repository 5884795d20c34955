//! `POST /api/v1/loan-requests/{id}/decision`: a reviewer of the request's bank
//! pre-approves it (in_review → pre_approved) or rejects it with a reason
//! (submitted or in_review → rejected). Requires `If-Match`.

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

workflow_routes! {
    /// Pre-approve or reject a request.
    decide_loan_request: "/api/v1/loan-requests/{id}/decision", Reviewer, [ReviewerOnly, DecisionProblems],
        body DecisionInput => value,
        |service, reviewer, id, version| service.decide(&reviewer, id, version, value.decision.into(), value.reason.as_deref());
}
