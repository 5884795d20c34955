//! Who asks: an authenticated person with one known role, as the API's token check
//! found them. Every service method that reads or changes a request takes one, and
//! derives from it what the caller may see ([`Scope`]), who is written into the audit
//! trail ([`Actor`]) and which side of a thread they speak for ([`Side`]).

use domain::loan_request::{Actor, Scope, Subject};
use domain::message::Side;
use domain::submission::BankCode;
use domain::workflow::Role;

/// Someone authenticated with a known role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    Applicant(Subject),
    Reviewer { subject: Subject, bank: BankCode },
    Admin(Subject),
}

impl Caller {
    /// The requests this caller may see (docs/RULES.md §1).
    #[must_use]
    pub fn scope(&self) -> Scope {
        match self {
            Self::Applicant(subject) => Scope::Applicant(subject.clone()),
            Self::Reviewer { bank, .. } => Scope::Bank(bank.clone()),
            Self::Admin(_) => Scope::All,
        }
    }

    /// The side of a request's thread this caller writes and reads for; `None` for an
    /// admin, who reads threads without taking part.
    #[must_use]
    pub fn side(&self) -> Option<Side> {
        match self {
            Self::Applicant(_) => Some(Side::Applicant),
            Self::Reviewer { .. } => Some(Side::Bank),
            Self::Admin(_) => None,
        }
    }

    /// The caller as the audit trail records them.
    #[must_use]
    pub fn actor(&self) -> Actor {
        let (role, subject) = match self {
            Self::Applicant(subject) => (Role::Applicant, subject),
            Self::Reviewer { subject, .. } => (Role::Reviewer, subject),
            Self::Admin(subject) => (Role::Admin, subject),
        };
        Actor {
            role,
            subject: subject.clone(),
        }
    }
}
