//! The router: every route registered with its OpenAPI description in one place.

pub mod admin;
pub mod banks;
pub mod cursor;
pub mod dev_oidc;
pub mod drafts;
pub mod exports;
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
        (name = "back-office", description = "Exports, national figures, platform switches"),
        (name = "operations", description = "Health and readiness"),
    )
)]
struct ApiDoc;

struct BearerAuth;

/// The closed lists of problem types and field codes, as enums of the document:
/// `Problem.type` is one of `ProblemType`, `FieldProblem.code` one of `FieldCode`. Applied
/// to the assembled document (the routes' own schemas would overwrite it earlier).
struct ClosedLists;

impl Modify for ClosedLists {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use crate::problem::{ProblemType, TYPE_PREFIX};
        use domain::error::FieldCode;
        use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
        use utoipa::openapi::{Ref, RefOr};
        let components = openapi.components.get_or_insert_with(Default::default);
        let list = |description: &str, values: Vec<String>| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some(description))
                .enum_values(Some(values))
                .build()
        };
        components.schemas.insert(
            "ProblemType".to_owned(),
            list(
                "Every kind of problem the API answers with (`Problem.type`); clients may rely on the list being complete.",
                ProblemType::ALL
                    .iter()
                    .map(|kind| format!("{TYPE_PREFIX}{}", kind.slug()))
                    .collect(),
            )
            .into(),
        );
        components.schemas.insert(
            "FieldCode".to_owned(),
            list(
                "Every code of a field error (`FieldProblem.code`); clients may rely on the list being complete.",
                FieldCode::ALL.iter().map(|code| code.as_str().to_owned()).collect(),
            )
            .into(),
        );
        for (schema, property, target) in [
            ("Problem", "type", "ProblemType"),
            ("FieldProblem", "code", "FieldCode"),
        ] {
            if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(schema) {
                object
                    .properties
                    .insert(property.to_owned(), Ref::from_schema_name(target).into());
            }
        }
    }
}

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

/// Answers any business route may give whatever its handler does: the rate limits
/// (429), load shedding, the request timeout and an unreachable database (503), a bug
/// (500), for routes with a path parameter an undecodable segment (400), and for routes
/// with a body what a body can get wrong (400, 408, 413, 415).
fn add_common_responses(openapi: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let problem = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/problem+json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build()
    };
    for (path, item) in &mut openapi.paths.paths {
        let business = path.starts_with("/api/");
        let has_parameter = path.contains('{');
        for operation in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        {
            let responses = &mut operation.responses.responses;
            let mut common = Vec::new();
            if business {
                common.extend([
                ("429", "Rate limited (`rate-limited`), with `Retry-After`"),
                (
                    "503",
                    "Overloaded (`overloaded`), too slow (`request-timeout`), database or storage out of reach (`database-unavailable`, `object-storage-unavailable`) or degraded mode (`degraded-mode`), with `Retry-After`",
                ),
                (
                    "500",
                    "Internal error (`internal`); the cause is logged with the request id",
                ),
                // Any request may carry a body, read before admission.
                (
                    "408",
                    "The body did not arrive in time (`body-timeout`); send it again",
                ),
                ("413", "Body over 64 KiB (`payload-too-large`)"),
                ]);
            }
            if has_parameter {
                common.push((
                    "400",
                    "A path segment or header that cannot be read (`invalid-parameter`)",
                ));
            }
            if operation.request_body.is_some() {
                common.extend([
                    (
                        "400",
                        "Malformed JSON (`malformed-json`) or a value of the wrong type",
                    ),
                    (
                        "415",
                        "No `Content-Type: application/json` (`unsupported-media-type`)",
                    ),
                ]);
            }
            for (status, description) in common {
                responses
                    .entry(status.to_owned())
                    .or_insert_with(|| problem(description).into());
            }
        }
    }
}

/// The business routes (`/api/v1/…`), behind the rate limits and the in-flight cap.
fn business_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(simulations::create_simulation))
        .routes(routes!(banks::list_banks, banks::create_bank))
        .routes(routes!(banks::create_reviewer))
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
        .routes(routes!(loan_requests::withdraw::withdraw_loan_request))
        .routes(routes!(loan_requests::review::review_loan_request))
        .routes(routes!(loan_requests::decide::decide_loan_request))
        .routes(routes!(loan_requests::grant::grant_loan_request))
        .routes(routes!(
            loan_requests::messages::list_messages,
            loan_requests::messages::post_message
        ))
        .routes(routes!(loan_requests::bulk::bulk_decide))
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
}

/// Probes: never limited, so an overloaded replica still answers them.
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
    openapi.merge(operations_routes().into_openapi());
    add_common_responses(&mut openapi);
    ClosedLists.modify(&mut openapi);
    openapi
}

/// The complete HTTP application.
pub fn router(state: AppState) -> Router {
    let _ = crate::metrics::handle();
    let (business, mut openapi) = business_routes().split_for_parts();
    let (operations, operations_doc) = operations_routes().split_for_parts();
    openapi.merge(operations_doc);
    add_common_responses(&mut openapi);
    ClosedLists.modify(&mut openapi);
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
