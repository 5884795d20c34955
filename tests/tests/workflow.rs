//! The review workflow of SPEC §3 as bank reviewers drive it.

use harness::{Backend, TestApp, on_both_backends, random_siren, submission};
use serde_json::json;

async fn reviewer_takes_in_review_pre_approves_and_grants(app: TestApp) {
    let owner = app.applicant("owner-flow");
    let created = app
        .submit(&owner, &submission(&random_siren(), 2_000_000))
        .await;
    let id = created["id"].as_str().expect("id");
    let reviewer = app.reviewer("rev-bnp", "30004");

    let listed = app.get("/api/v1/loan-requests", Some(&reviewer)).await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.json["items"][0]["id"], created["id"]);

    // Pre-approval straight from `submitted` is not a valid transition.
    app.act(
        &reviewer,
        id,
        "decision",
        Some(&json!({"decision": "pre_approve"})),
    )
    .await
    .assert_problem(409, "invalid-transition");
    let review = app.act(&reviewer, id, "review", None).await;
    assert_eq!(review.status, 200, "{}", review.text);
    assert_eq!(review.json["status"], "in_review");
    let decided = app
        .act(
            &reviewer,
            id,
            "decision",
            Some(&json!({"decision": "pre_approve"})),
        )
        .await;
    assert_eq!(decided.json["status"], "pre_approved", "{}", decided.text);
    let granted = app.act(&reviewer, id, "grant", None).await;
    assert_eq!(granted.json["status"], "granted");
    assert_eq!(granted.json["version"], 4);

    let events = app
        .get(&format!("/api/v1/loan-requests/{id}/events"), Some(&owner))
        .await;
    let actions: Vec<&str> = events
        .json
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["action"].as_str().expect("action"))
        .collect();
    assert_eq!(actions, ["submit", "review", "pre_approve", "grant"]);
    assert_eq!(events.json[1]["actor_role"], "reviewer");
    assert_eq!(events.json[1]["actor_subject"], "rev-bnp");
    // The applicant can no longer withdraw a granted request.
    app.act(&owner, id, "withdraw", None)
        .await
        .assert_problem(409, "invalid-transition");
}

async fn rejection_needs_a_reason_and_records_it(app: TestApp) {
    let owner = app.applicant("owner-rej");
    let created = app
        .submit(&owner, &submission(&random_siren(), 2_000_000))
        .await;
    let id = created["id"].as_str().expect("id");
    let reviewer = app.reviewer("rev-bnp", "30004");
    let missing = app
        .act(
            &reviewer,
            id,
            "decision",
            Some(&json!({"decision": "reject"})),
        )
        .await;
    missing.assert_problem(422, "validation-failed");
    assert_eq!(missing.error_fields(), vec!["reason".to_owned()]);
    let long = app
        .act(
            &reviewer,
            id,
            "decision",
            Some(&json!({"decision": "reject", "reason": "x".repeat(10_000)})),
        )
        .await;
    long.assert_problem(422, "validation-failed");
    let unknown = app
        .act(
            &reviewer,
            id,
            "decision",
            Some(&json!({"decision": "maybe"})),
        )
        .await;
    unknown.assert_problem(422, "validation-failed");
    let rejected = app
        .act(
            &reviewer,
            id,
            "decision",
            Some(&json!({"decision": "reject", "reason": "Chiffre d'affaires non justifié"})),
        )
        .await;
    assert_eq!(rejected.status, 200, "{}", rejected.text);
    assert_eq!(rejected.json["status"], "rejected");
    assert_eq!(
        rejected.json["decision_reason"],
        "Chiffre d'affaires non justifié"
    );
    let events = app
        .get(&format!("/api/v1/loan-requests/{id}/events"), Some(&owner))
        .await;
    assert_eq!(events.json[1]["reason"], "Chiffre d'affaires non justifié");
}

async fn reviewers_only_see_and_act_on_their_own_bank(app: TestApp) {
    let owner = app.applicant("owner-tenancy");
    let created = app
        .submit(&owner, &submission(&random_siren(), 2_000_000))
        .await;
    let id = created["id"].as_str().expect("id");
    let other_bank = app.reviewer("rev-sg", "30003");
    let listed = app.get("/api/v1/loan-requests", Some(&other_bank)).await;
    assert_eq!(listed.json["items"], json!([]));
    app.act(&other_bank, id, "review", None)
        .await
        .assert_problem(404, "not-found");
    let admin = app.admin();
    let all = app.get("/api/v1/loan-requests", Some(&admin)).await;
    assert_eq!(all.json["items"][0]["id"], created["id"]);
    let one_bank = app
        .get("/api/v1/loan-requests?bank=30003", Some(&admin))
        .await;
    assert_eq!(one_bank.json["items"], json!([]));
    // Admins watch; they do not decide.
    app.act(&admin, id, "review", None)
        .await
        .assert_problem(403, "forbidden");
}

on_both_backends!(
    reviewer_takes_in_review_pre_approves_and_grants,
    rejection_needs_a_reason_and_records_it,
    reviewers_only_see_and_act_on_their_own_bank,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_reviewers_deciding_at_once_exactly_one_wins() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let owner = app.applicant("owner-race");
    let created = app
        .submit(&owner, &submission(&random_siren(), 2_000_000))
        .await;
    let id = created["id"].as_str().expect("id");
    let first = app.reviewer("rev-1", "30004");
    let second = app.reviewer("rev-2", "30004");
    assert_eq!(app.act(&first, id, "review", None).await.status, 200);
    let decide = |token: String, decision: serde_json::Value| {
        let app = &app;
        async move {
            app.send(
                app.request(
                    reqwest::Method::POST,
                    &format!("/api/v1/loan-requests/{id}/decision"),
                )
                .bearer_auth(token)
                .header("if-match", "\"2\"")
                .json(&decision),
            )
            .await
        }
    };
    let (a, b) = tokio::join!(
        decide(first.clone(), json!({"decision": "pre_approve"})),
        decide(
            second.clone(),
            json!({"decision": "reject", "reason": "doublon"})
        ),
    );
    let statuses = [a.status.as_u16(), b.status.as_u16()];
    assert!(
        statuses.contains(&200) && statuses.contains(&412),
        "{statuses:?}: {} / {}",
        a.text,
        b.text
    );
    let events = app
        .get(&format!("/api/v1/loan-requests/{id}/events"), Some(&owner))
        .await;
    assert_eq!(events.json.as_array().map(Vec::len), Some(3));
}
