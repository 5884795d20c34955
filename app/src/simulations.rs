//! A loan simulated for declared data (docs/RULES.md): eligibility, size, cap, share and
//! fee schedule, stored nowhere; anyone may ask.

use std::sync::Arc;

use domain::company::{Company, RawCompany};
use domain::error::{FieldCode, FieldError};
use domain::money::Cents;
use domain::ports::Clock;
use domain::rules::{AmortizationYears, Simulation, check_amount, simulate};

use crate::{Error, Ports};

/// What to simulate, as sent.
#[derive(Debug, Clone)]
pub struct RawSimulation {
    pub company: RawCompany,
    /// Defaults to the cap.
    pub requested_amount_cents: Option<i64>,
    /// Defaults to 5.
    pub amortization_years: Option<i64>,
}

/// Simulations' use case.
pub struct Simulations {
    clock: Arc<dyn Clock>,
}

impl Simulations {
    #[must_use]
    pub fn new(ports: &Ports) -> Self {
        Self {
            clock: ports.clock.clone(),
        }
    }

    /// The simulation of a loan for declared data, as of today.
    ///
    /// # Errors
    /// [`Error::Invalid`]: every field error of the company, then of the amount and the
    /// amortisation; else a given amount out of the company's bounds.
    pub fn simulate(&self, raw: RawSimulation) -> Result<Simulation, Error> {
        let mut errors = Vec::new();
        let today = self.clock.now().date_naive();
        let company = Company::parse_declared(raw.company, "company", today);
        let amount = match raw.requested_amount_cents {
            Some(cents) if cents < 0 => {
                errors.push(FieldError::new(
                    "requested_amount_cents",
                    FieldCode::Negative,
                    "must not be negative",
                ));
                None
            }
            other => other.map(Cents::new),
        };
        let amortization = match raw.amortization_years {
            Some(years) => {
                let parsed = AmortizationYears::new(years);
                if parsed.is_none() {
                    errors.push(FieldError::new(
                        "amortization_years",
                        FieldCode::OutOfRange,
                        "must be between 0 and 5",
                    ));
                }
                parsed
            }
            None => None,
        };
        let company = match company {
            Ok(company) if errors.is_empty() => company,
            Ok(_) => return Err(Error::Invalid(errors)),
            Err(mut company_errors) => {
                company_errors.extend(errors);
                return Err(Error::Invalid(company_errors));
            }
        };
        if let Some(amount) = amount {
            check_amount(&company, amount).map_err(Error::invalid)?;
        }
        Ok(simulate(&company, amount, amortization))
    }
}
