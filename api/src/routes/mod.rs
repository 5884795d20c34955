//! The router: every route registered with its OpenAPI description in one place.

pub mod admin;
pub mod banks;
pub mod cursor;
pub mod exports;
pub mod health;
pub mod loan_requests;
pub mod local_documents;
pub mod simulations;
pub mod stats;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::response::IntoResponse;
use axum::routing::get;
use tower_http::catch_panic::CatchPanicLayer;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use utoipa_swagger_ui::SwaggerUi;

use crate::extract::BODY_LIMIT;
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
    components(schemas(ProblemDetails)),
    tags(
        (name = "simulations", description = "Public loan simulations"),
        (name = "banks", description = "Participating banks"),
        (name = "loan-requests", description = "Loan requests and their workflow"),
        (name = "documents", description = "Supporting documents, uploaded through presigned URLs"),
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
            loan_requests::submit::submit_loan_request,
            loan_requests::list::list_loan_requests
        ))
        .routes(routes!(loan_requests::get::get_loan_request))
        .routes(routes!(loan_requests::events::list_loan_request_events))
        .routes(routes!(loan_requests::withdraw::withdraw_loan_request))
        .routes(routes!(loan_requests::review::review_loan_request))
        .routes(routes!(loan_requests::decide::decide_loan_request))
        .routes(routes!(loan_requests::grant::grant_loan_request))
        .routes(routes!(
            loan_requests::documents::announce_document,
            loan_requests::documents::list_documents
        ))
        .routes(routes!(loan_requests::documents::complete_document))
        .routes(routes!(exports::export_loan_requests))
        .routes(routes!(stats::get_stats))
        .routes(routes!(
            admin::degraded_mode::get_degraded_mode,
            admin::degraded_mode::put_degraded_mode
        ))
}

/// Probes: never limited, so an overloaded replica still answers them.
fn operations_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
}

/// The OpenAPI document, as `pge openapi` prints it and `/openapi.json` serves it.
#[must_use]
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut openapi = business_routes().into_openapi();
    openapi.merge(operations_routes().into_openapi());
    openapi
}

/// The complete HTTP application.
pub fn router(state: AppState) -> Router {
    let _ = crate::metrics::handle();
    let (business, mut openapi) = business_routes().split_for_parts();
    let (operations, operations_doc) = operations_routes().split_for_parts();
    openapi.merge(operations_doc);
    let router = crate::limits::apply(business, &state.limits)
        .merge(operations)
        .route("/metrics", get(crate::metrics::metrics));
    let router = if state.local_objects.is_some() {
        // Uploads may be up to 10 MiB: the handler enforces the signed length itself.
        router.route(
            &format!("{}/{{*key}}", infra::objects::LOCAL_DOCUMENTS_PATH),
            axum::routing::put(local_documents::upload).get(local_documents::download),
        )
    } else {
        router
    };
    router
        .route("/dev-idp/.well-known/jwks.json", get(health::dev_jwks))
        .merge(SwaggerUi::new("/docs").url("/openapi.json", openapi))
        .fallback(|| async { Problem::not_found().into_response() })
        .method_not_allowed_fallback(|| async { Problem::method_not_allowed().into_response() })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(CatchPanicLayer::custom(
            |_: Box<dyn std::any::Any + Send>| {
                Problem::internal("handler panicked").into_response()
            },
        ))
        .layer(axum::middleware::from_fn(telemetry::request_context))
        .with_state(state)
}
