//! Who may do what on which bank's data: every route × every kind of caller, in one
//! table. The test also fails when a route of the OpenAPI document (which is built from
//! the router itself) has no row, so a new route cannot ship unchecked.

use std::collections::BTreeSet;

use harness::{TestApp, on_both_backends, random_siren, submission};
use reqwest::Method;
use serde_json::{Value, json};

/// The callers, in the column order of the table.
const CALLERS: [&str; 6] = [
    "anonymous",
    "owner",
    "other applicant",
    "reviewer of the bank",
    "reviewer of another bank",
    "admin",
];

struct Row {
    method: Method,
    path: &'static str,
    body: Option<fn() -> Value>,
    /// Expected status per caller, in [`CALLERS`] order.
    expected: [u16; 6],
}

fn row(method: Method, path: &'static str, body: Option<fn() -> Value>, expected: [u16; 6]) -> Row {
    Row {
        method,
        path,
        body,
        expected,
    }
}

fn simulation() -> Value {
    json!({"company": {"siren": "732829320", "legal_name": "X", "legal_form": "SAS",
        "creation_date": "2012-05-04", "headcount": 3, "revenue_cents": 10_000_000}})
}

fn draft() -> Value {
    json!({"answers": {"company": {"legal_name": "Boulangerie"}}})
}

fn new_submission() -> Value {
    submission(&random_siren(), 200_000)
}

fn new_bank() -> Value {
    let code = format!("{:05}", uuid::Uuid::new_v4().as_u128() % 100_000);
    json!({"id": code, "name": "Banque de test"})
}

fn new_reviewer() -> Value {
    json!({"email": format!("reviewer-{}@bank.example", uuid::Uuid::new_v4().simple())})
}

fn new_document() -> Value {
    json!({"filename": "kbis.pdf", "content_type": "application/pdf", "size": 1024})
}

fn message() -> Value {
    json!({"body": "Pourriez-vous joindre le bilan 2025 ?"})
}

/// A bulk decision on a request nobody has: a reviewer is answered 200 with the item
/// refused (404), whichever bank they belong to.
fn bulk_review() -> Value {
    json!({"action": "review", "items": [{"id": uuid::Uuid::new_v4(), "version": 1}]})
}

fn decision() -> Value {
    json!({"decision": "pre_approve"})
}

/// A grant on a well-formed identifier (stale If-Match: nobody allowed gets past 412).
fn grant() -> Value {
    json!({"guarantee_identifier": UNKNOWN_IDENTIFIER})
}

/// A well-formed guarantee identifier that was never issued.
const UNKNOWN_IDENTIFIER: &str = "PGE-0000-0000-0001-2";

fn send_back() -> Value {
    json!({"reason": "Montant à revoir"})
}

fn no_threshold() -> Value {
    json!({"threshold_cents": null})
}

fn check() -> Value {
    json!({"identifier": UNKNOWN_IDENTIFIER, "siren": "732829320"})
}

fn degraded_off() -> Value {
    json!({"enabled": false})
}

fn table() -> Vec<Row> {
    use Method as M;
    // anonymous, owner, other applicant, reviewer of the bank, reviewer of another bank, admin
    vec![
        row(
            M::POST,
            "/api/v1/simulations",
            Some(simulation),
            [200, 200, 200, 200, 200, 200],
        ),
        row(
            M::GET,
            "/api/v1/banks",
            None,
            [200, 200, 200, 200, 200, 200],
        ),
        row(
            M::POST,
            "/api/v1/banks",
            Some(new_bank),
            [401, 403, 403, 403, 403, 201],
        ),
        row(
            M::POST,
            "/api/v1/loan-requests",
            Some(new_submission),
            [401, 201, 201, 403, 403, 403],
        ),
        // `{id}` of this path is the bank of the request under test (30004).
        row(
            M::POST,
            "/api/v1/banks/{id}/reviewers",
            Some(new_reviewer),
            [401, 403, 403, 403, 403, 201],
        ),
        row(
            M::GET,
            "/api/v1/loan-requests",
            None,
            [401, 200, 200, 200, 200, 200],
        ),
        row(
            M::GET,
            "/api/v1/loan-requests/{id}",
            None,
            [401, 200, 404, 200, 404, 200],
        ),
        row(
            M::GET,
            "/api/v1/loan-requests/{id}/events",
            None,
            [401, 200, 404, 200, 404, 200],
        ),
        // State changes carry a stale If-Match: a caller allowed to act gets 412 and
        // nothing changes; one who may not gets 401/403/404 first.
        row(
            M::POST,
            "/api/v1/loan-requests/{id}/withdraw",
            None,
            [401, 412, 404, 403, 403, 403],
        ),
        row(
            M::POST,
            "/api/v1/loan-requests/{id}/review",
            None,
            [401, 403, 403, 412, 404, 403],
        ),
        row(
            M::POST,
            "/api/v1/loan-requests/{id}/decision",
            Some(decision),
            [401, 403, 403, 412, 404, 403],
        ),
        row(
            M::POST,
            "/api/v1/loan-requests/{id}/grant",
            Some(grant),
            [401, 403, 403, 412, 404, 403],
        ),
        row(
            M::POST,
            "/api/v1/loan-requests/{id}/grant/return",
            Some(send_back),
            [401, 403, 403, 412, 404, 403],
        ),
        // A bank's four-eyes threshold: its reviewers read it, admins set it.
        row(
            M::GET,
            "/api/v1/banks/{id}/grant-threshold",
            None,
            [401, 403, 403, 200, 404, 200],
        ),
        row(
            M::PUT,
            "/api/v1/banks/{id}/grant-threshold",
            Some(no_threshold),
            [401, 403, 403, 403, 403, 200],
        ),
        // The guarantee identifier (the request under test is submitted: none yet). Only
        // its owner may ask for one (refused here: not pre-approved); the attestation is
        // the company's and the admins'; a reviewer verifies identifiers, anyone checks
        // one with its SIREN.
        row(
            M::POST,
            "/api/v1/loan-requests/{id}/guarantee",
            None,
            [401, 409, 404, 403, 403, 403],
        ),
        row(
            M::GET,
            "/api/v1/loan-requests/{id}/guarantee",
            None,
            [401, 404, 404, 404, 404, 404],
        ),
        row(
            M::GET,
            "/api/v1/loan-requests/{id}/guarantee/attestation",
            None,
            [401, 404, 404, 403, 403, 404],
        ),
        row(
            M::GET,
            "/api/v1/guarantees/{identifier}",
            None,
            [401, 403, 403, 404, 404, 404],
        ),
        row(M::POST, "/api/v1/guarantee-checks", Some(check), [404; 6]),
        // The thread: both parties read and write, admins read only.
        row(
            M::GET,
            "/api/v1/loan-requests/{id}/messages",
            None,
            [401, 200, 404, 200, 404, 200],
        ),
        row(
            M::POST,
            "/api/v1/loan-requests/{id}/messages",
            Some(message),
            [401, 201, 404, 201, 404, 403],
        ),
        row(
            M::POST,
            "/api/v1/loan-requests/bulk-decisions",
            Some(bulk_review),
            [401, 403, 403, 200, 200, 403],
        ),
        row(
            M::POST,
            "/api/v1/loan-requests/{id}/documents",
            Some(new_document),
            [401, 201, 404, 403, 403, 403],
        ),
        // Documents are for the parties to the loan: admins manage the platform, not
        // companies' files.
        row(
            M::GET,
            "/api/v1/loan-requests/{id}/documents",
            None,
            [401, 200, 404, 200, 404, 403],
        ),
        // `{document_id}`: a document announced but never uploaded (the owner gets 422).
        row(
            M::POST,
            "/api/v1/loan-requests/{id}/documents/{document_id}/complete",
            None,
            [401, 422, 404, 403, 403, 403],
        ),
        // After the row above (which leaves the document pending): the owner removes it,
        // so the callers after the owner find none, and are refused before looking.
        row(
            M::DELETE,
            "/api/v1/loan-requests/{id}/documents/{document_id}",
            None,
            [401, 204, 404, 403, 403, 403],
        ),
        row(
            M::GET,
            "/api/v1/exports/loan-requests.csv",
            None,
            [401, 403, 403, 200, 200, 200],
        ),
        row(
            M::GET,
            "/api/v1/stats",
            None,
            [401, 403, 403, 403, 403, 200],
        ),
        row(
            M::GET,
            "/api/v1/admin/degraded-mode",
            None,
            [401, 403, 403, 403, 403, 200],
        ),
        row(
            M::PUT,
            "/api/v1/admin/degraded-mode",
            Some(degraded_off),
            [401, 403, 403, 403, 403, 200],
        ),
        // Each applicant's own draft: saved, read, deleted; staff keep none.
        row(
            M::PUT,
            "/api/v1/draft",
            Some(draft),
            [401, 200, 200, 403, 403, 403],
        ),
        row(
            M::GET,
            "/api/v1/draft",
            None,
            [401, 200, 200, 403, 403, 403],
        ),
        row(
            M::DELETE,
            "/api/v1/draft",
            None,
            [401, 204, 204, 403, 403, 403],
        ),
        row(
            M::POST,
            "/api/v1/admin/outbox/dead-letters/retry",
            None,
            [401, 403, 403, 403, 403, 200],
        ),
        row(
            M::GET,
            "/api/v1/admin/actions",
            None,
            [401, 403, 403, 403, 403, 200],
        ),
        row(
            M::GET,
            "/api/v1/admin/audit-chains",
            None,
            [401, 403, 403, 403, 403, 200],
        ),
        row(M::GET, "/api/v1/platform-status", None, [200; 6]),
        row(M::GET, "/healthz", None, [200, 200, 200, 200, 200, 200]),
        row(M::GET, "/readyz", None, [200, 200, 200, 200, 200, 200]),
        row(
            M::GET,
            "/dev-idp/.well-known/jwks.json",
            None,
            [200, 200, 200, 200, 200, 200],
        ),
        // The web app's configuration and the dev provider's sign-in: public; an
        // authorization request without its parameters is refused for everyone.
        row(M::GET, "/config.json", None, [200; 6]),
        row(
            M::GET,
            "/dev-oidc/.well-known/openid-configuration",
            None,
            [200; 6],
        ),
        row(M::GET, "/dev-oidc/authorize", None, [400; 6]),
        row(M::POST, "/dev-oidc/authorize", None, [400; 6]),
        row(M::POST, "/dev-oidc/token", None, [400; 6]),
        row(M::POST, "/dev-oidc/revoke", None, [400; 6]),
        row(M::GET, "/dev-oidc/logout", None, [400; 6]),
        row(M::GET, "/dev-oidc/style.css", None, [200; 6]),
        // Local document storage: the URL's signature is the only authorization, so a
        // bearer token opens nothing.
        row(
            M::PUT,
            "/local-documents/loan-requests/{id}/{document_id}",
            None,
            [403; 6],
        ),
        row(
            M::GET,
            "/local-documents/loan-requests/{id}/{document_id}",
            None,
            [403; 6],
        ),
    ]
}

/// Routes served outside the OpenAPI document (Swagger UI's two): public on purpose.
/// Every other route is registered through an `OpenApiRouter` (`api::routes::router`),
/// so a route in the router is a route in the document, and so a row of [`table`].
fn extra_rows() -> Vec<Row> {
    vec![
        row(Method::GET, "/openapi.json", None, [200; 6]),
        row(Method::GET, "/docs/", None, [200; 6]),
    ]
}

async fn every_route_checks_who_may_do_what_on_which_bank(app: TestApp) {
    let owner = app.applicant("owner");
    let created = app
        .submit(&owner, &submission(&random_siren(), 2_000_000))
        .await;
    let id = created["id"].as_str().expect("id").to_owned();
    let announced = app
        .post(
            &format!("/api/v1/loan-requests/{id}/documents"),
            Some(&app.applicant("owner")),
            &new_document(),
        )
        .await;
    assert_eq!(announced.status, 201, "{}", announced.text);
    let document_id = announced.json["document_id"]
        .as_str()
        .expect("document id")
        .to_owned();
    let tokens: [Option<String>; 6] = [
        None,
        Some(owner),
        Some(app.applicant("other")),
        Some(app.reviewer("rev-bnp", "30004")),
        Some(app.reviewer("rev-sg", "30003")),
        Some(app.admin()),
    ];
    let mut failures = Vec::new();
    for row in table().into_iter().chain(extra_rows()) {
        let path = if row.path.starts_with("/api/v1/banks/") {
            row.path.replace("{id}", "30004")
        } else {
            row.path
                .replace("{id}", &id)
                .replace("{document_id}", &document_id)
                .replace("{identifier}", UNKNOWN_IDENTIFIER)
        };
        for (column, token) in tokens.iter().enumerate() {
            let mut builder = app
                .request(row.method.clone(), &path)
                .header("if-match", "\"999\"");
            if let Some(token) = token {
                builder = builder.bearer_auth(token);
            }
            if let Some(body) = row.body {
                builder = builder.json(&body());
            }
            let reply = app.send(builder).await;
            if reply.status.as_u16() != row.expected[column] {
                failures.push(format!(
                    "{} {} as {}: expected {}, got {} ({})",
                    row.method,
                    row.path,
                    CALLERS[column],
                    row.expected[column],
                    reply.status,
                    reply.text
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Nothing was changed by the refused or stale calls.
    let after = app
        .get(&format!("/api/v1/loan-requests/{id}"), Some(&app.admin()))
        .await;
    assert_eq!(after.json["status"], "submitted");
    assert_eq!(after.json["version"], 1);
}

on_both_backends!(every_route_checks_who_may_do_what_on_which_bank);

#[test]
fn every_documented_route_has_a_row_and_every_row_a_route() {
    let openapi = serde_json::to_value(api::routes::openapi()).expect("openapi");
    let mut documented = BTreeSet::new();
    for (path, item) in openapi["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("item").keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                documented.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    let tabled: BTreeSet<(String, String)> = table()
        .iter()
        .map(|r| (r.method.to_string(), r.path.to_owned()))
        .collect();
    let missing: Vec<_> = documented.difference(&tabled).collect();
    let stale: Vec<_> = tabled.difference(&documented).collect();
    assert!(
        missing.is_empty(),
        "routes without an authorization row: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "rows for routes that do not exist: {stale:?}"
    );
}
