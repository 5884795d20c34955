//! The outbox worker delivers every e-mail the workflow writes (here through the
//! embedded default's folder mailer: RFC 5322 `.eml` files), and admins provision
//! reviewer accounts through the identity-admin port (here the dev provider).

use base64::Engine;
use harness::{Options, TestApp, on_both_backends, random_siren, submission};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

/// The decoded `Subject:` of an `.eml` file.
fn subject(eml: &str) -> String {
    let raw: String = eml
        .split("\r\n\r\n")
        .next()
        .unwrap_or_default()
        .replace("\r\n ", " ")
        .lines()
        .find_map(|l| l.strip_prefix("Subject: "))
        .expect("a Subject header")
        .to_owned();
    raw.split_whitespace()
        .map(|word| {
            let lower = word.to_ascii_lowercase();
            match lower
                .strip_prefix("=?utf-8?b?")
                .and_then(|w| w.strip_suffix("?="))
            {
                Some(_) => {
                    let encoded = &word["=?utf-8?b?".len()..word.len() - 2];
                    String::from_utf8(
                        base64::engine::general_purpose::STANDARD
                            .decode(encoded)
                            .expect("base64 subject"),
                    )
                    .expect("utf-8 subject")
                }
                None => format!("{word} "),
            }
        })
        .collect::<String>()
        .trim()
        .to_owned()
}

fn header<'a>(eml: &'a str, name: &str) -> Option<&'a str> {
    eml.split("\r\n\r\n")
        .next()
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(name).and_then(|r| r.strip_prefix(": ")))
}

async fn outbox_statuses(app: &TestApp) -> Vec<String> {
    let db = app.db().await;
    let rows = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            "SELECT status FROM outbox_messages ORDER BY created_at".to_owned(),
        ))
        .await
        .expect("outbox");
    rows.iter()
        .map(|r| r.try_get::<String>("", "status").expect("status"))
        .collect()
}

async fn every_workflow_email_is_delivered_once(app: TestApp) {
    let owner = app.applicant("mail-owner");
    let created = app
        .submit(&owner, &submission(&random_siren(), 5_000_000))
        .await;
    let id = created["id"].as_str().expect("id").to_owned();
    let reference = created["reference"].as_str().expect("reference").to_owned();

    let mail = app.wait_for_mail(1).await;
    let received = &mail[0];
    assert_eq!(header(received, "To"), Some("gerant@boulangerie.example"));
    assert!(header(received, "From").is_some_and(|f| f.contains("no-reply@pge.localhost")));
    assert!(header(received, "Message-ID").is_some());
    assert!(
        received.contains("multipart/alternative"),
        "text and HTML bodies: {received}"
    );
    assert!(received.contains("text/plain") && received.contains("text/html"));
    let subject_line = subject(received);
    assert!(
        subject_line.contains(&reference) && subject_line.contains("reçue"),
        "subject: {subject_line}"
    );
    // It names the bank, not its code, and leads to the request's page in the app.
    let unfolded = received.replace("=\r\n", "");
    assert!(unfolded.contains("BNP Paribas"), "{received}");
    assert!(!unfolded.contains("code 30004"), "{received}");
    assert!(
        unfolded.contains(&format!("{}/demandes/{id}", app.base_url)),
        "{received}"
    );

    // A rejection e-mails the applicant with the reason.
    let reviewer = app.reviewer("mail-reviewer", "30004");
    let review = app.act(&reviewer, &id, "review", None).await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.text);
    let decided = app
        .act(
            &reviewer,
            &id,
            "decision",
            Some(&json!({"decision": "reject", "reason": "Bilan 2019 manquant"})),
        )
        .await;
    assert_eq!(decided.status, StatusCode::OK, "{}", decided.text);
    let mail = app.wait_for_mail(2).await;
    let rejected = mail
        .iter()
        .find(|m| subject(m) != subject_line)
        .expect("the decision e-mail");
    assert!(subject(rejected).contains(&reference));

    // Every message is marked sent, and none was written twice.
    let mut statuses = Vec::new();
    for _ in 0..100 {
        statuses = outbox_statuses(&app).await;
        if statuses.iter().all(|s| s == "sent") {
            break;
        }
        // Nothing due to this test's pass: the background worker holds the rest.
        if app.deliver_mail().await == 0 {
            app.outbox_workers_pass().await;
        }
    }
    assert_eq!(statuses, vec!["sent", "sent"]);
    // Another pass finds nothing left to send.
    assert_eq!(app.deliver_mail().await, 0);
    assert_eq!(app.sent_mail().len(), 2);
}

async fn many_submissions_are_all_emailed(app: TestApp) {
    let owner = app.applicant("mail-many");
    for _ in 0..30 {
        app.submit(&owner, &submission(&random_siren(), 1_000_000))
            .await;
    }
    let mail = app.wait_for_mail(30).await;
    assert_eq!(mail.len(), 30);
    let mut ids: Vec<_> = mail
        .iter()
        .map(|m| header(m, "Message-ID").expect("id").to_owned())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 30, "one e-mail per submission");
}

async fn with_worker(
    test: fn(TestApp) -> std::pin::Pin<Box<dyn Future<Output = ()> + Send>>,
    backend: harness::Backend,
) {
    let app = TestApp::spawn_with(
        backend,
        Options {
            worker: true,
            ..Options::default()
        },
    )
    .await;
    test(app).await;
}

mod delivered_once {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::with_worker(
            |app| Box::pin(super::every_workflow_email_is_delivered_once(app)),
            harness::Backend::Sqlite,
        )
        .await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::with_worker(
            |app| Box::pin(super::every_workflow_email_is_delivered_once(app)),
            harness::Backend::Postgres,
        )
        .await;
    }
}

mod all_emailed {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::with_worker(
            |app| Box::pin(super::many_submissions_are_all_emailed(app)),
            harness::Backend::Sqlite,
        )
        .await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::with_worker(
            |app| Box::pin(super::many_submissions_are_all_emailed(app)),
            harness::Backend::Postgres,
        )
        .await;
    }
}

async fn admins_provision_reviewer_accounts(app: TestApp) {
    let admin = app.admin();
    let email = format!(
        "c.martin-{}@bnpparibas.example",
        uuid::Uuid::new_v4().simple()
    );
    let created = app
        .post(
            "/api/v1/banks/30004/reviewers",
            Some(&admin),
            &json!({"email": email}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(created.json["bank_id"], "30004");
    assert_eq!(created.json["email"], email.as_str());
    assert!(
        created.json["subject"]
            .as_str()
            .is_some_and(|s| !s.is_empty()),
        "{}",
        created.text
    );
    // The same address again, even typed differently, is a conflict.
    app.post(
        "/api/v1/banks/30003/reviewers",
        Some(&admin),
        &json!({"email": email.to_uppercase()}),
    )
    .await
    .assert_problem(409, "account-exists");
    app.post(
        "/api/v1/banks/99999/reviewers",
        Some(&admin),
        &json!({"email": "x@bank.example"}),
    )
    .await
    .assert_problem(404, "not-found");
    let invalid = app
        .post(
            "/api/v1/banks/30004/reviewers",
            Some(&admin),
            &json!({"email": "not an address"}),
        )
        .await;
    invalid.assert_problem(422, "validation-failed");
    assert_eq!(invalid.error_fields(), vec!["email"]);
    for refused_by_ses in ["agent@banque-française.fr", "agent@[192.0.2.7]"] {
        let invalid = app
            .post(
                "/api/v1/banks/30004/reviewers",
                Some(&admin),
                &json!({ "email": refused_by_ses }),
            )
            .await;
        invalid.assert_problem(422, "validation-failed");
        assert_eq!(invalid.error_fields(), vec!["email"], "{refused_by_ses}");
    }
}

on_both_backends!(admins_provision_reviewer_accounts);
