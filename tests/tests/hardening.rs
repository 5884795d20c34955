//! What probing the API as an attacker found (docs/SECURITY.md), one test per finding,
//! each failing before its fix: declared figures beyond any company's, sums that
//! overflowed, invented methods as metric labels, files that are not what they claim,
//! invisible characters in names, formulas in CSV parts, respelt bearer headers,
//! cacheable personal data, `null` for optional flags, impossible simulations, and
//! unusable token claims. (Slow bodies and the per-subject rate limit are in
//! `back_pressure.rs`; the undocumented statuses in `openapi.rs`.)

use harness::{TestApp, on_both_backends, random_siren, submission};
use reqwest::Method;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

fn simulation(company: Value) -> Value {
    json!({"company": company, "amortization_years": 4})
}

fn company() -> Value {
    submission(&random_siren(), 0)["company"].clone()
}

async fn declared_figures_are_bounded_and_sums_never_overflow(app: TestApp) {
    let owner = app.applicant("overflow");
    // The reproduction: payroll at the 64-bit maximum, innovative.
    let mut body = submission(&random_siren(), i64::MAX);
    body["company"]["payroll_cents"] = json!(i64::MAX);
    body["company"]["innovative"] = json!(true);
    let reply = app.post("/api/v1/loan-requests", Some(&owner), &body).await;
    reply.assert_problem(422, "validation-failed");
    assert!(
        reply
            .error_fields()
            .contains(&"company.payroll_cents".to_owned()),
        "{}",
        reply.text
    );
    // The bound itself is accepted: €1,000 billion.
    let max = 100_000_000_000_000_i64;
    let mut largest = company();
    largest["revenue_cents"] = json!(max);
    largest["payroll_cents"] = json!(max);
    largest["balance_sheet_cents"] = json!(max);
    let reply = app
        .post("/api/v1/simulations", None, &simulation(largest.clone()))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    largest["revenue_cents"] = json!(max + 1);
    app.post("/api/v1/simulations", None, &simulation(largest))
        .await
        .assert_problem(422, "validation-failed");

    // Rows whose amounts sum beyond an i64 (as older releases let in): the national
    // figures still answer, exactly.
    let mut ids = Vec::new();
    for _ in 0..3 {
        let created = app
            .submit(&owner, &submission(&random_siren(), 1_000_000))
            .await;
        ids.push(created["id"].as_str().expect("id").to_owned());
    }
    assert_eq!(ids.len(), 3);
    let db = app.db().await;
    let updated = db
        .execute(Statement::from_string(
            db.get_database_backend(),
            format!(
                "UPDATE loan_requests SET requested_amount_cents = {}, guaranteed_cents = {}",
                i64::MAX,
                i64::MAX - 1
            ),
        ))
        .await
        .expect("update");
    assert_eq!(updated.rows_affected(), 3);
    let stats = app.get("/api/v1/stats", Some(&app.admin())).await;
    assert_eq!(stats.status, 200, "{}", stats.text);
    // Exact integers in the JSON text (beyond what serde_json's Value holds exactly).
    let requested = format!("\"requested_cents\":{}", i128::from(i64::MAX) * 3);
    let committed = format!(
        "\"committed_guaranteed_cents\":{}",
        i128::from(i64::MAX - 1) * 3
    );
    assert!(stats.text.contains(&requested), "{}", stats.text);
    assert!(stats.text.contains(&committed), "{}", stats.text);
}

async fn a_file_that_is_not_what_it_claims_is_refused_and_deleted(app: TestApp) {
    let owner = app.applicant("exe-owner");
    let created = app
        .submit(&owner, &submission(&random_siren(), 2_000_000))
        .await;
    let id = created["id"].as_str().expect("id");
    let documents = format!("/api/v1/loan-requests/{id}/documents");
    // A name whose extension is not its type's.
    let reply = app
        .post(
            &documents,
            Some(&owner),
            &json!({"filename": "facture.pdf.exe", "content_type": "application/pdf", "size": 64}),
        )
        .await;
    reply.assert_problem(422, "validation-failed");
    assert_eq!(reply.json["errors"][0]["code"], "extension-mismatch");
    // A bidirectional override that displays `facture\u{202e}fdp.exe` as `factureexe.pdf`.
    let reply = app
        .post(
            &documents,
            Some(&owner),
            &json!({"filename": "facture\u{202e}fdp.exe.pdf", "content_type": "application/pdf", "size": 64}),
        )
        .await;
    reply.assert_problem(422, "validation-failed");
    assert_eq!(reply.json["errors"][0]["code"], "invalid-characters");
    // A Windows executable announced as a PDF, uploaded, then confirmed.
    let executable = {
        let mut bytes = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff".to_vec();
        bytes.resize(64, 0);
        bytes
    };
    let announced = app
        .post(
            &documents,
            Some(&owner),
            &json!({"filename": "facture.pdf", "content_type": "application/pdf", "size": 64}),
        )
        .await;
    assert_eq!(announced.status, 201, "{}", announced.text);
    let mut upload = app.client.request(
        Method::PUT,
        announced.json["upload_url"].as_str().expect("url"),
    );
    for (name, value) in announced.json["upload_headers"]
        .as_object()
        .expect("headers")
    {
        if name != "content-length" {
            upload = upload.header(name, value.as_str().expect("value"));
        }
    }
    let uploaded = app.send(upload.body(executable)).await;
    assert!(uploaded.status.is_success(), "{}", uploaded.text);
    let document_id = announced.json["document_id"].as_str().expect("id");
    let reply = app
        .send(
            app.request(Method::POST, &format!("{documents}/{document_id}/complete"))
                .bearer_auth(&owner),
        )
        .await;
    reply.assert_problem(422, "document-content-mismatch");
    // Neither listed to the bank's reviewer nor kept.
    let listed = app
        .get(&documents, Some(&app.reviewer("rev-exe", "30004")))
        .await;
    assert_eq!(listed.json["items"], json!([]), "{}", listed.text);
    let stored = app
        .mail_dir()
        .parent()
        .expect("data dir")
        .join("documents/loan-requests")
        .join(id)
        .join(document_id);
    assert!(!stored.exists(), "the object was not deleted");
}

async fn invisible_characters_are_refused_in_free_text(app: TestApp) {
    let mut body = submission(&random_siren(), 1_000_000);
    body["company"]["legal_name"] = json!("ACME\u{202e}\u{200b}");
    let reply = app
        .post("/api/v1/loan-requests", Some(&app.applicant("bidi")), &body)
        .await;
    reply.assert_problem(422, "validation-failed");
    assert_eq!(reply.error_fields(), vec!["company.legal_name".to_owned()]);
    let reply = app
        .post(
            "/api/v1/banks",
            Some(&app.admin()),
            &json!({"id": "19106", "name": "Banque\u{2066} invisible"}),
        )
        .await;
    reply.assert_problem(422, "validation-failed");
}

async fn a_csv_part_after_a_semicolon_is_no_formula(app: TestApp) {
    let mut body = submission(&random_siren(), 1_000_000);
    body["company"]["legal_name"] = json!("ACME;=1+1;");
    app.submit(&app.applicant("csv-semicolon"), &body).await;
    let export = app
        .get("/api/v1/exports/loan-requests.csv", Some(&app.admin()))
        .await;
    assert_eq!(export.status, 200, "{}", export.text);
    assert!(export.text.contains(",\"ACME;'=1+1;\","), "{}", export.text);
}

async fn personal_answers_are_neither_cached_nor_sniffed(app: TestApp) {
    let owner = app.applicant("cache-owner");
    let created = app
        .submit(&owner, &submission(&random_siren(), 1_000_000))
        .await;
    let id = created["id"].as_str().expect("id");
    for path in [
        "/api/v1/loan-requests".to_owned(),
        format!("/api/v1/loan-requests/{id}"),
        format!("/api/v1/loan-requests/{id}/events"),
        format!("/api/v1/loan-requests/{id}/documents"),
    ] {
        let reply = app.get(&path, Some(&owner)).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.text);
        assert_eq!(reply.headers["cache-control"], "no-store", "{path}");
        assert_eq!(reply.headers["x-content-type-options"], "nosniff", "{path}");
    }
    let problem = app.get("/api/v1/nothing-here", None).await;
    assert_eq!(problem.headers["x-content-type-options"], "nosniff");
}

async fn null_optional_flags_count_as_false(app: TestApp) {
    let mut body = submission(&random_siren(), 1_000_000);
    body["company"]["innovative"] = Value::Null;
    body["company"]["collective_proceedings"] = Value::Null;
    let created = app.submit(&app.applicant("nulls"), &body).await;
    assert_eq!(created["company"]["innovative"], false);
    assert_eq!(created["company"]["collective_proceedings"], false);
}

async fn impossible_simulations_are_not_eligible(app: TestApp) {
    let mut nothing = company();
    nothing["revenue_cents"] = json!(0);
    nothing["payroll_cents"] = json!(0);
    let reply = app
        .post("/api/v1/simulations", None, &simulation(nothing.clone()))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json["eligible"], false);
    assert_eq!(reply.json["reasons"], json!(["cap-below-minimum"]));
    assert_eq!(reply.json["terms"]["fee_schedule"], json!([]));
    // A cap of €999.99: still nothing it could borrow.
    nothing["revenue_cents"] = json!(399_996);
    let reply = app
        .post("/api/v1/simulations", None, &simulation(nothing))
        .await;
    assert_eq!(reply.json["reasons"], json!(["cap-below-minimum"]));
    // A company created tomorrow does not earn the young-company cap.
    let mut future = company();
    let tomorrow = chrono::Utc::now().date_naive() + chrono::Days::new(1);
    future["creation_date"] = json!(tomorrow.to_string());
    let reply = app
        .post("/api/v1/simulations", None, &simulation(future))
        .await;
    reply.assert_problem(422, "validation-failed");
    assert_eq!(reply.json["errors"][0]["field"], "company.creation_date");
    assert_eq!(reply.json["errors"][0]["code"], "future-date");
}

async fn a_subject_with_a_nul_byte_is_an_invalid_token(app: TestApp) {
    let token = app.applicant("evil\u{0}subject");
    let reply = app.get("/api/v1/loan-requests", Some(&token)).await;
    reply.assert_problem(401, "unauthorized");
    // One message whatever check failed.
    let garbled = app.get("/api/v1/loan-requests", Some("not.a.jwt")).await;
    assert_eq!(reply.json["detail"], garbled.json["detail"]);
}

on_both_backends!(
    declared_figures_are_bounded_and_sums_never_overflow,
    a_file_that_is_not_what_it_claims_is_refused_and_deleted,
    invisible_characters_are_refused_in_free_text,
    a_csv_part_after_a_semicolon_is_no_formula,
    personal_answers_are_neither_cached_nor_sniffed,
    null_optional_flags_count_as_false,
    impossible_simulations_are_not_eligible,
    a_subject_with_a_nul_byte_is_an_invalid_token,
);
