//! The HTTP layer of pge (axum) and the wiring of adapters into it.

pub mod auth;
pub mod config;
pub mod extract;
pub mod problem;
pub mod routes;
pub mod state;
pub mod telemetry;
pub mod views;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use domain::campaign::CampaignWindow;
use infra::identity::{
    DEV_AUDIENCE, DEV_ISSUER, DevIdentityProvider, JwksSource, JwtVerifier, VerifierSettings,
};
use infra::{DatabaseSettings, Store};
use tokio::net::TcpListener;

use crate::config::CognitoSettings;
use crate::state::{App, AppState, Ports};

/// Who signs the tokens the API trusts.
pub enum Identity {
    /// The embedded default's local provider.
    Dev(Arc<DevIdentityProvider>),
    /// An Amazon Cognito user pool.
    Cognito(CognitoSettings),
}

/// Everything needed to build the application.
pub struct Wiring {
    pub database: DatabaseSettings,
    pub identity: Identity,
    pub campaign: CampaignWindow,
    pub cursor_key: Vec<u8>,
    /// Apply migrations before serving (the embedded default does; production runs
    /// `pge migrate` as a deploy step).
    pub migrate: bool,
}

/// Connects the adapters and builds the shared state.
///
/// # Errors
/// When the database cannot be reached or migrated, or the identity setup is invalid.
pub async fn build_state(wiring: Wiring) -> anyhow::Result<AppState> {
    let store = Store::connect(&wiring.database)
        .await
        .context("cannot connect to the database")?;
    if wiring.migrate {
        store
            .migrate()
            .await
            .context("cannot migrate the database")?;
    }
    let (verifier, dev_jwks) = match wiring.identity {
        Identity::Dev(provider) => {
            let jwks = provider.jwks_json();
            let verifier = JwtVerifier::new(VerifierSettings {
                issuer: DEV_ISSUER.to_owned(),
                audiences: vec![DEV_AUDIENCE.to_owned()],
                jwks: JwksSource::Document(jwks.clone()),
                leeway_seconds: 5,
                refetch_interval: Duration::from_secs(60),
            })
            .map_err(anyhow::Error::msg)?;
            (verifier, Some(jwks))
        }
        Identity::Cognito(cognito) => {
            let verifier = JwtVerifier::new(VerifierSettings {
                issuer: cognito.issuer,
                audiences: cognito.client_ids,
                jwks: JwksSource::Url(cognito.jwks_url),
                leeway_seconds: 5,
                refetch_interval: Duration::from_secs(60),
            })
            .map_err(anyhow::Error::msg)?;
            if let Err(err) = verifier.warm_up().await {
                // Not fatal: the keys are fetched again on the first token.
                tracing::warn!(error = %err, "JWKS not fetched at start-up");
            }
            (verifier, None)
        }
    };
    let store = Arc::new(store);
    Ok(AppState(Arc::new(App::new(
        Ports {
            loan_requests: store.clone(),
            banks: store.clone(),
            stats: store.clone(),
            settings: store.clone(),
            health: store,
        },
        verifier,
        dev_jwks,
        wiring.campaign,
        wiring.cursor_key,
    ))))
}

/// Serves until `shutdown` resolves, then stops accepting and lets in-flight requests
/// finish.
///
/// # Errors
/// When the server fails.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, routes::router(state))
        .with_graceful_shutdown(shutdown)
        .await
}
