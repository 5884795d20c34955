//! `GET /api/v1/loan-requests/{id}/events`: the audit trail, oldest first.

use axum::Json;
use axum::extract::State;

use super::parse_id;
use crate::auth::Caller;
use crate::extract::ApiPath;
use crate::problem::Problem;
use crate::problem::openapi::{AnyRole, NotVisible};
use crate::state::AppState;
use crate::views::AuditEventView;

/// Read a request's audit trail.
#[utoipa::path(
    get,
    path = "/api/v1/loan-requests/{id}/events",
    tag = "loan-requests",
    params(("id" = uuid::Uuid, Path, description = "Loan request id")),
    responses(
        (status = 200, description = "Audit trail", body = Vec<AuditEventView>),
        AnyRole,
        NotVisible,
    ),
    security(("bearer" = []))
)]
pub async fn list_loan_request_events(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Vec<AuditEventView>>, Problem> {
    let id = parse_id(&id)?;
    let events = state.services.loan_requests.history(&caller, id).await?;
    Ok(Json(events.iter().map(AuditEventView::from).collect()))
}
