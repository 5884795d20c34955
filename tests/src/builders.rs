//! Test data: valid submissions of fresh companies.

use serde_json::{Value, json};

pub use domain::company::luhn_complete;

/// A random valid SIREN, so tests never share a company.
#[must_use]
pub fn random_siren() -> String {
    let n = uuid::Uuid::new_v4().as_u128() % 100_000_000;
    luhn_complete(&format!("{n:08}"))
}

/// A valid submission body for a fresh company: revenue €1M (cap €250,000), PME.
#[must_use]
pub fn submission(siren: &str, amount_cents: i64) -> Value {
    json!({
        "bank_id": "30004",
        "company": {
            "siren": siren,
            "legal_name": "Boulangerie Exemple",
            "legal_form": "SAS",
            "creation_date": "2012-05-04",
            "headcount": 12,
            "revenue_cents": 100_000_000,
            "payroll_cents": 40_000_000,
            "balance_sheet_cents": null,
            "innovative": false,
            "collective_proceedings": false
        },
        "requested_amount_cents": amount_cents,
        "amortization_years": 4,
        "contact_email": "gerant@boulangerie.example"
    })
}
