//! `POST /api/v1/simulations`: eligibility, size, cap, share and fee schedule for
//! declared data, stored nowhere. Public.

use axum::Json;
use axum::extract::State;
use domain::company::Company;
use domain::error::FieldError;
use domain::money::Cents;
use domain::rules::{AmortizationYears, simulate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::extract::ApiJson;
use crate::problem::{Problem, ProblemDetails};
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

/// Simulate a loan.
#[utoipa::path(
    post,
    path = "/api/v1/simulations",
    tag = "simulations",
    request_body = SimulationInput,
    responses(
        (status = 200, description = "Simulation", body = SimulationView),
        (status = 400, description = "Malformed JSON", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Invalid data", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
pub async fn create_simulation(
    State(state): State<AppState>,
    ApiJson { value, .. }: ApiJson<SimulationInput>,
) -> Result<Json<SimulationView>, Problem> {
    let mut errors = Vec::new();
    let today = state.services.clock.now().date_naive();
    let company = Company::parse_declared(value.company.into(), "company", today);
    let amount = match value.requested_amount_cents {
        Some(cents) if cents < 0 => {
            errors.push(FieldError::new(
                "requested_amount_cents",
                domain::error::FieldCode::Negative,
                "must not be negative",
            ));
            None
        }
        other => other.map(Cents::new),
    };
    let amortization = match value.amortization_years {
        Some(years) => {
            let parsed = AmortizationYears::new(years);
            if parsed.is_none() {
                errors.push(FieldError::new(
                    "amortization_years",
                    domain::error::FieldCode::OutOfRange,
                    "must be between 0 and 5",
                ));
            }
            parsed
        }
        None => None,
    };
    let company = match company {
        Ok(company) if errors.is_empty() => company,
        Ok(_) => return Err(Problem::validation(errors)),
        Err(mut company_errors) => {
            company_errors.extend(errors);
            return Err(Problem::validation(company_errors));
        }
    };
    if let Some(amount) = amount {
        domain::rules::check_amount(&company, amount).map_err(|e| Problem::validation(vec![e]))?;
    }
    let simulation = simulate(&company, amount, amortization);
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
