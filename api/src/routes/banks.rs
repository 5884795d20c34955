//! `GET /api/v1/banks`: the participating banks (public); `POST /api/v1/banks`: add one
//! (admin).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::error::FieldError;
use domain::loan_request::Bank;
use domain::ports::CreateBankError;
use domain::submission::BankCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Admin;
use crate::extract::ApiJson;
use crate::problem::{Problem, ProblemDetails};
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
    let banks = state.bank_list().await?;
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
}

/// Add a participating bank (admin).
#[utoipa::path(
    post,
    path = "/api/v1/banks",
    tag = "banks",
    request_body = NewBankInput,
    responses(
        (status = 201, description = "Added", body = BankView),
        (status = 400, description = "Malformed JSON", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "Bank code taken", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Invalid code or name", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn create_bank(
    State(state): State<AppState>,
    _admin: Admin,
    ApiJson { value, .. }: ApiJson<NewBankInput>,
) -> Result<(StatusCode, Json<BankView>), Problem> {
    let mut errors = Vec::new();
    let code = BankCode::parse(value.id.trim());
    if code.is_err() {
        errors.push(FieldError::new(
            "id",
            "invalid-format",
            "a bank code is 5 digits",
        ));
    }
    let name = value.name.trim().to_owned();
    let name_length = name.chars().count();
    if name_length == 0 || name_length > 200 || name.chars().any(char::is_control) {
        errors.push(FieldError::new(
            "name",
            if name_length == 0 {
                "required"
            } else {
                "invalid-format"
            },
            "1 to 200 characters, no control characters",
        ));
    }
    let Ok(code) = code else {
        return Err(Problem::validation(errors));
    };
    if !errors.is_empty() {
        return Err(Problem::validation(errors));
    }
    let bank = Bank { code, name };
    state
        .banks
        .create(&bank, infra::persistence::now())
        .await
        .map_err(|e| match e {
            CreateBankError::Duplicate(code) => Problem::new(
                StatusCode::CONFLICT,
                "bank-exists",
                "Bank exists",
                format!("a bank with code {code} already exists"),
            ),
            CreateBankError::Storage(s) => s.into(),
        })?;
    state.invalidate_banks().await;
    Ok((
        StatusCode::CREATED,
        Json(BankView {
            id: bank.code.as_str().to_owned(),
            name: bank.name,
        }),
    ))
}
