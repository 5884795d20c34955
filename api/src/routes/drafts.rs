//! `GET/PUT/DELETE /api/v1/draft` (applicants): the caller's unfinished request, kept on
//! the server so that closing the tab or switching device loses nothing. The answers
//! are the web app's, kept as they were sent (a draft may hold answers that are not
//! valid yet: they are checked when the request is submitted). Forgotten 30 days after
//! the last save; the web app deletes it once the request is submitted.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Applicant;
use crate::extract::ApiJson;
use crate::problem::Problem;
use crate::problem::openapi::{ApplicantOnly, problem_answers};
use crate::state::AppState;

/// A draft to save.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftBody {
    /// The answers as the web app keeps them: a JSON object of at most 16 KiB.
    #[schema(value_type = Object)]
    pub answers: serde_json::Map<String, serde_json::Value>,
}

/// The caller's draft.
#[derive(Debug, Serialize, ToSchema)]
pub struct DraftView {
    #[schema(value_type = Object)]
    pub answers: serde_json::Value,
    pub updated_at: DateTime<Utc>,
    /// Forgotten at this time unless saved again.
    pub expires_at: DateTime<Utc>,
}

fn view(draft: domain::ports::Draft) -> Result<DraftView, Problem> {
    Ok(DraftView {
        answers: serde_json::from_str(&draft.body)
            .map_err(|e| Problem::internal(format!("a stored draft is not JSON: {e}")))?,
        updated_at: draft.updated_at,
        expires_at: draft.expires_at,
    })
}

problem_answers! {
    /// `get_draft`'s own problem answers (the shared sets are named in its `responses`).
    GetDraftProblems {
        NotFound => "No draft (or it expired)",
    }
}

/// Read the caller's draft (applicant).
#[utoipa::path(
    get,
    path = "/api/v1/draft",
    tag = "loan-requests",
    responses(
        (status = 200, description = "The draft", body = DraftView),
        ApplicantOnly,
        GetDraftProblems,
    ),
    security(("bearer" = []))
)]
pub async fn get_draft(
    State(state): State<AppState>,
    applicant: Applicant,
) -> Result<Json<DraftView>, Problem> {
    let draft = state.services.drafts.get(&applicant).await?;
    Ok(Json(view(draft)?))
}

problem_answers! {
    /// `put_draft`'s own problem answers (the shared sets are named in its `responses`).
    PutDraftProblems {
        ValidationFailed => "Not an object of answers, or over 16 KiB (`answers`)",
    }
}

/// Save the caller's draft, replacing the one before (applicant).
#[utoipa::path(
    put,
    path = "/api/v1/draft",
    tag = "loan-requests",
    request_body = DraftBody,
    responses(
        (status = 200, description = "Saved", body = DraftView),
        ApplicantOnly,
        PutDraftProblems,
    ),
    security(("bearer" = []))
)]
pub async fn put_draft(
    State(state): State<AppState>,
    applicant: Applicant,
    ApiJson { value, .. }: ApiJson<DraftBody>,
) -> Result<Json<DraftView>, Problem> {
    let body = serde_json::Value::Object(value.answers).to_string();
    let draft = state.services.drafts.save(&applicant, body).await?;
    Ok(Json(view(draft)?))
}

problem_answers! {
    /// `delete_draft`'s own problem answers (the shared sets are named in its `responses`).
    DeleteDraftProblems {
        NotFound => "No draft",
    }
}

/// Delete the caller's draft (applicant).
#[utoipa::path(
    delete,
    path = "/api/v1/draft",
    tag = "loan-requests",
    responses(
        (status = 204, description = "Deleted"),
        ApplicantOnly,
        DeleteDraftProblems,
    ),
    security(("bearer" = []))
)]
pub async fn delete_draft(
    State(state): State<AppState>,
    applicant: Applicant,
) -> Result<StatusCode, Problem> {
    state.services.drafts.delete(&applicant).await?;
    Ok(StatusCode::NO_CONTENT)
}
