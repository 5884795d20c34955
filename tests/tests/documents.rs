//! Supporting documents on the embedded default's storage (signed local URLs), through
//! the same API contract as S3 presigned URLs: announce → upload → complete → list →
//! download, with the limits and the tampering cases.

use harness::{TestApp, on_both_backends, random_siren, submission};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A small but real PDF.
fn pdf_bytes(len: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    bytes.resize(len, b'x');
    bytes
}

async fn submitted(app: &TestApp, owner: &str) -> String {
    let created = app
        .submit(
            &app.applicant(owner),
            &submission(&random_siren(), 2_000_000),
        )
        .await;
    created["id"].as_str().expect("id").to_owned()
}

async fn announce(app: &TestApp, owner: &str, id: &str, body: &Value) -> harness::Reply {
    app.post(
        &format!("/api/v1/loan-requests/{id}/documents"),
        Some(&app.applicant(owner)),
        body,
    )
    .await
}

/// Uploads `bytes` to an announced document's URL, with the headers it names.
async fn upload(app: &TestApp, announced: &Value, bytes: Vec<u8>) -> harness::Reply {
    assert_eq!(announced["upload_method"], "PUT");
    let mut builder = app.client.request(
        Method::PUT,
        announced["upload_url"].as_str().expect("upload url"),
    );
    for (name, value) in announced["upload_headers"].as_object().expect("headers") {
        if name != "content-length" {
            builder = builder.header(name, value.as_str().expect("header value"));
        }
    }
    app.send(builder.body(bytes)).await
}

async fn complete(app: &TestApp, owner: &str, id: &str, document: &str) -> harness::Reply {
    app.send(
        app.request(
            Method::POST,
            &format!("/api/v1/loan-requests/{id}/documents/{document}/complete"),
        )
        .bearer_auth(app.applicant(owner)),
    )
    .await
}

async fn a_document_goes_from_announcement_to_download(app: TestApp) {
    let id = submitted(&app, "doc-owner").await;
    let bytes = pdf_bytes(4096);
    let announced = announce(
        &app,
        "doc-owner",
        &id,
        &json!({"filename": "Kbis société.pdf", "content_type": "application/pdf", "size": bytes.len()}),
    )
    .await;
    assert_eq!(announced.status, StatusCode::CREATED, "{}", announced.text);
    let document = announced.json["document_id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(
        announced.json["upload_headers"]["content-type"],
        "application/pdf"
    );
    assert_eq!(announced.json["upload_headers"]["content-length"], "4096");
    assert_eq!(announced.json["upload_headers"]["if-none-match"], "*");
    let expires: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(announced.json["expires_at"].clone()).expect("expiry");
    let validity = expires - chrono::Utc::now();
    assert!(
        validity > chrono::Duration::minutes(14) && validity <= chrono::Duration::minutes(15),
        "upload URLs live 15 minutes, got {validity}"
    );

    // Not uploaded yet: nothing to confirm; the owner sees it pending, without a link,
    // and the reviewers see nothing.
    complete(&app, "doc-owner", &id, &document)
        .await
        .assert_problem(422, "document-not-uploaded");
    let listed = app
        .get(
            &format!("/api/v1/loan-requests/{id}/documents"),
            Some(&app.applicant("doc-owner")),
        )
        .await;
    let items = listed.json["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{}", listed.text);
    assert_eq!(items[0]["status"], "pending");
    assert!(items[0].get("download_url").is_none(), "{}", listed.text);
    let listed = app
        .get(
            &format!("/api/v1/loan-requests/{id}/documents"),
            Some(&app.reviewer("rev-doc", "30004")),
        )
        .await;
    assert_eq!(listed.json["items"], json!([]), "{}", listed.text);

    let uploaded = upload(&app, &announced.json, bytes.clone()).await;
    assert_eq!(uploaded.status, StatusCode::OK, "{}", uploaded.text);
    let completed = complete(&app, "doc-owner", &id, &document).await;
    assert_eq!(completed.status, StatusCode::OK, "{}", completed.text);
    assert_eq!(completed.json["status"], "available");
    assert_eq!(completed.json["size"], 4096);
    // Confirming again is harmless.
    let again = complete(&app, "doc-owner", &id, &document).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    // The upload URL, still valid, cannot replace the confirmed file (write-once).
    upload(&app, &announced.json, pdf_bytes(4096))
        .await
        .assert_problem(412, "document-already-uploaded");

    // The owner and the reviewers of the bank list it with a 5-minute download link.
    for token in [app.applicant("doc-owner"), app.reviewer("rev-doc", "30004")] {
        let listed = app
            .get(
                &format!("/api/v1/loan-requests/{id}/documents"),
                Some(&token),
            )
            .await;
        assert_eq!(listed.status, StatusCode::OK, "{}", listed.text);
        let items = listed.json["items"].as_array().expect("items");
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["filename"], "Kbis société.pdf");
        let expires: chrono::DateTime<chrono::Utc> =
            serde_json::from_value(items[0]["download_expires_at"].clone()).expect("expiry");
        assert!(expires - chrono::Utc::now() <= chrono::Duration::minutes(5));
        let url = items[0]["download_url"].as_str().expect("url");
        let download = app.client.get(url).send().await.expect("download");
        assert_eq!(download.status(), StatusCode::OK);
        assert_eq!(
            download.headers()["content-type"]
                .to_str()
                .expect("present"),
            "application/pdf"
        );
        let disposition = download.headers()["content-disposition"]
            .to_str()
            .expect("present")
            .to_owned();
        assert!(disposition.starts_with("attachment"), "{disposition}");
        // Opened in a tab anyway, the document runs nothing: served as declared, not
        // sniffed, in a sandbox with no source allowed.
        assert_eq!(download.headers()["x-content-type-options"], "nosniff");
        assert_eq!(
            download.headers()["content-security-policy"],
            "sandbox; default-src 'none'"
        );
        assert_eq!(download.bytes().await.expect("bytes").to_vec(), bytes);
    }

    // The attachment is in the request's audit trail.
    let events = app
        .get(
            &format!("/api/v1/loan-requests/{id}/events"),
            Some(&app.applicant("doc-owner")),
        )
        .await;
    assert!(
        events.text.contains("attach_document"),
        "audit trail: {}",
        events.text
    );
}

async fn signed_urls_bind_type_length_key_and_expiry(app: TestApp) {
    let id = submitted(&app, "tamper-owner").await;
    let announced = announce(
        &app,
        "tamper-owner",
        &id,
        &json!({"filename": "bilan.png", "content_type": "image/png", "size": 100}),
    )
    .await;
    assert_eq!(announced.status, StatusCode::CREATED, "{}", announced.text);
    let url = announced.json["upload_url"]
        .as_str()
        .expect("url")
        .to_owned();

    // Another content type than the signed one.
    let wrong_type = app
        .send(
            app.client
                .put(&url)
                .header("content-type", "application/pdf")
                .body(vec![0u8; 100]),
        )
        .await;
    wrong_type.assert_problem(403, "signed-url-invalid");
    // More bytes than signed.
    let longer = app
        .send(
            app.client
                .put(&url)
                .header("content-type", "image/png")
                .body(vec![0u8; 101]),
        )
        .await;
    assert!(
        [400, 403].contains(&longer.status.as_u16()),
        "{}",
        longer.text
    );
    // A later expiry or another key breaks the signature.
    let (before, after) = url.split_once("expires=").expect("expires");
    let (_, rest) = after.split_once('&').expect("rest");
    let later = format!("{before}expires=9999999999&{rest}");
    let tampered = app
        .send(
            app.client
                .put(&later)
                .header("content-type", "image/png")
                .body(vec![0u8; 100]),
        )
        .await;
    tampered.assert_problem(403, "signed-url-invalid");
    let other_key = url.replace(&id, &uuid::Uuid::now_v7().to_string());
    let moved = app
        .send(
            app.client
                .put(&other_key)
                .header("content-type", "image/png")
                .body(vec![0u8; 100]),
        )
        .await;
    moved.assert_problem(403, "signed-url-invalid");
    // Without its signed query, a link opens nothing.
    let no_signature = app
        .send(app.client.get(url.split_once('?').expect("query").0))
        .await;
    no_signature.assert_problem(403, "signed-url-invalid");

    // Nothing was stored by the refused uploads.
    complete(
        &app,
        "tamper-owner",
        &id,
        announced.json["document_id"].as_str().expect("present"),
    )
    .await
    .assert_problem(422, "document-not-uploaded");
}

async fn document_limits_are_enforced(app: TestApp) {
    let id = submitted(&app, "limits-owner").await;
    for (body, field) in [
        (
            json!({"filename": "page.html", "content_type": "text/html", "size": 10}),
            "content_type",
        ),
        (
            json!({"filename": "big.pdf", "content_type": "application/pdf", "size": 10 * 1024 * 1024 + 1}),
            "size",
        ),
        (
            json!({"filename": "empty.pdf", "content_type": "application/pdf", "size": 0}),
            "size",
        ),
        (
            json!({"filename": "../../etc/passwd", "content_type": "application/pdf", "size": 10}),
            "filename",
        ),
    ] {
        let reply = announce(&app, "limits-owner", &id, &body).await;
        reply.assert_problem(422, "validation-failed");
        assert!(
            reply.error_fields().contains(&field.to_owned()),
            "{body}: {}",
            reply.text
        );
    }
    // Exactly 10 MiB is allowed.
    let max = announce(
        &app,
        "limits-owner",
        &id,
        &json!({"filename": "max.pdf", "content_type": "application/pdf", "size": 10 * 1024 * 1024}),
    )
    .await;
    assert_eq!(max.status, StatusCode::CREATED, "{}", max.text);
    // 20 documents per request at most (announced ones count).
    for n in 1..20 {
        let reply = announce(
            &app,
            "limits-owner",
            &id,
            &json!({"filename": format!("piece-{n}.jpg"), "content_type": "image/jpeg", "size": 10}),
        )
        .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{n}: {}", reply.text);
    }
    announce(
        &app,
        "limits-owner",
        &id,
        &json!({"filename": "one-too-many.jpg", "content_type": "image/jpeg", "size": 10}),
    )
    .await
    .assert_problem(409, "too-many-documents");
    // Announcements never confirmed within the hour are abandoned: they stop counting
    // and the next announcement removes them.
    {
        use infra::entity::document;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
        let db = app.db().await;
        let aged = document::Entity::update_many()
            .col_expr(
                document::Column::CreatedAt,
                Expr::value(chrono::Utc::now() - chrono::Duration::minutes(61)),
            )
            .filter(document::Column::Filename.is_in(["piece-1.jpg", "piece-2.jpg"]))
            .exec(&db)
            .await
            .expect("age two announcements");
        assert_eq!(aged.rows_affected, 2);
        let room = announce(
            &app,
            "limits-owner",
            &id,
            &json!({"filename": "after-cleanup.jpg", "content_type": "image/jpeg", "size": 10}),
        )
        .await;
        assert_eq!(room.status, StatusCode::CREATED, "{}", room.text);
        let left = document::Entity::find()
            .filter(document::Column::Filename.is_in(["piece-1.jpg", "piece-2.jpg"]))
            .all(&db)
            .await
            .expect("documents");
        assert!(left.is_empty(), "abandoned announcements removed");
    }
    // Unknown fields are refused like everywhere else.
    let unknown = announce(
        &app,
        "limits-owner",
        &id,
        &json!({"filename": "a.pdf", "content_type": "application/pdf", "size": 1, "path": "/tmp"}),
    )
    .await;
    assert_eq!(
        unknown.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        unknown.text
    );
}

async fn closed_requests_take_no_documents_and_degraded_mode_hides_listings(app: TestApp) {
    let id = submitted(&app, "closed-owner").await;
    let withdrawn = app
        .act(&app.applicant("closed-owner"), &id, "withdraw", None)
        .await;
    assert_eq!(withdrawn.status, StatusCode::OK, "{}", withdrawn.text);
    announce(
        &app,
        "closed-owner",
        &id,
        &json!({"filename": "late.pdf", "content_type": "application/pdf", "size": 10}),
    )
    .await
    .assert_problem(409, "documents-closed");

    let admin = app.admin();
    let on = app
        .send(
            app.request(Method::PUT, "/api/v1/admin/degraded-mode")
                .bearer_auth(&admin)
                .json(&json!({"enabled": true})),
        )
        .await;
    assert_eq!(on.status, StatusCode::OK, "{}", on.text);
    let listed = app
        .get(
            &format!("/api/v1/loan-requests/{id}/documents"),
            Some(&app.applicant("closed-owner")),
        )
        .await;
    listed.assert_problem(503, "degraded-mode");
    assert!(listed.headers.contains_key("retry-after"));
}

async fn remove(app: &TestApp, token: &str, id: &str, document: &str) -> harness::Reply {
    app.delete(
        &format!("/api/v1/loan-requests/{id}/documents/{document}"),
        Some(token),
    )
    .await
}

async fn listed_names(app: &TestApp, token: &str, id: &str) -> Vec<String> {
    let listed = app
        .get(
            &format!("/api/v1/loan-requests/{id}/documents"),
            Some(token),
        )
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text);
    listed.json["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|d| d["filename"].as_str().expect("filename").to_owned())
        .collect()
}

async fn the_owner_removes_pending_documents_only(app: TestApp) {
    let id = submitted(&app, "rm-owner").await;
    let owner = app.applicant("rm-owner");
    let bytes = pdf_bytes(2048);
    let declared = |name: &str| json!({"filename": name, "content_type": "application/pdf", "size": bytes.len()});

    // Announced, nothing uploaded: only its owner may remove it.
    let never = announce(&app, "rm-owner", &id, &declared("never.pdf")).await;
    assert_eq!(never.status, StatusCode::CREATED, "{}", never.text);
    let never_id = never.json["document_id"].as_str().expect("id").to_owned();
    assert_eq!(listed_names(&app, &owner, &id).await, ["never.pdf"]);
    remove(&app, &app.applicant("rm-other"), &id, &never_id)
        .await
        .assert_problem(404, "not-found");
    remove(&app, &app.reviewer("rm-rev", "30004"), &id, &never_id)
        .await
        .assert_problem(403, "forbidden");
    remove(&app, &app.admin(), &id, &never_id)
        .await
        .assert_problem(403, "forbidden");
    let unknown = uuid::Uuid::new_v4().to_string();
    remove(&app, &owner, &id, &unknown)
        .await
        .assert_problem(404, "not-found");
    remove(&app, &owner, &unknown, &never_id)
        .await
        .assert_problem(404, "not-found");
    remove(&app, &owner, &id, "not-a-uuid")
        .await
        .assert_problem(404, "not-found");
    let removed = remove(&app, &owner, &id, &never_id).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.text);
    assert!(listed_names(&app, &owner, &id).await.is_empty());
    remove(&app, &owner, &id, &never_id)
        .await
        .assert_problem(404, "not-found");
    complete(&app, "rm-owner", &id, &never_id)
        .await
        .assert_problem(404, "not-found");

    // Uploaded but not confirmed: the object goes with the record. While it is stored,
    // its write-once URL refuses a second upload; once removed, the URL finds no object.
    let sent = announce(&app, "rm-owner", &id, &declared("sent.pdf")).await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.text);
    let sent_id = sent.json["document_id"].as_str().expect("id").to_owned();
    let uploaded = upload(&app, &sent.json, bytes.clone()).await;
    assert_eq!(uploaded.status, StatusCode::OK, "{}", uploaded.text);
    upload(&app, &sent.json, bytes.clone())
        .await
        .assert_problem(412, "document-already-uploaded");
    let removed = remove(&app, &owner, &id, &sent_id).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.text);
    let again = upload(&app, &sent.json, bytes.clone()).await;
    assert_eq!(
        again.status,
        StatusCode::OK,
        "object removed: {}",
        again.text
    );
    assert!(listed_names(&app, &owner, &id).await.is_empty());

    // Confirmed: it stays, listed for the owner and the bank.
    let kept = announce(&app, "rm-owner", &id, &declared("kept.pdf")).await;
    let kept_id = kept.json["document_id"].as_str().expect("id").to_owned();
    let uploaded = upload(&app, &kept.json, bytes.clone()).await;
    assert_eq!(uploaded.status, StatusCode::OK, "{}", uploaded.text);
    let completed = complete(&app, "rm-owner", &id, &kept_id).await;
    assert_eq!(completed.status, StatusCode::OK, "{}", completed.text);
    remove(&app, &owner, &id, &kept_id)
        .await
        .assert_problem(409, "document-confirmed");
    assert_eq!(listed_names(&app, &owner, &id).await, ["kept.pdf"]);
    assert_eq!(
        listed_names(&app, &app.reviewer("rm-rev", "30004"), &id).await,
        ["kept.pdf"]
    );
}

on_both_backends!(
    the_owner_removes_pending_documents_only,
    a_document_goes_from_announcement_to_download,
    signed_urls_bind_type_length_key_and_expiry,
    document_limits_are_enforced,
    closed_requests_take_no_documents_and_degraded_mode_hides_listings,
);
