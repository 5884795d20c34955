//! The platform: participating banks and their reviewer accounts, degraded mode, the
//! national figures. The bank list and the degraded-mode switch are read on most
//! requests, so each replica caches them for a few seconds.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use domain::error::{FieldCode, FieldError, has_hidden_characters};
use domain::four_eyes::GrantThreshold;
use domain::loan_request::{Bank, Scope};
use domain::ports::{
    AdminAction, AdminActions, AuditChains, AuditReport, BankRepository, Clock, CreateBankError,
    FourEyesRepository, IdentityAdmin, OutboxStats, PlatformSettings, StatsRepository, Totals,
};
use domain::submission::{BankCode, EmailAddress};
use domain::workflow::Status;
use tokio::sync::RwLock;

use crate::{Admin, BackOffice, Error, Ports};

/// How long the bank list is trusted before it is read again.
const BANK_CACHE_TTL: Duration = Duration::from_secs(30);
/// How old the cached list must be before an unknown bank code reads it again.
const BANK_RECHECK_AFTER: Duration = Duration::from_secs(1);
/// How long a replica trusts its last reading of degraded mode: a switch reaches every
/// replica within this delay.
const DEGRADED_CACHE_TTL: Duration = Duration::from_secs(2);

/// The longest bank name.
pub const MAX_BANK_NAME: usize = 200;

/// A bank to add, as sent.
#[derive(Debug, Clone)]
pub struct RawBank<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub notification_email: Option<&'a str>,
}

/// A reviewer account just created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReviewer {
    /// Their subject at the identity provider.
    pub subject: String,
    /// Their address as the identity provider keeps it (lower case).
    pub email: String,
    pub bank: BankCode,
}

/// One bank's figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankFigures {
    pub code: String,
    /// `None` for a code no longer in the bank list.
    pub name: Option<String>,
    pub total: Totals,
    pub by_status: BTreeMap<Status, Totals>,
}

/// The national figures (docs/RULES.md §16).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NationalFigures {
    pub total: Totals,
    /// Every status, with zeros where there is no request.
    pub by_status: BTreeMap<Status, Totals>,
    /// Banks with at least one request, by code.
    pub by_bank: Vec<BankFigures>,
    /// The State's guarantee on granted loans.
    pub granted_guaranteed_cents: i128,
    /// The State's guarantee on every request still standing (not rejected or withdrawn).
    pub committed_guaranteed_cents: i128,
    pub outbox: OutboxStats,
}

fn add(into: &mut Totals, more: Totals) {
    into.count += more.count;
    into.requested_cents += more.requested_cents;
    into.guaranteed_cents += more.guaranteed_cents;
}

/// The platform's use cases.
pub struct Platform {
    banks: Arc<dyn BankRepository>,
    settings: Arc<dyn PlatformSettings>,
    admin_actions: Arc<dyn AdminActions>,
    stats: Arc<dyn StatsRepository>,
    identity: Arc<dyn IdentityAdmin>,
    four_eyes: Arc<dyn FourEyesRepository>,
    audit: Arc<dyn AuditChains>,
    clock: Arc<dyn Clock>,
    bank_cache: RwLock<Option<(Instant, Arc<Vec<Bank>>)>>,
    degraded_cache: RwLock<Option<(Instant, bool)>>,
}

impl Platform {
    #[must_use]
    pub fn new(ports: &Ports) -> Self {
        Self {
            banks: ports.banks.clone(),
            settings: ports.settings.clone(),
            admin_actions: ports.admin_actions.clone(),
            stats: ports.stats.clone(),
            identity: ports.identity_admin.clone(),
            four_eyes: ports.four_eyes.clone(),
            audit: ports.audit.clone(),
            clock: ports.clock.clone(),
            bank_cache: RwLock::new(None),
            degraded_cache: RwLock::new(None),
        }
    }

    /// Whether degraded mode is on, as last read (at most a few seconds old).
    ///
    /// # Errors
    /// Storage only.
    pub async fn degraded_mode(&self) -> Result<bool, Error> {
        if let Some((at, on)) = *self.degraded_cache.read().await
            && at.elapsed() < DEGRADED_CACHE_TTL
        {
            return Ok(on);
        }
        let on = self.settings.degraded_mode().await?;
        *self.degraded_cache.write().await = Some((Instant::now(), on));
        Ok(on)
    }

    /// Whether degraded mode is on, read from the store now (the admin's screen).
    ///
    /// # Errors
    /// Storage only.
    pub async fn degraded_mode_now(&self) -> Result<bool, Error> {
        Ok(self.settings.degraded_mode().await?)
    }

    /// Switches degraded mode (an admin); this replica sees it at once, the others
    /// within seconds.
    ///
    /// # Errors
    /// Storage.
    pub async fn set_degraded_mode(&self, admin: &Admin, on: bool) -> Result<(), Error> {
        self.settings
            .set_degraded_mode(on, &admin.actor(), self.clock.now())
            .await?;
        *self.degraded_cache.write().await = None;
        Ok(())
    }

    /// Puts the outbox's dead letters back in line to be sent (an admin, once the cause
    /// is fixed: docs/OUTBOX.md), recorded with who and when; returns how many.
    ///
    /// # Errors
    /// Storage.
    pub async fn retry_dead_letters(&self, admin: &Admin) -> Result<i64, Error> {
        let retried = self
            .admin_actions
            .retry_dead_letters(&admin.actor(), self.clock.now())
            .await?;
        tracing::warn!(retried, "dead letters put back in line by an admin");
        Ok(retried)
    }

    /// The latest platform-wide admin actions, newest first (an admin).
    ///
    /// # Errors
    /// Storage.
    pub async fn admin_actions(&self, _admin: &Admin) -> Result<Vec<AdminAction>, Error> {
        Ok(self.admin_actions.recent_actions(50).await?)
    }

    /// Refuses non-critical work while degraded mode is on (docs/RULES.md §17).
    ///
    /// # Errors
    /// [`Error::DegradedMode`].
    pub async fn refuse_when_degraded(&self) -> Result<(), Error> {
        if self.degraded_mode().await? {
            return Err(Error::DegradedMode);
        }
        Ok(())
    }

    /// The participating banks, by name, cached for a few seconds.
    ///
    /// # Errors
    /// Storage only.
    pub async fn banks(&self) -> Result<Arc<Vec<Bank>>, Error> {
        if let Some((at, banks)) = self.bank_cache.read().await.as_ref()
            && at.elapsed() < BANK_CACHE_TTL
        {
            return Ok(banks.clone());
        }
        let banks = Arc::new(self.banks.list().await?);
        *self.bank_cache.write().await = Some((Instant::now(), banks.clone()));
        Ok(banks)
    }

    /// Whether a bank code names a participating bank.
    ///
    /// # Errors
    /// Storage only.
    pub async fn bank_exists(&self, code: &BankCode) -> Result<bool, Error> {
        if self.banks().await?.iter().any(|b| &b.code == code) {
            return Ok(true);
        }
        // A bank added through another replica is unknown to this one's cache: read the
        // list again, at most once a second (unknown codes must not each cost a query).
        let stale = self
            .bank_cache
            .read()
            .await
            .as_ref()
            .is_none_or(|(at, _)| at.elapsed() >= BANK_RECHECK_AFTER);
        if !stale {
            return Ok(false);
        }
        *self.bank_cache.write().await = None;
        Ok(self.banks().await?.iter().any(|b| &b.code == code))
    }

    /// A participating bank's four-eyes threshold (docs/RULES.md §21): for an admin, or
    /// a reviewer of that bank (another bank's is not found).
    ///
    /// # Errors
    /// [`Error::NotFound`] (no such bank, or another bank's), storage.
    pub async fn grant_threshold(
        &self,
        back_office: &BackOffice,
        bank: &str,
    ) -> Result<Option<GrantThreshold>, Error> {
        let bank = self.participating(bank).await?;
        if let Scope::Bank(own) = back_office.scope()
            && own != bank
        {
            return Err(Error::NotFound);
        }
        Ok(self.four_eyes.threshold(&bank).await?)
    }

    /// Sets a participating bank's four-eyes threshold (an admin): a grant of a loan
    /// above `threshold_cents` then needs a second reviewer of the bank; `None` removes
    /// it.
    ///
    /// # Errors
    /// [`Error::NotFound`] (no such bank), [`Error::Invalid`] (`threshold_cents`),
    /// storage.
    pub async fn set_grant_threshold(
        &self,
        admin: &Admin,
        bank: &str,
        threshold_cents: Option<i64>,
    ) -> Result<Option<GrantThreshold>, Error> {
        let bank = self.participating(bank).await?;
        let threshold = threshold_cents
            .map(GrantThreshold::new)
            .transpose()
            .map_err(Error::invalid)?;
        self.four_eyes
            .set_threshold(&bank, threshold, &admin.actor(), self.clock.now())
            .await?;
        tracing::info!(bank = %bank.as_str(), "four-eyes threshold set");
        Ok(threshold)
    }

    /// Walks the audit trail's chains (an admin): each chain's head and first broken
    /// link (docs/RULES.md §22). Reads every event: seconds for millions.
    ///
    /// # Errors
    /// Storage only.
    pub async fn audit_chains(&self, _admin: &Admin) -> Result<AuditReport, Error> {
        let report = self.audit.verify().await?;
        if !report.intact() {
            tracing::error!(
                broken = report.chains.iter().filter(|c| c.broken.is_some()).count(),
                "audit trail: broken chains"
            );
        }
        Ok(report)
    }

    /// A participating bank by its code; anything else is not found.
    async fn participating(&self, raw: &str) -> Result<BankCode, Error> {
        let code = BankCode::parse(raw).map_err(|_| Error::NotFound)?;
        if self.bank_exists(&code).await? {
            Ok(code)
        } else {
            Err(Error::NotFound)
        }
    }

    /// Adds a participating bank (an admin).
    ///
    /// # Errors
    /// [`Error::Invalid`] (code, name, team mailbox),
    /// [`Error::BankExists`].
    pub async fn add_bank(&self, _admin: &Admin, raw: RawBank<'_>) -> Result<Bank, Error> {
        let bank = parse_bank(&raw)?;
        self.banks
            .create(&bank, self.clock.now())
            .await
            .map_err(|e| match e {
                CreateBankError::Duplicate(code) => Error::BankExists(code),
                CreateBankError::Storage(s) => s.into(),
            })?;
        *self.bank_cache.write().await = None;
        Ok(bank)
    }

    /// Creates a reviewer account of a participating bank (an admin); the identity
    /// provider invites them.
    ///
    /// # Errors
    /// [`Error::NotFound`] (no such bank), [`Error::Invalid`]
    /// (e-mail), [`Error::Reviewer`] (taken, refused, provider down).
    pub async fn add_reviewer(
        &self,
        _admin: &Admin,
        bank: &str,
        email: &str,
    ) -> Result<NewReviewer, Error> {
        let bank = BankCode::parse(bank.trim()).map_err(|_| Error::NotFound)?;
        if !self.bank_exists(&bank).await? {
            return Err(Error::NotFound);
        }
        let email = EmailAddress::parse(email).map_err(|e| {
            Error::invalid(FieldError::new(
                "email",
                FieldCode::InvalidFormat,
                e.to_string(),
            ))
        })?;
        let subject = self.identity.create_reviewer(&email, &bank).await?;
        tracing::info!(bank = bank.as_str(), "reviewer account created");
        Ok(NewReviewer {
            subject,
            email: email.as_str().to_lowercase(),
            bank,
        })
    }

    /// The national figures: counts and sums by status and by bank, the State's
    /// guarantee granted and committed, the outbox (an admin; paused in degraded mode).
    ///
    /// # Errors
    /// [`Error::DegradedMode`], storage.
    pub async fn national_figures(&self, _admin: &Admin) -> Result<NationalFigures, Error> {
        self.refuse_when_degraded().await?;
        let rows = self.stats.by_bank_and_status().await?;
        let outbox = self.stats.outbox().await?;
        let banks = self.banks().await?;
        let mut figures = NationalFigures {
            total: Totals::default(),
            by_status: Status::ALL
                .iter()
                .map(|&s| (s, Totals::default()))
                .collect(),
            by_bank: Vec::new(),
            granted_guaranteed_cents: 0,
            committed_guaranteed_cents: 0,
            outbox,
        };
        let mut by_bank: BTreeMap<String, BankFigures> = BTreeMap::new();
        for row in rows {
            add(&mut figures.total, row.totals);
            add(figures.by_status.entry(row.status).or_default(), row.totals);
            if row.status == Status::Granted {
                figures.granted_guaranteed_cents += row.totals.guaranteed_cents;
            }
            if row.status.counts_toward_cap() {
                figures.committed_guaranteed_cents += row.totals.guaranteed_cents;
            }
            let bank = by_bank
                .entry(row.bank.clone())
                .or_insert_with(|| BankFigures {
                    name: banks
                        .iter()
                        .find(|b| b.code.as_str() == row.bank)
                        .map(|b| b.name.clone()),
                    code: row.bank.clone(),
                    total: Totals::default(),
                    by_status: BTreeMap::new(),
                });
            add(&mut bank.total, row.totals);
            add(bank.by_status.entry(row.status).or_default(), row.totals);
        }
        figures.by_bank = by_bank.into_values().collect();
        Ok(figures)
    }
}

/// A bank as sent, checked: every field error at once.
fn parse_bank(raw: &RawBank<'_>) -> Result<Bank, Error> {
    let mut errors = Vec::new();
    let code = BankCode::parse(raw.code.trim());
    if code.is_err() {
        errors.push(FieldError::new(
            "id",
            FieldCode::InvalidFormat,
            "a bank code is 5 digits",
        ));
    }
    let name = raw.name.trim().to_owned();
    let name_length = name.chars().count();
    if name_length == 0 || name_length > MAX_BANK_NAME || has_hidden_characters(&name) {
        errors.push(FieldError::new(
            "name",
            if name_length == 0 {
                FieldCode::Required
            } else {
                FieldCode::InvalidFormat
            },
            format!("1 to {MAX_BANK_NAME} characters, no control characters"),
        ));
    }
    let notification_email = match raw.notification_email.map(str::trim) {
        None | Some("") => None,
        Some(raw) => match EmailAddress::parse(raw) {
            Ok(email) => Some(email),
            Err(e) => {
                errors.push(FieldError::new(
                    "notification_email",
                    FieldCode::InvalidEmail,
                    e.to_string(),
                ));
                None
            }
        },
    };
    match code {
        Ok(code) if errors.is_empty() => Ok(Bank {
            code,
            name,
            notification_email,
        }),
        _ => Err(Error::Invalid(errors)),
    }
}
