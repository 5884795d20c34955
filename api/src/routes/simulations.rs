//! `POST /api/v1/simulations`: eligibility, size, cap, share and fee schedule for
//! declared data, stored nowhere. Public.

use app::simulations::RawSimulation;
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::extract::ApiJson;
use crate::problem::Problem;
use crate::problem::openapi::problem_answers;
use crate::state::AppState;
use crate::views::{CompanyInput, TermsView};

/// Declared data to simulate a loan for.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SimulationInput {
    pub company: CompanyInput,
    /// Defaults to the cap.
    pub requested_amount_cents: Option<i64>,
    /// 0–5 years after the first year; defaults to 5.
    pub amortization_years: Option<i64>,
}

/// The outcome of a simulation.
#[derive(Debug, Serialize, ToSchema)]
pub struct SimulationView {
    pub eligible: bool,
    /// Stable refusal codes when not eligible: `excluded-legal-form` (SCI, credit
    /// institutions and financing companies are excluded), `collective-proceedings`
    /// (safeguard, receivership or liquidation opened), `cap-below-minimum` (the cap — a
    /// quarter of the revenue, or twice the payroll — is under the €1,000 minimum loan:
    /// the terms then carry the cap and no fee schedule).
    pub reasons: Vec<String>,
    pub terms: TermsView,
}

problem_answers! {
    /// What a simulation may be refused for.
    SimulationProblems {
        ValidationFailed => "Invalid data",
    }
}

/// Simulate a loan.
#[utoipa::path(
    post,
    path = "/api/v1/simulations",
    tag = "simulations",
    request_body = SimulationInput,
    responses(
        (status = 200, description = "Simulation", body = SimulationView),
        SimulationProblems,
    )
)]
pub async fn create_simulation(
    State(state): State<AppState>,
    ApiJson { value, .. }: ApiJson<SimulationInput>,
) -> Result<Json<SimulationView>, Problem> {
    let simulation = state.services.simulations.simulate(RawSimulation {
        company: value.company.into(),
        requested_amount_cents: value.requested_amount_cents,
        amortization_years: value.amortization_years,
    })?;
    Ok(Json(SimulationView {
        eligible: simulation.eligible,
        reasons: simulation
            .reasons
            .iter()
            .map(|r| r.code().to_owned())
            .collect(),
        terms: TermsView::from(&simulation.terms),
    }))
}
