//! The workflow routes without a body, from one description: `POST
//! /api/v1/loan-requests/{id}/{review,withdraw}`. Each moves the request one step
//! (docs/RULES.md §14) for the principal its row names, at the version of `If-Match`,
//! and answers the new state with its `ETag`. The decision (`…/decision`) and the grant
//! (`…/grant`, on the guarantee identifier), which take a body, are declared with the
//! same description in `decide.rs`.

use app::loan_requests::Decision;

use crate::auth::{Applicant, Reviewer};
use crate::problem::openapi::{ApplicantOnly, NotVisible, ReviewerOnly, problem_answers};

problem_answers! {
    /// What a workflow step may be refused for, besides the caller's role.
    pub(crate) StepProblems {
        InvalidTransition => "Transition not allowed from the current status",
        PreconditionFailed => "Stale ETag",
        PreconditionRequired => "If-Match missing",
    }
}

/// Declares workflow routes: each its handler, path, principal, problem answer sets,
/// body (if any) and the service call that takes the step. `decide.rs` declares the
/// decision, which has a body, with it too.
macro_rules! workflow_routes {
    ($(
        $(#[$doc:meta])*
        $handler:ident: $path:tt, $principal:ident, [$($answers:ident),+],
        $(body $input:ident => $value:ident,)?
        |$services:ident, $who:ident, $id:ident, $version:ident| $step:expr;
    )+) => {$(
        $(#[$doc])*
        #[utoipa::path(
            post,
            path = $path,
            tag = "loan-requests",
            $(request_body = $input,)?
            params(
                ("id" = uuid::Uuid, Path, description = "Loan request id"),
                ("If-Match" = String, Header, description = "The request's current ETag"),
            ),
            responses(
                (status = 200, description = "New state", body = $crate::views::LoanRequestView,
                    headers(("ETag" = String, description = "New version"))),
                $($answers,)+
                $crate::routes::loan_requests::workflow::StepProblems,
            ),
            security(("bearer" = []))
        )]
        pub async fn $handler(
            axum::extract::State(state): axum::extract::State<$crate::state::AppState>,
            $who: $principal,
            $crate::extract::ApiPath(id): $crate::extract::ApiPath<String>,
            headers: axum::http::HeaderMap,
            $($crate::extract::ApiJson { value: $value, .. }: $crate::extract::ApiJson<$input>,)?
        ) -> Result<axum::response::Response, $crate::problem::Problem> {
            use $crate::routes::loan_requests::{if_match, parse_id, with_etag};
            let $id = parse_id(&id)?;
            let $version = if_match(&headers)?;
            let $services = &state.services.loan_requests;
            let request = $step.await?;
            Ok(with_etag(&request))
        }
    )+};
}
pub(crate) use workflow_routes;

workflow_routes! {
    /// A reviewer of the request's bank takes it in review (submitted → in_review).
    review_loan_request: "/api/v1/loan-requests/{id}/review", Reviewer, [ReviewerOnly, NotVisible],
        |service, reviewer, id, version| service.decide(&reviewer, id, version, Decision::TakeInReview, None);
    /// The owner withdraws their request (submitted, in_review or pre_approved →
    /// withdrawn; a guarantee identifier issued for it is cancelled).
    withdraw_loan_request: "/api/v1/loan-requests/{id}/withdraw", Applicant, [ApplicantOnly, NotVisible],
        |service, applicant, id, version| service.withdraw(&applicant, id, version);
}
