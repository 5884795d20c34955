//! Four eyes on large grants (docs/RULES.md §21), on both databases: each bank's
//! threshold (admins set it, the bank's reviewers read it), the first reviewer's grant
//! awaiting a second reviewer, never the same one, the send-back with a reason, and the
//! races of twelve reviewers at once.

use harness::{Backend, Reply, TestApp, on_both_backends, random_siren, submission};
use reqwest::Method;
use serde_json::json;

/// Submits a request of `amount` cents at BNP Paribas (30004), takes it to
/// `pre_approved` and obtains its guarantee identifier; its id and identifier.
async fn ready_to_grant(app: &TestApp, owner: &str, amount: i64) -> (String, String) {
    let created = app
        .submit(owner, &submission(&random_siren(), amount))
        .await;
    let id = created["id"].as_str().expect("id").to_owned();
    let reviewer = app.reviewer("rev-prep", "30004");
    assert_eq!(app.act(&reviewer, &id, "review", None).await.status, 200);
    let decided = app
        .act(
            &reviewer,
            &id,
            "decision",
            Some(&json!({"decision": "pre_approve"})),
        )
        .await;
    assert_eq!(decided.json["status"], "pre_approved", "{}", decided.text);
    let identifier = app.obtain_identifier(owner, &id).await;
    (id, identifier)
}

async fn set_threshold(app: &TestApp, bank: &str, cents: Option<i64>) -> Reply {
    app.put(
        &format!("/api/v1/banks/{bank}/grant-threshold"),
        Some(&app.admin()),
        &json!({"threshold_cents": cents}),
    )
    .await
}

fn actions(events: &Reply) -> Vec<String> {
    events
        .json
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["action"].as_str().map(str::to_owned))
        .collect()
}

async fn admins_set_thresholds_and_the_banks_reviewers_read_theirs(app: TestApp) {
    let path = "/api/v1/banks/30004/grant-threshold";
    let unset = app.get(path, Some(&app.admin())).await;
    assert_eq!(unset.status, 200, "{}", unset.text);
    assert_eq!(
        unset.json,
        json!({"bank_id": "30004", "threshold_cents": null})
    );
    let set = set_threshold(&app, "30004", Some(3_000_000)).await;
    assert_eq!(set.status, 200, "{}", set.text);
    assert_eq!(set.json["threshold_cents"], 3_000_000);
    let read = app.get(path, Some(&app.reviewer("rev-a", "30004"))).await;
    assert_eq!(read.json["threshold_cents"], 3_000_000);
    app.get(path, Some(&app.reviewer("rev-other", "30003")))
        .await
        .assert_problem(404, "not-found");
    app.get(path, Some(&app.applicant("someone")))
        .await
        .assert_problem(403, "forbidden");
    app.put(
        path,
        Some(&app.reviewer("rev-a", "30004")),
        &json!({"threshold_cents": 1}),
    )
    .await
    .assert_problem(403, "forbidden");
    let negative = set_threshold(&app, "30004", Some(-1)).await;
    negative.assert_problem(422, "validation-failed");
    assert_eq!(negative.error_fields(), ["threshold_cents"]);
    set_threshold(&app, "30004", Some(100_000_000_001))
        .await
        .assert_problem(422, "validation-failed");
    set_threshold(&app, "99999", Some(1))
        .await
        .assert_problem(404, "not-found");
    let removed = set_threshold(&app, "30004", None).await;
    assert_eq!(removed.json["threshold_cents"], json!(null));
    assert_eq!(
        app.get(path, Some(&app.admin())).await.json["threshold_cents"],
        json!(null)
    );
}

async fn above_the_threshold_a_second_reviewer_confirms(app: TestApp) {
    assert_eq!(
        set_threshold(&app, "30004", Some(3_000_000)).await.status,
        200
    );
    let owner = app.applicant("owner-4eyes");
    let alice = app.reviewer("alice", "30004");
    let bob = app.reviewer("bob", "30004");
    // At the threshold exactly: one reviewer grants.
    let (at, at_identifier) = ready_to_grant(&app, &owner, 3_000_000).await;
    let granted = app.grant(&alice, &at, &at_identifier).await;
    assert_eq!(granted.json["status"], "granted", "{}", granted.text);

    // Above it: Alice's grant awaits a second reviewer.
    let (id, identifier) = ready_to_grant(&app, &owner, 3_000_001).await;
    let first = app.grant(&alice, &id, &identifier).await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(first.json["status"], "pre_approved");
    assert_eq!(
        first.json["awaiting_second_approval"]["requested_by"],
        "alice"
    );
    // The applicant sees it awaiting, without the reviewer's name.
    let seen = app
        .get(&format!("/api/v1/loan-requests/{id}"), Some(&owner))
        .await;
    assert!(
        seen.json["awaiting_second_approval"]["requested_at"].is_string(),
        "{}",
        seen.text
    );
    assert!(
        seen.json["awaiting_second_approval"]
            .get("requested_by")
            .is_none()
    );
    // Alice cannot confirm her own grant; nothing changes.
    app.grant(&alice, &id, &identifier)
        .await
        .assert_problem(409, "second-reviewer-required");
    // Bob must type the right identifier too.
    let wrong = app.grant(&bob, &id, "PGE-0000-0000-0001-2").await;
    wrong.assert_problem(422, "validation-failed");
    let still = app
        .get(&format!("/api/v1/loan-requests/{id}"), Some(&bob))
        .await;
    assert_eq!(still.json["status"], "pre_approved");
    assert_eq!(
        still.json["awaiting_second_approval"]["requested_by"],
        "alice"
    );
    // Bob confirms.
    let second = app.grant(&bob, &id, &identifier).await;
    assert_eq!(second.json["status"], "granted", "{}", second.text);
    assert!(second.json.get("awaiting_second_approval").is_none());
    let guarantee = app
        .get(
            &format!("/api/v1/loan-requests/{id}/guarantee"),
            Some(&owner),
        )
        .await;
    assert_eq!(guarantee.json["status"], "used");
    let events = app
        .get(&format!("/api/v1/loan-requests/{id}/events"), Some(&bob))
        .await;
    assert_eq!(
        actions(&events),
        [
            "submit",
            "review",
            "pre_approve",
            "issue_guarantee",
            "request_grant",
            "grant"
        ]
    );
    let trail = events.json.as_array().expect("events");
    assert_eq!(trail[4]["actor_subject"], "alice");
    assert_eq!(trail[5]["actor_subject"], "bob");
}

async fn a_pending_grant_is_sent_back_with_a_reason(app: TestApp) {
    assert_eq!(
        set_threshold(&app, "30004", Some(1_000_000)).await.status,
        200
    );
    let owner = app.applicant("owner-return");
    let alice = app.reviewer("alice", "30004");
    let bob = app.reviewer("bob", "30004");
    let (id, identifier) = ready_to_grant(&app, &owner, 2_000_000).await;
    // Nothing pending yet.
    app.act(
        &bob,
        &id,
        "grant/return",
        Some(&json!({"reason": "Montant à revoir"})),
    )
    .await
    .assert_problem(409, "no-pending-grant");
    assert_eq!(app.grant(&alice, &id, &identifier).await.status, 200);
    let no_reason = app.act(&bob, &id, "grant/return", Some(&json!({}))).await;
    no_reason.assert_problem(422, "validation-failed");
    assert_eq!(no_reason.error_fields(), ["reason"]);
    let returned = app
        .act(
            &bob,
            &id,
            "grant/return",
            Some(&json!({"reason": "Montant à revoir avec le client"})),
        )
        .await;
    assert_eq!(returned.status, 200, "{}", returned.text);
    assert_eq!(returned.json["status"], "pre_approved");
    assert!(returned.json.get("awaiting_second_approval").is_none());
    assert_eq!(
        returned.json["decision_reason"],
        "Montant à revoir avec le client"
    );
    // Bob's grant is now a first approval of its own, which Alice may confirm.
    let first = app.grant(&bob, &id, &identifier).await;
    assert_eq!(
        first.json["awaiting_second_approval"]["requested_by"],
        "bob"
    );
    // A withdrawal ends the pending grant with the guarantee.
    let withdrawn = app.act(&owner, &id, "withdraw", None).await;
    assert_eq!(withdrawn.json["status"], "withdrawn", "{}", withdrawn.text);
    let after = app
        .get(&format!("/api/v1/loan-requests/{id}"), Some(&alice))
        .await;
    assert!(after.json.get("awaiting_second_approval").is_none());
    let events = app
        .get(&format!("/api/v1/loan-requests/{id}/events"), Some(&alice))
        .await;
    assert_eq!(
        actions(&events),
        [
            "submit",
            "review",
            "pre_approve",
            "issue_guarantee",
            "request_grant",
            "return_grant",
            "request_grant",
            "withdraw"
        ]
    );
}

on_both_backends!(
    admins_set_thresholds_and_the_banks_reviewers_read_theirs,
    above_the_threshold_a_second_reviewer_confirms,
    a_pending_grant_is_sent_back_with_a_reason,
);

/// Twelve reviewers of the bank grant at once, at the same version: exactly one first
/// approval is recorded; then twelve others confirm at once: exactly one grant.
async fn twelve_reviewers_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    assert_eq!(
        set_threshold(&app, "30004", Some(1_000_000)).await.status,
        200
    );
    let owner = app.applicant("owner-race");
    let (id, identifier) = ready_to_grant(&app, &owner, 2_000_000).await;
    let race = |names: Vec<String>| {
        let app = &app;
        let id = id.clone();
        let identifier = identifier.clone();
        async move {
            let etag = app
                .get(&format!("/api/v1/loan-requests/{id}"), Some(&app.admin()))
                .await
                .headers
                .get("etag")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
                .expect("etag");
            let grants = names.iter().map(|name| {
                let token = app.reviewer(name, "30004");
                let builder = app
                    .request(Method::POST, &format!("/api/v1/loan-requests/{id}/grant"))
                    .bearer_auth(token)
                    .header("if-match", etag.clone())
                    .json(&json!({"guarantee_identifier": identifier}));
                app.send(builder)
            });
            futures::future::join_all(grants).await
        }
    };
    let firsts = race((0..12).map(|i| format!("first-{i}")).collect()).await;
    let won: Vec<&Reply> = firsts.iter().filter(|r| r.status == 200).collect();
    assert_eq!(won.len(), 1, "{firsts:?}");
    assert_eq!(won[0].json["status"], "pre_approved");
    for lost in firsts.iter().filter(|r| r.status != 200) {
        lost.assert_problem(412, "precondition-failed");
    }
    let seconds = race((0..12).map(|i| format!("second-{i}")).collect()).await;
    let granted: Vec<&Reply> = seconds.iter().filter(|r| r.status == 200).collect();
    assert_eq!(granted.len(), 1, "{seconds:?}");
    assert_eq!(granted[0].json["status"], "granted");
    for lost in seconds.iter().filter(|r| r.status != 200) {
        lost.assert_problem(412, "precondition-failed");
    }
    let events = app
        .get(
            &format!("/api/v1/loan-requests/{id}/events"),
            Some(&app.admin()),
        )
        .await;
    let trail = actions(&events);
    assert_eq!(trail.iter().filter(|a| *a == "request_grant").count(), 1);
    assert_eq!(trail.iter().filter(|a| *a == "grant").count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twelve_reviewers_at_once_postgres() {
    twelve_reviewers_at_once(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twelve_reviewers_at_once_sqlite() {
    twelve_reviewers_at_once(Backend::Sqlite).await;
}
