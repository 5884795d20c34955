//! The simulator.

use super::*;

#[test]
fn a_simulation_reports_every_field_error_or_the_terms() {
    use crate::simulations::RawSimulation;
    let world = world();
    let simulation = world
        .services
        .simulations
        .simulate(RawSimulation {
            company: raw("73282932", 5_000_000).company,
            requested_amount_cents: None,
            amortization_years: None,
        })
        .unwrap();
    assert!(simulation.eligible);
    let err = world
        .services
        .simulations
        .simulate(RawSimulation {
            company: raw("73282932", 5_000_000).company,
            requested_amount_cents: Some(-1),
            amortization_years: Some(9),
        })
        .unwrap_err();
    let Error::Invalid(errors) = err else {
        panic!("{err:?}")
    };
    let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["requested_amount_cents", "amortization_years"]);
}
