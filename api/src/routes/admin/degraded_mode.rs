//! `GET/PUT /api/v1/admin/degraded-mode` (admin): for a traffic peak beyond capacity.
//! When on, stats, CSV export and document listing answer 503 with `Retry-After`;
//! submissions and reads of one's own requests keep working. Stored in the database,
//! so every replica sees a switch within seconds.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Admin;
use crate::extract::ApiJson;
use crate::problem::Problem;
use crate::problem::openapi::{AdminOnly, problem_answers};
use crate::state::AppState;

/// The degraded-mode switch.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DegradedMode {
    pub enabled: bool,
}

/// Read the degraded-mode switch (admin).
#[utoipa::path(
    get,
    path = "/api/v1/admin/degraded-mode",
    tag = "back-office",
    responses(
        (status = 200, description = "Current state", body = DegradedMode),
        AdminOnly,
    ),
    security(("bearer" = []))
)]
pub async fn get_degraded_mode(
    State(state): State<AppState>,
    _admin: Admin,
) -> Result<Json<DegradedMode>, Problem> {
    Ok(Json(DegradedMode {
        enabled: state.services.platform.degraded_mode_now().await?,
    }))
}

problem_answers! {
    /// `put_degraded_mode`'s own problem answers (the shared sets are named in its `responses`).
    PutDegradedModeProblems {
        ValidationFailed => "Invalid body",
    }
}

/// Switch degraded mode on or off (admin).
#[utoipa::path(
    put,
    path = "/api/v1/admin/degraded-mode",
    tag = "back-office",
    request_body = DegradedMode,
    responses(
        (status = 200, description = "New state", body = DegradedMode),
        AdminOnly,
        PutDegradedModeProblems,
    ),
    security(("bearer" = []))
)]
pub async fn put_degraded_mode(
    State(state): State<AppState>,
    admin: Admin,
    ApiJson { value, .. }: ApiJson<DegradedMode>,
) -> Result<Json<DegradedMode>, Problem> {
    state
        .services
        .platform
        .set_degraded_mode(&admin, value.enabled)
        .await?;
    tracing::warn!(enabled = value.enabled, "degraded mode switched");
    Ok(Json(DegradedMode {
        enabled: value.enabled,
    }))
}

/// What every page of the app shows about the platform's state.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlatformStatus {
    /// Degraded mode is on: national figures, the CSV export and document lists answer
    /// 503 with `Retry-After` until an admin switches it off.
    pub degraded_mode: bool,
}

/// The platform's state, for the banner every signed-in user sees (public: it holds
/// nothing about anyone).
#[utoipa::path(
    get,
    path = "/api/v1/platform-status",
    tag = "operations",
    responses(
        (status = 200, description = "Current state (cached a few seconds per replica)", body = PlatformStatus),
    )
)]
pub async fn platform_status(
    State(state): State<AppState>,
) -> Result<Json<PlatformStatus>, Problem> {
    Ok(Json(PlatformStatus {
        degraded_mode: state.services.platform.degraded_mode().await?,
    }))
}
