//! `GET /api/v1/banks`: the participating banks (public); `POST /api/v1/banks`: add one
//! (admin); `POST /api/v1/banks/{id}/reviewers`: create a reviewer account (admin).

use app::platform::RawBank;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Admin;
use crate::extract::ApiJson;
use crate::problem::Problem;
use crate::problem::openapi::{AdminOnly, problem_answers};
use crate::state::AppState;

/// A participating bank.
#[derive(Debug, Serialize, ToSchema)]
pub struct BankView {
    /// 5-digit French bank code.
    #[schema(example = "30004")]
    pub id: String,
    #[schema(example = "BNP Paribas")]
    pub name: String,
}

/// List the participating banks.
#[utoipa::path(
    get,
    path = "/api/v1/banks",
    tag = "banks",
    responses((status = 200, description = "Banks by name", body = Vec<BankView>))
)]
pub async fn list_banks(State(state): State<AppState>) -> Result<Json<Vec<BankView>>, Problem> {
    let banks = state.services.platform.banks().await?;
    Ok(Json(
        banks
            .iter()
            .map(|b| BankView {
                id: b.code.as_str().to_owned(),
                name: b.name.clone(),
            })
            .collect(),
    ))
}

/// A bank to add.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBankInput {
    /// 5-digit French bank code, unique.
    #[schema(example = "16606")]
    pub id: String,
    /// 1–200 characters.
    #[schema(example = "Crédit Agricole Normandie-Seine")]
    pub name: String,
    /// The bank's shared mailbox, e-mailed (without the content) when an applicant
    /// writes to the bank about one of its requests. Optional.
    #[schema(example = "pge@cansn.example")]
    pub notification_email: Option<String>,
}

problem_answers! {
    /// `create_bank`'s own problem answers (the shared sets are named in its `responses`).
    CreateBankProblems {
        BankExists => "Bank code taken",
        ValidationFailed => "Invalid code or name",
    }
}

/// Add a participating bank (admin).
#[utoipa::path(
    post,
    path = "/api/v1/banks",
    tag = "banks",
    request_body = NewBankInput,
    responses(
        (status = 201, description = "Added", body = BankView),
        AdminOnly,
        CreateBankProblems,
    ),
    security(("bearer" = []))
)]
pub async fn create_bank(
    State(state): State<AppState>,
    admin: Admin,
    ApiJson { value, .. }: ApiJson<NewBankInput>,
) -> Result<(StatusCode, Json<BankView>), Problem> {
    let bank = state
        .services
        .platform
        .add_bank(
            &admin,
            RawBank {
                code: &value.id,
                name: &value.name,
                notification_email: value.notification_email.as_deref(),
            },
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(BankView {
            id: bank.code.as_str().to_owned(),
            name: bank.name,
        }),
    ))
}

/// A reviewer account to create.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReviewerInput {
    /// The reviewer's professional e-mail address: their user name, where the
    /// identity provider sends the invitation.
    #[schema(example = "c.martin@bnpparibas.example")]
    pub email: String,
}

/// The created account.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewerView {
    /// The account's subject (`sub` of its tokens).
    pub subject: String,
    pub email: String,
    pub bank_id: String,
}

problem_answers! {
    /// `create_reviewer`'s own problem answers (the shared sets are named in its `responses`).
    CreateReviewerProblems {
        NotFound => "No such bank",
        AccountExists => "An account with this e-mail exists",
        ValidationFailed => "Invalid e-mail address",
        IdentityProviderUnavailable => "Identity provider unavailable",
    }
}

/// Create a reviewer account for a bank (admin): in Cognito, `AdminCreateUser` with
/// `custom:bank_id`, then membership of `bank-reviewers`.
#[utoipa::path(
    post,
    path = "/api/v1/banks/{id}/reviewers",
    tag = "banks",
    params(("id" = String, Path, description = "5-digit bank code")),
    request_body = NewReviewerInput,
    responses(
        (status = 201, description = "Created; the identity provider invites the reviewer", body = ReviewerView),
        AdminOnly,
        CreateReviewerProblems,
    ),
    security(("bearer" = []))
)]
pub async fn create_reviewer(
    State(state): State<AppState>,
    admin: Admin,
    crate::extract::ApiPath(id): crate::extract::ApiPath<String>,
    ApiJson { value, .. }: ApiJson<NewReviewerInput>,
) -> Result<(StatusCode, Json<ReviewerView>), Problem> {
    let reviewer = state
        .services
        .platform
        .add_reviewer(&admin, &id, &value.email)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(ReviewerView {
            subject: reviewer.subject,
            email: reviewer.email,
            bank_id: reviewer.bank.as_str().to_owned(),
        }),
    ))
}

/// A bank's four-eyes threshold (docs/RULES.md §21).
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantThresholdView {
    pub bank_id: String,
    /// A grant of a loan strictly above this amount needs a second reviewer of the bank;
    /// null: every grant is decided by one reviewer.
    #[schema(example = 50_000_000)]
    pub threshold_cents: Option<i64>,
}

/// A bank's four-eyes threshold to set.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantThresholdInput {
    /// 0 to 100,000,000,000 cents (€1 billion); null removes the threshold.
    #[schema(example = 50_000_000)]
    pub threshold_cents: Option<i64>,
}

problem_answers! {
    /// What reading a threshold may answer besides the roles'.
    ThresholdProblems {
        NotFound => "No such bank, or another bank's (for a reviewer)",
    }
    /// What setting a threshold may answer besides the roles'.
    SetThresholdProblems {
        NotFound => "No such bank",
        ValidationFailed => "threshold_cents negative or above €1 billion",
    }
}

/// Read a bank's four-eyes threshold (admins, and the bank's own reviewers).
#[utoipa::path(
    get,
    path = "/api/v1/banks/{id}/grant-threshold",
    tag = "banks",
    params(("id" = String, Path, description = "Bank code")),
    responses(
        (status = 200, description = "The threshold", body = GrantThresholdView),
        crate::problem::openapi::BackOfficeOnly,
        ThresholdProblems,
    ),
    security(("bearer" = []))
)]
pub async fn get_grant_threshold(
    State(state): State<AppState>,
    back_office: crate::auth::BackOffice,
    crate::extract::ApiPath(id): crate::extract::ApiPath<String>,
) -> Result<Json<GrantThresholdView>, Problem> {
    let threshold = state
        .services
        .platform
        .grant_threshold(&back_office, &id)
        .await?;
    Ok(Json(GrantThresholdView {
        bank_id: id,
        threshold_cents: threshold.map(|t| t.cents().get()),
    }))
}

/// Set or remove a bank's four-eyes threshold (admin): grants of loans above it then
/// need a second reviewer of the bank, never the one who asked.
#[utoipa::path(
    put,
    path = "/api/v1/banks/{id}/grant-threshold",
    tag = "banks",
    params(("id" = String, Path, description = "Bank code")),
    request_body = GrantThresholdInput,
    responses(
        (status = 200, description = "The threshold set", body = GrantThresholdView),
        AdminOnly,
        SetThresholdProblems,
    ),
    security(("bearer" = []))
)]
pub async fn put_grant_threshold(
    State(state): State<AppState>,
    admin: Admin,
    crate::extract::ApiPath(id): crate::extract::ApiPath<String>,
    ApiJson { value, .. }: ApiJson<GrantThresholdInput>,
) -> Result<Json<GrantThresholdView>, Problem> {
    let threshold = state
        .services
        .platform
        .set_grant_threshold(&admin, &id, value.threshold_cents)
        .await?;
    Ok(Json(GrantThresholdView {
        bank_id: id,
        threshold_cents: threshold.map(|t| t.cents().get()),
    }))
}
