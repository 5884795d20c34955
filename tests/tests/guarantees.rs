//! The State guarantee's identifier (docs/RULES.md §20), on both databases: issued once
//! per pre-approved request (and per company while the first month's rule holds), its
//! attestation, its verification by the bank and its public check, the grant on it, and
//! its cancellation by a withdrawal or a rejection.

use harness::{Backend, Options, TestApp, on_both_backends, random_siren, submission};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

/// Submits a request of `siren` at `bank` and takes it to `pre_approved`; its id.
async fn pre_approved(app: &TestApp, owner: &str, siren: &str, bank: &str, amount: i64) -> String {
    let mut body = submission(siren, amount);
    body["bank_id"] = json!(bank);
    let created = app.submit(owner, &body).await;
    let id = created["id"].as_str().expect("id").to_owned();
    let reviewer = app.reviewer(&format!("rev-{bank}"), bank);
    let review = app.act(&reviewer, &id, "review", None).await;
    assert_eq!(review.status, 200, "{}", review.text);
    let decided = app
        .act(
            &reviewer,
            &id,
            "decision",
            Some(&json!({"decision": "pre_approve"})),
        )
        .await;
    assert_eq!(decided.json["status"], "pre_approved", "{}", decided.text);
    id
}

async fn check(app: &TestApp, identifier: &str, siren: &str) -> harness::Reply {
    app.post(
        "/api/v1/guarantee-checks",
        None,
        &json!({"identifier": identifier, "siren": siren}),
    )
    .await
}

fn field_code(reply: &harness::Reply) -> (String, String) {
    let error = &reply.json["errors"][0];
    (
        error["field"].as_str().unwrap_or_default().to_owned(),
        error["code"].as_str().unwrap_or_default().to_owned(),
    )
}

/// The text of a PDF (`pdftotext`), or `None` when poppler is not installed and the run
/// does not require it (`PGE_TEST_REQUIRE_PDFTOTEXT`, set by scripts/test.sh).
fn pdf_text(pdf: &[u8]) -> Option<String> {
    let path = std::env::temp_dir().join(format!("pge-guarantee-{}.pdf", uuid::Uuid::new_v4()));
    std::fs::write(&path, pdf).expect("write pdf");
    let output = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output();
    let _ = std::fs::remove_file(&path);
    match output {
        Ok(output) => {
            assert!(output.status.success(), "pdftotext failed");
            Some(String::from_utf8_lossy(&output.stdout).into_owned())
        }
        Err(err) => {
            assert!(
                std::env::var_os("PGE_TEST_REQUIRE_PDFTOTEXT").is_none(),
                "pdftotext is required: {err}"
            );
            None
        }
    }
}

async fn the_identifier_is_issued_once_and_the_bank_grants_on_it(app: TestApp) {
    let owner = app.applicant("owner-guarantee");
    let siren = random_siren();
    let created = app.submit(&owner, &submission(&siren, 5_000_000)).await;
    let id = created["id"].as_str().expect("id");
    // Before the bank's agreement: no identifier.
    app.ask_identifier(&owner, id)
        .await
        .assert_problem(409, "guarantee-unavailable");
    let id = &pre_approved(&app, &owner, &siren, "30004", 3_000_000).await;
    let reviewer = app.reviewer("rev-30004", "30004");
    let other_bank = app.reviewer("rev-30003", "30003");
    // Only the owner asks for it.
    app.ask_identifier(&reviewer, id)
        .await
        .assert_problem(403, "forbidden");
    app.ask_identifier(&app.applicant("someone-else"), id)
        .await
        .assert_problem(404, "not-found");
    let issued = app.ask_identifier(&owner, id).await;
    assert_eq!(issued.status, 201, "{}", issued.text);
    let identifier = issued.json["identifier"]
        .as_str()
        .expect("identifier")
        .to_owned();
    assert_eq!(identifier.len(), 20, "{identifier}");
    assert!(identifier.starts_with("PGE-"), "{identifier}");
    assert_eq!(issued.json["status"], "issued");
    assert_eq!(issued.json["siren"], siren.as_str());
    assert_eq!(issued.json["bank_id"], "30004");
    assert_eq!(issued.json["amount_cents"], 3_000_000);
    // Asking again gives the same one.
    let again = app.ask_identifier(&owner, id).await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.json["identifier"], identifier.as_str());
    // The bank sees where it stands, not the identifier (the company hands it over).
    let seen_by_bank = app
        .get(
            &format!("/api/v1/loan-requests/{id}/guarantee"),
            Some(&reviewer),
        )
        .await;
    assert_eq!(seen_by_bank.status, 200, "{}", seen_by_bank.text);
    assert_eq!(seen_by_bank.json["status"], "issued");
    assert!(
        seen_by_bank.json.get("identifier").is_none(),
        "{}",
        seen_by_bank.text
    );
    app.get(
        &format!("/api/v1/loan-requests/{id}/guarantee"),
        Some(&other_bank),
    )
    .await
    .assert_problem(404, "not-found");
    let seen_by_owner = app
        .get(
            &format!("/api/v1/loan-requests/{id}/guarantee"),
            Some(&owner),
        )
        .await;
    assert_eq!(seen_by_owner.json["identifier"], identifier.as_str());

    // The attestation: the company's PDF.
    let attestation = app
        .send(
            app.request(
                reqwest::Method::GET,
                &format!("/api/v1/loan-requests/{id}/guarantee/attestation"),
            )
            .bearer_auth(&owner),
        )
        .await;
    assert_eq!(attestation.status, 200, "{}", attestation.text);
    assert_eq!(
        attestation
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/pdf")
    );
    let pdf = app
        .client
        .get(format!(
            "{}/api/v1/loan-requests/{id}/guarantee/attestation",
            app.base_url
        ))
        .bearer_auth(&owner)
        .send()
        .await
        .expect("attestation")
        .bytes()
        .await
        .expect("pdf");
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    if let Some(text) = pdf_text(&pdf) {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains(&identifier), "{flat}");
        assert!(flat.contains(&siren), "{flat}");
        assert!(flat.contains("Boulangerie Exemple"), "{flat}");
        assert!(flat.contains("BNP Paribas"), "{flat}");
        assert!(flat.contains("/verifier"), "{flat}");
    }
    app.get(
        &format!("/api/v1/loan-requests/{id}/guarantee/attestation"),
        Some(&reviewer),
    )
    .await
    .assert_problem(403, "forbidden");

    // The bank verifies it; another bank does not find it.
    let lowercase = identifier.to_lowercase();
    let verified = app
        .get(&format!("/api/v1/guarantees/{lowercase}"), Some(&reviewer))
        .await;
    assert_eq!(verified.status, 200, "{}", verified.text);
    assert_eq!(verified.json["loan_request_id"], id.as_str());
    app.get(
        &format!("/api/v1/guarantees/{identifier}"),
        Some(&other_bank),
    )
    .await
    .assert_problem(404, "not-found");
    app.get("/api/v1/guarantees/PGE-0000", Some(&reviewer))
        .await
        .assert_problem(400, "invalid-parameter");

    // The public check says only where it stands, for the right SIREN.
    let valid = check(&app, &identifier, &siren).await;
    assert_eq!(valid.status, 200, "{}", valid.text);
    assert_eq!(valid.json, json!({"status": "valid"}));
    check(&app, &identifier, &random_siren())
        .await
        .assert_problem(404, "not-found");
    check(&app, "PGE-0000-0000-0001-2", &siren)
        .await
        .assert_problem(404, "not-found");
    let malformed = check(&app, "PGE-1234", "12").await;
    malformed.assert_problem(422, "validation-failed");
    assert_eq!(malformed.error_fields(), ["identifier", "siren"]);

    // The grant needs this request's identifier.
    let wrong = app.grant(&reviewer, id, "PGE-0000-0000-0001-2").await;
    wrong.assert_problem(422, "validation-failed");
    assert_eq!(
        field_code(&wrong),
        (
            "guarantee_identifier".to_owned(),
            "does-not-match".to_owned()
        )
    );
    let mut mistyped: Vec<char> = identifier.chars().collect();
    mistyped[5] = if mistyped[5] == '7' { '8' } else { '7' };
    let mistyped: String = mistyped.into_iter().collect();
    let typo = app.grant(&reviewer, id, &mistyped).await;
    typo.assert_problem(422, "validation-failed");
    assert_eq!(field_code(&typo).0, "guarantee_identifier");
    let still = app
        .get(&format!("/api/v1/loan-requests/{id}"), Some(&reviewer))
        .await;
    assert_eq!(still.json["status"], "pre_approved");
    app.grant(&other_bank, id, &identifier)
        .await
        .assert_problem(404, "not-found");
    let granted = app.grant(&reviewer, id, &identifier).await;
    assert_eq!(granted.status, 200, "{}", granted.text);
    assert_eq!(granted.json["status"], "granted");
    let used = check(&app, &identifier, &siren).await;
    assert_eq!(used.json, json!({"status": "used"}));
    let after = app
        .get(
            &format!("/api/v1/loan-requests/{id}/guarantee"),
            Some(&owner),
        )
        .await;
    assert_eq!(after.json["status"], "used");
    assert!(after.json["closed_at"].is_string());
    let events = app
        .get(&format!("/api/v1/loan-requests/{id}/events"), Some(&owner))
        .await;
    let actions: Vec<&str> = events
        .json
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(
        actions,
        [
            "submit",
            "review",
            "pre_approve",
            "issue_guarantee",
            "grant"
        ]
    );
}

async fn withdrawal_and_rejection_cancel_the_identifier(app: TestApp) {
    let owner = app.applicant("owner-cancel");
    let siren = random_siren();
    let reviewer = app.reviewer("rev-30004", "30004");
    let withdrawn = pre_approved(&app, &owner, &siren, "30004", 2_000_000).await;
    let identifier = app.obtain_identifier(&owner, &withdrawn).await;
    let reply = app.act(&owner, &withdrawn, "withdraw", None).await;
    assert_eq!(reply.json["status"], "withdrawn", "{}", reply.text);
    assert_eq!(
        check(&app, &identifier, &siren).await.json,
        json!({"status": "cancelled"})
    );
    // A withdrawn request gets no new identifier: asking again shows the cancelled one.
    let again = app.ask_identifier(&owner, &withdrawn).await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.json["identifier"], identifier.as_str());
    assert_eq!(again.json["status"], "cancelled");
    let rejected = pre_approved(&app, &owner, &siren, "30004", 2_000_000).await;
    let second = app.obtain_identifier(&owner, &rejected).await;
    assert_ne!(second, identifier);
    let refused = app
        .act(
            &reviewer,
            &rejected,
            "decision",
            Some(&json!({"decision": "reject", "reason": "Le client a renoncé"})),
        )
        .await;
    assert_eq!(refused.json["status"], "rejected", "{}", refused.text);
    assert_eq!(
        check(&app, &second, &siren).await.json,
        json!({"status": "cancelled"})
    );
    app.grant(&reviewer, &rejected, &second)
        .await
        .assert_problem(409, "invalid-transition");
    // A third request of the company (another bank) gets its identifier: the cancelled
    // ones no longer count.
    let third = pre_approved(&app, &owner, &siren, "30003", 2_000_000).await;
    let reply = app.ask_identifier(&owner, &third).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
}

async fn above_the_companys_cap_no_identifier(app: TestApp) {
    // Two requests of one company (cap €250,000), €200,000 and €50,000: the cap is
    // reached exactly. A bank then corrects the second one's declared figures (a lower
    // cap of €220,000, written directly as a back-office correction would be): the
    // platform checks the cap again when it issues.
    let owner = app.applicant("owner-cap");
    let siren = random_siren();
    let first = pre_approved(&app, &owner, &siren, "30004", 20_000_000).await;
    let second = pre_approved(&app, &owner, &siren, "30003", 5_000_000).await;
    app.obtain_identifier(&owner, &first).await;
    let db = app.db().await;
    db.execute(Statement::from_sql_and_values(
        db.get_database_backend(),
        "UPDATE loan_requests SET cap_cents = 22000000 WHERE id = $1",
        [uuid::Uuid::parse_str(&second).expect("uuid").into()],
    ))
    .await
    .expect("update");
    let refused = app.ask_identifier(&owner, &second).await;
    refused.assert_problem(422, "aggregate-cap-exceeded");
    let read = app
        .get(
            &format!("/api/v1/loan-requests/{second}/guarantee"),
            Some(&owner),
        )
        .await;
    read.assert_problem(404, "not-found");
}

on_both_backends!(
    the_identifier_is_issued_once_and_the_bank_grants_on_it,
    withdrawal_and_rejection_cancel_the_identifier,
    above_the_companys_cap_no_identifier,
);

/// While the first month's rule holds, a company holds one identifier at a time.
async fn one_identifier_per_company_while_the_rule_holds(backend: Backend) {
    let app = TestApp::spawn_with(
        backend,
        Options {
            serve_flags: vec![
                "--one-identifier-per-company-from".to_owned(),
                "2020-03-25T00:00:00Z".to_owned(),
            ],
            ..Options::default()
        },
    )
    .await;
    let owner = app.applicant("owner-one");
    let siren = random_siren();
    let first = pre_approved(&app, &owner, &siren, "30004", 2_000_000).await;
    let second = pre_approved(&app, &owner, &siren, "30003", 2_000_000).await;
    let identifier = app.obtain_identifier(&owner, &first).await;
    app.ask_identifier(&owner, &second)
        .await
        .assert_problem(409, "one-identifier-per-company");
    // Asking again for the first still gives it.
    assert_eq!(app.obtain_identifier(&owner, &first).await, identifier);
    // Another company is not concerned.
    let other = pre_approved(&app, &owner, &random_siren(), "30004", 2_000_000).await;
    app.obtain_identifier(&owner, &other).await;
    // Once the first is withdrawn, its identifier is cancelled and the company may hold
    // another.
    let withdrawn = app.act(&owner, &first, "withdraw", None).await;
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.text);
    let reply = app.ask_identifier(&owner, &second).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_identifier_per_company_sqlite() {
    one_identifier_per_company_while_the_rule_holds(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_identifier_per_company_postgres() {
    one_identifier_per_company_while_the_rule_holds(Backend::Postgres).await;
}

/// Twelve concurrent asks for the identifiers of one company's two requests, the rule
/// holding: exactly one identifier is issued (PostgreSQL: the company's lock).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_asks_issue_one_identifier_per_company() {
    let app = TestApp::spawn_with(
        Backend::Postgres,
        Options {
            serve_flags: vec![
                "--one-identifier-per-company-from".to_owned(),
                "2020-03-25T00:00:00Z".to_owned(),
            ],
            ..Options::default()
        },
    )
    .await;
    let owner = app.applicant("owner-race");
    let siren = random_siren();
    let first = pre_approved(&app, &owner, &siren, "30004", 2_000_000).await;
    let second = pre_approved(&app, &owner, &siren, "30003", 2_000_000).await;
    let asks = (0..12).map(|i| {
        let app = &app;
        let owner = owner.clone();
        let id = if i % 2 == 0 {
            first.clone()
        } else {
            second.clone()
        };
        async move { app.ask_identifier(&owner, &id).await }
    });
    let replies = futures::future::join_all(asks).await;
    let identifiers: std::collections::BTreeSet<String> = replies
        .iter()
        .filter(|r| r.status.is_success())
        .filter_map(|r| r.json["identifier"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(identifiers.len(), 1, "{replies:?}");
    let created = replies.iter().filter(|r| r.status == 201).count();
    assert_eq!(created, 1, "{replies:?}");
    for reply in replies.iter().filter(|r| !r.status.is_success()) {
        reply.assert_problem(409, "one-identifier-per-company");
    }
}

/// The applicant receives the attestation by e-mail, through the outbox.
async fn the_attestation_is_e_mailed(app: TestApp) {
    let owner = app.applicant("owner-mail");
    let siren = random_siren();
    let id = pre_approved(&app, &owner, &siren, "30004", 2_000_000).await;
    let before = app.deliver_mail().await;
    assert!(before >= 2, "submission and pre-approval e-mails");
    let identifier = app.obtain_identifier(&owner, &id).await;
    assert_eq!(app.deliver_mail().await, 1);
    let mail = app.sent_mail();
    let message = mail
        .iter()
        .find(|m| m.contains("application/pdf"))
        .expect("an e-mail with the attestation");
    assert!(message.contains("multipart/mixed"), "{message}");
    assert!(message.contains("attestation-PGE-"), "{message}");
    assert!(message.contains(&identifier), "{message}");
}

on_both_backends!(the_attestation_is_e_mailed);
