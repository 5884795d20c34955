//! Who asks: an authenticated person with one known role, as the API's token check
//! found them. Every service method that reads or changes a request takes one, and
//! derives from it what the caller may see ([`Scope`]), who is written into the audit
//! trail ([`Actor`]) and which side of a thread they speak for ([`Side`]). A use case
//! open to one role only takes that role instead ([`Applicant`], [`Reviewer`],
//! [`BackOffice`], [`Admin`]): the caller proven once to be of it, where the API's
//! extractor checked it.

use domain::loan_request::{Actor, Scope, Subject};
use domain::message::Side;
use domain::submission::BankCode;
use domain::workflow::Role;

use crate::Error;

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

/// Declares a role: a [`Caller`] proven, once, to be of it. Built only from a caller of
/// that role ([`TryFrom<Caller>`], refused with the role's one forbidden message); it
/// reads as the caller it wraps, and the services that need the role take it, so that
/// nothing checks it again.
macro_rules! role {
    ($(#[$doc:meta])* $name:ident: $($pattern:pat_param)|+ => $refusal:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name(Caller);

        impl $name {
            /// Why a caller of another role is refused.
            pub const REFUSAL: &'static str = $refusal;
        }

        impl TryFrom<Caller> for $name {
            type Error = Error;

            fn try_from(caller: Caller) -> Result<Self, Error> {
                match caller {
                    $($pattern)|+ => Ok(Self(caller)),
                    _ => Err(Error::Forbidden(Self::REFUSAL)),
                }
            }
        }

        impl std::ops::Deref for $name {
            type Target = Caller;

            fn deref(&self) -> &Caller {
                &self.0
            }
        }
    };
}

role!(
    /// A business owner.
    Applicant: Caller::Applicant(_) => "only applicants may do this"
);
role!(
    /// A reviewer of one bank.
    Reviewer: Caller::Reviewer { .. } => "only bank reviewers may do this"
);
role!(
    /// The back office: a bank's reviewer (their bank's data) or an admin (all of it).
    BackOffice: Caller::Reviewer { .. } | Caller::Admin(_) => "only bank reviewers and admins may do this"
);
role!(
    /// A platform admin.
    Admin: Caller::Admin(_) => "only admins may do this"
);

impl Caller {
    /// Who they are at the identity provider.
    #[must_use]
    pub fn subject(&self) -> &Subject {
        match self {
            Self::Applicant(subject) | Self::Reviewer { subject, .. } | Self::Admin(subject) => {
                subject
            }
        }
    }
}
