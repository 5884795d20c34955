//! The workflow routes without a body, from one description: `POST
//! /api/v1/loan-requests/{id}/{review,grant,withdraw}`. Each moves the request one step
//! (docs/RULES.md §14) for the principal its row names, at the version of `If-Match`,
//! and answers the new state with its `ETag`. (`…/decision`, which takes a body, is
//! `decide.rs`.)

use app::loan_requests::Decision;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

use super::{if_match, parse_id, with_etag};
use crate::auth::{Applicant, Reviewer};
use crate::extract::ApiPath;
use crate::problem::Problem;
use crate::problem::openapi::{ApplicantOnly, NotVisible, ReviewerOnly, problem_answers};
use crate::state::AppState;
use crate::views::LoanRequestView;

problem_answers! {
    /// What a workflow step may be refused for, besides the caller's role.
    pub(crate) StepProblems {
        InvalidTransition => "Transition not allowed from the current status",
        PreconditionFailed => "Stale ETag",
        PreconditionRequired => "If-Match missing",
    }
}

/// Declares a workflow route: its handler, path, principal (and its answers), and the
/// service call that takes the step.
macro_rules! workflow_routes {
    ($(
        $(#[$doc:meta])*
        $handler:ident: $path:tt, $principal:ident, $answers:ident,
        |$services:ident, $who:ident, $id:ident, $version:ident| $step:expr;
    )+) => {$(
        $(#[$doc])*
        #[utoipa::path(
            post,
            path = $path,
            tag = "loan-requests",
            params(
                ("id" = uuid::Uuid, Path, description = "Loan request id"),
                ("If-Match" = String, Header, description = "The request's current ETag"),
            ),
            responses(
                (status = 200, description = "New state", body = LoanRequestView,
                    headers(("ETag" = String, description = "New version"))),
                $answers,
                NotVisible,
                StepProblems,
            ),
            security(("bearer" = []))
        )]
        pub async fn $handler(
            State(state): State<AppState>,
            $who: $principal,
            ApiPath(id): ApiPath<String>,
            headers: HeaderMap,
        ) -> Result<Response, Problem> {
            let $id = parse_id(&id)?;
            let $version = if_match(&headers)?;
            let $services = &state.services.loan_requests;
            let request = $step.await?;
            Ok(with_etag(&request))
        }
    )+};
}

workflow_routes! {
    /// A reviewer of the request's bank takes it in review (submitted → in_review).
    review_loan_request: "/api/v1/loan-requests/{id}/review", Reviewer, ReviewerOnly,
        |service, reviewer, id, version| service.decide(&reviewer, id, version, Decision::TakeInReview, None);
    /// A reviewer of the request's bank marks it granted (pre_approved → granted).
    grant_loan_request: "/api/v1/loan-requests/{id}/grant", Reviewer, ReviewerOnly,
        |service, reviewer, id, version| service.decide(&reviewer, id, version, Decision::Grant, None);
    /// The owner withdraws their request (submitted or in_review → withdrawn).
    withdraw_loan_request: "/api/v1/loan-requests/{id}/withdraw", Applicant, ApplicantOnly,
        |service, applicant, id, version| service.withdraw(&applicant, id, version);
}
