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

mod page;
mod provider;
mod tokens;

use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use self::page::{AuthorizeParams, SIGN_IN_TITLE, STYLE, page, refusal, sign_in_form};
use self::provider::{Account, Grant};
pub use self::provider::{
    DEFAULT_REFRESH_TTL_SECS, DEFAULT_TOKEN_TTL_SECS, DEV_STAFF_CLIENT, DevOidc, Lifetimes,
};
use self::tokens::no_store;
pub use self::tokens::{OAuthErrorBody, TokenResponse};
use crate::problem::Problem;
use crate::problem::openapi::{EmbeddedOnly, problem_answers};
use crate::state::AppState;

problem_answers! {
    /// What the sign-in page may answer, besides its own HTML refusals.
    SignInProblems {
        DatabaseUnavailable => "The bank list cannot be read",
    }
    /// What the sign-in form's submission may answer, besides its own HTML pages.
    SignInFormProblems {
        PayloadTooLarge => "Form over 8 KiB",
        DatabaseUnavailable => "The bank list cannot be read",
    }
    /// What the token and revocation endpoints may answer as problems (their refusals
    /// are OAuth errors).
    FormProblems {
        PayloadTooLarge => "Form over 8 KiB",
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
        EmbeddedOnly,
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

/// The sign-in page of the dev provider (embedded default only).
#[utoipa::path(get, path = "/dev-oidc/authorize", tag = "operations",
    responses(
        (status = 200, description = "Sign-in page: pick a role and a name", content_type = "text/html"),
        (status = 400, description = "Not a valid authorization request (unknown client, unregistered redirect URI, no S256 PKCE challenge)", content_type = "text/html"),
        EmbeddedOnly,
        SignInProblems,
    ))]
pub async fn authorize_page(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, Problem> {
    let oidc = dev(&state)?;
    let read = serde_urlencoded::from_str(query.as_deref().unwrap_or(""));
    let params = match AuthorizeParams::checked(read, oidc, "the authorization request") {
        Ok(params) => params,
        Err(reason) => return Ok(refusal(&reason)),
    };
    let banks = state.services.platform.banks().await?;
    Ok(page(
        StatusCode::OK,
        SIGN_IN_TITLE,
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
        (status = 422, description = "The form again, with what to correct", content_type = "text/html"),
        EmbeddedOnly,
        SignInFormProblems,
    ))]
pub async fn authorize(
    State(state): State<AppState>,
    request: Request,
) -> Result<Response, Problem> {
    let oidc = dev(&state)?;
    let body = form_body(request).await?;
    let read = serde_urlencoded::from_bytes(&body);
    let params = match AuthorizeParams::checked(read, oidc, "the sign-in form") {
        Ok(params) => params,
        Err(reason) => return Ok(refusal(&reason)),
    };
    let banks = state.services.platform.banks().await?;
    let again = |error: &str| {
        page(
            StatusCode::UNPROCESSABLE_ENTITY,
            SIGN_IN_TITLE,
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
    let code = oidc
        .issue_code(Grant {
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
        })
        .await?;
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

/// Exchanges a code and its PKCE verifier, or a refresh token, for tokens (embedded
/// default only).
#[utoipa::path(post, path = "/dev-oidc/token", tag = "operations",
    request_body(content = String, content_type = "application/x-www-form-urlencoded",
        description = "`grant_type=authorization_code` with `code`, `redirect_uri`, `client_id`, `code_verifier`; or `grant_type=refresh_token` with `refresh_token`, `client_id`"),
    responses(
        (status = 200, description = "The tokens", body = TokenResponse),
        (status = 400, description = "RFC 6749 §5.2: `invalid_grant` (unknown, used or expired code or refresh token, wrong verifier or redirect URI), `invalid_client`, `invalid_request`, `unsupported_grant_type`", body = OAuthErrorBody),
        EmbeddedOnly,
        FormProblems,
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
        EmbeddedOnly,
        FormProblems,
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
        EmbeddedOnly,
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
        EmbeddedOnly,
    ))]
pub async fn style(State(state): State<AppState>) -> Result<Response, Problem> {
    dev(&state)?;
    Ok(([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE).into_response())
}
