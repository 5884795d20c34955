//! The back office's conversation and bulk decisions: messages between an applicant and
//! the reviewers of their request's bank (unread counts, e-mails that never carry the
//! content, the same tenancy as every other route), and one decision on many requests,
//! each item decided and reported on its own.

use futures::StreamExt as _;
use harness::{TestApp, on_both_backends, random_siren, submission};
use infra::entity::outbox_message;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

/// Every outbox message about `id`, oldest first.
async fn outbox_rows(app: &TestApp, id: &str) -> Vec<outbox_message::Model> {
    let id = uuid::Uuid::parse_str(id).expect("uuid");
    outbox_message::Entity::find()
        .filter(outbox_message::Column::LoanRequestId.eq(id))
        .order_by_asc(outbox_message::Column::CreatedAt)
        .order_by_asc(outbox_message::Column::Id)
        .all(&app.db().await)
        .await
        .expect("outbox")
}

/// `(kind, recipient)` of every outbox message about `id`, oldest first.
async fn outbox(app: &TestApp, id: &str) -> Vec<(String, String)> {
    outbox_rows(app, id)
        .await
        .into_iter()
        .map(|m| (m.kind, m.recipient))
        .collect()
}

fn unread_in_list(list: &Value, id: &str) -> Option<u64> {
    list["items"].as_array()?.iter().find(|r| r["id"] == id)?["unread_messages"].as_u64()
}

async fn applicant_and_bank_talk_behind_sign_in(app: TestApp) {
    let owner = app.applicant("owner-talk");
    let reviewer = app.reviewer("rev-talk", "30004");
    let created = app
        .submit(&owner, &submission(&random_siren(), 2_000_000))
        .await;
    let id = created["id"].as_str().expect("id");
    let thread = format!("/api/v1/loan-requests/{id}/messages");

    let empty = app.get(&thread, Some(&reviewer)).await;
    assert_eq!(empty.status, 200, "{}", empty.text);
    assert_eq!(empty.json["items"], json!([]));

    let asked = "Pourriez-vous joindre le bilan 2025 ?\nMerci.";
    let posted = app
        .post(
            &thread,
            Some(&reviewer),
            &json!({"body": format!("  {asked}  ")}),
        )
        .await;
    assert_eq!(posted.status, 201, "{}", posted.text);
    assert_eq!(posted.json["from"], "bank");
    assert_eq!(posted.json["body"], asked, "trimmed, newline kept");

    // The applicant has one unread message, in the list and on the request; the bank
    // has none (its own message is not "unread" for it).
    let listed = app.get("/api/v1/loan-requests", Some(&owner)).await;
    assert_eq!(unread_in_list(&listed.json, id), Some(1), "{}", listed.text);
    let one = app
        .get(&format!("/api/v1/loan-requests/{id}"), Some(&owner))
        .await;
    assert_eq!(one.json["unread_messages"], 1);
    let bank_list = app.get("/api/v1/loan-requests", Some(&reviewer)).await;
    assert_eq!(unread_in_list(&bank_list.json, id), Some(0));

    // An admin reads without marking read, and does not write.
    let admin = app.admin();
    let read_by_admin = app.get(&thread, Some(&admin)).await;
    assert_eq!(read_by_admin.json["items"][0]["body"], asked);
    let admin_list = app.get("/api/v1/loan-requests", Some(&admin)).await;
    assert_eq!(
        unread_in_list(&admin_list.json, id),
        None,
        "admins have no side"
    );
    app.post(&thread, Some(&admin), &json!({"body": "Bonjour"}))
        .await
        .assert_problem(403, "forbidden");
    let still = app.get("/api/v1/loan-requests", Some(&owner)).await;
    assert_eq!(unread_in_list(&still.json, id), Some(1));

    // The applicant reads the thread: now read. They answer; the bank has one unread.
    let read = app.get(&thread, Some(&owner)).await;
    assert_eq!(read.json["items"].as_array().map(Vec::len), Some(1));
    let after = app.get("/api/v1/loan-requests", Some(&owner)).await;
    assert_eq!(unread_in_list(&after.json, id), Some(0));
    let answer = app
        .post(
            &thread,
            Some(&owner),
            &json!({"body": "Le voici, en pièce jointe."}),
        )
        .await;
    assert_eq!(answer.status, 201, "{}", answer.text);
    assert_eq!(answer.json["from"], "applicant");
    let bank_after = app.get("/api/v1/loan-requests", Some(&reviewer)).await;
    assert_eq!(unread_in_list(&bank_after.json, id), Some(1));
    let both = app.get(&thread, Some(&reviewer)).await;
    let froms: Vec<&str> = both.json["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|m| m["from"].as_str().expect("from"))
        .collect();
    assert_eq!(froms, ["bank", "applicant"], "oldest first");

    // Each message is an audit line that leaves the status as it was, and carries
    // no text.
    let events = app
        .get(&format!("/api/v1/loan-requests/{id}/events"), Some(&owner))
        .await;
    let messages: Vec<&Value> = events
        .json
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["action"] == "message")
        .collect();
    assert_eq!(messages.len(), 2, "{}", events.text);
    for event in messages {
        assert_eq!(event["from_status"], "submitted");
        assert_eq!(event["to_status"], "submitted");
        assert!(event["reason"].is_null());
    }
    assert_eq!(
        app.get(&format!("/api/v1/loan-requests/{id}"), Some(&owner))
            .await
            .json["version"],
        1,
        "a message is not a state change: the ETag stays"
    );

    // The bank's message is e-mailed to the applicant's contact address; BNP Paribas
    // (seeded) has no notification address, so the answer e-mails nobody.
    assert_eq!(
        outbox(&app, id).await,
        [
            (
                "submission_received".to_owned(),
                "gerant@boulangerie.example".to_owned()
            ),
            (
                "message_to_applicant".to_owned(),
                "gerant@boulangerie.example".to_owned()
            ),
        ]
    );

    // Anyone else: 404, exactly as for the request.
    for token in [
        app.applicant("someone-else"),
        app.reviewer("rev-other", "30003"),
    ] {
        app.get(&thread, Some(&token))
            .await
            .assert_problem(404, "not-found");
        app.post(&thread, Some(&token), &json!({"body": "Bonjour"}))
            .await
            .assert_problem(404, "not-found");
    }
    app.get(&thread, None)
        .await
        .assert_problem(401, "unauthorized");
}

async fn a_bank_with_a_mailbox_is_told_when_the_applicant_writes(app: TestApp) {
    let admin = app.admin();
    let bank = app
        .post(
            "/api/v1/banks",
            Some(&admin),
            &json!({"id": "16606", "name": "Banque régionale", "notification_email": "pge@banque-regionale.example"}),
        )
        .await;
    assert_eq!(bank.status, 201, "{}", bank.text);
    // The address is checked like any other.
    let refused = app
        .post(
            "/api/v1/banks",
            Some(&admin),
            &json!({"id": "16607", "name": "Autre banque", "notification_email": "pas une adresse"}),
        )
        .await;
    refused.assert_problem(422, "validation-failed");
    assert_eq!(refused.error_fields(), ["notification_email"]);

    let owner = app.applicant("owner-mailbox");
    let mut body = submission(&random_siren(), 2_000_000);
    body["bank_id"] = json!("16606");
    let created = app.submit(&owner, &body).await;
    let id = created["id"].as_str().expect("id");
    let posted = app
        .post(
            &format!("/api/v1/loan-requests/{id}/messages"),
            Some(&owner),
            &json!({"body": "Notre trésorerie couvre trois semaines"}),
        )
        .await;
    assert_eq!(posted.status, 201, "{}", posted.text);
    let rows = outbox(&app, id).await;
    assert_eq!(
        rows.last(),
        Some(&(
            "message_to_bank".to_owned(),
            "pge@banque-regionale.example".to_owned()
        ))
    );
    // The content never goes into the e-mail's payload.
    for row in outbox_rows(&app, id).await {
        assert!(!row.payload.contains("trésorerie"), "{}", row.payload);
    }
}

async fn a_message_is_checked_before_it_is_stored(app: TestApp) {
    let owner = app.applicant("owner-bad-message");
    let created = app
        .submit(&owner, &submission(&random_siren(), 2_000_000))
        .await;
    let id = created["id"].as_str().expect("id");
    let thread = format!("/api/v1/loan-requests/{id}/messages");
    for (body, code) in [
        (json!({"body": "é".repeat(5_001)}), "too-long"),
        (json!({"body": "   \n "}), "required"),
        (json!({"body": "cloche\u{7}"}), "invalid-characters"),
        (
            json!({"body": "facture\u{202e}fdp.exe"}),
            "invalid-characters",
        ),
    ] {
        let reply = app.post(&thread, Some(&owner), &body).await;
        reply.assert_problem(422, "validation-failed");
        assert_eq!(reply.error_fields(), ["body"], "{}", reply.text);
        assert_eq!(reply.json["errors"][0]["code"], code, "{}", reply.text);
    }
    let missing = app.post(&thread, Some(&owner), &json!({})).await;
    assert_eq!(missing.status, 422, "{}", missing.text);
    let exact = app
        .post(&thread, Some(&owner), &json!({"body": "é".repeat(5_000)}))
        .await;
    assert_eq!(exact.status, 201, "5,000 characters fit: {}", exact.text);
    let stored = app.get(&thread, Some(&owner)).await;
    assert_eq!(stored.json["items"].as_array().map(Vec::len), Some(1));
}

/// Submits `n` requests at the reviewers' bank; returns their ids.
async fn requests(app: &TestApp, owner: &str, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for _ in 0..n {
        let created = app
            .submit(owner, &submission(&random_siren(), 2_000_000))
            .await;
        ids.push(created["id"].as_str().expect("id").to_owned());
    }
    ids
}

async fn status_of(app: &TestApp, id: &str) -> (String, i64) {
    let read = app
        .get(&format!("/api/v1/loan-requests/{id}"), Some(&app.admin()))
        .await;
    (
        read.json["status"].as_str().expect("status").to_owned(),
        read.json["version"].as_i64().expect("version"),
    )
}

async fn bulk_decisions_report_each_item(app: TestApp) {
    let owner = app.applicant("owner-bulk");
    let ids = requests(&app, &owner, 3).await;
    let other_bank = {
        let mut body = submission(&random_siren(), 2_000_000);
        body["bank_id"] = json!("30003");
        app.submit(&owner, &body).await["id"]
            .as_str()
            .expect("id")
            .to_owned()
    };
    let reviewer = app.reviewer("rev-bulk", "30004");
    let bulk = "/api/v1/loan-requests/bulk-decisions";
    let items = |versions: &[(&str, i64)]| -> Value {
        versions
            .iter()
            .map(|(id, v)| json!({"id": id, "version": v}))
            .collect()
    };

    let reviewed = app
        .post(
            bulk,
            Some(&reviewer),
            &json!({"action": "review", "items": items(&[(&ids[0], 1), (&ids[1], 1), (&ids[2], 1), (&other_bank, 1)])}),
        )
        .await;
    assert_eq!(reviewed.status, 200, "{}", reviewed.text);
    let results = reviewed.json["results"].as_array().expect("results");
    assert_eq!(results.len(), 4);
    for (result, id) in results.iter().zip(&ids) {
        assert_eq!(result["id"], id.as_str());
        assert_eq!(result["status"], "in_review", "{result}");
        assert_eq!(result["version"], 2);
        assert!(result["problem"].is_null());
    }
    // Another bank's request: "not found", as alone, and untouched.
    assert_eq!(results[3]["problem"]["status"], 404, "{}", reviewed.text);
    assert!(results[3]["status"].is_null());
    assert_eq!(
        status_of(&app, &other_bank).await,
        ("submitted".to_owned(), 1)
    );

    // Pre-approve three, one with a stale version: two pass, one is reported 412.
    let approved = app
        .post(
            bulk,
            Some(&reviewer),
            &json!({"action": "pre_approve", "items": items(&[(&ids[0], 2), (&ids[1], 1), (&ids[2], 2)])}),
        )
        .await;
    assert_eq!(approved.status, 200, "{}", approved.text);
    let results = approved.json["results"].as_array().expect("results");
    assert_eq!(results[0]["status"], "pre_approved");
    assert_eq!(results[2]["status"], "pre_approved");
    assert_eq!(results[1]["problem"]["status"], 412, "{}", approved.text);
    assert!(
        results[1]["problem"]["type"]
            .as_str()
            .is_some_and(|t| t.ends_with("precondition-failed")),
        "{}",
        approved.text
    );
    assert_eq!(status_of(&app, &ids[1]).await, ("in_review".to_owned(), 2));

    // A transition the state machine refuses is reported 409 for that item.
    let again = app
        .post(
            bulk,
            Some(&reviewer),
            &json!({"action": "review", "items": items(&[(&ids[0], 3)])}),
        )
        .await;
    assert_eq!(
        again.json["results"][0]["problem"]["status"], 409,
        "{}",
        again.text
    );

    // Every decision is audited and e-mailed like a single one.
    let events = app
        .get(
            &format!("/api/v1/loan-requests/{}/events", ids[0]),
            Some(&owner),
        )
        .await;
    let actions: Vec<&str> = events
        .json
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["action"].as_str().expect("action"))
        .collect();
    assert_eq!(actions, ["submit", "review", "pre_approve"]);
    assert!(
        outbox(&app, &ids[0])
            .await
            .iter()
            .any(|(kind, _)| kind == "pre_approved")
    );

    // A rejection in bulk carries its reason to each request.
    let rejected = app
        .post(
            bulk,
            Some(&reviewer),
            &json!({"action": "reject", "reason": "Dossier incomplet", "items": items(&[(&ids[1], 2)])}),
        )
        .await;
    assert_eq!(
        rejected.json["results"][0]["status"], "rejected",
        "{}",
        rejected.text
    );
    let read = app
        .get(&format!("/api/v1/loan-requests/{}", ids[1]), Some(&owner))
        .await;
    assert_eq!(read.json["decision_reason"], "Dossier incomplet");
}

async fn a_bulk_request_wrong_as_a_whole_writes_nothing(app: TestApp) {
    let owner = app.applicant("owner-bulk-bad");
    let ids = requests(&app, &owner, 2).await;
    let reviewer = app.reviewer("rev-bulk-bad", "30004");
    let bulk = "/api/v1/loan-requests/bulk-decisions";
    let item = |id: &str| json!({"id": id, "version": 1});

    let many: Vec<Value> = (0..101)
        .map(|i| {
            if i < 2 {
                item(&ids[i])
            } else {
                item(&uuid::Uuid::new_v4().to_string())
            }
        })
        .collect();
    for (body, fields) in [
        (json!({"action": "review", "items": many}), vec!["items"]),
        (json!({"action": "review", "items": []}), vec!["items"]),
        (
            json!({"action": "review", "items": [item(&ids[0]), item(&ids[1]), item(&ids[0])]}),
            vec!["items[2].id"],
        ),
        (
            json!({"action": "reject", "items": [item(&ids[0])]}),
            vec!["reason"],
        ),
        (
            json!({"action": "reject", "reason": "\u{0}", "items": [item(&ids[0])]}),
            vec!["reason"],
        ),
        (
            json!({"action": "review", "reason": "pourquoi pas", "items": [item(&ids[0])]}),
            vec!["reason"],
        ),
    ] {
        let reply = app.post(bulk, Some(&reviewer), &body).await;
        reply.assert_problem(422, "validation-failed");
        assert_eq!(reply.error_fields(), fields, "{}", reply.text);
    }
    let bad_id = app
        .post(
            bulk,
            Some(&reviewer),
            &json!({"action": "review", "items": [item(&ids[0]), {"id": "PGE-1", "version": 1}]}),
        )
        .await;
    assert_eq!(bad_id.status, 422, "{}", bad_id.text);
    let unknown_action = app
        .post(
            bulk,
            Some(&reviewer),
            &json!({"action": "grant", "items": [item(&ids[0])]}),
        )
        .await;
    assert_eq!(unknown_action.status, 422, "{}", unknown_action.text);
    for token in [owner.clone(), app.admin()] {
        app.post(
            bulk,
            Some(&token),
            &json!({"action": "review", "items": [item(&ids[0])]}),
        )
        .await
        .assert_problem(403, "forbidden");
    }
    for id in &ids {
        assert_eq!(
            status_of(&app, id).await,
            ("submitted".to_owned(), 1),
            "nothing written"
        );
    }
}

/// The 500-message bound holds under concurrent posts: the request's row is locked while
/// its thread is counted (PostgreSQL; SQLite's single writer serialises anyway).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thread_never_holds_more_than_500_messages() {
    let app = TestApp::spawn_with(
        harness::Backend::Postgres,
        harness::Options {
            limits: Some(api::limits::Limits {
                per_ip_per_second: 0,
                per_principal_per_second: 0,
                ..api::limits::Limits::default()
            }),
            ..harness::Options::default()
        },
    )
    .await;
    let owner = app.applicant("owner-full-thread");
    let created = app
        .submit(&owner, &submission(&random_siren(), 2_000_000))
        .await;
    let id = created["id"].as_str().expect("id").to_owned();
    let thread = format!("/api/v1/loan-requests/{id}/messages");
    // The first 490, eight at a time (they fit whatever their order).
    futures::stream::iter(0..490)
        .for_each_concurrent(8, |i| {
            let (app, thread, owner) = (&app, &thread, &owner);
            async move {
                let posted = app
                    .post(
                        thread,
                        Some(owner),
                        &json!({"body": format!("message {i}")}),
                    )
                    .await;
                assert_eq!(posted.status, 201, "{}", posted.text);
            }
        })
        .await;
    let reviewer = app.reviewer("rev-full-thread", "30004");
    let replies = futures::future::join_all((0..40).map(|i| {
        let (app, thread, token) = (&app, &thread, if i % 2 == 0 { &owner } else { &reviewer });
        async move {
            app.post(
                thread,
                Some(token),
                &json!({"body": format!("at once {i}")}),
            )
            .await
        }
    }))
    .await;
    let created = replies.iter().filter(|r| r.status == 201).count();
    assert_eq!(created, 10, "exactly the 10 that fit");
    for refused in replies.iter().filter(|r| r.status != 201) {
        refused.assert_problem(409, "thread-full");
    }
    let stored = app.get(&thread, Some(&owner)).await;
    assert_eq!(stored.json["items"].as_array().map(Vec::len), Some(500));
}

on_both_backends!(
    applicant_and_bank_talk_behind_sign_in,
    a_bank_with_a_mailbox_is_told_when_the_applicant_writes,
    a_message_is_checked_before_it_is_stored,
    bulk_decisions_report_each_item,
    a_bulk_request_wrong_as_a_whole_writes_nothing,
);
