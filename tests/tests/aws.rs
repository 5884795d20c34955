//! The production profile end to end against `moto_server` with the real SDK clients:
//! Cognito tokens verified through the pool's JWKS, reviewer accounts created in the
//! pool, e-mails through SES v2 by the outbox worker (also across an SES outage), and
//! documents in S3 behind presigned URLs. PostgreSQL, as in production.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use harness::aws::Moto;
use harness::{Backend, Options, TestApp, random_siren, submission};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn production_app(moto: &Arc<Moto>, worker: bool) -> TestApp {
    TestApp::spawn_with(
        Backend::Postgres,
        Options {
            aws: Some(moto.clone()),
            worker,
            ..Options::default()
        },
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cognito_tokens_are_verified_through_the_pools_jwks() {
    let moto = Arc::new(Moto::provision().await);
    let app = production_app(&moto, false).await;

    let (id_token, access_token) = moto.sign_in("owner-1", "applicants", None).await;
    let created = app
        .submit(&id_token, &submission(&random_siren(), 2_000_000))
        .await;
    let id = created["id"].as_str().expect("id").to_owned();

    // The reviewer's bank comes from the ID token's `custom:bank_id`.
    let reviewer = moto.token("rev-1", "bank-reviewers", Some("30004")).await;
    let seen = app
        .get(&format!("/api/v1/loan-requests/{id}"), Some(&reviewer))
        .await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.text);
    let other_bank = moto.token("rev-2", "bank-reviewers", Some("30003")).await;
    app.get(&format!("/api/v1/loan-requests/{id}"), Some(&other_bank))
        .await
        .assert_problem(404, "not-found");
    // In the group but without a bank: refused.
    let no_bank = moto.token("rev-3", "bank-reviewers", None).await;
    app.get("/api/v1/loan-requests", Some(&no_bank))
        .await
        .assert_problem(403, "forbidden");
    // A user in no group holds no role.
    let nobody = moto.sign_in_without_group("nobody").await;
    app.get("/api/v1/loan-requests", Some(&nobody))
        .await
        .assert_problem(403, "forbidden");

    // Access tokens carry no custom attributes and no audience: not accepted.
    app.get("/api/v1/loan-requests", Some(&access_token))
        .await
        .assert_problem(401, "unauthorized");
    // A token of another pool (same moto key, other issuer and audience): refused.
    let elsewhere = Arc::new(Moto::provision().await);
    let foreign = elsewhere.token("owner-2", "applicants", None).await;
    app.get("/api/v1/loan-requests", Some(&foreign))
        .await
        .assert_problem(401, "unauthorized");
    // A tampered payload breaks the signature.
    let mut parts: Vec<String> = id_token.split('.').map(str::to_owned).collect();
    parts[1] = parts[1].chars().rev().collect();
    app.get("/api/v1/loan-requests", Some(&parts.join(".")))
        .await
        .assert_problem(401, "unauthorized");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_create_reviewers_in_the_user_pool() {
    let moto = Arc::new(Moto::provision().await);
    let app = production_app(&moto, false).await;
    let admin = moto.token("admin-1", "admins", None).await;

    let created = app
        .post(
            "/api/v1/banks/30004/reviewers",
            Some(&admin),
            &json!({"email": "C.Martin@BNPParibas.example"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let subject = created.json["subject"]
        .as_str()
        .expect("subject")
        .to_owned();

    let user = moto
        .cognito
        .admin_get_user()
        .user_pool_id(&moto.pool_id)
        .username("c.martin@bnpparibas.example")
        .send()
        .await
        .expect("the user exists in the pool");
    let attribute = |name: &str| {
        user.user_attributes()
            .iter()
            .find(|a| a.name() == name)
            .and_then(|a| a.value())
            .map(str::to_owned)
    };
    assert_eq!(attribute("custom:bank_id").as_deref(), Some("30004"));
    assert_eq!(attribute("sub").as_deref(), Some(subject.as_str()));
    let groups = moto
        .cognito
        .admin_list_groups_for_user()
        .user_pool_id(&moto.pool_id)
        .username("c.martin@bnpparibas.example")
        .send()
        .await
        .expect("groups");
    let names: Vec<_> = groups
        .groups()
        .iter()
        .filter_map(|g| g.group_name())
        .collect();
    assert_eq!(names, vec!["bank-reviewers"]);

    app.post(
        "/api/v1/banks/30004/reviewers",
        Some(&admin),
        &json!({"email": "c.martin@bnpparibas.example"}),
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
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workflow_emails_go_through_ses() {
    let moto = Arc::new(Moto::provision().await);
    let app = production_app(&moto, true).await;
    let owner = moto.token("owner-mail", "applicants", None).await;
    let created = app
        .submit(&owner, &submission(&random_siren(), 2_000_000))
        .await;
    let reference = created["reference"].as_str().expect("reference");

    let sent = moto.wait_for_emails(1, Duration::from_secs(20)).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    let text = sent[0].to_string();
    assert!(text.contains("gerant@boulangerie.example"), "{text}");
    assert!(text.contains(reference), "{text}");
    // Marked sent with SES's message id.
    let db = app.db().await;
    let row = sea_orm::ConnectionTrait::query_one(
        &db,
        sea_orm::Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT status, provider_message_id FROM outbox_messages".to_owned(),
        ),
    )
    .await
    .expect("query")
    .expect("one message");
    assert_eq!(row.try_get::<String>("", "status").expect("status"), "sent");
    assert!(
        !row.try_get::<Option<String>>("", "provider_message_id")
            .expect("id")
            .unwrap_or_default()
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_go_to_s3_through_presigned_urls() {
    let moto = Arc::new(Moto::provision().await);
    let app = production_app(&moto, false).await;
    let owner = moto.token("owner-docs", "applicants", None).await;
    let created = app
        .submit(&owner, &submission(&random_siren(), 2_000_000))
        .await;
    let id = created["id"].as_str().expect("id").to_owned();

    let announce = |size: usize| {
        let app = &app;
        let owner = &owner;
        let id = &id;
        async move {
            let reply = app
                .post(
                    &format!("/api/v1/loan-requests/{id}/documents"),
                    Some(owner),
                    &json!({"filename": "bilan.pdf", "content_type": "application/pdf", "size": size}),
                )
                .await;
            assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
            reply.json
        }
    };
    let upload = |announced: &Value, bytes: Vec<u8>| {
        let mut builder = app
            .client
            .request(Method::PUT, announced["upload_url"].as_str().expect("url"));
        builder = builder.header(
            "content-type",
            announced["upload_headers"]["content-type"]
                .as_str()
                .expect("type"),
        );
        builder.body(bytes).send()
    };
    let complete = |document: &str| {
        app.send(
            app.request(
                Method::POST,
                &format!("/api/v1/loan-requests/{id}/documents/{document}/complete"),
            )
            .bearer_auth(&owner),
        )
    };

    // The good path: the object lands under loan-requests/{request}/{document}.
    let bytes = b"%PDF-1.4 bilan".repeat(100);
    let announced = announce(bytes.len()).await;
    let url = announced["upload_url"].as_str().expect("url");
    assert!(
        url.contains(&moto.bucket) && url.contains("X-Amz-Signature"),
        "{url}"
    );
    assert_eq!(
        upload(&announced, bytes.clone())
            .await
            .expect("upload")
            .status(),
        StatusCode::OK
    );
    let document = announced["document_id"].as_str().expect("id");
    let done = complete(document).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text);
    let head = moto
        .s3
        .head_object()
        .bucket(&moto.bucket)
        .key(format!("loan-requests/{id}/{document}"))
        .send()
        .await
        .expect("object stored under the documented key");
    assert_eq!(
        head.content_length(),
        Some(i64::try_from(bytes.len()).expect("len"))
    );

    let listed = app
        .get(
            &format!("/api/v1/loan-requests/{id}/documents"),
            Some(&owner),
        )
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text);
    let link = listed.json["items"][0]["download_url"]
        .as_str()
        .expect("download url");
    let downloaded = app.client.get(link).send().await.expect("download");
    assert_eq!(downloaded.status(), StatusCode::OK);
    assert_eq!(downloaded.bytes().await.expect("bytes").to_vec(), bytes);

    // A different file than declared (moto does not enforce the signed length, real S3
    // does): confirmation refuses it and deletes the object.
    let announced = announce(5_000).await;
    let document = announced["document_id"].as_str().expect("id");
    upload(&announced, vec![b'x'; 10]).await.expect("upload");
    complete(document)
        .await
        .assert_problem(422, "document-mismatch");
    let gone = moto
        .s3
        .head_object()
        .bucket(&moto.bucket)
        .key(format!("loan-requests/{id}/{document}"))
        .send()
        .await;
    assert!(gone.is_err(), "the mismatching object was deleted");
    complete(document).await.assert_problem(404, "not-found");
}

/// A TCP relay to the emulator that can be cut: connections are dropped while it is
/// down, as with an unreachable mail provider.
struct Relay {
    url: String,
    up: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<()>,
}

impl Relay {
    async fn start(target: &str) -> Self {
        let target = target
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind relay");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let up = Arc::new(AtomicBool::new(true));
        let flag = up.clone();
        let task = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !flag.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let target = target.clone();
                tokio::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        });
        Self { url, up, task }
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ses_outage_delays_emails_but_loses_none() {
    let moto = Arc::new(Moto::provision().await);
    let relay = Relay::start(&moto.url).await;
    relay.up.store(false, Ordering::SeqCst);
    let app = TestApp::spawn_with(
        Backend::Postgres,
        Options {
            aws: Some(moto.clone()),
            aws_endpoint: Some(relay.url.clone()),
            worker: true,
            // Retries every 100–500 ms and never gives up during the test's outage.
            worker_settings: Some(infra::worker::WorkerSettings {
                max_attempts: 1_000,
                base_backoff: Duration::from_millis(100),
                max_backoff: Duration::from_millis(500),
                send_timeout: Duration::from_secs(3),
                ..harness::fast_worker_settings()
            }),
            ..Options::default()
        },
    )
    .await;
    let owner = moto.token("owner-outage", "applicants", None).await;
    for _ in 0..50 {
        let reply = app
            .post(
                "/api/v1/loan-requests",
                Some(&owner),
                &submission(&random_siren(), 1_000_000),
            )
            .await;
        // Submissions never wait for the mail provider.
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    }
    // While SES is unreachable nothing is sent, attempts are counted, nothing is dead.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(moto.sent_emails().await.is_empty());
    let db = app.db().await;
    let counts = sea_orm::ConnectionTrait::query_one(
        &db,
        sea_orm::Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT COUNT(*) FILTER (WHERE status = 'pending') AS pending, \
                    COUNT(*) FILTER (WHERE status = 'dead') AS dead, \
                    COALESCE(MAX(attempts), 0) AS attempts \
             FROM outbox_messages"
                .to_owned(),
        ),
    )
    .await
    .expect("query")
    .expect("row");
    assert_eq!(counts.try_get::<i64>("", "pending").expect("pending"), 50);
    assert_eq!(counts.try_get::<i64>("", "dead").expect("dead"), 0);
    assert!(counts.try_get::<i32>("", "attempts").expect("attempts") >= 1);

    // SES is back: every e-mail goes out, each exactly once.
    relay.up.store(true, Ordering::SeqCst);
    let sent = moto.wait_for_emails(50, Duration::from_secs(60)).await;
    assert_eq!(sent.len(), 50, "every e-mail is sent after the outage");
    let mut recipients_and_subjects: Vec<String> =
        sent.iter().map(|m| m["subject"].to_string()).collect();
    recipients_and_subjects.sort();
    recipients_and_subjects.dedup();
    assert_eq!(
        recipients_and_subjects.len(),
        50,
        "no e-mail was sent twice"
    );
}
