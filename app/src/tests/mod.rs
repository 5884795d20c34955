//! The services against the in-memory fakes: the use cases' rules, in milliseconds, one
//! file per service's concern; the world they run in and its helpers here.

#![expect(clippy::unwrap_used, clippy::panic)]

mod conversations;
mod decisions;
mod documents;
mod platform;
mod simulations;
mod submissions;

pub(super) use std::sync::atomic::Ordering;

pub(super) use chrono::{NaiveDate, TimeDelta};
pub(super) use domain::campaign::CampaignWindow;
pub(super) use domain::company::{RawCompany, luhn_complete};
pub(super) use domain::document::DocumentStatus;
pub(super) use domain::error::FieldCode;
pub(super) use domain::loan_request::{
    IdempotencyKey, ListFilter, ListOrder, LoanRequest, MailKind, PageQuery, Subject,
};
pub(super) use domain::ports::{Clock, SubmitError, TransitionError};
pub(super) use domain::reference::Reference;
pub(super) use domain::rules::Ineligibility;
pub(super) use domain::submission::{BankCode, RawSubmission};
pub(super) use domain::workflow::Status;

pub(super) use crate::documents::RawDeclaration;
pub(super) use crate::fakes::{Fakes, receipt};
pub(super) use crate::loan_requests::{BulkAction, Decision, MAX_BULK_ITEMS, Submitted};
pub(super) use crate::platform::RawBank;
pub(super) use crate::{Admin, Applicant, Caller, Error, Reviewer, Services};

const BANK: &str = "30004";
const OTHER_BANK: &str = "10278";

struct World {
    fakes: Fakes,
    services: Services,
}

fn world_with(campaign: CampaignWindow) -> World {
    let fakes = Fakes::new();
    fakes
        .store
        .add_bank(BANK, "BNP Paribas", Some("pge@bnp.example"));
    fakes.store.add_bank(OTHER_BANK, "Crédit Mutuel", None);
    let services = Services::new(fakes.ports(), campaign);
    World { fakes, services }
}

fn world() -> World {
    world_with(CampaignWindow::default())
}

fn applicant(name: &str) -> Subject {
    Subject::new(name)
}

fn reviewer(bank: &str) -> Caller {
    Caller::Reviewer {
        subject: Subject::new(format!("reviewer-{bank}")),
        bank: BankCode::parse(bank).unwrap(),
    }
}

fn admin() -> Caller {
    Caller::Admin(Subject::new("admin"))
}

/// An applicant by name, as the API's extractor yields them.
fn owner(name: &str) -> Applicant {
    role(Caller::Applicant(applicant(name)))
}

/// The caller in a role they have (the API's extractor checked it).
fn role<R: TryFrom<Caller, Error = Error>>(caller: Caller) -> R {
    R::try_from(caller).unwrap()
}

/// A valid submission of €50,000 for the company whose SIREN starts with `siren_body`
/// (8 digits), revenue €1M: cap €250,000.
fn raw(siren_body: &str, amount_cents: i64) -> RawSubmission {
    RawSubmission {
        bank_id: BANK.to_owned(),
        company: RawCompany {
            siren: luhn_complete(siren_body),
            siret: None,
            legal_name: "Boulangerie Exemple".to_owned(),
            legal_form: "SAS".to_owned(),
            creation_date: NaiveDate::from_ymd_opt(2012, 5, 4).unwrap(),
            headcount: 12,
            revenue_cents: 100_000_000,
            payroll_cents: Some(40_000_000),
            balance_sheet_cents: None,
            innovative: false,
            collective_proceedings: false,
        },
        requested_amount_cents: amount_cents,
        amortization_years: 4,
        contact_email: "gerant@boulangerie.example".to_owned(),
    }
}

async fn submit(world: &World, who: &str, siren_body: &str) -> LoanRequest {
    match world
        .services
        .loan_requests
        .submit(&owner(who), raw(siren_body, 5_000_000), None)
        .await
        .unwrap()
    {
        Submitted::Created { request, .. } => *request,
        Submitted::Replayed { .. } => panic!("no key, no replay"),
    }
}

/// A submission the service refuses, and why.
async fn refused(
    world: &World,
    who: &str,
    raw: RawSubmission,
    key: Option<IdempotencyKey>,
) -> Error {
    world
        .services
        .loan_requests
        .submit(&owner(who), raw, key)
        .await
        .expect_err("refused")
}
