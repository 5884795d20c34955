//! Application state, built once at start-up by `main` (the one place that chooses the
//! adapters) and shared by every handler.

use std::ops::Deref;
use std::sync::Arc;
use std::time::{Duration, Instant};

use domain::campaign::CampaignWindow;
use domain::loan_request::Bank;
use domain::ports::{
    BankRepository, Clock, DocumentRepository, HealthCheck, IdGenerator, IdentityAdmin,
    LoanRequestRepository, Mailer, MessageRepository, ObjectStore, PlatformSettings,
    StatsRepository,
};
use domain::submission::BankCode;
use infra::Store;
use infra::identity::JwtVerifier;
use infra::objects::LocalObjectStore;
use infra::worker::{OutboxWorker, WorkerSettings};
use tokio::sync::RwLock;

use crate::problem::{Problem, ProblemType};

/// How long the bank list is trusted before it is read again.
const BANK_CACHE_TTL: Duration = Duration::from_secs(30);
/// How old the cached list must be before an unknown bank code reads it again.
const BANK_RECHECK_AFTER: Duration = Duration::from_secs(1);

/// How long a replica trusts its last reading of degraded mode: a switch reaches every
/// replica within this delay.
const DEGRADED_CACHE_TTL: Duration = Duration::from_secs(2);

/// The adapters behind the ports.
pub struct Ports {
    pub loan_requests: Arc<dyn LoanRequestRepository>,
    pub banks: Arc<dyn BankRepository>,
    pub stats: Arc<dyn StatsRepository>,
    pub settings: Arc<dyn PlatformSettings>,
    pub health: Arc<dyn HealthCheck>,
    pub documents: Arc<dyn DocumentRepository>,
    pub messages: Arc<dyn MessageRepository>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdGenerator>,
    pub objects: Arc<dyn ObjectStore>,
    /// The folder behind `objects` on the embedded default, whose signed URLs the API
    /// serves itself.
    pub local_objects: Option<Arc<LocalObjectStore>>,
    pub identity_admin: Arc<dyn IdentityAdmin>,
    pub mailer: Arc<dyn Mailer>,
    /// The store the outbox worker claims from.
    pub outbox_store: Store,
}

/// Everything a handler needs.
pub struct App {
    pub loan_requests: Arc<dyn LoanRequestRepository>,
    pub banks: Arc<dyn BankRepository>,
    pub stats: Arc<dyn StatsRepository>,
    pub settings: Arc<dyn PlatformSettings>,
    pub health: Arc<dyn HealthCheck>,
    pub documents: Arc<dyn DocumentRepository>,
    pub messages: Arc<dyn MessageRepository>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdGenerator>,
    pub objects: Arc<dyn ObjectStore>,
    pub local_objects: Option<Arc<LocalObjectStore>>,
    pub identity_admin: Arc<dyn IdentityAdmin>,
    mailer: Arc<dyn Mailer>,
    outbox_store: Store,
    pub verifier: JwtVerifier,
    /// The dev identity provider's JWKS, served at `/dev-idp/.well-known/jwks.json` on
    /// the embedded default.
    pub dev_jwks: Option<String>,
    pub campaign: CampaignWindow,
    /// Key of the HMAC that makes pagination cursors tamper-evident.
    pub cursor_key: Vec<u8>,
    /// Back-pressure on the business routes.
    pub limits: crate::limits::Limits,
    /// The web app's files, configuration, policy and (embedded default) sign-in.
    pub frontend: crate::routes::web::Frontend,
    bank_cache: RwLock<Option<(Instant, Arc<Vec<Bank>>)>>,
    degraded_cache: RwLock<Option<(Instant, bool)>>,
}

impl App {
    #[must_use]
    pub fn new(
        ports: Ports,
        verifier: JwtVerifier,
        dev_jwks: Option<String>,
        campaign: CampaignWindow,
        cursor_key: Vec<u8>,
        limits: crate::limits::Limits,
        frontend: crate::routes::web::Frontend,
    ) -> Self {
        Self {
            loan_requests: ports.loan_requests,
            banks: ports.banks,
            stats: ports.stats,
            settings: ports.settings,
            health: ports.health,
            documents: ports.documents,
            messages: ports.messages,
            clock: ports.clock,
            ids: ports.ids,
            objects: ports.objects,
            local_objects: ports.local_objects,
            identity_admin: ports.identity_admin,
            mailer: ports.mailer,
            outbox_store: ports.outbox_store,
            verifier,
            dev_jwks,
            campaign,
            cursor_key,
            limits,
            frontend,
            bank_cache: RwLock::new(None),
            degraded_cache: RwLock::new(None),
        }
    }

    /// Connections of the database pool: `(open, idle)` (PostgreSQL only).
    #[must_use]
    pub fn pool_status(&self) -> Option<(u32, usize)> {
        self.outbox_store.pool_status()
    }

    /// The database store (for the metrics listener).
    #[must_use]
    pub fn store(&self) -> Store {
        self.outbox_store.clone()
    }

    /// Closes the database pool (at the end of a graceful shutdown).
    pub async fn close_database(&self) {
        self.outbox_store.close().await;
    }

    /// An outbox worker sending through this application's mailer.
    #[must_use]
    pub fn outbox_worker(&self, settings: WorkerSettings) -> OutboxWorker {
        OutboxWorker::new(
            self.outbox_store.clone(),
            self.mailer.clone(),
            self.settings.clone(),
            settings,
        )
        .with_links(self.frontend.app_url.clone())
    }

    /// Whether degraded mode is on, as last read (at most a few seconds old).
    ///
    /// # Errors
    /// When the store fails.
    pub async fn degraded_mode(&self) -> Result<bool, Problem> {
        if let Some((at, on)) = *self.degraded_cache.read().await
            && at.elapsed() < DEGRADED_CACHE_TTL
        {
            return Ok(on);
        }
        let on = self.settings.degraded_mode().await?;
        *self.degraded_cache.write().await = Some((Instant::now(), on));
        Ok(on)
    }

    /// Forgets the cached degraded-mode reading (after a switch on this replica).
    pub async fn invalidate_degraded_mode(&self) {
        *self.degraded_cache.write().await = None;
    }

    /// Refuses non-critical work while degraded mode is on (docs/RULES.md §17).
    ///
    /// # Errors
    /// 503 `degraded-mode` with `Retry-After`.
    pub async fn refuse_when_degraded(&self) -> Result<(), Problem> {
        if self.degraded_mode().await? {
            return Err(Problem::service_unavailable(
                ProblemType::DegradedMode,
                "the platform is in degraded mode: this non-critical feature is paused, submissions still work",
                60,
            ));
        }
        Ok(())
    }

    /// The participating banks, cached for a few seconds.
    ///
    /// # Errors
    /// When the store fails.
    pub async fn bank_list(&self) -> Result<Arc<Vec<Bank>>, Problem> {
        if let Some((at, banks)) = self.bank_cache.read().await.as_ref()
            && at.elapsed() < BANK_CACHE_TTL
        {
            return Ok(banks.clone());
        }
        let banks = Arc::new(self.banks.list().await?);
        *self.bank_cache.write().await = Some((Instant::now(), banks.clone()));
        Ok(banks)
    }

    /// Forgets the cached bank list (after a bank is added).
    pub async fn invalidate_banks(&self) {
        *self.bank_cache.write().await = None;
    }

    /// Whether a bank code names a participating bank.
    ///
    /// # Errors
    /// When the store fails.
    pub async fn bank_exists(&self, code: &BankCode) -> Result<bool, Problem> {
        if self.bank_list().await?.iter().any(|b| &b.code == code) {
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
        self.invalidate_banks().await;
        Ok(self.bank_list().await?.iter().any(|b| &b.code == code))
    }
}

/// Cheap-to-clone handle on [`App`].
#[derive(Clone)]
pub struct AppState(pub Arc<App>);

impl Deref for AppState {
    type Target = App;

    fn deref(&self) -> &App {
        &self.0
    }
}
