//! The router: every route registered with its OpenAPI description in one place.

pub mod admin;
pub mod banks;
pub mod cursor;
pub mod dev_oidc;
pub mod drafts;
pub mod exports;
pub mod guarantees;
pub mod health;
pub mod loan_requests;
pub mod local_documents;
pub mod simulations;
pub mod stats;
pub mod web;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::response::IntoResponse;
use tower_http::catch_panic::CatchPanicLayer;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use utoipa_swagger_ui::SwaggerUi;

use crate::extract::BODY_LIMIT;
use crate::problem::openapi::{add_closed_lists, add_common_answers};
use crate::problem::{Problem, ProblemDetails};
use crate::state::AppState;
use crate::telemetry;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "pge",
        description = "State-guaranteed business loans (Prêt garanti par l'État): simulation, submission, bank review.",
        license(name = "EUPL-1.2")
    ),
    modifiers(&BearerAuth),
    components(schemas(ProblemDetails, crate::views::LoanStatus)),
    tags(
        (name = "simulations", description = "Public loan simulations"),
        (name = "banks", description = "Participating banks"),
        (name = "loan-requests", description = "Loan requests and their workflow"),
        (name = "documents", description = "Supporting documents, uploaded through presigned URLs"),
        (name = "guarantees", description = "The State guarantee's identifier: issue, attestation, verification, public check"),
        (name = "back-office", description = "Exports, national figures, platform switches"),
        (name = "operations", description = "Health and readiness"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.bearer_format = Some("JWT".to_owned());
        scheme.description =
            Some("Cognito ID token (dev identity provider on the embedded default)".to_owned());
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// The business routes (`/api/v1/…`), behind the rate limits and the in-flight cap.
fn business_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(simulations::create_simulation))
        .routes(routes!(banks::list_banks, banks::create_bank))
        .routes(routes!(banks::create_reviewer))
        .routes(routes!(
            banks::get_grant_threshold,
            banks::put_grant_threshold
        ))
        .routes(routes!(
            drafts::get_draft,
            drafts::put_draft,
            drafts::delete_draft
        ))
        .routes(routes!(
            loan_requests::submit::submit_loan_request,
            loan_requests::list::list_loan_requests
        ))
        .routes(routes!(loan_requests::get::get_loan_request))
        .routes(routes!(loan_requests::events::list_loan_request_events))
        .routes(routes!(loan_requests::workflow::withdraw_loan_request))
        .routes(routes!(loan_requests::workflow::review_loan_request))
        .routes(routes!(loan_requests::decide::decide_loan_request))
        .routes(routes!(loan_requests::decide::grant_loan_request))
        .routes(routes!(loan_requests::decide::return_grant))
        .routes(routes!(
            loan_requests::messages::list_messages,
            loan_requests::messages::post_message
        ))
        .routes(routes!(loan_requests::bulk::bulk_decide))
        .routes(routes!(
            guarantees::issue_guarantee,
            guarantees::get_guarantee
        ))
        .routes(routes!(guarantees::download_attestation))
        .routes(routes!(guarantees::verify_guarantee))
        .routes(routes!(
            loan_requests::documents::announce_document,
            loan_requests::documents::list_documents
        ))
        .routes(routes!(loan_requests::documents::complete_document))
        .routes(routes!(loan_requests::documents::remove_document))
        .routes(routes!(exports::export_loan_requests))
        .routes(routes!(stats::get_stats))
        .routes(routes!(
            admin::degraded_mode::get_degraded_mode,
            admin::degraded_mode::put_degraded_mode
        ))
        .routes(routes!(admin::degraded_mode::platform_status))
        .routes(routes!(admin::outbox::retry_dead_letters))
        .routes(routes!(admin::outbox::admin_actions))
        .routes(routes!(admin::audit::audit_chains))
}

/// Probes: never limited, so an overloaded replica still answers them.
/// The public guarantee check: a business route with a limit of its own per client
/// address (`crate::limits::apply_checks`), on top of the business routes' limits.
fn check_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(guarantees::check_guarantee))
}

fn operations_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(health::dev_jwks))
        // The embedded default's document storage (404 elsewhere). Not rate limited
        // per principal: the URL's signature is the authorization.
        .routes(routes!(local_documents::upload, local_documents::download))
        // The web app's configuration, and the dev provider's sign-in (404 elsewhere).
        .routes(routes!(web::config))
        .routes(routes!(dev_oidc::discovery))
        .routes(routes!(dev_oidc::authorize_page, dev_oidc::authorize))
        .routes(routes!(dev_oidc::token))
        .routes(routes!(dev_oidc::revoke))
        .routes(routes!(dev_oidc::logout))
        .routes(routes!(dev_oidc::style))
}

/// The OpenAPI document, as `pge openapi` prints it and `/openapi.json` serves it.
#[must_use]
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut openapi = business_routes().into_openapi();
    openapi.merge(check_routes().into_openapi());
    openapi.merge(operations_routes().into_openapi());
    add_common_answers(&mut openapi);
    add_closed_lists(&mut openapi);
    openapi
}

/// The complete HTTP application.
pub fn router(state: AppState) -> Router {
    let _ = crate::metrics::handle();
    let (business, mut openapi) = business_routes().split_for_parts();
    let (checks, checks_doc) = check_routes().split_for_parts();
    let (operations, operations_doc) = operations_routes().split_for_parts();
    openapi.merge(checks_doc);
    openapi.merge(operations_doc);
    let business = business.merge(crate::limits::apply_checks(checks, &state));
    add_common_answers(&mut openapi);
    add_closed_lists(&mut openapi);
    // Every route but Swagger UI's two comes from an `OpenApiRouter`, so the router and
    // the OpenAPI document (and with it the authorization matrix) cannot drift apart.
    crate::limits::apply(business, &state)
        .merge(operations)
        .merge(SwaggerUi::new("/docs").url("/openapi.json", openapi))
        // The web app, and problem+json 404s under /api/.
        .fallback(web::serve)
        .method_not_allowed_fallback(|| async { Problem::method_not_allowed().into_response() })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(CatchPanicLayer::custom(
            |_: Box<dyn std::any::Any + Send>| {
                Problem::internal("handler panicked").into_response()
            },
        ))
        .layer(axum::middleware::from_fn(security_headers))
        .layer(axum::middleware::from_fn(telemetry::request_context))
        .with_state(state)
}

/// Every answer: `X-Content-Type-Options: nosniff`, and `Cache-Control: no-store` unless
/// the route chose its own caching (the web app's files do): the API's answers carry
/// personal data and signed links that no browser or proxy may keep.
async fn security_headers(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers
        .entry(header::X_CONTENT_TYPE_OPTIONS)
        .or_insert(HeaderValue::from_static("nosniff"));
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}
