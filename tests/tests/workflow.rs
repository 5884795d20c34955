//! The review workflow of docs/RULES.md §14 as bank reviewers drive it.

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
    // The company obtains its guarantee identifier (the request's version moves on),
    // hands it to its bank, which grants on it.
    let identifier = app.obtain_identifier(&owner, id).await;
    let granted = app.grant(&reviewer, id, &identifier).await;
    assert_eq!(granted.json["status"], "granted", "{}", granted.text);
    assert_eq!(granted.json["version"], 5);

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
    let moves: Vec<(Option<&str>, &str)> = events
        .json
        .as_array()
        .expect("events")
        .iter()
        .map(|e| {
            (
                e["from_status"].as_str(),
                e["to_status"].as_str().expect("to"),
            )
        })
        .collect();
    assert_eq!(
        moves,
        [
            (None, "submitted"),
            (Some("submitted"), "in_review"),
            (Some("in_review"), "pre_approved"),
            (Some("pre_approved"), "pre_approved"),
            (Some("pre_approved"), "granted"),
        ]
    );
    assert_eq!(events.json[1]["actor_role"], "reviewer");
    // The applicant knows who at the bank acted only as their bank; they see themselves.
    assert!(
        events.json[1].get("actor_subject").is_none(),
        "{}",
        events.text
    );
    assert_eq!(events.json[0]["actor_subject"], "owner-flow");
    let seen_by_bank = app
        .get(
            &format!("/api/v1/loan-requests/{id}/events"),
            Some(&reviewer),
        )
        .await;
    assert_eq!(seen_by_bank.json[1]["actor_subject"], "rev-bnp");
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
    assert_eq!(long.error_fields(), vec!["reason".to_owned()]);
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
    assert_eq!(events.json[1]["from_status"], "submitted");
    assert_eq!(events.json[1]["to_status"], "rejected");
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
async fn reviewers_deciding_at_once_exactly_one_wins() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let owner = app.applicant("owner-race");
    // Ten requests, each decided by twelve reviewers at the same instant (all holding
    // the same ETag), half pre-approving and half rejecting.
    for round in 0..10 {
        let created = app
            .submit(&owner, &submission(&random_siren(), 2_000_000))
            .await;
        let id = created["id"].as_str().expect("id").to_owned();
        let opener = app.reviewer("rev-open", "30004");
        assert_eq!(app.act(&opener, &id, "review", None).await.status, 200);
        let start = std::sync::Arc::new(tokio::sync::Barrier::new(12));
        let calls = (0..12).map(|i| {
            let request = app
                .request(
                    reqwest::Method::POST,
                    &format!("/api/v1/loan-requests/{id}/decision"),
                )
                .bearer_auth(app.reviewer(&format!("rev-{i}"), "30004"))
                .header("if-match", "\"2\"")
                .json(&if i % 2 == 0 {
                    json!({"decision": "pre_approve"})
                } else {
                    json!({"decision": "reject", "reason": format!("refus {i}")})
                });
            let start = start.clone();
            async move {
                start.wait().await;
                let reply = request.send().await.expect("answer");
                (i, reply.status().as_u16())
            }
        });
        let outcomes = futures::future::join_all(calls).await;
        let winners: Vec<usize> = outcomes
            .iter()
            .filter(|(_, status)| *status == 200)
            .map(|(i, _)| *i)
            .collect();
        assert_eq!(winners.len(), 1, "round {round}: {outcomes:?}");
        assert!(
            outcomes
                .iter()
                .all(|(_, status)| *status == 200 || *status == 412),
            "round {round}: {outcomes:?}"
        );
        let read = app
            .get(&format!("/api/v1/loan-requests/{id}"), Some(&owner))
            .await;
        let expected = if winners[0].is_multiple_of(2) {
            "pre_approved"
        } else {
            "rejected"
        };
        assert_eq!(read.json["status"], expected, "round {round}");
        assert_eq!(read.json["version"], 3, "round {round}");
        let events = app
            .get(&format!("/api/v1/loan-requests/{id}/events"), Some(&owner))
            .await;
        assert_eq!(
            events.json.as_array().map(Vec::len),
            Some(3),
            "round {round}: one decision event only"
        );
    }
}
