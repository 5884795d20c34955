//! Bad input never crashes anything and never writes anything: each case is a 4xx
//! problem+json.

use harness::{TestApp, on_both_backends, random_siren, submission};
use reqwest::Method;
use serde_json::json;

async fn raw(app: &TestApp, token: &str, content_type: &str, body: Vec<u8>) -> harness::Reply {
    app.send(
        app.request(Method::POST, "/api/v1/loan-requests")
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(body),
    )
    .await
}

/// Sends only the head of a request announcing `length` bytes of JSON, then reads the
/// answer: the server must answer without waiting for the body.
async fn announce_huge_body(app: &TestApp, token: &str, length: usize) -> (u16, String, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = app.base_url.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    let head = format!(
        "POST /api/v1/loan-requests HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n{{"
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let read = tokio::time::timeout_at(deadline, stream.read(&mut buf))
            .await
            .expect("the server answered in time")
            .expect("read");
        received.extend_from_slice(&buf[..read]);
        let text = String::from_utf8_lossy(&received).to_string();
        if let Some((head, body)) = text.split_once("\r\n\r\n")
            && (read == 0 || body.contains("}"))
        {
            let status = head
                .split_whitespace()
                .nth(1)
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            return (status, head.to_owned(), body.to_owned());
        }
        assert!(read > 0, "connection closed without an answer");
    }
}

async fn malformed_bodies_get_4xx_problems_and_write_nothing(app: TestApp) {
    let token = app.applicant("fuzzer");
    let json_ct = "application/json";
    raw(&app, &token, json_ct, b"{\"bank_id\": ".to_vec())
        .await
        .assert_problem(400, "malformed-json");
    raw(&app, &token, json_ct, Vec::new())
        .await
        .assert_problem(400, "malformed-json");
    raw(&app, &token, json_ct, vec![b'"', 0xff, 0xfe, b'"'])
        .await
        .assert_problem(400, "malformed-json");
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    raw(&app, &token, json_ct, deep.into_bytes())
        .await
        .assert_problem(400, "malformed-json");
    raw(&app, &token, "text/plain", b"{}".to_vec())
        .await
        .assert_problem(415, "unsupported-media-type");
    raw(&app, &token, json_ct, vec![b' '; 70 * 1024])
        .await
        .assert_problem(413, "payload-too-large");
    // A 10 MB body is refused from its Content-Length, before it is even read.
    let (status, head, body) = announce_huge_body(&app, &token, 10 * 1024 * 1024).await;
    assert_eq!(status, 413, "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/problem+json"),
        "{head}"
    );
    assert!(body.contains("/problems/payload-too-large"), "{body}");

    let base = submission(&random_siren(), 2_000_000);
    let cases = [
        (
            "unknown field",
            {
                let mut b = base.clone();
                b["surprise"] = json!(1);
                b
            },
            "surprise",
            "unknown-field",
        ),
        (
            "unknown nested field",
            {
                let mut b = base.clone();
                b["company"]["capital"] = json!(1);
                b
            },
            "company.capital",
            "unknown-field",
        ),
        (
            "negative money",
            {
                let mut b = base.clone();
                b["company"]["revenue_cents"] = json!(-1);
                b
            },
            "company.revenue_cents",
            "negative",
        ),
        (
            "fractional money",
            {
                let mut b = base.clone();
                b["requested_amount_cents"] = json!(1000.5);
                b
            },
            "requested_amount_cents",
            "invalid-type",
        ),
        (
            "money beyond i64",
            {
                let mut b = base.clone();
                b["requested_amount_cents"] = json!(1e30);
                b
            },
            "requested_amount_cents",
            "invalid-type",
        ),
        (
            "integer beyond i64",
            {
                let mut b = base.clone();
                b["requested_amount_cents"] = json!(9_223_372_036_854_775_808_u64);
                b
            },
            "requested_amount_cents",
            "invalid-type",
        ),
        (
            "string for a number",
            {
                let mut b = base.clone();
                b["company"]["headcount"] = json!("12");
                b
            },
            "company.headcount",
            "invalid-type",
        ),
        (
            "NUL in the name",
            {
                let mut b = base.clone();
                b["company"]["legal_name"] = json!("Boulangerie\u{0}Exemple");
                b
            },
            "company.legal_name",
            "invalid-characters",
        ),
        (
            "name too long",
            {
                let mut b = base.clone();
                b["company"]["legal_name"] = json!("x".repeat(201));
                b
            },
            "company.legal_name",
            "too-long",
        ),
        (
            "missing field",
            {
                let mut b = base.clone();
                b.as_object_mut().expect("object").remove("contact_email");
                b
            },
            "contact_email",
            "required",
        ),
        (
            "bad date",
            {
                let mut b = base.clone();
                b["company"]["creation_date"] = json!("2012-13-45");
                b
            },
            "company.creation_date",
            "invalid-type",
        ),
        (
            "address SES refuses (UTF-8)",
            {
                let mut b = base.clone();
                b["contact_email"] = json!("gérant@boulangerie.example");
                b
            },
            "contact_email",
            "invalid-email",
        ),
        (
            "address SES refuses (IP literal)",
            {
                let mut b = base.clone();
                b["contact_email"] = json!("gerant@[192.0.2.1]");
                b
            },
            "contact_email",
            "invalid-email",
        ),
        (
            "unknown legal form",
            {
                let mut b = base.clone();
                b["company"]["legal_form"] = json!("GIE");
                b
            },
            "company.legal_form",
            "unknown-value",
        ),
        (
            "siret of another company",
            {
                let mut b = base.clone();
                b["company"]["siret"] = json!("73282932000074");
                b
            },
            "company.siret",
            "siret-siren-mismatch",
        ),
    ];
    for (case, body, field, code) in cases {
        let reply = app.post("/api/v1/loan-requests", Some(&token), &body).await;
        reply.assert_problem(422, "validation-failed");
        let errors = reply.json["errors"].as_array().cloned().unwrap_or_default();
        assert!(
            errors
                .iter()
                .any(|e| e["field"] == field && e["code"] == code),
            "{case}: no {{field: {field}, code: {code}}} in {errors:?}"
        );
    }
    let list = app.get("/api/v1/loan-requests", Some(&token)).await;
    assert_eq!(list.json["items"], json!([]));
}

async fn unknown_routes_and_methods_are_problems(app: TestApp) {
    app.get("/api/v1/nothing-here", None)
        .await
        .assert_problem(404, "not-found");
    app.send(app.request(Method::DELETE, "/api/v1/banks"))
        .await
        .assert_problem(405, "method-not-allowed");
    let token = app.applicant("someone");
    app.get("/api/v1/loan-requests/not-a-uuid", Some(&token))
        .await
        .assert_problem(404, "not-found");
    app.get(
        "/api/v1/loan-requests/0191c4a2-0000-7000-8000-000000000000",
        Some(&token),
    )
    .await
    .assert_problem(404, "not-found");
    // A path segment that is not UTF-8 once decoded: our problem, not axum's text.
    for path in [
        "/api/v1/loan-requests/%FF",
        "/api/v1/loan-requests/%C3%28/events",
        "/api/v1/loan-requests/%FF/documents",
    ] {
        let reply = app.get(path, Some(&token)).await;
        reply.assert_problem(400, "invalid-parameter");
        assert_eq!(reply.error_fields(), vec!["id".to_owned()], "{path}");
    }
}

async fn bad_idempotency_keys_are_refused(app: TestApp) {
    let token = app.applicant("idem");
    let reply = app
        .send(
            app.request(Method::POST, "/api/v1/loan-requests")
                .bearer_auth(&token)
                .header("idempotency-key", "x".repeat(300))
                .json(&submission(&random_siren(), 2_000_000)),
        )
        .await;
    reply.assert_problem(400, "invalid-parameter");
    assert_eq!(reply.error_fields(), vec!["Idempotency-Key".to_owned()]);
}

on_both_backends!(
    malformed_bodies_get_4xx_problems_and_write_nothing,
    unknown_routes_and_methods_are_problems,
    bad_idempotency_keys_are_refused,
);
