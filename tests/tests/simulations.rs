//! Public endpoints: simulation, banks, health, docs.

use harness::{TestApp, on_both_backends};
use serde_json::json;

async fn simulation_returns_terms_without_storing_anything(app: TestApp) {
    let reply = app
        .post(
            "/api/v1/simulations",
            None,
            &json!({
                "company": {
                    "siren": "732 829 320",
                    "legal_name": "Boulangerie Exemple",
                    "legal_form": "SAS",
                    "creation_date": "2012-05-04",
                    "headcount": 12,
                    "revenue_cents": 100_000_000
                },
                "requested_amount_cents": 5_000_000,
                "amortization_years": 4
            }),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json["eligible"], true);
    assert_eq!(reply.json["reasons"], json!([]));
    let terms = &reply.json["terms"];
    assert_eq!(terms["size_category"], "PME");
    assert_eq!(terms["cap_cents"], 25_000_000);
    assert_eq!(terms["guaranteed_cents"], 4_500_000);
    let schedule = terms["fee_schedule"].as_array().expect("schedule");
    assert_eq!(schedule.len(), 5);
    let total: i64 = schedule
        .iter()
        .map(|y| y["fee_cents"].as_i64().expect("fee"))
        .sum();
    assert_eq!(terms["total_fee_cents"], total);

    let ineligible = app
        .post(
            "/api/v1/simulations",
            None,
            &json!({
                "company": {
                    "siren": "732829320", "legal_name": "X", "legal_form": "SCI",
                    "creation_date": "2012-05-04", "headcount": 1, "revenue_cents": 100_000_000,
                    "collective_proceedings": true
                }
            }),
        )
        .await;
    assert_eq!(ineligible.status, 200);
    assert_eq!(ineligible.json["eligible"], false);
    assert_eq!(
        ineligible.json["reasons"],
        json!(["excluded-legal-form", "collective-proceedings"])
    );
}

async fn public_endpoints_answer_anonymously(app: TestApp) {
    let banks = app.get("/api/v1/banks", None).await;
    assert_eq!(banks.status, 200);
    let list = banks.json.as_array().expect("banks");
    assert!(list.len() >= 5);
    assert!(
        list.iter()
            .any(|b| b["id"] == "30004" && b["name"] == "BNP Paribas")
    );
    assert_eq!(app.get("/healthz", None).await.status, 200);
    let ready = app.get("/readyz", None).await;
    assert_eq!(ready.status, 200, "{}", ready.text);
    let openapi = app.get("/openapi.json", None).await;
    assert_eq!(openapi.status, 200);
    assert!(openapi.json["paths"]["/api/v1/loan-requests"].is_object());
    let docs = app.get("/docs/", None).await;
    assert_eq!(docs.status, 200);
    assert!(docs.text.contains("swagger"), "{}", docs.text);
    // What /docs loads is embedded; what it does not (source maps, the other bundles) is
    // not (.cargo/config.toml: 9 MB of binary).
    for (file, loaded) in [
        ("swagger-ui-bundle.js", true),
        ("swagger-ui-standalone-preset.js", true),
        ("swagger-ui.css", true),
        ("swagger-initializer.js", true),
        ("swagger-ui-bundle.js.map", false),
        ("swagger-ui-es-bundle.js", false),
    ] {
        let reply = app.get(&format!("/docs/{file}"), None).await;
        assert_eq!(reply.status, 200, "{file}");
        assert_eq!(
            !reply.text.is_empty(),
            loaded,
            "{file}: {} bytes",
            reply.text.len()
        );
    }
    let jwks = app.get("/dev-idp/.well-known/jwks.json", None).await;
    assert_eq!(jwks.json["keys"][0]["kty"], "RSA");
}

async fn every_response_carries_a_request_id(app: TestApp) {
    let generated = app.get("/healthz", None).await;
    let id = generated.headers.get("x-request-id").expect("request id");
    assert!(!id.is_empty());
    let kept = app
        .send(
            app.request(reqwest::Method::GET, "/healthz")
                .header("x-request-id", "abc-123"),
        )
        .await;
    assert_eq!(kept.headers.get("x-request-id").expect("id"), "abc-123");
    let replaced = app
        .send(
            app.request(reqwest::Method::GET, "/healthz")
                .header("x-request-id", "evil\" injected=1"),
        )
        .await;
    assert_ne!(
        replaced.headers.get("x-request-id").expect("id"),
        "evil\" injected=1"
    );
}

on_both_backends!(
    simulation_returns_terms_without_storing_anything,
    public_endpoints_answer_anonymously,
    every_response_carries_a_request_id,
);
