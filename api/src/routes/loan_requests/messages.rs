//! `GET/POST /api/v1/loan-requests/{id}/messages`: the thread between a request's
//! applicant and the reviewers of its bank. Both sides read and write; admins read.
//! Anyone else gets 404, as for the request itself. Posting writes the message, its
//! audit line and an e-mail to the other side (saying only that a message waits) in one
//! transaction.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use domain::message::Message;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::parse_id;
use crate::auth::Caller;
use crate::extract::{ApiJson, ApiPath};
use crate::problem::Problem;
use crate::problem::openapi::{AnyRole, NotVisible, problem_answers};
use crate::state::AppState;

/// Who wrote a message.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MessageSide {
    Applicant,
    Bank,
}

/// One message of a request's thread.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageView {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    /// The applicant, or the bank (any of its reviewers: the applicant is not told
    /// which one).
    pub from: MessageSide,
    pub body: String,
}

impl From<&Message> for MessageView {
    fn from(m: &Message) -> Self {
        Self {
            id: m.id,
            at: m.at,
            from: match m.from {
                domain::message::Side::Applicant => MessageSide::Applicant,
                domain::message::Side::Bank => MessageSide::Bank,
            },
            body: m.body.clone(),
        }
    }
}

/// A request's thread.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageList {
    /// Oldest first.
    pub items: Vec<MessageView>,
}

/// A message to write.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMessageInput {
    /// 1–5,000 characters; newlines and tabs allowed, no other control character.
    #[schema(example = "Pourriez-vous joindre le bilan 2025 ?")]
    pub body: String,
}

/// Read a request's messages; the other side's become read (not for admins).
#[utoipa::path(
    get,
    path = "/api/v1/loan-requests/{id}/messages",
    tag = "loan-requests",
    params(("id" = uuid::Uuid, Path, description = "Loan request id")),
    responses(
        (status = 200, description = "The thread, oldest first", body = MessageList),
        AnyRole,
        NotVisible,
    ),
    security(("bearer" = []))
)]
pub async fn list_messages(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<MessageList>, Problem> {
    let id = parse_id(&id)?;
    let messages = state.services.conversations.read(&caller, id).await?;
    Ok(Json(MessageList {
        items: messages.iter().map(MessageView::from).collect(),
    }))
}

problem_answers! {
    /// `post_message`'s own problem answers (the shared sets are named in its `responses`).
    PostMessageProblems {
        Unauthorized => "Not authenticated",
        Forbidden => "An admin (admins read threads, they do not write in them)",
        ThreadFull => "The thread holds 500 messages (`thread-full`)",
        ValidationFailed => "Empty, too long (over 5,000 characters) or with control characters",
    }
}

/// Write to the other side of a request (its applicant, or the reviewers of its bank).
#[utoipa::path(
    post,
    path = "/api/v1/loan-requests/{id}/messages",
    tag = "loan-requests",
    request_body = NewMessageInput,
    params(("id" = uuid::Uuid, Path, description = "Loan request id")),
    responses(
        (status = 201, description = "Posted", body = MessageView),
        NotVisible,
        PostMessageProblems,
    ),
    security(("bearer" = []))
)]
pub async fn post_message(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson { value, .. }: ApiJson<NewMessageInput>,
) -> Result<(StatusCode, Json<MessageView>), Problem> {
    let id = parse_id(&id)?;
    let posted = state
        .services
        .conversations
        .post(&caller, id, &value.body)
        .await?;
    Ok((StatusCode::CREATED, Json(MessageView::from(&posted))))
}
