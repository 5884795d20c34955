//! Access-token verification against a JWKS (Cognito in production, the dev provider on
//! the embedded default). RS256 only; `kid` lookup; `iss`, `exp`, `nbf`,
//! `token_use == "access"` and the app client (`client_id`, one of the configured
//! clients: Cognito's access tokens carry no `aud`) checked. ID tokens are for the
//! client and refused here. Keys are cached: an unknown `kid` triggers at most one
//! refetch a minute, never a fetch per request.
//!
//! Verified tokens are remembered (by their SHA-256, at most [`VERIFIED_CAPACITY`], each
//! for at most [`VERIFIED_TTL`] and never past its `exp`): a signed-in user sends the same
//! token with every call for up to an hour, and its RSA signature check was 5% of the
//! API's CPU per submission. Only tokens that passed every check are remembered, so
//! forged ones cost a signature check each (and the rate limits bound them); a change of
//! the key set forgets them all.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use quick_cache::sync::Cache;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tokio::sync::{Mutex, RwLock};

/// Where the signing keys come from.
#[derive(Clone, Debug)]
pub enum JwksSource {
    /// Fetched over HTTP(S) and cached (Cognito: `{issuer}/.well-known/jwks.json`).
    Url(String),
    /// Known in-process (the dev provider): the JWKS document itself.
    Document(String),
}

/// What a token must say to be accepted.
#[derive(Clone, Debug)]
pub struct VerifierSettings {
    pub issuer: String,
    /// Other issuers whose tokens this key set also signs (the dev provider: its
    /// OpenID Connect flow's URL beside `pge dev-token`'s URN).
    pub also_issuers: Vec<String>,
    /// The app clients whose access tokens are accepted (`client_id`).
    pub client_ids: Vec<String>,
    pub jwks: JwksSource,
    /// Clock skew tolerated on `exp` and `nbf`, in seconds.
    pub leeway_seconds: u64,
    /// Minimum time between two JWKS fetches triggered by unknown key ids.
    pub refetch_interval: Duration,
}

/// Why a bearer token was refused (each maps to 401).
#[derive(Debug, Clone, Copy, thiserror::Error, PartialEq, Eq)]
pub enum AuthError {
    #[error("the Authorization header is missing")]
    Missing,
    #[error("the Authorization header is not a bearer token")]
    Malformed,
    #[error("the token is not a well-formed JWT")]
    Garbled,
    #[error("the token is signed with an algorithm other than RS256")]
    WrongAlgorithm,
    #[error("the token's key id is unknown")]
    UnknownKey,
    #[error("the token's signature is invalid")]
    BadSignature,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet")]
    NotYetValid,
    #[error("the token was issued by another issuer")]
    WrongIssuer,
    #[error("the token was issued to another app client")]
    WrongClient,
    #[error("an access token is required")]
    NotAnAccessToken,
    #[error("the token lacks a required claim")]
    MissingClaim,
    /// A subject or bank claim holding control characters (a NUL byte, which
    /// PostgreSQL refuses in text) or beyond 255 bytes.
    #[error("the token carries an unusable claim")]
    UnusableClaim,
    #[error("the signing keys could not be fetched")]
    KeysUnavailable,
}

/// The claims the platform uses.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct TokenClaims {
    pub sub: String,
    #[serde(default)]
    pub token_use: Option<String>,
    /// The app client the access token was issued to.
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(rename = "cognito:groups", default)]
    pub groups: Vec<String>,
    #[serde(rename = "custom:bank_id", default)]
    pub bank_id: Option<String>,
    /// Expiry, seconds since the Unix epoch (required by the validation).
    #[serde(default)]
    pub exp: u64,
}

/// Most verified tokens remembered (about 200 bytes each).
pub const VERIFIED_CAPACITY: usize = 20_000;
/// Longest a verified token is trusted without checking its signature again.
pub const VERIFIED_TTL: Duration = Duration::from_secs(300);

#[derive(Clone)]
struct Verified {
    claims: TokenClaims,
    at: Instant,
}

/// Whether a remembered verification still holds: young enough, and the token unexpired
/// (with the leeway the full check allows). Otherwise the token is checked in full again,
/// which also gives the precise reason when it is refused.
fn still_trusted(verified_ago: Duration, exp: u64, now_unix: u64, leeway: u64) -> bool {
    verified_ago < VERIFIED_TTL && now_unix <= exp.saturating_add(leeway)
}

fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[derive(Deserialize)]
struct JwkSetDocument {
    keys: Vec<JwkDocument>,
}

#[derive(Deserialize)]
struct JwkDocument {
    kty: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    n: Option<String>,
    #[serde(default)]
    e: Option<String>,
    #[serde(default, rename = "use")]
    key_use: Option<String>,
}

fn parse_jwks(document: &str) -> Result<HashMap<String, DecodingKey>, String> {
    let set: JwkSetDocument =
        serde_json::from_str(document).map_err(|e| format!("invalid JWKS document: {e}"))?;
    let mut keys = HashMap::new();
    for jwk in set.keys {
        if jwk.kty != "RSA" || jwk.key_use.as_deref().is_some_and(|u| u != "sig") {
            continue;
        }
        let (Some(kid), Some(n), Some(e)) = (jwk.kid, jwk.n, jwk.e) else {
            continue;
        };
        let key = DecodingKey::from_rsa_components(&n, &e)
            .map_err(|e| format!("invalid RSA key {kid}: {e}"))?;
        keys.insert(kid, key);
    }
    Ok(keys)
}

struct KeyCache {
    keys: HashMap<String, DecodingKey>,
    fetched_at: Option<Instant>,
}

/// Verifies access tokens. Cheap to clone; clones share the key cache.
#[derive(Clone)]
pub struct JwtVerifier {
    settings: Arc<VerifierSettings>,
    validation: Arc<Validation>,
    cache: Arc<RwLock<KeyCache>>,
    refetch: Arc<Mutex<()>>,
    http: reqwest::Client,
    fetches: Arc<std::sync::atomic::AtomicU64>,
    verified: Arc<Cache<[u8; 32], Verified>>,
}

impl std::fmt::Debug for JwtVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtVerifier")
            .field("issuer", &self.settings.issuer)
            .finish_non_exhaustive()
    }
}

impl JwtVerifier {
    /// Builds a verifier; a [`JwksSource::Document`] is parsed at once.
    ///
    /// # Errors
    /// When an in-process JWKS document is invalid or the HTTP client cannot be built.
    pub fn new(settings: VerifierSettings) -> Result<Self, String> {
        let mut validation = Validation::new(Algorithm::RS256);
        validation.algorithms = vec![Algorithm::RS256];
        validation.leeway = settings.leeway_seconds;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        let issuers: Vec<&str> = std::iter::once(settings.issuer.as_str())
            .chain(settings.also_issuers.iter().map(String::as_str))
            .collect();
        validation.set_issuer(&issuers);
        // Access tokens have no `aud`: the client is checked on `client_id` below.
        validation.validate_aud = false;
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        let (keys, fetched_at) = match &settings.jwks {
            JwksSource::Document(doc) => (parse_jwks(doc)?, Some(Instant::now())),
            JwksSource::Url(_) => (HashMap::new(), None),
        };
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self {
            settings: Arc::new(settings),
            validation: Arc::new(validation),
            cache: Arc::new(RwLock::new(KeyCache { keys, fetched_at })),
            refetch: Arc::new(Mutex::new(())),
            http,
            fetches: Arc::new(std::sync::atomic::AtomicU64::new(0)),
            verified: Arc::new(Cache::new(VERIFIED_CAPACITY)),
        })
    }

    /// How many times the JWKS was fetched over HTTP (for metrics and tests).
    #[must_use]
    pub fn jwks_fetches(&self) -> u64 {
        self.fetches.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Fetches the keys now when the source is a URL (start-up warm-up).
    ///
    /// # Errors
    /// When the JWKS cannot be fetched or parsed.
    pub async fn warm_up(&self) -> Result<(), String> {
        if let JwksSource::Url(url) = &self.settings.jwks {
            let keys = self.fetch(url).await?;
            let mut cache = self.cache.write().await;
            cache.keys = keys;
            cache.fetched_at = Some(Instant::now());
            self.verified.clear();
        }
        Ok(())
    }

    #[tracing::instrument(name = "JWKS fetch", skip_all, fields(otel.kind = "client"))]
    async fn fetch(&self, url: &str) -> Result<HashMap<String, DecodingKey>, String> {
        self.fetches
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        metrics::counter!("pge_jwks_fetches_total").increment(1);
        let response = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| format!("JWKS fetch failed: {e}"))?;
        if !response.status().is_success() {
            return Err(format!("JWKS fetch answered {}", response.status()));
        }
        let body = response
            .text()
            .await
            .map_err(|e| format!("JWKS read failed: {e}"))?;
        parse_jwks(&body)
    }

    async fn key_for(&self, kid: &str) -> Result<DecodingKey, AuthError> {
        if let Some(key) = self.cache.read().await.keys.get(kid) {
            return Ok(key.clone());
        }
        let JwksSource::Url(url) = &self.settings.jwks else {
            return Err(AuthError::UnknownKey);
        };
        // One refetch at a time, and not more often than the interval: a flood of
        // tokens with made-up key ids must not turn into a flood of JWKS fetches.
        let _guard = self.refetch.lock().await;
        {
            let cache = self.cache.read().await;
            if let Some(key) = cache.keys.get(kid) {
                return Ok(key.clone());
            }
            if cache
                .fetched_at
                .is_some_and(|at| at.elapsed() < self.settings.refetch_interval)
            {
                return Err(AuthError::UnknownKey);
            }
        }
        let fetched = self.fetch(url).await;
        let mut cache = self.cache.write().await;
        cache.fetched_at = Some(Instant::now());
        match fetched {
            Ok(keys) => {
                cache.keys = keys;
                self.verified.clear();
                cache.keys.get(kid).cloned().ok_or(AuthError::UnknownKey)
            }
            Err(err) => {
                tracing::warn!(error = %err, "JWKS refresh failed");
                Err(AuthError::KeysUnavailable)
            }
        }
    }

    /// The issuer this verifier's tokens come from.
    #[must_use]
    pub fn issuer(&self) -> &str {
        &self.settings.issuer
    }

    /// Verifies a compact JWS and returns its claims.
    ///
    /// # Errors
    /// [`AuthError`] saying why the token is refused.
    pub async fn verify(&self, token: &str) -> Result<TokenClaims, AuthError> {
        if token.len() > 16 * 1024 {
            return Err(AuthError::Garbled);
        }
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        if let Some(hit) = self.verified.get(&digest) {
            if still_trusted(
                hit.at.elapsed(),
                hit.claims.exp,
                now_unix(),
                self.settings.leeway_seconds,
            ) {
                return Ok(hit.claims);
            }
            self.verified.remove(&digest);
        }
        let claims = self.verify_in_full(token).await?;
        self.verified.insert(
            digest,
            Verified {
                claims: claims.clone(),
                at: Instant::now(),
            },
        );
        Ok(claims)
    }

    async fn verify_in_full(&self, token: &str) -> Result<TokenClaims, AuthError> {
        let header = decode_header(token).map_err(|_| AuthError::Garbled)?;
        if header.alg != Algorithm::RS256 {
            return Err(AuthError::WrongAlgorithm);
        }
        let kid = header.kid.ok_or(AuthError::UnknownKey)?;
        let key = self.key_for(&kid).await?;
        let data = decode::<TokenClaims>(token, &key, &self.validation).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind;
            match e.kind() {
                ErrorKind::ExpiredSignature => AuthError::Expired,
                ErrorKind::ImmatureSignature => AuthError::NotYetValid,
                ErrorKind::InvalidIssuer => AuthError::WrongIssuer,
                ErrorKind::InvalidAlgorithm => AuthError::WrongAlgorithm,
                ErrorKind::MissingRequiredClaim(_) => AuthError::MissingClaim,
                ErrorKind::InvalidSignature => AuthError::BadSignature,
                _ => AuthError::Garbled,
            }
        })?;
        let claims = data.claims;
        if claims.token_use.as_deref() != Some("access") {
            return Err(AuthError::NotAnAccessToken);
        }
        if !claims
            .client_id
            .as_ref()
            .is_some_and(|client| self.settings.client_ids.contains(client))
        {
            return Err(AuthError::WrongClient);
        }
        if claims.sub.is_empty() {
            return Err(AuthError::MissingClaim);
        }
        let unusable = |text: &str| text.len() > 255 || text.chars().any(char::is_control);
        if unusable(&claims.sub)
            || claims.bank_id.as_deref().is_some_and(unusable)
            || claims.groups.iter().any(|g| unusable(g))
        {
            return Err(AuthError::UnusableClaim);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::sync::RwLock;

    use super::{
        AuthError, JwksSource, JwtVerifier, VERIFIED_TTL, VerifierSettings, still_trusted,
    };
    use crate::identity::dev::{DEV_AUDIENCE, DEV_ISSUER, DevIdentityProvider, DevTokenRequest};

    /// A JWKS endpoint on a loopback port that counts its requests; its document can be
    /// swapped (key rotation).
    struct JwksServer {
        url: String,
        hits: Arc<AtomicUsize>,
        document: Arc<RwLock<String>>,
        task: tokio::task::JoinHandle<()>,
    }

    impl JwksServer {
        async fn start(document: String) -> Self {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            let url = format!(
                "http://{}/.well-known/jwks.json",
                listener.local_addr().expect("addr")
            );
            let hits = Arc::new(AtomicUsize::new(0));
            let document = Arc::new(RwLock::new(document));
            let (counted, served) = (hits.clone(), document.clone());
            let task = tokio::spawn(async move {
                while let Ok((mut stream, _)) = listener.accept().await {
                    let mut request = [0u8; 2048];
                    let _ = stream.read(&mut request).await;
                    counted.fetch_add(1, Ordering::SeqCst);
                    let body = served.read().await.clone();
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = stream.write_all(answer.as_bytes()).await;
                }
            });
            Self {
                url,
                hits,
                document,
                task,
            }
        }
    }

    impl Drop for JwksServer {
        fn drop(&mut self) {
            self.task.abort();
        }
    }

    fn verifier(url: &str, refetch_interval: Duration) -> JwtVerifier {
        JwtVerifier::new(VerifierSettings {
            issuer: DEV_ISSUER.to_owned(),
            also_issuers: Vec::new(),
            client_ids: vec![DEV_AUDIENCE.to_owned()],
            jwks: JwksSource::Url(url.to_owned()),
            leeway_seconds: 5,
            refetch_interval,
        })
        .expect("verifier")
    }

    fn token(idp: &DevIdentityProvider, subject: &str) -> String {
        let request =
            DevTokenRequest::for_role("applicant", subject.to_owned(), None).expect("role");
        idp.mint(&request).expect("token")
    }

    /// A token signed by `idp` but naming a key id nobody published.
    fn token_with_made_up_kid(idp: &DevIdentityProvider, kid: &str) -> String {
        let request = DevTokenRequest::for_role("applicant", "x".to_owned(), None).expect("role");
        let mut header = idp.header();
        header.kid = Some(kid.to_owned());
        idp.sign_claims(&header, &idp.claims(&request))
            .expect("token")
    }

    #[tokio::test]
    async fn the_jwks_is_fetched_once_and_unknown_kids_do_not_refetch_within_the_interval() {
        let idp = DevIdentityProvider::ephemeral().expect("key");
        let server = JwksServer::start(idp.jwks_json()).await;
        let verifier = verifier(&server.url, Duration::from_secs(60));
        for i in 0..20 {
            verifier
                .verify(&token(&idp, &format!("user-{i}")))
                .await
                .expect("valid");
        }
        assert_eq!(
            server.hits.load(Ordering::SeqCst),
            1,
            "fetched once, cached"
        );
        // A flood of made-up key ids: refused, and no fetch within the minute.
        for i in 0..100 {
            assert_eq!(
                verifier
                    .verify(&token_with_made_up_kid(&idp, &format!("forged-{i}")))
                    .await,
                Err(AuthError::UnknownKey)
            );
        }
        assert_eq!(server.hits.load(Ordering::SeqCst), 1);
        assert_eq!(verifier.jwks_fetches(), 1);
    }

    #[tokio::test]
    async fn a_rotated_key_is_picked_up_by_one_refetch_after_the_interval() {
        let old = DevIdentityProvider::ephemeral().expect("key");
        let new = DevIdentityProvider::ephemeral().expect("key");
        let server = JwksServer::start(old.jwks_json()).await;
        let interval = Duration::from_millis(300);
        let verifier = verifier(&server.url, interval);
        verifier
            .verify(&token(&old, "before"))
            .await
            .expect("valid");
        // The pool rotates: the new key is published.
        *server.document.write().await = new.jwks_json();
        // Within the interval the new kid is unknown and nothing is fetched.
        assert_eq!(
            verifier.verify(&token(&new, "too-early")).await,
            Err(AuthError::UnknownKey)
        );
        assert_eq!(server.hits.load(Ordering::SeqCst), 1);
        tokio::time::sleep(interval + Duration::from_millis(50)).await;
        // After it, one refetch serves many concurrent callers.
        let checks = (0..10).map(|i| {
            let verifier = verifier.clone();
            let token = token(&new, &format!("after-{i}"));
            async move { verifier.verify(&token).await }
        });
        for outcome in futures::future::join_all(checks).await {
            outcome.expect("valid after the rotation");
        }
        assert_eq!(server.hits.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn a_remembered_verification_lapses_with_its_token_or_its_age() {
        let exp = 1_000_000;
        assert!(still_trusted(Duration::from_secs(1), exp, exp - 10, 5));
        assert!(still_trusted(Duration::from_secs(1), exp, exp + 5, 5));
        assert!(!still_trusted(Duration::from_secs(1), exp, exp + 6, 5));
        assert!(!still_trusted(VERIFIED_TTL, exp, exp - 10, 5));
        assert!(!still_trusted(Duration::from_secs(1), 0, 1, 0));
    }
}
