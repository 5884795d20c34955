//! `GET /api/v1/banks`: the participating banks. Public.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::problem::Problem;
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
