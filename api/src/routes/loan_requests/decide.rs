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
    #[schema(example = "PGE-7K3M-Q9TX-2HBW-V")]
    pub guarantee_identifier: String,
}

problem_answers! {
    /// What a grant may be refused for, besides a workflow step's reasons.
    GrantProblems {
        NotFound => "No such request at the reviewer's bank",
        ValidationFailed => "Not the guarantee identifier issued for this request (field guarantee_identifier: does-not-match, already-used, cancelled, or its format)",
    }
}

workflow_routes! {
    /// Grant a pre-approved request on its guarantee identifier: it must be the one
    /// issued for this request (same SIREN and bank, an amount not below the loan's),
    /// still valid; the request becomes `granted` and the guarantee `used`.
    grant_loan_request: "/api/v1/loan-requests/{id}/grant", Reviewer, [ReviewerOnly, GrantProblems],
        body GrantInput => value,
        |service, reviewer, id, version| service.grant(&reviewer, id, version, &value.guarantee_identifier);
    /// Pre-approve or reject a request.
    decide_loan_request: "/api/v1/loan-requests/{id}/decision", Reviewer, [ReviewerOnly, DecisionProblems],
        body DecisionInput => value,
        |service, reviewer, id, version| service.decide(&reviewer, id, version, value.decision.into(), value.reason.as_deref());
}
