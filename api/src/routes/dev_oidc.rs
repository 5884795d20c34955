//! The embedded default's sign-in: the dev identity provider as a small OpenID Connect
//! provider, so that the web app signs in with the very code it uses against Cognito's
//! hosted UI (authorization code + PKCE, no client secret).
//!
//! - `GET /dev-oidc/.well-known/openid-configuration`: the discovery document.
//! - `GET /dev-oidc/authorize`: a page where one picks a role (applicant, bank reviewer
//!   with a bank, admin) and a name, the token's subject; `POST` it to get a code.
//! - `POST /dev-oidc/token`: the code and its PKCE verifier (`authorization_code`), or a
//!   refresh token (`refresh_token`), for an access token (the API's bearer, shaped as
//!   Cognito's), an ID token (for the app) and, on sign-in, a refresh token. Errors are
//!   RFC 6749 §5.2's `{"error": …, "error_description": …}`, which client libraries read.
//! - `POST /dev-oidc/revoke`: revokes a refresh token (Cognito's `/oauth2/revoke`).
//! - `GET /dev-oidc/logout`: back to `logout_uri`.
//!
//! Only S256 challenges, single-use codes valid 60 s, exact redirect URIs (the app's
//! `/auth/callback` on the public base URL). Tokens live `PGE_DEV_TOKEN_TTL` seconds,
//! refresh tokens `PGE_DEV_REFRESH_TTL` (kept in memory: a restart signs everyone out).
//! Never served with `PGE_ENV=production`: the binary refuses the dev provider there.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use infra::identity::{DEV_AUDIENCE, DevIdentityProvider, DevTokenRequest};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::sync::Mutex;
use utoipa::ToSchema;

use crate::problem::{Problem, ProblemDetails, ProblemType};
use crate::state::AppState;

/// How long a code may wait for its exchange.
const CODE_LIFETIME: Duration = Duration::from_secs(60);
/// Codes held at once (beyond, the oldest are dropped): a bound on memory.
const MAX_PENDING_CODES: usize = 10_000;
/// Refresh tokens held at once (beyond, expired ones are dropped, then new sign-ins
/// wait): a bound on memory.
const MAX_SESSIONS: usize = 100_000;
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
    provider: Arc<DevIdentityProvider>,
    /// Public base URL, without a trailing slash.
    base_url: String,
    lifetimes: Lifetimes,
    /// Staff sign in with a client of their own ([`DEV_STAFF_CLIENT`]).
    staff_client: bool,
    codes: Mutex<HashMap<String, Grant>>,
    sessions: Mutex<HashMap<[u8; 32], Session>>,
}

/// Who a refresh token signs in, and since when.
#[derive(Debug, Clone)]
struct Session {
    account: Account,
    /// The sign-in's time (the tokens' `auth_time`, kept across renewals).
    auth_time: i64,
    issued: Instant,
}

/// The account a sign-in chose.
#[derive(Debug, Clone)]
struct Account {
    /// The client the sign-in was for (the tokens' `client_id` and `aud`).
    client_id: String,
    subject: String,
    role: String,
    bank_id: Option<String>,
}

/// What a code stands for.
#[derive(Debug, Clone)]
struct Grant {
    redirect_uri: String,
    code_challenge: String,
    nonce: Option<String>,
    account: Account,
    issued: Instant,
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
    fn knows_client(&self, client_id: &str) -> bool {
        client_id == DEV_AUDIENCE || (self.staff_client && client_id == DEV_STAFF_CLIENT)
    }

    /// The roles a client signs in: all three with one client; with the staff's own,
    /// reviewers and admins there, business owners with the other.
    fn roles_of(&self, client_id: &str) -> &'static [(&'static str, &'static str)] {
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
    pub fn web_config(&self) -> super::web::WebConfig {
        let provider = |client_id: &str| super::web::WebProvider {
            authority: Self::issuer_at(&self.base_url),
            client_id: client_id.to_owned(),
            scope: "openid".to_owned(),
            logout_url: format!("{}/dev-oidc/logout", self.base_url),
            revocation_url: Some(format!("{}/dev-oidc/revoke", self.base_url)),
        };
        super::web::WebConfig {
            provider: provider(DEV_AUDIENCE),
            staff: self.staff_client.then(|| provider(DEV_STAFF_CLIENT)),
        }
    }

    /// The one redirect URI accepted: the app's callback.
    fn redirect_uri(&self) -> String {
        format!("{}/auth/callback", self.base_url)
    }
}

/// Discovery document (the fields oidc-client-ts reads, and what the provider supports).
#[derive(Debug, Serialize, ToSchema)]
pub struct Discovery {
    /// The ID tokens' `iss`: the authority's URL.
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    pub end_session_endpoint: String,
    /// Where a refresh token is revoked (RFC 7009; Cognito's `/oauth2/revoke`).
    pub revocation_endpoint: String,
    pub response_types_supported: Vec<String>,
    pub subject_types_supported: Vec<String>,
    pub id_token_signing_alg_values_supported: Vec<String>,
    pub code_challenge_methods_supported: Vec<String>,
    pub grant_types_supported: Vec<String>,
    pub token_endpoint_auth_methods_supported: Vec<String>,
    pub scopes_supported: Vec<String>,
}

fn dev(state: &AppState) -> Result<&Arc<DevOidc>, Problem> {
    state
        .frontend
        .dev_oidc
        .as_ref()
        .ok_or_else(Problem::not_found)
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// The dev provider's discovery document (embedded default only).
#[utoipa::path(get, path = "/dev-oidc/.well-known/openid-configuration", tag = "operations",
    responses(
        (status = 200, description = "OpenID Connect discovery document", body = Discovery),
        (status = 404, description = "Not the embedded default", body = ProblemDetails, content_type = "application/problem+json"),
    ))]
pub async fn discovery(State(state): State<AppState>) -> Result<Json<Discovery>, Problem> {
    let oidc = dev(&state)?;
    let base = &oidc.base_url;
    Ok(Json(Discovery {
        issuer: DevOidc::issuer_at(base),
        authorization_endpoint: format!("{base}/dev-oidc/authorize"),
        token_endpoint: format!("{base}/dev-oidc/token"),
        jwks_uri: format!("{base}/dev-idp/.well-known/jwks.json"),
        end_session_endpoint: format!("{base}/dev-oidc/logout"),
        revocation_endpoint: format!("{base}/dev-oidc/revoke"),
        response_types_supported: strings(&["code"]),
        subject_types_supported: strings(&["public"]),
        id_token_signing_alg_values_supported: strings(&["RS256"]),
        code_challenge_methods_supported: strings(&["S256"]),
        grant_types_supported: strings(&["authorization_code", "refresh_token"]),
        token_endpoint_auth_methods_supported: strings(&["none"]),
        scopes_supported: strings(&["openid"]),
    }))
}

/// The parameters of an authorization request (query of the GET, fields of the POST).
#[derive(Debug, Default, Deserialize)]
struct AuthorizeParams {
    #[serde(default)]
    response_type: String,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    redirect_uri: String,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    nonce: Option<String>,
    #[serde(default)]
    code_challenge: String,
    #[serde(default)]
    code_challenge_method: String,
    // The sign-in form's own fields.
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    bank_id: Option<String>,
}

impl AuthorizeParams {
    /// Checks what the client sent; the error is shown on the page, never redirected
    /// to an unverified URI.
    fn check(&self, oidc: &DevOidc) -> Result<(), &'static str> {
        if !oidc.knows_client(&self.client_id) {
            return Err("unknown client_id");
        }
        if self.redirect_uri != oidc.redirect_uri() {
            return Err("redirect_uri is not the app's registered callback");
        }
        if self.response_type != "code" {
            return Err("only response_type=code is supported");
        }
        if self.code_challenge_method != "S256" {
            return Err("a PKCE code_challenge with code_challenge_method=S256 is required");
        }
        let challenge_ok = (43..=128).contains(&self.code_challenge.len())
            && self
                .code_challenge
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !challenge_ok {
            return Err("the code_challenge is not a base64url SHA-256");
        }
        let short = |v: &Option<String>| v.as_ref().is_none_or(|s| s.len() <= 512);
        if !short(&self.state) || !short(&self.nonce) {
            return Err("state or nonce too long");
        }
        Ok(())
    }
}

/// Escapes text for HTML content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The sign-in page's style sheet (served at `/dev-oidc/style.css`: no inline style
/// under the strict CSP).
const STYLE: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;color:#161616;background:#f6f6f6;line-height:1.5}\
main{max-width:32rem;margin:2rem auto;padding:1.5rem;background:#fff;border:1px solid #ccc}\
h1{font-size:1.5rem;margin-top:0}p.note{color:#3a3a3a}\
fieldset{border:0;padding:0;margin:0 0 1.25rem}legend,label{font-weight:600}\
.choice{display:flex;gap:.5rem;align-items:center;margin:.5rem 0;min-height:44px}.choice label{font-weight:400}\
input[type=radio]{width:1.25rem;height:1.25rem}\
input[type=text],select{display:block;width:100%;box-sizing:border-box;font:inherit;padding:.5rem;margin:.25rem 0 1.25rem;border:2px solid #3a3a3a;min-height:44px}\
button{font:inherit;font-weight:600;color:#fff;background:#00347a;border:0;padding:.75rem 1.5rem;min-height:44px;cursor:pointer}\
:focus-visible{outline:3px solid #b34000;outline-offset:2px}\
.error{border-left:4px solid #b00020;padding:.5rem 1rem;background:#fdecee}";

/// The policy of the provider's pages: its style sheet only, no script.
const PAGE_CSP: &str = "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"/dev-oidc/style.css\"></head>\
         <body><main>{body}</main></body></html>",
        title = escape(title)
    );
    let mut response = (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response();
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_CSP),
    );
    response
}

fn refusal(reason: &str) -> Response {
    page(
        StatusCode::BAD_REQUEST,
        "Connexion impossible",
        &format!(
            "<h1>Connexion impossible</h1><p class=\"error\" role=\"alert\">{}</p>\
             <p><a href=\"/\">Retour à l'accueil</a></p>",
            escape(reason)
        ),
    )
}

fn sign_in_form(
    oidc: &DevOidc,
    params: &AuthorizeParams,
    banks: &[domain::loan_request::Bank],
    error: Option<&str>,
) -> String {
    let hidden = |name: &str, value: &str| {
        format!(
            "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
            escape(value)
        )
    };
    let mut html = String::from(
        "<h1>Connexion de développement</h1>\
         <p class=\"note\">Fournisseur d'identité local de pge (jamais en production) : \
         choisissez un rôle et un nom. Le même nom redonne le même compte.</p>",
    );
    if let Some(error) = error {
        html.push_str(&format!(
            "<p class=\"error\" role=\"alert\" id=\"form-error\">{}</p>",
            escape(error)
        ));
    }
    html.push_str("<form method=\"post\" action=\"/dev-oidc/authorize\">");
    for (name, value) in [
        ("response_type", params.response_type.as_str()),
        ("client_id", &params.client_id),
        ("redirect_uri", &params.redirect_uri),
        ("code_challenge", &params.code_challenge),
        ("code_challenge_method", &params.code_challenge_method),
    ] {
        html.push_str(&hidden(name, value));
    }
    if let Some(state) = &params.state {
        html.push_str(&hidden("state", state));
    }
    if let Some(nonce) = &params.nonce {
        html.push_str(&hidden("nonce", nonce));
    }
    let roles = oidc.roles_of(&params.client_id);
    let chosen = params.role.as_deref().unwrap_or(roles[0].0);
    html.push_str("<fieldset><legend>Rôle</legend>");
    for &(value, label) in roles {
        let checked = if value == chosen { " checked" } else { "" };
        html.push_str(&format!(
            "<div class=\"choice\"><input type=\"radio\" id=\"role-{value}\" name=\"role\" value=\"{value}\"{checked}>\
             <label for=\"role-{value}\">{label}</label></div>"
        ));
    }
    html.push_str("</fieldset>");
    html.push_str(&format!(
        "<label for=\"name\">Nom (identifiant du compte)</label>\
         <input type=\"text\" id=\"name\" name=\"name\" required maxlength=\"64\" autocomplete=\"username\" value=\"{}\">",
        escape(params.name.as_deref().unwrap_or_default())
    ));
    html.push_str(
        "<label for=\"bank_id\">Banque (chargés d'instruction seulement)</label><select id=\"bank_id\" name=\"bank_id\">",
    );
    for bank in banks {
        let code = bank.code.as_str();
        let selected = if params.bank_id.as_deref() == Some(code) {
            " selected"
        } else {
            ""
        };
        html.push_str(&format!(
            "<option value=\"{code}\"{selected}>{} ({code})</option>",
            escape(&bank.name)
        ));
    }
    html.push_str("</select><button type=\"submit\">Se connecter</button></form>");
    html
}

/// The sign-in page of the dev provider (embedded default only).
#[utoipa::path(get, path = "/dev-oidc/authorize", tag = "operations",
    responses(
        (status = 200, description = "Sign-in page: pick a role and a name", content_type = "text/html"),
        (status = 400, description = "Not a valid authorization request (unknown client, unregistered redirect URI, no S256 PKCE challenge)", content_type = "text/html"),
        (status = 404, description = "Not the embedded default", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, description = "The bank list cannot be read", body = ProblemDetails, content_type = "application/problem+json"),
    ))]
pub async fn authorize_page(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, Problem> {
    let oidc = dev(&state)?;
    let Ok(params) = serde_urlencoded::from_str::<AuthorizeParams>(query.as_deref().unwrap_or(""))
    else {
        return Ok(refusal("the authorization request cannot be read"));
    };
    if let Err(reason) = params.check(oidc) {
        return Ok(refusal(reason));
    }
    let banks = state.services.platform.banks().await?;
    Ok(page(
        StatusCode::OK,
        "Connexion de développement — pge",
        &sign_in_form(oidc, &params, &banks, None),
    ))
}

/// Signs in as the chosen role and name: a single-use code, sent to the app's callback.
#[utoipa::path(post, path = "/dev-oidc/authorize", tag = "operations",
    request_body(content = String, content_type = "application/x-www-form-urlencoded",
        description = "The authorization request's parameters and the form's `role`, `name`, `bank_id`"),
    responses(
        (status = 303, description = "To the redirect URI with `code` and `state`"),
        (status = 400, description = "Not a valid authorization request", content_type = "text/html"),
        (status = 404, description = "Not the embedded default", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 413, description = "Form over 8 KiB", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "The form again, with what to correct", content_type = "text/html"),
        (status = 503, description = "The bank list cannot be read", body = ProblemDetails, content_type = "application/problem+json"),
    ))]
pub async fn authorize(
    State(state): State<AppState>,
    request: Request,
) -> Result<Response, Problem> {
    let oidc = dev(&state)?;
    let body = form_body(request).await?;
    let Ok(params) = serde_urlencoded::from_bytes::<AuthorizeParams>(&body) else {
        return Ok(refusal("the sign-in form cannot be read"));
    };
    if let Err(reason) = params.check(oidc) {
        return Ok(refusal(reason));
    }
    let banks = state.services.platform.banks().await?;
    let again = |error: &str| {
        page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Connexion de développement — pge",
            &sign_in_form(oidc, &params, &banks, Some(error)),
        )
    };
    let name = params.name.as_deref().unwrap_or_default().trim();
    if name.is_empty() || name.chars().count() > 64 || domain::error::has_hidden_characters(name) {
        return Ok(again("Indiquez un nom de 1 à 64 caractères visibles."));
    }
    let role = params.role.as_deref().unwrap_or_default();
    if !oidc
        .roles_of(&params.client_id)
        .iter()
        .any(|(r, _)| *r == role)
    {
        return Ok(again("Choisissez un rôle."));
    }
    let bank_id = match role {
        "applicant" | "admin" => None,
        "reviewer" => {
            let chosen = params.bank_id.as_deref().unwrap_or_default();
            if !banks.iter().any(|b| b.code.as_str() == chosen) {
                return Ok(again("Choisissez la banque du chargé d'instruction."));
            }
            Some(chosen.to_owned())
        }
        _ => return Ok(again("Choisissez un rôle.")),
    };
    let code = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    {
        let mut codes = oidc.codes.lock().await;
        codes.retain(|_, grant| grant.issued.elapsed() < CODE_LIFETIME);
        if codes.len() >= MAX_PENDING_CODES {
            return Err(Problem::service_unavailable(
                ProblemType::Overloaded,
                "too many sign-ins at once; retry in a minute",
                60,
            ));
        }
        codes.insert(
            code.clone(),
            Grant {
                redirect_uri: params.redirect_uri.clone(),
                code_challenge: params.code_challenge.clone(),
                nonce: params.nonce.clone(),
                account: Account {
                    client_id: params.client_id.clone(),
                    subject: name.to_owned(),
                    role: role.to_owned(),
                    bank_id,
                },
                issued: Instant::now(),
            },
        );
    }
    let query = serde_urlencoded::to_string([
        ("code", Some(code.as_str())),
        ("state", params.state.as_deref()),
    ])
    .map_err(|e| Problem::internal(e.to_string()))?;
    let location = format!("{}?{query}", params.redirect_uri);
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response())
}

/// Largest form the provider reads.
const FORM_LIMIT: usize = 8 * 1024;

async fn form_body(request: Request) -> Result<Bytes, Problem> {
    axum::body::to_bytes(request.into_body(), FORM_LIMIT)
        .await
        .map_err(|_| Problem::payload_too_large(FORM_LIMIT))
}

/// A token request: RFC 6749 §4.1.3 with PKCE, or §6 (refresh).
#[derive(Debug, Default, Deserialize)]
struct TokenParams {
    #[serde(default)]
    grant_type: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    redirect_uri: String,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    code_verifier: String,
    #[serde(default)]
    refresh_token: String,
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
struct OAuthError(OAuthErrorBody);

impl OAuthError {
    fn new(error: &'static str, description: impl Into<String>) -> Self {
        Self(OAuthErrorBody {
            error,
            error_description: description.into(),
        })
    }
    fn invalid_grant(description: &str) -> Self {
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

fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

impl DevOidc {
    /// The token endpoint's work, once the form is read.
    async fn exchange(&self, body: &[u8]) -> Result<TokenResponse, OAuthError> {
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
    async fn redeem_code(&self, params: &TokenParams) -> Result<TokenResponse, OAuthError> {
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
    async fn renew(
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
    async fn revoke(&self, body: &[u8]) -> Result<(), OAuthError> {
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

    fn key(refresh_token: &str) -> [u8; 32] {
        Sha256::digest(refresh_token.as_bytes()).into()
    }

    /// Signs the access and ID tokens of a session.
    fn tokens(
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

/// Exchanges a code and its PKCE verifier, or a refresh token, for tokens (embedded
/// default only).
#[utoipa::path(post, path = "/dev-oidc/token", tag = "operations",
    request_body(content = String, content_type = "application/x-www-form-urlencoded",
        description = "`grant_type=authorization_code` with `code`, `redirect_uri`, `client_id`, `code_verifier`; or `grant_type=refresh_token` with `refresh_token`, `client_id`"),
    responses(
        (status = 200, description = "The tokens", body = TokenResponse),
        (status = 400, description = "RFC 6749 §5.2: `invalid_grant` (unknown, used or expired code or refresh token, wrong verifier or redirect URI), `invalid_client`, `invalid_request`, `unsupported_grant_type`", body = OAuthErrorBody),
        (status = 404, description = "Not the embedded default", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 413, description = "Form over 8 KiB", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, description = "`temporarily_unavailable`: too many sessions open, or the token could not be signed", body = OAuthErrorBody),
    ))]
pub async fn token(State(state): State<AppState>, request: Request) -> Result<Response, Problem> {
    let oidc = dev(&state)?;
    let body = form_body(request).await?;
    Ok(match oidc.exchange(&body).await {
        Ok(tokens) => no_store(Json(tokens).into_response()),
        Err(error) => error.into_response(),
    })
}

/// Revokes a refresh token (embedded default only; Cognito's `/oauth2/revoke`).
#[utoipa::path(post, path = "/dev-oidc/revoke", tag = "operations",
    request_body(content = String, content_type = "application/x-www-form-urlencoded",
        description = "`token` (the refresh token), `client_id`"),
    responses(
        (status = 200, description = "Revoked (or already unknown)"),
        (status = 400, description = "RFC 7009: `invalid_request`, `invalid_client`, `unsupported_token_type` (an access token)", body = OAuthErrorBody),
        (status = 404, description = "Not the embedded default", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 413, description = "Form over 8 KiB", body = ProblemDetails, content_type = "application/problem+json"),
    ))]
pub async fn revoke(State(state): State<AppState>, request: Request) -> Result<Response, Problem> {
    let oidc = dev(&state)?;
    let body = form_body(request).await?;
    Ok(match oidc.revoke(&body).await {
        Ok(()) => no_store(StatusCode::OK.into_response()),
        Err(error) => error.into_response(),
    })
}

#[derive(Debug, Default, Deserialize)]
struct LogoutParams {
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    logout_uri: String,
}

/// Signs out (the provider keeps no session) and returns to the app (embedded default
/// only). `logout_uri` must be the app's public base URL or a page of it.
#[utoipa::path(get, path = "/dev-oidc/logout", tag = "operations",
    responses(
        (status = 303, description = "To `logout_uri`"),
        (status = 400, description = "Unknown client or a `logout_uri` outside the app", content_type = "text/html"),
        (status = 404, description = "Not the embedded default", body = ProblemDetails, content_type = "application/problem+json"),
    ))]
pub async fn logout(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, Problem> {
    let oidc = dev(&state)?;
    let params: LogoutParams =
        serde_urlencoded::from_str(query.as_deref().unwrap_or("")).unwrap_or_default();
    let inside_app = params.logout_uri == oidc.base_url
        || params
            .logout_uri
            .strip_prefix(&oidc.base_url)
            .is_some_and(|rest| rest.starts_with('/'));
    if !oidc.knows_client(&params.client_id) || !inside_app {
        return Ok(refusal(
            "unknown client_id, or a logout_uri outside the app",
        ));
    }
    Ok((
        StatusCode::SEE_OTHER,
        [(header::LOCATION, params.logout_uri)],
    )
        .into_response())
}

/// The sign-in page's style sheet.
#[utoipa::path(get, path = "/dev-oidc/style.css", tag = "operations",
    responses(
        (status = 200, description = "Style sheet", content_type = "text/css"),
        (status = 404, description = "Not the embedded default", body = ProblemDetails, content_type = "application/problem+json"),
    ))]
pub async fn style(State(state): State<AppState>) -> Result<Response, Problem> {
    dev(&state)?;
    Ok(([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE).into_response())
}
