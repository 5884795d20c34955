//! The web app (`web/`, built into `web/dist`) served by the binary: its files at `/`,
//! any path whose last segment has no dot answered with `index.html` (the client-side
//! router's; the same rule as the CloudFront function in production), and
//! `/config.json`, which tells the app its OpenID Connect provider.
//!
//! A file is sent as its `.br` or `.gz` copy (written by the build) when the browser
//! accepts it. Caching: `/assets/*` (content-hashed names) are immutable for a year, every other
//! file `no-cache` (revalidated), errors `no-store`. Every answer carries a strict
//! Content-Security-Policy with no `unsafe-inline`.

use axum::Json;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tower::ServiceExt as _;
use tower_http::services::{ServeDir, ServeFile};
use utoipa::ToSchema;

use crate::problem::Problem;
use crate::problem::openapi::problem_answers;
use crate::state::AppState;

/// What `/config.json` says: where the app signs its users in.
/// `/config.json`: the identity provider the web app signs in with and, when bank staff
/// and admins have their own (MFA required there), theirs.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebConfig {
    /// The provider of business owners (and of everyone without `staff`).
    #[serde(flatten)]
    pub provider: WebProvider,
    /// The provider of bank staff and admins, when they sign in apart: the back office's
    /// pages sign in there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staff: Option<WebProvider>,
}

/// One OpenID Connect provider of the web app.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebProvider {
    /// The OpenID Connect issuer's base URL (its discovery document is under
    /// `/.well-known/openid-configuration`).
    #[schema(example = "http://127.0.0.1:8080/dev-oidc")]
    pub authority: String,
    /// The app's client id (a public client: authorization code + PKCE, no secret).
    #[schema(example = "pge-dev-client")]
    pub client_id: String,
    #[schema(example = "openid")]
    pub scope: String,
    /// Where signing out ends the provider's session: called with `client_id` and
    /// `logout_uri` (Cognito's convention; the dev provider follows it).
    #[schema(example = "http://127.0.0.1:8080/dev-oidc/logout")]
    pub logout_url: String,
    /// Where the app revokes its refresh token at sign-out (RFC 7009: Cognito's
    /// `/oauth2/revoke`).
    #[schema(example = "http://127.0.0.1:8080/dev-oidc/revoke")]
    pub revocation_url: Option<String>,
}

/// Everything the web app's serving needs, fixed at start-up.
#[derive(Debug, Clone, Default)]
pub struct Frontend {
    /// The built app; `None` when there is none to serve.
    pub dir: Option<std::path::PathBuf>,
    /// `/config.json`; `None` when sign-in is not configured (Cognito without a
    /// hosted-UI domain).
    pub config: Option<WebConfig>,
    /// The Content-Security-Policy of every file of the app.
    pub csp: String,
    /// The app's public base URL, which e-mails link to.
    pub app_url: Option<String>,
    /// The dev identity provider's OpenID Connect flow (embedded default only).
    pub dev_oidc: Option<std::sync::Arc<super::dev_oidc::DevOidc>>,
}

impl Frontend {
    /// Where a person checks a guarantee identifier: the web app's public check page,
    /// printed on every attestation.
    #[must_use]
    pub fn verification_url(&self) -> String {
        infra::attestation::verification_url(self.app_url.as_deref())
    }
}

/// The policy: the app's own files, and connections to the API (same origin) and to
/// `connect` (the documents bucket and the identity provider, when not same-origin).
#[must_use]
pub fn content_security_policy(connect: &[String]) -> String {
    let mut connect_src = String::from("'self'");
    for origin in connect {
        connect_src.push(' ');
        connect_src.push_str(origin);
    }
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; \
         font-src 'self'; connect-src {connect_src}; frame-src 'self' blob:; \
         object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

problem_answers! {
    /// When the web app has no sign-in to configure.
    ConfigProblems {
        NotFound => "Sign-in not configured",
    }
}

/// The app's runtime configuration: its OpenID Connect provider and client.
#[utoipa::path(get, path = "/config.json", tag = "operations",
    responses(
        (status = 200, description = "Sign-in configuration of the web app", body = WebConfig),
        ConfigProblems,
    ))]
pub async fn config(State(state): State<AppState>) -> Response {
    match &state.frontend.config {
        Some(config) => {
            let mut response = Json(config.clone()).into_response();
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            response
        }
        None => Problem::not_found().into_response(),
    }
}

/// The router's fallback: the app's files, `index.html` for client-side routes, and a
/// problem+json 404 for everything under `/api/` and every missing file.
pub async fn serve(State(state): State<AppState>, request: Request) -> Response {
    let path = request.uri().path();
    if path == "/api" || path.starts_with("/api/") {
        return Problem::not_found().into_response();
    }
    let Some(dir) = state.frontend.dir.as_ref() else {
        return Problem::not_found().into_response();
    };
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        return Problem::method_not_allowed().into_response();
    }
    let last_segment = path.rsplit('/').next().unwrap_or_default();
    let immutable = path.starts_with("/assets/");
    let response = if last_segment.contains('.') {
        let files = ServeDir::new(dir).precompressed_br().precompressed_gzip();
        let Ok(response) = files.oneshot(request).await;
        response.map(Body::new)
    } else {
        let index = ServeFile::new(dir.join("index.html"))
            .precompressed_br()
            .precompressed_gzip();
        let Ok(response) = index.oneshot(request).await;
        response.map(Body::new)
    };
    let status = response.status();
    let mut response = if status.is_success() || status == StatusCode::NOT_MODIFIED {
        let mut response = response;
        let cache = if immutable {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
        // The answer depends on Accept-Encoding (the build's .br and .gz copies).
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        response
    } else if status == StatusCode::NOT_FOUND {
        Problem::not_found().into_response()
    } else {
        response
    };
    if let Ok(csp) = HeaderValue::from_str(&state.frontend.csp) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    response
}
