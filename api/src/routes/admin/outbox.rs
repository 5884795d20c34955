//! `POST /api/v1/admin/outbox/dead-letters/retry` and `GET /api/v1/admin/actions`
//! (admin): once the cause of failed e-mails is fixed (an address SES refused, a
//! suspended sending account: docs/RUNBOOK.md), the dead letters go back in line, and
//! the platform keeps who did it and when.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Admin;
use crate::problem::Problem;
use crate::problem::openapi::{AdminOnly, problem_answers};
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

problem_answers! {
    /// `retry_dead_letters`'s own problem answers (the shared sets are named in its `responses`).
    RetryDeadLettersProblems {
        DatabaseUnavailable => "The database is unreachable",
    }
}

/// Put the outbox's dead letters back in line (admin); recorded.
#[utoipa::path(
    post,
    path = "/api/v1/admin/outbox/dead-letters/retry",
    tag = "back-office",
    responses(
        (status = 200, description = "How many are back in line", body = DeadLettersRetried),
        AdminOnly,
        RetryDeadLettersProblems,
    ),
    security(("bearer" = []))
)]
pub async fn retry_dead_letters(
    State(state): State<AppState>,
    admin: Admin,
) -> Result<Json<DeadLettersRetried>, Problem> {
    let retried = state.services.platform.retry_dead_letters(&admin).await?;
    Ok(Json(DeadLettersRetried { retried }))
}

problem_answers! {
    /// `admin_actions`'s own problem answers (the shared sets are named in its `responses`).
    AdminActionsProblems {
        DatabaseUnavailable => "The database is unreachable",
    }
}

/// The latest platform-wide admin actions, newest first (admin; at most 50).
#[utoipa::path(
    get,
    path = "/api/v1/admin/actions",
    tag = "back-office",
    responses(
        (status = 200, description = "Newest first", body = Vec<AdminActionView>),
        AdminOnly,
        AdminActionsProblems,
    ),
    security(("bearer" = []))
)]
pub async fn admin_actions(
    State(state): State<AppState>,
    admin: Admin,
) -> Result<Json<Vec<AdminActionView>>, Problem> {
    let actions = state.services.platform.admin_actions(&admin).await?;
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
