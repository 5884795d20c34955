//! An applicant's draft on the server: saved, read back from another device (another
//! token of the same account), replaced, bounded, theirs only, deleted.

use harness::{TestApp, on_both_backends};
use serde_json::json;

async fn a_draft_is_the_applicants_alone_and_survives_a_new_device(app: TestApp) {
    let owner = app.applicant("draft-owner");
    app.get("/api/v1/draft", Some(&owner))
        .await
        .assert_problem(404, "not-found");
    let answers = json!({
        "company": {"siren": "732 829 3", "legal_name": "Boulangerie Émile"},
        "amount": "12 500,50",
        "step": "chiffres"
    });
    let saved = app
        .put("/api/v1/draft", Some(&owner), &json!({"answers": answers}))
        .await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    assert_eq!(saved.json["answers"], answers);
    let updated =
        chrono::DateTime::parse_from_rfc3339(saved.json["updated_at"].as_str().expect("at"))
            .expect("date");
    let expires =
        chrono::DateTime::parse_from_rfc3339(saved.json["expires_at"].as_str().expect("at"))
            .expect("date");
    assert_eq!((expires - updated).num_days(), 30);

    // Another device: a new token of the same account reads it; another applicant does not.
    let elsewhere = app.applicant("draft-owner");
    let read = app.get("/api/v1/draft", Some(&elsewhere)).await;
    assert_eq!(read.status, 200, "{}", read.text);
    assert_eq!(read.json["answers"], answers);
    let stranger = app.applicant("draft-stranger");
    app.get("/api/v1/draft", Some(&stranger))
        .await
        .assert_problem(404, "not-found");
    let reviewer = app.reviewer("draft-rev", "30004");
    app.get("/api/v1/draft", Some(&reviewer))
        .await
        .assert_problem(403, "forbidden");

    // Saved again: replaced. Not an object, or too large: refused, the draft unchanged.
    let again = json!({"company": {"legal_name": "Boulangerie Émile"}, "step": "montant"});
    let replaced = app
        .put("/api/v1/draft", Some(&owner), &json!({"answers": again}))
        .await;
    assert_eq!(replaced.json["answers"], again);
    let not_object = app
        .put("/api/v1/draft", Some(&owner), &json!({"answers": [1, 2]}))
        .await;
    assert_eq!(not_object.status, 422, "{}", not_object.text);
    let huge = app
        .put(
            "/api/v1/draft",
            Some(&owner),
            &json!({"answers": {"notes": "x".repeat(17 * 1024)}}),
        )
        .await;
    huge.assert_problem(422, "validation-failed");
    assert_eq!(huge.json["errors"][0]["field"], "answers", "{}", huge.text);
    assert_eq!(
        app.get("/api/v1/draft", Some(&owner)).await.json["answers"],
        again
    );

    // Deleted (as the app does once the request is submitted): gone everywhere.
    let deleted = app.delete("/api/v1/draft", Some(&owner)).await;
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    app.get("/api/v1/draft", Some(&elsewhere))
        .await
        .assert_problem(404, "not-found");
    app.delete("/api/v1/draft", Some(&owner))
        .await
        .assert_problem(404, "not-found");
}

on_both_backends!(a_draft_is_the_applicants_alone_and_survives_a_new_device);
