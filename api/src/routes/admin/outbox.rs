//! `POST /api/v1/admin/outbox/dead-letters/retry` and `GET /api/v1/admin/actions`
//! (admin): once the cause of failed e-mails is fixed (an address SES refused, a
//! suspended sending account: docs/RUNBOOK.md), the dead letters go back in line, and
//! the platform keeps who did it and when.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{Admin, Caller};
use crate::problem::{Problem, ProblemDetails};
use crate::state::AppState;

/// What a retry did.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeadLettersRetried {
    /// How many dead letters are back in line (sent by the worker within seconds).
    pub retried: i64,
}

/// A platform-wide admin action, as recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminActionView {
    pub at: DateTime<Utc>,
    /// The admin's account.
    pub actor_subject: String,
    /// `retry_dead_letters`.
    #[schema(example = "retry_dead_letters")]
    pub action: String,
    /// How many items it touched.
    pub count: i64,
}

/// Put the outbox's dead letters back in line (admin); recorded.
#[utoipa::path(
    post,
    path = "/api/v1/admin/outbox/dead-letters/retry",
    tag = "back-office",
    responses(
        (status = 200, description = "How many are back in line", body = DeadLettersRetried),
        (status = 401, description = "Not authenticated", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, description = "The database is unreachable", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn retry_dead_letters(
    State(state): State<AppState>,
    Admin(subject): Admin,
) -> Result<Json<DeadLettersRetried>, Problem> {
    let retried = state
        .services
        .platform
        .retry_dead_letters(&Caller::Admin(subject))
        .await?;
    Ok(Json(DeadLettersRetried { retried }))
}

/// The latest platform-wide admin actions, newest first (admin; at most 50).
#[utoipa::path(
    get,
    path = "/api/v1/admin/actions",
    tag = "back-office",
    responses(
        (status = 200, description = "Newest first", body = Vec<AdminActionView>),
        (status = 401, description = "Not authenticated", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, description = "The database is unreachable", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn admin_actions(
    State(state): State<AppState>,
    Admin(subject): Admin,
) -> Result<Json<Vec<AdminActionView>>, Problem> {
    let actions = state
        .services
        .platform
        .admin_actions(&Caller::Admin(subject))
        .await?;
    Ok(Json(
        actions
            .into_iter()
            .map(|a| AdminActionView {
                at: a.at,
                actor_subject: a.actor.subject.as_str().to_owned(),
                action: a.kind.as_str().to_owned(),
                count: a.count,
            })
            .collect(),
    ))
}
