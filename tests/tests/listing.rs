//! Listing with filters and keyset pagination, and its bad input.

use harness::{TestApp, on_both_backends, random_siren, submission};
use serde_json::{Value, json};

async fn seed(app: &TestApp, token: &str, count: usize) -> Vec<Value> {
    let mut created = Vec::new();
    for _ in 0..count {
        created.push(
            app.submit(token, &submission(&random_siren(), 2_000_000))
                .await,
        );
    }
    created
}

async fn pages_walk_every_request_once_newest_first(app: TestApp) {
    let token = app.applicant("lister");
    let created = seed(&app, &token, 7).await;
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..10 {
        let path = match &cursor {
            Some(c) => format!("/api/v1/loan-requests?limit=3&cursor={c}"),
            None => "/api/v1/loan-requests?limit=3".to_owned(),
        };
        let page = app.get(&path, Some(&token)).await;
        assert_eq!(page.status, 200, "{}", page.text);
        let items = page.json["items"].as_array().expect("items").clone();
        assert!(items.len() <= 3);
        seen.extend(
            items
                .iter()
                .map(|i| i["id"].as_str().expect("id").to_owned()),
        );
        match page.json["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let mut expected: Vec<String> = created
        .iter()
        .rev()
        .map(|c| c["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(seen, expected);
    expected.dedup();
    assert_eq!(expected.len(), 7);
}

async fn filters_narrow_the_list(app: TestApp) {
    let token = app.applicant("filterer");
    let created = seed(&app, &token, 3).await;
    let target = &created[1];
    let siren = target["company"]["siren"].as_str().expect("siren");
    let by_siren = app
        .get(
            &format!("/api/v1/loan-requests?siren={siren}"),
            Some(&token),
        )
        .await;
    assert_eq!(by_siren.json["items"].as_array().map(Vec::len), Some(1));

    // A reference typed over the phone: lower case, dashes and spaces.
    let reference = target["reference"].as_str().expect("reference");
    let spoken: String = reference
        .to_lowercase()
        .chars()
        .enumerate()
        .flat_map(|(i, c)| if i == 6 { vec![' ', c] } else { vec![c] })
        .collect();
    let by_reference = app
        .get(
            &format!(
                "/api/v1/loan-requests?reference={}",
                spoken.replace(' ', "%20")
            ),
            Some(&token),
        )
        .await;
    assert_eq!(by_reference.status, 200, "{}", by_reference.text);
    assert_eq!(by_reference.json["items"][0]["id"], target["id"]);

    let withdrawn = app
        .act(&token, target["id"].as_str().expect("id"), "withdraw", None)
        .await;
    assert_eq!(withdrawn.status, 200);
    let by_status = app
        .get("/api/v1/loan-requests?status=withdrawn", Some(&token))
        .await;
    assert_eq!(by_status.json["items"].as_array().map(Vec::len), Some(1));
    let today = chrono::Utc::now().date_naive();
    let by_dates = app
        .get(
            &format!("/api/v1/loan-requests?created_from={today}&created_to={today}"),
            Some(&token),
        )
        .await;
    assert_eq!(by_dates.json["items"].as_array().map(Vec::len), Some(3));
    let before = app
        .get("/api/v1/loan-requests?created_to=2020-01-01", Some(&token))
        .await;
    assert_eq!(before.json["items"], json!([]));
}

async fn bad_list_parameters_are_400_naming_the_parameter(app: TestApp) {
    let token = app.applicant("bad-params");
    seed(&app, &token, 2).await;
    for (query, parameter) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=abc", "limit"),
        ("status=approved", "status"),
        ("siren=123", "siren"),
        ("reference=PGE-XXXX", "reference"),
        ("created_from=23/11/2026", "created_from"),
        // Signed and far-away years: PostgreSQL would refuse them with a 500.
        ("created_from=-5000-01-01", "created_from"),
        ("created_from=%2B12026-01-01", "created_from"),
        ("created_to=0000-01-01", "created_to"),
        ("created_to=9999-12-31T23:59:59-23:59", "created_to"),
        (
            "created_from=2026-02-01&created_to=2026-01-01",
            "created_to",
        ),
        ("cursor=bm90LWEtY3Vyc29y", "cursor"),
        ("cursor=%00%01", "cursor"),
        ("bank=30004", "bank"),
        ("sort=asc", "sort"),
        ("status=submitted&status=granted", "status"),
    ] {
        let reply = app
            .get(&format!("/api/v1/loan-requests?{query}"), Some(&token))
            .await;
        reply.assert_problem(400, "invalid-parameter");
        assert_eq!(reply.error_fields(), vec![parameter.to_owned()], "{query}");
    }
    // A cursor from another filter set, or another caller, is refused.
    let page = app.get("/api/v1/loan-requests?limit=1", Some(&token)).await;
    let cursor = page.json["next_cursor"]
        .as_str()
        .expect("cursor")
        .to_owned();
    app.get(
        &format!("/api/v1/loan-requests?limit=1&status=granted&cursor={cursor}"),
        Some(&token),
    )
    .await
    .assert_problem(400, "invalid-parameter");
    let other = app.applicant("someone-else");
    app.get(
        &format!("/api/v1/loan-requests?limit=1&cursor={cursor}"),
        Some(&other),
    )
    .await
    .assert_problem(400, "invalid-parameter");
    // A tampered cursor too.
    let mut tampered = cursor.into_bytes();
    let last = tampered.len() - 3;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).expect("ascii");
    app.get(
        &format!("/api/v1/loan-requests?limit=1&cursor={tampered}"),
        Some(&token),
    )
    .await
    .assert_problem(400, "invalid-parameter");
}

on_both_backends!(
    pages_walk_every_request_once_newest_first,
    filters_narrow_the_list,
    bad_list_parameters_are_400_naming_the_parameter,
);
