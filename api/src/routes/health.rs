//! `GET /healthz` (liveness), `GET /readyz` (readiness: database reachable and
//! migrated) and the dev identity provider's JWKS.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::problem::openapi::{EmbeddedOnly, problem_answers};
use crate::problem::{Problem, ProblemType};
use crate::state::AppState;

/// Health status.
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthView {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "Alive", body = HealthView)))]
pub async fn healthz() -> Json<HealthView> {
    Json(HealthView { status: "ok" })
}

problem_answers! {
    /// What readiness answers when the service cannot serve.
    ReadinessProblems {
        NotReady => "Not ready",
    }
}

/// Readiness: the database is reachable and every migration is applied.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "Ready", body = HealthView),
        ReadinessProblems,
    ))]
pub async fn readyz(State(state): State<AppState>) -> Result<Json<HealthView>, Problem> {
    // While the database is away, a connection attempt can wait for the pool's acquire
    // timeout (5 s): the probe answers within READY_TIMEOUT instead, under the
    // kubelet's 2 s probe timeout, so that "not ready" is a 503 and not a hang.
    let outcome = tokio::time::timeout(READY_TIMEOUT, state.health.ready())
        .await
        .unwrap_or_else(|_| {
            Err(format!(
                "the readiness check took more than {} ms",
                READY_TIMEOUT.as_millis()
            ))
        });
    outcome.map_err(|reason| {
        tracing::warn!(%reason, "not ready");
        Problem::service_unavailable(ProblemType::NotReady, "the service is not ready", 5)
    })?;
    Ok(Json(HealthView { status: "ready" }))
}

/// Longest a readiness check may take before the probe answers 503.
const READY_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(1_000);

/// The dev identity provider's public keys (embedded default only: 404 with Cognito).
#[utoipa::path(get, path = "/dev-idp/.well-known/jwks.json", tag = "operations",
    responses(
        (status = 200, description = "JSON Web Key Set of the dev identity provider", content_type = "application/json"),
        EmbeddedOnly,
    ))]
pub async fn dev_jwks(State(state): State<AppState>) -> Response {
    match &state.dev_jwks {
        Some(jwks) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            jwks.clone(),
        )
            .into_response(),
        None => Problem::not_found().into_response(),
    }
}
