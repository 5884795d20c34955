//! Application state, built once at start-up by [`crate::build_state`] (the one place
//! that chooses the adapters) and shared by every handler: the application's services
//! and what only the HTTP layer needs (token verifier, limits, the web app).

use std::ops::Deref;
use std::sync::Arc;

use app::Services;
use domain::ports::{HealthCheck, Mailer};
use infra::Store;
use infra::objects::LocalObjectStore;
use infra::worker::{OutboxWorker, WorkerSettings};

/// Adapters the HTTP layer uses beside the services.
pub struct Adapters {
    pub health: Arc<dyn HealthCheck>,
    /// The folder behind the object store on the embedded default, whose signed URLs
    /// the API serves itself.
    pub local_objects: Option<Arc<LocalObjectStore>>,
    pub mailer: Arc<dyn Mailer>,
    /// The database store: the outbox worker claims from it, `/metrics` reads its pool.
    pub store: Store,
}

/// Everything a handler needs.
pub struct App {
    /// The use cases.
    pub services: Services,
    pub health: Arc<dyn HealthCheck>,
    pub local_objects: Option<Arc<LocalObjectStore>>,
    mailer: Arc<dyn Mailer>,
    store: Store,
    pub verifier: crate::auth::Verifiers,
    /// The dev identity provider's JWKS, served at `/dev-idp/.well-known/jwks.json` on
    /// the embedded default.
    pub dev_jwks: Option<String>,
    /// Key of the HMAC that makes pagination cursors tamper-evident.
    pub cursor_key: Vec<u8>,
    /// Back-pressure on the business routes.
    pub limits: crate::config::Limits,
    /// The web app's files, configuration, policy and (embedded default) sign-in.
    pub frontend: crate::routes::web::Frontend,
}

impl App {
    #[must_use]
    pub fn new(
        services: Services,
        adapters: Adapters,
        verifier: crate::auth::Verifiers,
        dev_jwks: Option<String>,
        cursor_key: Vec<u8>,
        limits: crate::config::Limits,
        frontend: crate::routes::web::Frontend,
    ) -> Self {
        Self {
            services,
            health: adapters.health,
            local_objects: adapters.local_objects,
            mailer: adapters.mailer,
            store: adapters.store,
            verifier,
            dev_jwks,
            cursor_key,
            limits,
            frontend,
        }
    }

    /// Connections of the database pool: `(open, idle, max)` (PostgreSQL only).
    #[must_use]
    pub fn pool_status(&self) -> Option<(u32, usize, u32)> {
        self.store.pool_status()
    }

    /// The database store (for the metrics listener).
    #[must_use]
    pub fn store(&self) -> Store {
        self.store.clone()
    }

    /// Closes the database pool (at the end of a graceful shutdown).
    pub async fn close_database(&self) {
        self.store.close().await;
    }

    /// An outbox worker sending through this application's mailer.
    #[must_use]
    pub fn outbox_worker(&self, settings: WorkerSettings) -> OutboxWorker {
        OutboxWorker::new(
            self.store.clone(),
            self.mailer.clone(),
            Arc::new(self.store.clone()),
            settings,
        )
        .with_links(self.frontend.app_url.clone())
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
