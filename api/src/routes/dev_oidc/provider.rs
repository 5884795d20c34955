//! The provider's state: its key pair, the URLs it answers for, its clients and the
//! roles each signs in, the codes issued and the sessions (refresh tokens) open.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use infra::identity::{DEV_AUDIENCE, DevIdentityProvider};
use tokio::sync::Mutex;

use crate::problem::{Problem, ProblemType};

/// How long a code may wait for its exchange.
pub(super) const CODE_LIFETIME: Duration = Duration::from_secs(60);
/// Codes held at once (beyond, the oldest are dropped): a bound on memory.
pub(super) const MAX_PENDING_CODES: usize = 10_000;
/// Refresh tokens held at once (beyond, expired ones are dropped, then new sign-ins
/// wait): a bound on memory.
pub(super) const MAX_SESSIONS: usize = 100_000;
/// Default lifetime of access and ID tokens, in seconds (`PGE_DEV_TOKEN_TTL`).
pub const DEFAULT_TOKEN_TTL_SECS: u64 = 3600;
/// Default lifetime of refresh tokens, in seconds (`PGE_DEV_REFRESH_TTL`): 12 hours, as
/// the Cognito app client's.
pub const DEFAULT_REFRESH_TTL_SECS: u64 = 12 * 3600;

/// The staff's client of the dev provider (`PGE_DEV_STAFF_CLIENT`): bank staff and
/// admins sign in with it, business owners with [`DEV_AUDIENCE`], as with Cognito's two
/// pools in production.
pub const DEV_STAFF_CLIENT: &str = "pge-dev-staff-client";

/// How long the provider's tokens live.
#[derive(Debug, Clone, Copy)]
pub struct Lifetimes {
    /// Access and ID tokens.
    pub token: Duration,
    /// Refresh tokens: the longest a session lasts without signing in again.
    pub refresh: Duration,
}

impl Default for Lifetimes {
    fn default() -> Self {
        Self {
            token: Duration::from_secs(DEFAULT_TOKEN_TTL_SECS),
            refresh: Duration::from_secs(DEFAULT_REFRESH_TTL_SECS),
        }
    }
}

/// The provider: its key pair, the URLs it answers for, the codes issued and the
/// sessions (refresh tokens, by their SHA-256) open.
#[derive(Debug)]
pub struct DevOidc {
    pub(super) provider: Arc<DevIdentityProvider>,
    /// Public base URL, without a trailing slash.
    pub(super) base_url: String,
    pub(super) lifetimes: Lifetimes,
    /// Staff sign in with a client of their own ([`DEV_STAFF_CLIENT`]).
    pub(super) staff_client: bool,
    pub(super) codes: Mutex<HashMap<String, Grant>>,
    pub(super) sessions: Mutex<HashMap<[u8; 32], Session>>,
}

/// Who a refresh token signs in, and since when.
#[derive(Debug, Clone)]
pub(super) struct Session {
    pub(super) account: Account,
    /// The sign-in's time (the tokens' `auth_time`, kept across renewals).
    pub(super) auth_time: i64,
    pub(super) issued: Instant,
}

/// The account a sign-in chose.
#[derive(Debug, Clone)]
pub(super) struct Account {
    /// The client the sign-in was for (the tokens' `client_id` and `aud`).
    pub(super) client_id: String,
    pub(super) subject: String,
    pub(super) role: String,
    pub(super) bank_id: Option<String>,
}

/// What a code stands for.
#[derive(Debug, Clone)]
pub(super) struct Grant {
    pub(super) redirect_uri: String,
    pub(super) code_challenge: String,
    pub(super) nonce: Option<String>,
    pub(super) account: Account,
    pub(super) issued: Instant,
}

impl DevOidc {
    #[must_use]
    pub fn new(
        provider: Arc<DevIdentityProvider>,
        public_base_url: &str,
        lifetimes: Lifetimes,
        staff_client: bool,
    ) -> Self {
        Self {
            provider,
            base_url: public_base_url.trim_end_matches('/').to_owned(),
            lifetimes,
            staff_client,
            codes: Mutex::new(HashMap::new()),
            sessions: Mutex::new(HashMap::new()),
        }
    }

    /// The issuer of the flow's ID tokens and of the discovery document: the authority's
    /// URL, as OpenID Connect Discovery requires (`pge dev-token`'s tokens keep the URN
    /// `urn:pge:dev-identity-provider`; the API accepts both, signed by the same key).
    #[must_use]
    pub fn issuer_at(public_base_url: &str) -> String {
        format!("{}/dev-oidc", public_base_url.trim_end_matches('/'))
    }

    /// Whether `client_id` is one of the provider's clients.
    pub(super) fn knows_client(&self, client_id: &str) -> bool {
        client_id == DEV_AUDIENCE || (self.staff_client && client_id == DEV_STAFF_CLIENT)
    }

    /// The roles a client signs in: all three with one client; with the staff's own,
    /// reviewers and admins there, business owners with the other.
    pub(super) fn roles_of(&self, client_id: &str) -> &'static [(&'static str, &'static str)] {
        const ALL: [(&str, &str); 3] = [
            ("applicant", "Chef d'entreprise (demandeur)"),
            ("reviewer", "Chargé d'instruction d'une banque"),
            ("admin", "Administrateur de la plateforme"),
        ];
        match (self.staff_client, client_id == DEV_STAFF_CLIENT) {
            (false, _) => &ALL,
            (true, true) => &ALL[1..],
            (true, false) => &ALL[..1],
        }
    }

    /// The clients whose tokens carry staff groups: empty with one client for all.
    #[must_use]
    pub fn staff_clients(&self) -> Vec<String> {
        if self.staff_client {
            vec![DEV_STAFF_CLIENT.to_owned()]
        } else {
            Vec::new()
        }
    }

    /// Every client of the provider.
    #[must_use]
    pub fn client_ids(&self) -> Vec<String> {
        let mut clients = vec![DEV_AUDIENCE.to_owned()];
        clients.extend(self.staff_clients());
        clients
    }

    /// The app's sign-in configuration (`/config.json`).
    #[must_use]
    pub fn web_config(&self) -> crate::routes::web::WebConfig {
        let provider = |client_id: &str| crate::routes::web::WebProvider {
            authority: Self::issuer_at(&self.base_url),
            client_id: client_id.to_owned(),
            scope: "openid".to_owned(),
            logout_url: format!("{}/dev-oidc/logout", self.base_url),
            revocation_url: Some(format!("{}/dev-oidc/revoke", self.base_url)),
        };
        crate::routes::web::WebConfig {
            provider: provider(DEV_AUDIENCE),
            staff: self.staff_client.then(|| provider(DEV_STAFF_CLIENT)),
        }
    }

    /// The one redirect URI accepted: the app's callback.
    pub(super) fn redirect_uri(&self) -> String {
        format!("{}/auth/callback", self.base_url)
    }
}

impl DevOidc {
    /// A single-use code for a sign-in, sent to the app's callback; expired codes are
    /// dropped first.
    ///
    /// # Errors
    /// `overloaded` (503) when [`MAX_PENDING_CODES`] wait already.
    pub(super) async fn issue_code(&self, grant: Grant) -> Result<String, Problem> {
        let code = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
        let mut codes = self.codes.lock().await;
        codes.retain(|_, grant| grant.issued.elapsed() < CODE_LIFETIME);
        if codes.len() >= MAX_PENDING_CODES {
            return Err(Problem::service_unavailable(
                ProblemType::Overloaded,
                "too many sign-ins at once; retry in a minute",
                60,
            ));
        }
        codes.insert(code.clone(), grant);
        Ok(code)
    }
}
