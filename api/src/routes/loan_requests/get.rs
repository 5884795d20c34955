//! `GET /api/v1/loan-requests/{id}`: one request with its computed terms and `ETag`.
//! Visible to its owner, to reviewers of its bank and to admins; anyone else gets 404.

use axum::extract::State;
use axum::response::Response;

use super::{parse_id, view_with_etag};
use crate::auth::Caller;
use crate::extract::ApiPath;
use crate::problem::Problem;
use crate::problem::openapi::{AnyRole, NotVisible};
use crate::state::AppState;
use crate::views::LoanRequestView;

/// Read a loan request.
#[utoipa::path(
    get,
    path = "/api/v1/loan-requests/{id}",
    tag = "loan-requests",
    params(("id" = uuid::Uuid, Path, description = "Loan request id")),
    responses(
        (status = 200, description = "The request", body = LoanRequestView,
            headers(("ETag" = String, description = "Current version, for If-Match"))),
        AnyRole,
        NotVisible,
    ),
    security(("bearer" = []))
)]
pub async fn get_loan_request(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let reading = state.services.loan_requests.get(&caller, id).await?;
    let mut view = LoanRequestView::from(&reading.request);
    view.unread_messages = reading.unread_messages;
    view.awaiting_second_approval = reading
        .pending_grant
        .as_ref()
        .map(|pending| crate::views::PendingGrantView::for_caller(pending, &caller));
    Ok(view_with_etag(view, reading.request.version))
}
