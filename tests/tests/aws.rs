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

/// The outbox as the database holds it.
#[derive(Debug, PartialEq, Eq)]
struct OutboxCounts {
    pending: i64,
    sent: i64,
    dead: i64,
    /// Sent messages that carry SES's message id.
    sent_with_provider_id: i64,
    most_attempts: i32,
}

async fn outbox_counts(app: &TestApp) -> OutboxCounts {
    let db = app.db().await;
    let row = sea_orm::ConnectionTrait::query_one(
        &db,
        sea_orm::Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT COUNT(*) FILTER (WHERE status = 'pending') AS pending, \
                    COUNT(*) FILTER (WHERE status = 'sent') AS sent, \
                    COUNT(*) FILTER (WHERE status = 'dead') AS dead, \
                    COUNT(*) FILTER (WHERE status = 'sent' AND provider_message_id IS NOT NULL \
                                     AND provider_message_id <> '') AS sent_with_provider_id, \
                    COALESCE(MAX(attempts), 0) AS most_attempts \
             FROM outbox_messages"
                .to_owned(),
        ),
    )
    .await
    .expect("query")
    .expect("row");
    let count = |name: &str| row.try_get::<i64>("", name).expect(name);
    OutboxCounts {
        pending: count("pending"),
        sent: count("sent"),
        dead: count("dead"),
        sent_with_provider_id: count("sent_with_provider_id"),
        most_attempts: row.try_get::<i32>("", "most_attempts").expect("attempts"),
    }
}

/// Waits (bounded) until the outbox has no pending message, looking again each time the
/// background workers have ended a pass; returns its counts.
async fn outbox_settled(app: &TestApp, within: Duration) -> OutboxCounts {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let counts = outbox_counts(app).await;
        if counts.pending == 0 || tokio::time::Instant::now() >= deadline {
            return counts;
        }
        app.outbox_workers_pass().await;
    }
}

/// Waits (bounded) until a send has failed and the failure is recorded on its message
/// (looked for every 50 ms: a failure is marked per message, the workers' passes end
/// only when the whole batch has timed out).
async fn a_failure_recorded(app: &TestApp, within: Duration) {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let db = app.db().await;
        let failed = sea_orm::ConnectionTrait::query_one(
            &db,
            sea_orm::Statement::from_string(
                sea_orm::DatabaseBackend::Postgres,
                "SELECT COUNT(*) AS failed FROM outbox_messages WHERE last_error IS NOT NULL"
                    .to_owned(),
            ),
        )
        .await
        .expect("query")
        .expect("row")
        .try_get::<i64>("", "failed")
        .expect("failed");
        if failed > 0 {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no failed attempt recorded after {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

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
    // The API takes the access token (`token_use: access`, the app client in
    // `client_id`, the role from `cognito:groups`).
    let created = app
        .submit(&access_token, &submission(&random_siren(), 2_000_000))
        .await;
    assert!(created["id"].is_string(), "{created}");
    // The ID token is for the client: refused.
    app.get("/api/v1/loan-requests", Some(&id_token))
        .await
        .assert_problem(401, "unauthorized");

    // A reviewer's bank is `custom:bank_id`, which the pool's pre-token-generation
    // trigger adds to access tokens (terraform/modules/cognito). moto runs no trigger:
    // its reviewer tokens lack the claim, and the API refuses them rather than guess.
    let reviewer = moto.token("rev-1", "bank-reviewers", Some("30004")).await;
    app.get("/api/v1/loan-requests", Some(&reviewer))
        .await
        .assert_problem(403, "forbidden");
    // A user in no group holds no role.
    let nobody = moto.sign_in_without_group("nobody").await;
    app.get("/api/v1/loan-requests", Some(&nobody))
        .await
        .assert_problem(403, "forbidden");

    // A token of another pool (same moto key, other issuer and client): refused.
    let elsewhere = Arc::new(Moto::provision().await);
    let foreign = elsewhere.token("owner-2", "applicants", None).await;
    app.get("/api/v1/loan-requests", Some(&foreign))
        .await
        .assert_problem(401, "unauthorized");
    // A tampered payload breaks the signature.
    let mut parts: Vec<String> = access_token.split('.').map(str::to_owned).collect();
    parts[1] = parts[1].chars().rev().collect();
    app.get("/api/v1/loan-requests", Some(&parts.join(".")))
        .await
        .assert_problem(401, "unauthorized");
}

/// Staff in a pool of their own (TOTP MFA required there, not of business owners,
/// docs/SECURITY.md): a staff group counts only in a token of the staff pool's client,
/// that client serves no applicant, reviewer accounts are created there, and the web
/// app's configuration names both providers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_roles_count_only_in_tokens_of_the_staff_pool() {
    let moto = Arc::new(Moto::provision().await);
    let staff = Moto::provision().await;
    let staff_jwks = staff.cognito_settings().jwks_url;
    let app = TestApp::spawn_with(
        Backend::Postgres,
        Options {
            aws: Some(moto.clone()),
            serve_flags: [
                "--cognito-staff-user-pool-id",
                &staff.pool_id,
                "--cognito-staff-client-ids",
                &staff.client_id,
                "--cognito-staff-jwks-url",
                &staff_jwks,
                "--cognito-staff-domain",
                "staff.auth.pge.example",
                "--cognito-domain",
                "auth.pge.example",
            ]
            .map(str::to_owned)
            .to_vec(),
            ..Options::default()
        },
    )
    .await;

    // The staff pool's admin: admitted.
    let admin = staff.token("admin-1", "admins", None).await;
    let figures = app.get("/api/v1/stats", Some(&admin)).await;
    assert_eq!(figures.status, StatusCode::OK, "{}", figures.text);
    // An admin group in the applicants' pool (no MFA there): refused.
    let forged_admin = moto.token("admin-2", "admins", None).await;
    app.get("/api/v1/stats", Some(&forged_admin))
        .await
        .assert_problem(403, "forbidden");
    let forged_reviewer = moto.token("rev-2", "bank-reviewers", Some("30004")).await;
    app.get("/api/v1/loan-requests", Some(&forged_reviewer))
        .await
        .assert_problem(403, "forbidden");
    // Business owners sign in to their pool; the staff's client serves no applicant.
    let (_, owner) = moto.sign_in("owner-1", "applicants", None).await;
    let created = app
        .submit(&owner, &submission(&random_siren(), 2_000_000))
        .await;
    assert!(created["id"].is_string(), "{created}");
    let staff_applicant = staff.token("owner-2", "applicants", None).await;
    app.get("/api/v1/loan-requests", Some(&staff_applicant))
        .await
        .assert_problem(403, "forbidden");

    // Reviewer accounts go to the staff pool.
    let created = app
        .post(
            "/api/v1/banks/30004/reviewers",
            Some(&admin),
            &json!({"email": "r.durand@banque.example"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let in_staff = staff
        .cognito
        .admin_get_user()
        .user_pool_id(&staff.pool_id)
        .username("r.durand@banque.example")
        .send()
        .await;
    assert!(in_staff.is_ok(), "{in_staff:?}");
    let in_public = moto
        .cognito
        .admin_get_user()
        .user_pool_id(&moto.pool_id)
        .username("r.durand@banque.example")
        .send()
        .await;
    assert!(in_public.is_err(), "a reviewer in the applicants' pool");

    // The web app signs business owners in to their pool and staff to theirs.
    let config = app.get("/config.json", None).await;
    assert_eq!(config.status, StatusCode::OK, "{}", config.text);
    assert_eq!(config.json["client_id"], moto.client_id.as_str());
    assert_eq!(config.json["staff"]["client_id"], staff.client_id.as_str());
    assert!(
        config.json["staff"]["authority"]
            .as_str()
            .is_some_and(|a| a.ends_with(&staff.pool_id)),
        "{}",
        config.text
    );
    assert_eq!(
        config.json["staff"]["logout_url"],
        "https://staff.auth.pge.example/logout"
    );
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
    assert_eq!(created.json["email"], "c.martin@bnpparibas.example");
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
    // Nothing half-written: no account was created for the unknown bank.
    let users = moto
        .cognito
        .list_users()
        .user_pool_id(&moto.pool_id)
        .send()
        .await
        .expect("list users");
    assert!(
        users.users().iter().all(|u| u
            .username()
            .is_some_and(|name| !name.contains("x@bank.example"))),
        "{:?}",
        users.users()
    );
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

    outbox_settled(&app, Duration::from_secs(20)).await;
    let sent = moto.sent_emails().await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    let text = sent[0].to_string();
    assert!(text.contains("gerant@boulangerie.example"), "{text}");
    assert!(text.contains(reference), "{text}");
    // Marked sent with SES's message id (settled: no message left pending).
    let db = app.db().await;
    let row = sea_orm::ConnectionTrait::query_one(
        &db,
        sea_orm::Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT status, provider_message_id FROM outbox_messages".to_owned(),
        ),
    )
    .await
    .expect("query");
    let row = row.expect("one message");
    assert_eq!(row.try_get::<String>("", "status").expect("status"), "sent");
    assert!(
        !row.try_get::<Option<String>>("", "provider_message_id")
            .expect("id")
            .unwrap_or_default()
            .is_empty()
    );
}

/// The attestation of a guarantee identifier leaves through SES attached to its e-mail:
/// the whole MIME message, sent as SES v2's raw content.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_attestation_goes_through_ses_as_an_attachment() {
    let moto = Arc::new(Moto::provision().await);
    let app = production_app(&moto, true).await;
    let owner = moto.token("owner-attestation", "applicants", None).await;
    let created = app
        .submit(&owner, &submission(&random_siren(), 2_000_000))
        .await;
    let id = created["id"].as_str().expect("id");
    // moto's reviewer tokens lack the bank claim (see above): the bank's agreement is
    // written directly, as its reviewer's decision would leave it.
    let db = app.db().await;
    sea_orm::ConnectionTrait::execute(
        &db,
        sea_orm::Statement::from_sql_and_values(
            sea_orm::DatabaseBackend::Postgres,
            "UPDATE loan_requests SET status = 'pre_approved', version = 3 WHERE id = $1",
            [uuid::Uuid::parse_str(id).expect("uuid").into()],
        ),
    )
    .await
    .expect("pre-approve");
    let identifier = app.obtain_identifier(&owner, id).await;
    let counts = outbox_settled(&app, Duration::from_secs(20)).await;
    let sent = moto.sent_emails().await;
    assert_eq!(sent.len(), 2, "{counts:?} {sent:?}");
    let attached = sent
        .iter()
        .map(ToString::to_string)
        .find(|text| text.contains("application/pdf"))
        .unwrap_or_else(|| panic!("no e-mail with the attestation: {sent:?}"));
    assert!(attached.contains("multipart/mixed"), "{attached}");
    assert!(attached.contains("attestation-PGE-"), "{attached}");
    assert!(attached.contains(&identifier), "{attached}");
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
    // Sent as a browser would: every header the API says to send, as given.
    let upload = |announced: &Value, bytes: Vec<u8>| {
        let mut builder = app
            .client
            .request(Method::PUT, announced["upload_url"].as_str().expect("url"));
        for (name, value) in announced["upload_headers"]
            .as_object()
            .expect("upload headers")
        {
            builder = builder.header(name.as_str(), value.as_str().expect("header value"));
        }
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
    // moto does not enforce what the signature binds; real S3 does, so check the URL:
    // this object's key only, 15 minutes, and the declared type and length signed.
    let document = announced["document_id"].as_str().expect("id");
    let signed = query_of(url);
    assert!(
        url.split('?')
            .next()
            .expect("path")
            .ends_with(&format!("/{}/loan-requests/{id}/{document}", moto.bucket)),
        "{url}"
    );
    assert_eq!(signed["X-Amz-Expires"], "900", "{url}");
    let signed_headers: Vec<&str> = signed["X-Amz-SignedHeaders"].split(';').collect();
    for header in ["content-length", "content-type", "host", "if-none-match"] {
        assert!(
            signed_headers.contains(&header),
            "{header} not signed: {url}"
        );
    }
    for header in ["content-length", "content-type", "if-none-match"] {
        assert!(
            announced["upload_headers"][header].is_string(),
            "{header} not in upload_headers: {announced}"
        );
    }
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
    // Downloads: five minutes, this object only.
    assert_eq!(query_of(link)["X-Amz-Expires"], "300", "{link}");
    assert!(
        link.split('?')
            .next()
            .expect("path")
            .ends_with(&format!("/loan-requests/{id}/{document}")),
        "{link}"
    );
    let downloaded = app.client.get(link).send().await.expect("download");
    assert_eq!(downloaded.status(), StatusCode::OK);
    assert_eq!(downloaded.bytes().await.expect("bytes").to_vec(), bytes);

    // A different file than declared (moto does not enforce the signed length, real S3
    // does): confirmation refuses it and deletes the object.
    let announced = announce(5_000).await;
    let document = announced["document_id"].as_str().expect("id");
    // (Its real length, not the signed one: what S3 would refuse and moto lets in.)
    app.client
        .request(Method::PUT, announced["upload_url"].as_str().expect("url"))
        .header("content-type", "application/pdf")
        .body(vec![b'x'; 10])
        .send()
        .await
        .expect("upload");
    complete(document)
        .await
        .assert_problem(422, "document-mismatch");
    // Whether the bucket still holds a document's object.
    let stored = |document: &str| {
        moto.s3
            .head_object()
            .bucket(&moto.bucket)
            .key(format!("loan-requests/{id}/{document}"))
            .send()
    };
    assert!(
        stored(document).await.is_err(),
        "the mismatching object was deleted"
    );
    complete(document).await.assert_problem(404, "not-found");

    // A Windows executable announced as a PDF, of the declared length: its first bytes
    // (a ranged GET) are not a PDF's, so it is refused and deleted from the bucket too.
    let mut executable = b"MZ\x90\x00\x03\x00\x00\x00".to_vec();
    executable.resize(bytes.len(), 0);
    let announced = announce(executable.len()).await;
    let document = announced["document_id"].as_str().expect("id");
    upload(&announced, executable).await.expect("upload");
    complete(document)
        .await
        .assert_problem(422, "document-content-mismatch");
    assert!(
        stored(document).await.is_err(),
        "the executable was deleted from the bucket"
    );

    // Confirming before anything was uploaded: HeadObject finds nothing, 422, and the
    // announcement stays, so the upload can still happen.
    let announced = announce(bytes.len()).await;
    let document = announced["document_id"].as_str().expect("id");
    complete(document)
        .await
        .assert_problem(422, "document-not-uploaded");
    upload(&announced, bytes.clone()).await.expect("upload");
    assert_eq!(complete(document).await.status, StatusCode::OK);
    // The URL is write-once (If-None-Match: * is signed): it cannot replace the file.
    let replaced = upload(&announced, b"%PDF-1.4 autre".repeat(100))
        .await
        .expect("second upload");
    assert_eq!(replaced.status(), StatusCode::PRECONDITION_FAILED);

    // Uploaded, never confirmed, removed by its owner: the object leaves the bucket too.
    let announced = announce(bytes.len()).await;
    let document = announced["document_id"].as_str().expect("id");
    upload(&announced, bytes.clone()).await.expect("upload");
    assert!(stored(document).await.is_ok(), "uploaded before removal");
    let removed = app
        .delete(
            &format!("/api/v1/loan-requests/{id}/documents/{document}"),
            Some(&owner),
        )
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.text);
    assert!(
        stored(document).await.is_err(),
        "the removed document's object was deleted from the bucket"
    );
    complete(document).await.assert_problem(404, "not-found");
}

/// The query parameters of a URL, decoded.
fn query_of(url: &str) -> std::collections::HashMap<String, String> {
    reqwest::Url::parse(url)
        .expect("a URL")
        .query_pairs()
        .into_owned()
        .collect()
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

/// The production profile with its AWS clients behind a relay that is down (SES out of
/// reach) and a worker with `settings`.
async fn behind_an_ses_outage(
    settings: infra::worker::WorkerSettings,
) -> (Arc<Moto>, Relay, TestApp) {
    let moto = Arc::new(Moto::provision().await);
    let relay = Relay::start(&moto.url).await;
    relay.up.store(false, Ordering::SeqCst);
    let app = TestApp::spawn_with(
        Backend::Postgres,
        Options {
            aws: Some(moto.clone()),
            aws_endpoint: Some(relay.url.clone()),
            worker: true,
            worker_settings: Some(settings),
            ..Options::default()
        },
    )
    .await;
    (moto, relay, app)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ses_outage_delays_emails_but_loses_none() {
    // Retries every 100–500 ms and never gives up during the test's outage.
    let (moto, relay, app) = behind_an_ses_outage(infra::worker::WorkerSettings {
        max_attempts: 1_000,
        base_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_millis(500),
        send_timeout: Duration::from_secs(3),
        ..harness::fast_worker_settings()
    })
    .await;
    let owner = moto.token("owner-outage", "applicants", None).await;
    let mut slowest = Duration::ZERO;
    for _ in 0..50 {
        let began = std::time::Instant::now();
        let reply = app
            .post(
                "/api/v1/loan-requests",
                Some(&owner),
                &submission(&random_siren(), 1_000_000),
            )
            .await;
        slowest = slowest.max(began.elapsed());
        // Submissions never wait for the mail provider.
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    }
    // "Quickly": far below the worker's 3 s send timeout, which a submission that waited
    // on SES would take at least.
    assert!(
        slowest < Duration::from_secs(1),
        "the slowest submission took {slowest:?} during the outage"
    );
    // While SES is unreachable nothing is sent, attempts are counted, nothing is dead:
    // once a send has failed.
    a_failure_recorded(&app, Duration::from_secs(30)).await;
    assert!(moto.sent_emails().await.is_empty());
    let during = outbox_counts(&app).await;
    assert_eq!((during.pending, during.sent, during.dead), (50, 0, 0));
    assert!(during.most_attempts >= 1, "{during:?}");

    // SES is back: every e-mail goes out, and is marked sent with SES's message id.
    relay.up.store(true, Ordering::SeqCst);
    let after = outbox_settled(&app, Duration::from_secs(60)).await;
    assert_eq!(
        after,
        OutboxCounts {
            pending: 0,
            sent: 50,
            dead: 0,
            sent_with_provider_id: 50,
            most_attempts: after.most_attempts,
        },
        "none lost, none left pending"
    );
    // Each exactly once, still after the workers have had their chance to misbehave.
    app.outbox_workers_caught_up().await;
    let sent = moto.sent_emails().await;
    assert_eq!(sent.len(), 50, "every e-mail is sent once after the outage");
    let mut subjects: Vec<String> = sent.iter().map(|m| m["subject"].to_string()).collect();
    subjects.sort();
    subjects.dedup();
    assert_eq!(subjects.len(), 50, "no e-mail was sent twice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_email_that_cannot_be_sent_goes_dead_visible_in_stats_and_metrics() {
    let (moto, relay, app) = behind_an_ses_outage(infra::worker::WorkerSettings {
        max_attempts: 3,
        base_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(50),
        send_timeout: Duration::from_secs(2),
        ..harness::fast_worker_settings()
    })
    .await;
    let owner = moto.token("owner-dead", "applicants", None).await;
    let reply = app
        .post(
            "/api/v1/loan-requests",
            Some(&owner),
            &submission(&random_siren(), 1_000_000),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let counts = outbox_settled(&app, Duration::from_secs(30)).await;
    assert_eq!((counts.pending, counts.sent, counts.dead), (0, 0, 1));
    assert_eq!(counts.most_attempts, 3, "dead after exactly N attempts");
    let admin = moto.token("admin-dead", "admins", None).await;
    let stats = app.get("/api/v1/stats", Some(&admin)).await;
    assert_eq!(stats.status, StatusCode::OK, "{}", stats.text);
    assert_eq!(stats.json["outbox"]["dead"], 1, "{}", stats.text);
    let metrics = app.metrics().await;
    assert!(
        metrics
            .text
            .contains("pge_outbox_messages{status=\"dead\"} 1\n"),
        "{}",
        metrics.text
    );
    assert!(
        metrics
            .text
            .contains("pge_outbox_oldest_pending_age_seconds 0\n"),
        "nothing waits: {}",
        metrics.text
    );
    // SES coming back does not resurrect it: a dead message waits for an operator.
    relay.up.store(true, Ordering::SeqCst);
    app.outbox_workers_caught_up().await;
    assert!(moto.sent_emails().await.is_empty());
    // The operator puts it back in line (an admin only); it is sent, and the platform
    // keeps who did it.
    let reviewer = moto
        .token("rev-dead", "bank-reviewers", Some("30004"))
        .await;
    app.post(
        "/api/v1/admin/outbox/dead-letters/retry",
        Some(&reviewer),
        &json!({}),
    )
    .await
    .assert_problem(403, "forbidden");
    let retried = app
        .post(
            "/api/v1/admin/outbox/dead-letters/retry",
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(retried.status, StatusCode::OK, "{}", retried.text);
    assert_eq!(retried.json["retried"], 1);
    let counts = outbox_settled(&app, Duration::from_secs(20)).await;
    assert_eq!(moto.sent_emails().await.len(), 1);
    assert_eq!((counts.pending, counts.sent, counts.dead), (0, 1, 0));
    let actions = app.get("/api/v1/admin/actions", Some(&admin)).await;
    assert_eq!(actions.status, StatusCode::OK, "{}", actions.text);
    assert_eq!(actions.json[0]["action"], "retry_dead_letters");
    assert_eq!(actions.json[0]["count"], 1);
    let payload = admin.split('.').nth(1).expect("payload");
    let claims: Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload)
            .expect("base64"),
    )
    .expect("claims");
    let admin_sub = claims["sub"].clone();
    assert_eq!(actions.json[0]["actor_subject"], admin_sub);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_workers_never_send_the_same_email_twice() {
    let moto = Arc::new(Moto::provision().await);
    let app = TestApp::spawn_with(
        Backend::Postgres,
        Options {
            aws: Some(moto.clone()),
            worker: true,
            workers: 4,
            worker_settings: Some(infra::worker::WorkerSettings {
                batch_size: 5,
                ..harness::fast_worker_settings()
            }),
            ..Options::default()
        },
    )
    .await;
    const EMAILS: usize = 120;
    let mut owners = Vec::new();
    for i in 0..8 {
        owners.push(
            moto.token(&format!("owner-workers-{i}"), "applicants", None)
                .await,
        );
    }
    futures::stream::StreamExt::for_each_concurrent(futures::stream::iter(0..EMAILS), 8, |i| {
        let app = &app;
        let owner = &owners[i % owners.len()];
        async move {
            let reply = app
                .post(
                    "/api/v1/loan-requests",
                    Some(owner),
                    &submission(&random_siren(), 1_000_000),
                )
                .await;
            assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        }
    })
    .await;
    let counts = outbox_settled(&app, Duration::from_secs(60)).await;
    assert_eq!(
        (counts.pending, counts.sent, counts.dead),
        (0, EMAILS as i64, 0)
    );
    assert_eq!(
        counts.most_attempts, 1,
        "a message was claimed by two workers (or retried)"
    );
    app.outbox_workers_caught_up().await;
    let sent = moto.sent_emails().await;
    assert_eq!(sent.len(), EMAILS, "each e-mail sent exactly once");
}
