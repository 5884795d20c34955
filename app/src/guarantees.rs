//! The State guarantee's identifier (docs/RULES.md §20): the company obtains it once its
//! bank has pre-approved its request, downloads its attestation, hands it to its bank;
//! the bank's reviewers verify it, anyone holding it and the company's SIREN checks it.
//! The grant on it is [`crate::LoanRequests::grant`].

use std::sync::Arc;

use domain::campaign::CampaignWindow;
use domain::company::Siren;
use domain::error::{FieldCode, FieldError};
use domain::guarantee::GuaranteeIdentifier;
use domain::issuance::{Guarantee, GuaranteeStatus, OneIdentifierPerCompany};
use domain::loan_request::{LoanRequest, LoanRequestId, Scope};
use domain::ports::{
    BankRepository, Clock, GuaranteeRepository, IdGenerator, IssueCommand, IssueError,
    LoanRequestRepository,
};
use subtle::ConstantTimeEq;

use crate::{Applicant, BackOffice, Caller, Error, Ports};

/// How many fresh identifiers an issue tries: 60 random bits make even a second try
/// unlikely for the lifetime of the scheme.
pub const IDENTIFIER_ATTEMPTS: usize = 3;

/// A guarantee as its reader may see it.
#[derive(Debug, Clone)]
pub struct GuaranteeReading {
    pub guarantee: Guarantee,
    /// Whether the reader may see the identifier itself: the company and the platform's
    /// admins. The bank learns it from the company (docs/RULES.md §20) and sees only
    /// where it stands.
    pub identifier_visible: bool,
}

/// What an attestation is made of.
#[derive(Debug, Clone)]
pub struct AttestationData {
    pub guarantee: Guarantee,
    pub request: LoanRequest,
    /// The bank's name (its code when the bank is unknown).
    pub bank_name: String,
}

/// The guarantees' use cases.
pub struct Guarantees {
    store: Arc<dyn GuaranteeRepository>,
    requests: Arc<dyn LoanRequestRepository>,
    banks: Arc<dyn BankRepository>,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdGenerator>,
    campaign: CampaignWindow,
    rule: OneIdentifierPerCompany,
}

impl Guarantees {
    #[must_use]
    pub fn new(ports: &Ports, campaign: CampaignWindow, rule: OneIdentifierPerCompany) -> Self {
        Self {
            store: ports.guarantees.clone(),
            requests: ports.loan_requests.clone(),
            banks: ports.banks.clone(),
            clock: ports.clock.clone(),
            ids: ports.ids.clone(),
            campaign,
            rule,
        }
    }

    /// The one-identifier-per-company rule as configured.
    #[must_use]
    pub fn rule(&self) -> OneIdentifierPerCompany {
        self.rule
    }

    /// The owner asks for their pre-approved request's identifier: the one issued before
    /// if there is one (asking twice gives the same one, even once the campaign closed);
    /// else, within the campaign, a new one if the company may hold it.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::CampaignClosed`], [`Error::IssueRefused`], storage.
    pub async fn issue(
        &self,
        applicant: &Applicant,
        id: LoanRequestId,
    ) -> Result<domain::ports::Issued, Error> {
        let now = self.clock.now();
        let scope = applicant.scope();
        if !self.campaign.is_open(now) {
            // Closed: only what was issued before is given again.
            return match self.store.guarantee_of(id, &scope).await? {
                None => Err(Error::NotFound),
                Some(None) => Err(Error::CampaignClosed),
                Some(Some(guarantee)) => {
                    let request = self
                        .requests
                        .get(id, &scope)
                        .await?
                        .ok_or(Error::NotFound)?;
                    Ok(domain::ports::Issued {
                        guarantee,
                        request,
                        new: false,
                    })
                }
            };
        }
        for _ in 0..IDENTIFIER_ATTEMPTS {
            let command = IssueCommand {
                id,
                scope: scope.clone(),
                identifier: self.ids.guarantee_identifier(),
                actor: applicant.actor(),
                rule: self.rule,
                now,
            };
            match self.store.issue(command).await {
                Ok(issued) => {
                    if issued.new {
                        tracing::info!(loan_request_id = %id, "guarantee identifier issued");
                    }
                    return Ok(issued);
                }
                Err(IssueError::IdentifierCollision) => {}
                Err(IssueError::NotFound) => return Err(Error::NotFound),
                Err(IssueError::Refused(refusal)) => return Err(refusal.into()),
                Err(IssueError::Storage(e)) => return Err(e.into()),
            }
        }
        Err(Error::Storage(domain::ports::StorageError::other(
            "guarantee identifier collided on every attempt",
        )))
    }

    /// The guarantee of a request the caller sees.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the request is not visible or has no guarantee.
    pub async fn of_request(
        &self,
        caller: &Caller,
        id: LoanRequestId,
    ) -> Result<GuaranteeReading, Error> {
        let guarantee = self
            .store
            .guarantee_of(id, &caller.scope())
            .await?
            .flatten()
            .ok_or(Error::NotFound)?;
        Ok(GuaranteeReading {
            guarantee,
            identifier_visible: !matches!(caller, Caller::Reviewer { .. }),
        })
    }

    /// What the attestation of a request's guarantee shows: for the company and the
    /// admins (it names the identifier).
    ///
    /// # Errors
    /// [`Error::Forbidden`] for a reviewer, [`Error::NotFound`] when the request is not
    /// visible or has no guarantee.
    pub async fn attestation(
        &self,
        caller: &Caller,
        id: LoanRequestId,
    ) -> Result<AttestationData, Error> {
        if matches!(caller, Caller::Reviewer { .. }) {
            return Err(Error::Forbidden(
                "the attestation is the company's: its bank verifies the identifier instead",
            ));
        }
        let scope = caller.scope();
        let guarantee = self
            .store
            .guarantee_of(id, &scope)
            .await?
            .flatten()
            .ok_or(Error::NotFound)?;
        let request = self
            .requests
            .get(id, &scope)
            .await?
            .ok_or(Error::NotFound)?;
        let bank_name = self
            .banks
            .list()
            .await?
            .into_iter()
            .find(|b| b.code == request.bank)
            .map_or_else(|| request.bank.as_str().to_owned(), |b| b.name);
        Ok(AttestationData {
            guarantee,
            request,
            bank_name,
        })
    }

    /// A reviewer (of the guarantee's bank) or an admin looks an identifier up: an
    /// identifier of another bank is not found.
    ///
    /// # Errors
    /// [`Error::Invalid`] on the identifier's format, [`Error::NotFound`].
    pub async fn verify(
        &self,
        back_office: &BackOffice,
        identifier: &str,
    ) -> Result<Guarantee, Error> {
        let identifier = parse_identifier("identifier", identifier).map_err(Error::invalid)?;
        let guarantee = self.store.find(identifier).await?.ok_or(Error::NotFound)?;
        match back_office.scope() {
            Scope::Bank(bank) if bank != guarantee.bank => Err(Error::NotFound),
            _ => Ok(guarantee),
        }
    }

    /// The public check: someone holding an identifier and the company's SIREN learns
    /// where it stands, and nothing else. An unknown identifier and a SIREN that is not
    /// its company's get the same answer, after the same work (the SIREN compared in
    /// constant time, against a stand-in when the identifier is unknown).
    ///
    /// # Errors
    /// [`Error::Invalid`] on either field's format, [`Error::NotFound`].
    pub async fn check(&self, identifier: &str, siren: &str) -> Result<GuaranteeStatus, Error> {
        let parsed_identifier = parse_identifier("identifier", identifier);
        let parsed_siren = siren.trim().parse::<Siren>();
        let (identifier, siren) = match (parsed_identifier, parsed_siren) {
            (Ok(identifier), Ok(siren)) => (identifier, siren),
            (identifier, siren) => {
                let mut errors = Vec::new();
                if let Err(e) = identifier {
                    errors.push(e);
                }
                if siren.is_err() {
                    errors.push(FieldError::new(
                        "siren",
                        FieldCode::InvalidFormat,
                        "a SIREN is 9 digits with a valid check digit",
                    ));
                }
                return Err(Error::Invalid(errors));
            }
        };
        let found = self.store.find(identifier).await?;
        let stored = found.as_ref().map_or("000000000", |g| g.siren.as_str());
        let same: bool = stored.as_bytes().ct_eq(siren.as_str().as_bytes()).into();
        match found {
            Some(guarantee) if same => Ok(guarantee.status),
            _ => Err(Error::NotFound),
        }
    }
}

/// A guarantee identifier typed by someone, as field `field`.
///
/// # Errors
/// A [`FieldError`] with the identifier format's code.
pub fn parse_identifier(field: &str, raw: &str) -> Result<GuaranteeIdentifier, FieldError> {
    GuaranteeIdentifier::parse(raw).map_err(|e| FieldError::new(field, e.code(), e.to_string()))
}
