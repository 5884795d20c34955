//! The application layer: what pge does, one service per area, over the domain's ports.
//!
//! A service runs a use case from start to end — the campaign check, parsing the input
//! into domain types, the ids and the clock, the calls to the ports, the retries — and
//! answers a domain value or an [`Error`]. It knows nothing of HTTP (the `api` crate
//! extracts a request, calls one method and maps the answer) nor of SQL (the `infra`
//! crate implements the ports). The services are tested in-process against the
//! in-memory fakes of [`fakes`] (feature `fakes`); the HTTP suite keeps the contract
//! and the database-specific checks.
//!
//! | Service | Area |
//! |---|---|
//! | [`LoanRequests`] | submit, read, list, history, workflow actions, bulk decisions |
//! | [`Documents`] | announce an upload, confirm it, list with download links |
//! | [`Conversations`] | a request's messages between the applicant and the bank |
//! | [`Platform`] | banks, reviewer accounts, degraded mode, national figures |
//! | [`Simulations`] | a loan simulated for declared data |
//! | [`Guarantees`] | the guarantee identifier: issue, attestation, verification, public check |

pub mod caller;
#[cfg(any(test, feature = "fakes"))]
pub mod contract;
pub mod conversations;
pub mod documents;
pub mod drafts;
pub mod error;
#[cfg(any(test, feature = "fakes"))]
pub mod fakes;
pub mod guarantees;
pub mod loan_requests;
pub mod platform;
pub mod simulations;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use domain::campaign::CampaignWindow;
use domain::issuance::OneIdentifierPerCompany;
use domain::ports::{
    AdminActions, AuditChains, BankRepository, Clock, DocumentRepository, DraftRepository,
    FourEyesRepository, GuaranteeRepository, IdGenerator, IdentityAdmin, LoanRequestRepository,
    MessageRepository, ObjectStore, PlatformSettings, StatsRepository, SubmissionRepository,
};

pub use caller::{Admin, Applicant, BackOffice, Caller, Reviewer};
pub use conversations::Conversations;
pub use documents::Documents;
pub use drafts::Drafts;
pub use error::Error;
pub use guarantees::Guarantees;
pub use loan_requests::LoanRequests;
pub use platform::Platform;
pub use simulations::Simulations;

/// The adapters behind the ports, chosen once by the wiring.
#[derive(Clone)]
pub struct Ports {
    /// The submission's writer (one per database, `infra::persistence::submission`).
    pub submissions: Arc<dyn SubmissionRepository>,
    pub loan_requests: Arc<dyn LoanRequestRepository>,
    pub guarantees: Arc<dyn GuaranteeRepository>,
    pub four_eyes: Arc<dyn FourEyesRepository>,
    pub audit: Arc<dyn AuditChains>,
    pub banks: Arc<dyn BankRepository>,
    pub stats: Arc<dyn StatsRepository>,
    pub settings: Arc<dyn PlatformSettings>,
    pub admin_actions: Arc<dyn AdminActions>,
    pub drafts: Arc<dyn DraftRepository>,
    pub documents: Arc<dyn DocumentRepository>,
    pub messages: Arc<dyn MessageRepository>,
    pub objects: Arc<dyn ObjectStore>,
    pub identity_admin: Arc<dyn IdentityAdmin>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdGenerator>,
}

/// Every service, built over one set of ports.
pub struct Services {
    pub loan_requests: LoanRequests,
    pub documents: Documents,
    pub conversations: Conversations,
    pub drafts: Drafts,
    pub platform: Arc<Platform>,
    pub simulations: Simulations,
    pub guarantees: Guarantees,
}

impl Services {
    /// The services; the one-identifier-per-company rule never holds (see
    /// [`Self::new_with_rule`]).
    #[must_use]
    pub fn new(ports: Ports, campaign: CampaignWindow) -> Self {
        Self::new_with_rule(ports, campaign, OneIdentifierPerCompany::NEVER)
    }

    /// The services, with the one-identifier-per-company rule as configured.
    #[must_use]
    pub fn new_with_rule(
        ports: Ports,
        campaign: CampaignWindow,
        rule: OneIdentifierPerCompany,
    ) -> Self {
        let platform = Arc::new(Platform::new(&ports));
        Self {
            guarantees: Guarantees::new(&ports, campaign, rule),
            loan_requests: LoanRequests::new(&ports, campaign, platform.clone()),
            documents: Documents::new(&ports, platform.clone()),
            conversations: Conversations::new(&ports),
            drafts: Drafts::new(&ports),
            simulations: Simulations::new(&ports),
            platform,
        }
    }
}
