//! The token and revocation endpoints' work: a code and its PKCE verifier, or a refresh
//! token, for tokens (RFC 6749 §4.1.3 and §6), a refresh token revoked (RFC 7009), and
//! their errors as RFC 6749 §5.2 shapes them.

use std::time::Instant;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use infra::identity::DevTokenRequest;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::provider::{CODE_LIFETIME, DevOidc, MAX_SESSIONS, Session};

/// A token request: RFC 6749 §4.1.3 with PKCE, or §6 (refresh).
#[derive(Debug, Default, Deserialize)]
pub(super) struct TokenParams {
    #[serde(default)]
    pub(super) grant_type: String,
    #[serde(default)]
    pub(super) code: String,
    #[serde(default)]
    pub(super) redirect_uri: String,
    #[serde(default)]
    pub(super) client_id: String,
    #[serde(default)]
    pub(super) code_verifier: String,
    #[serde(default)]
    pub(super) refresh_token: String,
}

/// The token response.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// The RS256 access token (`token_use: access`): send it as the API's bearer token.
    pub access_token: String,
    /// The RS256 ID token (`token_use: id`): who signed in, for the app only (the API
    /// refuses it).
    pub id_token: String,
    /// An opaque refresh token, on sign-in only (a renewal keeps the one it used, as
    /// Cognito does).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds.
    pub expires_in: u64,
}

/// An error of the token and revocation endpoints, as RFC 6749 §5.2 shapes it.
#[derive(Debug, Serialize, ToSchema)]
pub struct OAuthErrorBody {
    /// `invalid_request`, `invalid_client`, `invalid_grant`, `unsupported_grant_type`,
    /// `unsupported_token_type` (revocation, RFC 7009) or `temporarily_unavailable`.
    #[schema(example = "invalid_grant")]
    pub error: &'static str,
    #[schema(example = "unknown or already used code")]
    pub error_description: String,
}

/// [`OAuthErrorBody`] with its status: 400, or 503 for `temporarily_unavailable`.
#[derive(Debug)]
pub(super) struct OAuthError(OAuthErrorBody);

impl OAuthError {
    pub(super) fn new(error: &'static str, description: impl Into<String>) -> Self {
        Self(OAuthErrorBody {
            error,
            error_description: description.into(),
        })
    }
    pub(super) fn invalid_grant(description: &str) -> Self {
        Self::new("invalid_grant", description)
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let status = if self.0.error == "temporarily_unavailable" {
            StatusCode::SERVICE_UNAVAILABLE
        } else {
            StatusCode::BAD_REQUEST
        };
        no_store((status, Json(self.0)).into_response())
    }
}

pub(super) fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

impl DevOidc {
    /// The token endpoint's work, once the form is read.
    pub(super) async fn exchange(&self, body: &[u8]) -> Result<TokenResponse, OAuthError> {
        let params: TokenParams = serde_urlencoded::from_bytes(body)
            .map_err(|_| OAuthError::new("invalid_request", "the token request cannot be read"))?;
        if !self.knows_client(&params.client_id) {
            return Err(OAuthError::new("invalid_client", "unknown client_id"));
        }
        match params.grant_type.as_str() {
            "authorization_code" => self.redeem_code(&params).await,
            "refresh_token" => self.renew(&params.refresh_token, &params.client_id).await,
            "" => Err(OAuthError::new("invalid_request", "grant_type is missing")),
            _ => Err(OAuthError::new(
                "unsupported_grant_type",
                "grant_type must be authorization_code or refresh_token",
            )),
        }
    }

    /// A code and its PKCE verifier: the tokens, and a refresh token.
    pub(super) async fn redeem_code(
        &self,
        params: &TokenParams,
    ) -> Result<TokenResponse, OAuthError> {
        // Single use: removed whatever follows.
        let grant = self
            .codes
            .lock()
            .await
            .remove(&params.code)
            .ok_or_else(|| OAuthError::invalid_grant("unknown or already used code"))?;
        if grant.issued.elapsed() >= CODE_LIFETIME {
            return Err(OAuthError::invalid_grant("the code has expired"));
        }
        if params.client_id != grant.account.client_id {
            return Err(OAuthError::invalid_grant(
                "the code was issued to another client",
            ));
        }
        if params.redirect_uri != grant.redirect_uri {
            return Err(OAuthError::invalid_grant(
                "redirect_uri differs from the authorization request's",
            ));
        }
        let verifier_ok = (43..=128).contains(&params.code_verifier.len());
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(params.code_verifier.as_bytes()));
        if !verifier_ok || challenge != grant.code_challenge {
            return Err(OAuthError::invalid_grant(
                "the code_verifier does not match the code_challenge",
            ));
        }
        let session = Session {
            account: grant.account,
            auth_time: chrono::Utc::now().timestamp(),
            issued: Instant::now(),
        };
        let refresh_token = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
        {
            let mut sessions = self.sessions.lock().await;
            if sessions.len() >= MAX_SESSIONS {
                let lifetime = self.lifetimes.refresh;
                sessions.retain(|_, s| s.issued.elapsed() < lifetime);
            }
            if sessions.len() >= MAX_SESSIONS {
                return Err(OAuthError::new(
                    "temporarily_unavailable",
                    "too many sessions open; retry later",
                ));
            }
            sessions.insert(Self::key(&refresh_token), session.clone());
        }
        let mut tokens = self.tokens(&session, grant.nonce)?;
        tokens.refresh_token = Some(refresh_token);
        Ok(tokens)
    }

    /// A refresh token still open: new access and ID tokens for the same sign-in.
    pub(super) async fn renew(
        &self,
        refresh_token: &str,
        client_id: &str,
    ) -> Result<TokenResponse, OAuthError> {
        let key = Self::key(refresh_token);
        let session = {
            let mut sessions = self.sessions.lock().await;
            let session = sessions.get(&key).cloned().ok_or_else(|| {
                OAuthError::invalid_grant("unknown, expired or revoked refresh token")
            })?;
            if session.issued.elapsed() >= self.lifetimes.refresh {
                sessions.remove(&key);
                return Err(OAuthError::invalid_grant("the refresh token has expired"));
            }
            if session.account.client_id != client_id {
                return Err(OAuthError::invalid_grant(
                    "the refresh token was issued to another client",
                ));
            }
            session
        };
        self.tokens(&session, None)
    }

    /// Revokes a refresh token (RFC 7009: an unknown one is not an error).
    pub(super) async fn revoke(&self, body: &[u8]) -> Result<(), OAuthError> {
        #[derive(Deserialize)]
        struct RevokeParams {
            #[serde(default)]
            token: String,
            #[serde(default)]
            client_id: String,
        }
        let params: RevokeParams = serde_urlencoded::from_bytes(body).map_err(|_| {
            OAuthError::new("invalid_request", "the revocation request cannot be read")
        })?;
        if !self.knows_client(&params.client_id) {
            return Err(OAuthError::new("invalid_client", "unknown client_id"));
        }
        if params.token.is_empty() {
            return Err(OAuthError::new("invalid_request", "token is missing"));
        }
        // As Cognito: refresh tokens only (an access token is a JWT, three parts).
        if params.token.split('.').count() == 3 {
            return Err(OAuthError::new(
                "unsupported_token_type",
                "only refresh tokens are revoked",
            ));
        }
        self.sessions.lock().await.remove(&Self::key(&params.token));
        Ok(())
    }

    pub(super) fn key(refresh_token: &str) -> [u8; 32] {
        Sha256::digest(refresh_token.as_bytes()).into()
    }

    /// Signs the access and ID tokens of a session.
    pub(super) fn tokens(
        &self,
        session: &Session,
        nonce: Option<String>,
    ) -> Result<TokenResponse, OAuthError> {
        let account = &session.account;
        let unavailable = |e: String| {
            tracing::error!(error = %e, "dev provider cannot sign a token");
            OAuthError::new("temporarily_unavailable", "the token could not be signed")
        };
        let mut request = DevTokenRequest::for_role(
            &account.role,
            account.subject.clone(),
            account.bank_id.clone(),
        )
        .ok_or_else(|| unavailable("unknown role in a session".to_owned()))?;
        let ttl = self.lifetimes.token.as_secs();
        request.lifetime = chrono::Duration::seconds(i64::try_from(ttl).unwrap_or(i64::MAX));
        let issuer = serde_json::Value::String(Self::issuer_at(&self.base_url));
        let mut access = self.provider.claims(&request);
        let mut id = self.provider.id_claims(&request);
        for claims in [&mut access, &mut id] {
            if let Some(map) = claims.as_object_mut() {
                map.insert("iss".into(), issuer.clone());
                map.insert("auth_time".into(), session.auth_time.into());
            }
        }
        let client = serde_json::Value::String(account.client_id.clone());
        if let Some(map) = access.as_object_mut() {
            map.insert("client_id".into(), client.clone());
        }
        if let Some(map) = id.as_object_mut() {
            map.insert("aud".into(), client);
        }
        if let Some(map) = id.as_object_mut() {
            map.insert("name".into(), account.subject.clone().into());
            if let Some(nonce) = nonce {
                map.insert("nonce".into(), nonce.into());
            }
        }
        let header = self.provider.header();
        Ok(TokenResponse {
            access_token: self
                .provider
                .sign_claims(&header, &access)
                .map_err(unavailable)?,
            id_token: self
                .provider
                .sign_claims(&header, &id)
                .map_err(unavailable)?,
            refresh_token: None,
            token_type: "Bearer".to_owned(),
            expires_in: ttl,
        })
    }
}
