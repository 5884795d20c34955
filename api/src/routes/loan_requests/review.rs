//! `POST /api/v1/loan-requests/{id}/review`: a reviewer of the request's bank takes it in review (submitted → in_review).
//! Requires `If-Match` with the current `ETag`.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use domain::workflow::Action;

use super::apply;
use crate::auth::{Caller, Reviewer};
use crate::extract::ApiPath;
use crate::problem::{Problem, ProblemDetails};
use crate::state::AppState;
use crate::views::LoanRequestView;

/// A reviewer of the request's bank takes it in review (submitted → in_review).
#[utoipa::path(
    post,
    path = "/api/v1/loan-requests/{id}/review",
    tag = "loan-requests",
    params(
        ("id" = uuid::Uuid, Path, description = "Loan request id"),
        ("If-Match" = String, Header, description = "The request's current ETag"),
    ),
    responses(
        (status = 200, description = "New state", body = LoanRequestView,
            headers(("ETag" = String, description = "New version"))),
        (status = 401, description = "Not authenticated", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed for this role", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such request visible to the caller", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "Transition not allowed from the current status", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 412, description = "Stale ETag", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn review_loan_request(
    State(state): State<AppState>,
    Reviewer { subject, bank }: Reviewer,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    apply(
        &state,
        &Caller::Reviewer { subject, bank },
        &id,
        &headers,
        Action::TakeInReview,
        None,
    )
    .await
}
