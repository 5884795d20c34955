//! The back office: CSV export, national figures, banks, degraded mode.

use futures::StreamExt as _;
use harness::{Backend, Options, TestApp, on_both_backends, random_siren, submission};
use serde_json::json;

async fn csv_export_is_spreadsheet_safe_and_limited_to_the_reviewers_bank(app: TestApp) {
    let owner = app.applicant("owner-csv");
    let mut hostile = submission(&random_siren(), 2_000_000);
    hostile["company"]["legal_name"] = json!("=HYPERLINK(\"http://evil\",\"x\"), \"quoted\"");
    let first = app.submit(&owner, &hostile).await;
    let mut elsewhere = submission(&random_siren(), 1_234_567);
    elsewhere["bank_id"] = json!("30003");
    app.submit(&owner, &elsewhere).await;

    let reviewer = app.reviewer("rev-csv", "30004");
    let reply = app
        .get("/api/v1/exports/loan-requests.csv", Some(&reviewer))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert!(
        reply.headers["content-type"]
            .to_str()
            .expect("ct")
            .starts_with("text/csv"),
    );
    assert!(reply.text.starts_with('\u{feff}'), "BOM first");
    let lines: Vec<&str> = reply
        .text
        .trim_start_matches('\u{feff}')
        .split("\r\n")
        .collect();
    assert!(lines[0].starts_with("reference,id,status,bank_id,siren"));
    assert_eq!(lines.len(), 3, "header, one row, final CRLF: {lines:?}");
    let row = lines[1];
    assert!(row.contains(first["reference"].as_str().expect("ref")));
    // Quoted per RFC 4180, with the formula neutralised by a leading apostrophe.
    assert!(
        row.contains("\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\"), \"\"quoted\"\"\""),
        "{row}"
    );
    assert!(row.contains(",20000.00,"), "money in euros: {row}");
    assert!(
        !reply.text.contains("12345.67"),
        "another bank's request leaked"
    );

    let admin = app.admin();
    let all = app
        .get("/api/v1/exports/loan-requests.csv", Some(&admin))
        .await;
    assert_eq!(all.text.matches("\r\n").count(), 3);
    let filtered = app
        .get("/api/v1/exports/loan-requests.csv?bank=30003", Some(&admin))
        .await;
    assert!(filtered.text.contains("12345.67"));
    app.get("/api/v1/exports/loan-requests.csv?limit=5", Some(&admin))
        .await
        .assert_problem(400, "invalid-parameter");
}

async fn stats_sum_by_status_and_bank(app: TestApp) {
    let owner = app.applicant("owner-stats");
    let a = app
        .submit(&owner, &submission(&random_siren(), 2_000_000))
        .await;
    let mut b = submission(&random_siren(), 3_000_000);
    b["bank_id"] = json!("30003");
    app.submit(&owner, &b).await;
    let reviewer = app.reviewer("rev", "30004");
    let id = a["id"].as_str().expect("id");
    app.act(&reviewer, id, "review", None).await;
    app.act(
        &reviewer,
        id,
        "decision",
        Some(&json!({"decision": "pre_approve"})),
    )
    .await;
    let identifier = app.obtain_identifier(&owner, id).await;
    let granted = app.grant(&reviewer, id, &identifier).await;
    assert_eq!(granted.status, 200, "{}", granted.text);

    let stats = app.get("/api/v1/stats", Some(&app.admin())).await;
    assert_eq!(stats.status, 200, "{}", stats.text);
    let s = &stats.json;
    assert_eq!(s["total"]["count"], 2);
    assert_eq!(s["total"]["requested_cents"], 5_000_000);
    assert_eq!(s["by_status"]["granted"]["count"], 1);
    assert_eq!(s["by_status"]["submitted"]["requested_cents"], 3_000_000);
    assert_eq!(s["by_status"]["rejected"]["count"], 0);
    assert_eq!(s["granted_guaranteed_cents"], 1_800_000);
    assert_eq!(s["committed_guaranteed_cents"], 4_500_000);
    let banks = s["by_bank"].as_array().expect("banks");
    assert_eq!(banks.len(), 2);
    assert!(
        banks
            .iter()
            .any(|b| b["bank_id"] == "30004" && b["bank_name"] == "BNP Paribas")
    );
    assert_eq!(
        s["outbox"]["pending"], 5,
        "2 confirmations + pre-approval + identifier (attestation) + grant"
    );
}

async fn admins_add_banks_with_validation(app: TestApp) {
    let admin = app.admin();
    // Another replica has the bank list cached from before the bank is added.
    let replica = app.replica().await;
    let reviewer_of_new_bank = app.reviewer("rev-new-bank", "16606");
    replica
        .get("/api/v1/loan-requests", Some(&reviewer_of_new_bank))
        .await
        .assert_problem(403, "forbidden");
    let created = app
        .post(
            "/api/v1/banks",
            Some(&admin),
            &json!({"id": "16606", "name": "Crédit Agricole Normandie-Seine"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let banks = app.get("/api/v1/banks", None).await;
    assert!(banks.text.contains("16606"));
    app.post(
        "/api/v1/banks",
        Some(&admin),
        &json!({"id": "16606", "name": "Doublon"}),
    )
    .await
    .assert_problem(409, "bank-exists");
    let invalid = app
        .post(
            "/api/v1/banks",
            Some(&admin),
            &json!({"id": "1660", "name": ""}),
        )
        .await;
    invalid.assert_problem(422, "validation-failed");
    assert_eq!(
        invalid.error_fields(),
        vec!["id".to_owned(), "name".to_owned()]
    );
    // The other replica knows it within about a second, without waiting for its cache:
    // asked until it does, the last time no sooner than 1.1 s from now.
    let deadline = std::time::Instant::now() + std::time::Duration::from_millis(1_100);
    loop {
        let late = std::time::Instant::now() >= deadline;
        let listed = replica
            .get("/api/v1/loan-requests", Some(&reviewer_of_new_bank))
            .await;
        if listed.status == 200 {
            break;
        }
        listed.assert_problem(403, "forbidden");
        assert!(
            !late,
            "the other replica still refuses after 1.1 s: {}",
            listed.text
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // The new bank takes requests and reviewers at once.
    let owner = app.applicant("owner-new-bank");
    let mut body = submission(&random_siren(), 2_000_000);
    body["bank_id"] = json!("16606");
    app.submit(&owner, &body).await;
    let reviewer = app.reviewer("rev-new", "16606");
    let list = app.get("/api/v1/loan-requests", Some(&reviewer)).await;
    assert_eq!(list.json["items"].as_array().map(Vec::len), Some(1));
}

async fn degraded_mode_pauses_non_critical_features_only(app: TestApp) {
    let admin = app.admin();
    let on = app
        .send(
            app.request(reqwest::Method::PUT, "/api/v1/admin/degraded-mode")
                .bearer_auth(&admin)
                .json(&json!({"enabled": true})),
        )
        .await;
    assert_eq!(on.status, 200, "{}", on.text);
    assert_eq!(
        app.get("/api/v1/admin/degraded-mode", Some(&admin))
            .await
            .json,
        json!({"enabled": true})
    );
    let stats = app.get("/api/v1/stats", Some(&admin)).await;
    stats.assert_problem(503, "degraded-mode");
    assert!(stats.headers.get("retry-after").is_some());
    let export = app
        .get("/api/v1/exports/loan-requests.csv", Some(&admin))
        .await;
    export.assert_problem(503, "degraded-mode");
    assert!(export.headers.get("retry-after").is_some());
    // Another replica on the same database sees the switch within a few seconds.
    let replica = app.replica().await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let status = replica.get("/api/v1/stats", Some(&admin)).await.status;
        if status == 503 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the other replica still answers {status} after 5 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // Submissions and reading one's own requests keep working.
    let owner = app.applicant("owner-peak");
    let created = app
        .submit(&owner, &submission(&random_siren(), 2_000_000))
        .await;
    let read = app
        .get(
            &format!(
                "/api/v1/loan-requests/{}",
                created["id"].as_str().expect("id")
            ),
            Some(&owner),
        )
        .await;
    assert_eq!(read.status, 200);
    assert_eq!(
        app.get("/api/v1/loan-requests", Some(&owner)).await.status,
        200
    );
    let off = app
        .send(
            app.request(reqwest::Method::PUT, "/api/v1/admin/degraded-mode")
                .bearer_auth(&admin)
                .json(&json!({"enabled": false})),
        )
        .await;
    assert_eq!(off.status, 200);
    assert_eq!(app.get("/api/v1/stats", Some(&admin)).await.status, 200);
}

on_both_backends!(
    csv_export_is_spreadsheet_safe_and_limited_to_the_reviewers_bank,
    stats_sum_by_status_and_bank,
    admins_add_banks_with_validation,
    degraded_mode_pauses_non_critical_features_only,
);

/// More rows than one database batch (500): the stream walks every batch, once.
async fn csv_export_streams_past_one_batch(backend: Backend) {
    let app = TestApp::spawn_with(
        backend,
        Options {
            limits: Some(api::limits::Limits {
                per_ip_per_second: 0,
                per_principal_per_second: 0,
                ..api::limits::Limits::default()
            }),
            ..Options::default()
        },
    )
    .await;
    const ROWS: usize = 1_030;
    let tokens: Vec<String> = (0..16)
        .map(|i| app.applicant(&format!("many-{i}")))
        .collect();
    futures::stream::iter(0..ROWS)
        .for_each_concurrent(16, |i| {
            let app = &app;
            let token = &tokens[i % tokens.len()];
            async move {
                app.submit(token, &submission(&random_siren(), 200_000))
                    .await;
            }
        })
        .await;
    let reply = app
        .get("/api/v1/exports/loan-requests.csv", Some(&app.admin()))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert!(
        reply.headers.get("content-length").is_none(),
        "the export is streamed, not buffered"
    );
    let body = reply.text.strip_prefix('\u{feff}').expect("one BOM, first");
    assert!(!body.contains('\u{feff}'), "a BOM was repeated");
    let lines: Vec<&str> = body.split_terminator("\r\n").collect();
    assert!(lines[0].starts_with("reference,"), "{}", lines[0]);
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("reference,")).count(),
        1,
        "the header was repeated"
    );
    assert_eq!(lines.len(), ROWS + 1);
    let references: std::collections::BTreeSet<&str> = lines[1..]
        .iter()
        .map(|l| l.split(',').next().expect("reference"))
        .collect();
    assert_eq!(references.len(), ROWS, "a row was repeated or skipped");
}

mod csv_export_streams_past_one_batch {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::csv_export_streams_past_one_batch(harness::Backend::Sqlite).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::csv_export_streams_past_one_batch(harness::Backend::Postgres).await;
    }
}
