//! The tamper-evident audit trail (docs/RULES.md §22), on both databases: every event
//! chained in its transaction (PostgreSQL's trigger, SQLite's application code: the same
//! canonical form, recomputed by the verification), and an UPDATE or a DELETE of one
//! audit row made directly in the database found at that very event.

use harness::{TestApp, on_both_backends, random_siren, submission};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

/// A few requests of BNP Paribas with their events: submissions, reviews, a rejection.
async fn some_history(app: &TestApp) -> Vec<String> {
    let owner = app.applicant("owner-audit");
    let reviewer = app.reviewer("rev-audit", "30004");
    let mut ids = Vec::new();
    for i in 0..6 {
        let created = app
            .submit(&owner, &submission(&random_siren(), 1_000_000 + i))
            .await;
        let id = created["id"].as_str().expect("id").to_owned();
        assert_eq!(app.act(&reviewer, &id, "review", None).await.status, 200);
        let rejected = app
            .act(
                &reviewer,
                &id,
                "decision",
                Some(&json!({"decision": "reject", "reason": "Dossier | incomplet"})),
            )
            .await;
        assert_eq!(rejected.status, 200, "{}", rejected.text);
        ids.push(id);
    }
    ids
}

async fn chains(app: &TestApp) -> Value {
    let reply = app
        .get("/api/v1/admin/audit-chains", Some(&app.admin()))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json
}

/// The chain, number and id of the `n`-th event (by id) of a request.
async fn event_of(app: &TestApp, request: &str, n: usize) -> (String, i64, i64) {
    let db = app.db().await;
    let rows = db
        .query_all(Statement::from_sql_and_values(
            db.get_database_backend(),
            "SELECT chain, seq, CAST(id AS BIGINT) FROM audit_events WHERE loan_request_id = $1 ORDER BY id",
            [uuid::Uuid::parse_str(request).expect("uuid").into()],
        ))
        .await
        .expect("events");
    let row = &rows[n];
    (
        row.try_get_by_index::<String>(0).expect("chain"),
        row.try_get_by_index::<i64>(1).expect("seq"),
        row.try_get_by_index::<i64>(2).expect("id"),
    )
}

fn broken(report: &Value, chain: &str) -> Value {
    report["chains"]
        .as_array()
        .expect("chains")
        .iter()
        .find(|c| c["chain"] == chain)
        .unwrap_or_else(|| panic!("no chain {chain}: {report}"))["broken"]
        .clone()
}

async fn tampering_is_found_at_the_event(app: TestApp) {
    let ids = some_history(&app).await;
    let intact = chains(&app).await;
    assert_eq!(intact["intact"], true, "{intact}");
    let events: u64 = intact["chains"]
        .as_array()
        .expect("chains")
        .iter()
        .map(|c| c["events"].as_u64().expect("events"))
        .sum();
    assert_eq!(events, 18, "{intact}");
    for chain in intact["chains"].as_array().expect("chains") {
        assert!(
            chain["chain"]
                .as_str()
                .expect("chain")
                .starts_with("30004-")
        );
        assert_eq!(chain["head_seq"], chain["events"]);
        assert_eq!(chain["head_hash"].as_str().expect("hash").len(), 64);
    }
    let db = app.db().await;

    // An UPDATE of one event's reason: found at that event.
    let (chain, seq, id) = event_of(&app, &ids[1], 2).await;
    db.execute(Statement::from_sql_and_values(
        db.get_database_backend(),
        "UPDATE audit_events SET reason = 'Dossier complet' WHERE id = $1",
        [i32::try_from(id).expect("id").into()],
    ))
    .await
    .expect("update");
    let report = chains(&app).await;
    assert_eq!(report["intact"], false);
    let link = broken(&report, &chain);
    assert_eq!(link["problem"], "hash-mismatch", "{report}");
    assert_eq!(link["seq"], seq);
    assert_eq!(link["event_id"], id);
    assert_eq!(link["loan_request_id"], ids[1].as_str());

    // A DELETE of one event in another request's chain: found where it was.
    let (other_chain, other_seq, other_id) = event_of(&app, &ids[4], 1).await;
    if other_chain != chain {
        db.execute(Statement::from_sql_and_values(
            db.get_database_backend(),
            "DELETE FROM audit_events WHERE id = $1",
            [i32::try_from(other_id).expect("id").into()],
        ))
        .await
        .expect("delete");
        let report = chains(&app).await;
        let link = broken(&report, &other_chain);
        assert_eq!(link["problem"], "missing", "{report}");
        assert_eq!(link["seq"], other_seq);
        // The first chain's break is still reported where it was.
        assert_eq!(broken(&report, &chain)["event_id"], id);
    }
}

async fn removing_a_chains_last_event_is_found_at_its_head(app: TestApp) {
    let ids = some_history(&app).await;
    let (chain, seq, id) = event_of(&app, &ids[0], 2).await;
    let db = app.db().await;
    // The last event of its chain is the latest one written in it: remove the chain's
    // newest event, whichever request it belongs to.
    let newest = db
        .query_one(Statement::from_sql_and_values(
            db.get_database_backend(),
            "SELECT CAST(MAX(seq) AS BIGINT) FROM audit_events WHERE chain = $1",
            [chain.clone().into()],
        ))
        .await
        .expect("max")
        .expect("row")
        .try_get_by_index::<i64>(0)
        .expect("seq");
    assert!(newest >= seq, "{newest} {seq} {id}");
    db.execute(Statement::from_sql_and_values(
        db.get_database_backend(),
        "DELETE FROM audit_events WHERE chain = $1 AND seq = $2",
        [chain.clone().into(), newest.into()],
    ))
    .await
    .expect("delete");
    let report = chains(&app).await;
    let link = broken(&report, &chain);
    assert_eq!(link["problem"], "head-mismatch", "{report}");
    assert_eq!(link["seq"], newest);
    // Only admins walk the chains.
    app.get(
        "/api/v1/admin/audit-chains",
        Some(&app.reviewer("rev", "30004")),
    )
    .await
    .assert_problem(403, "forbidden");
}

/// A verification while requests are submitted and decided reads the heads and the events
/// from one snapshot: a chain that grows meanwhile is not reported broken (the scheduled
/// verification runs under live traffic and pages on a break).
async fn a_verification_under_live_traffic_finds_nothing_broken(app: TestApp) {
    use std::sync::atomic::{AtomicBool, Ordering};
    let done = AtomicBool::new(false);
    let traffic = async {
        let work = (0..4).map(|w| {
            let app = &app;
            async move {
                let owner = app.applicant(&format!("owner-live-{w}"));
                let reviewer = app.reviewer(&format!("rev-live-{w}"), "30004");
                for i in 0..10 {
                    let created = app
                        .submit(&owner, &submission(&random_siren(), 1_000_000 + i))
                        .await;
                    let id = created["id"].as_str().expect("id").to_owned();
                    assert_eq!(app.act(&reviewer, &id, "review", None).await.status, 200);
                }
            }
        });
        futures::future::join_all(work).await;
        done.store(true, Ordering::SeqCst);
    };
    let verifications = async {
        let mut walked = 0;
        for _ in 0..1_000 {
            if done.load(Ordering::SeqCst) {
                break;
            }
            let report = chains(&app).await;
            for chain in report["chains"].as_array().expect("chains") {
                assert!(chain["broken"].is_null(), "a false break: {chain}");
            }
            walked += 1;
        }
        walked
    };
    let ((), walked) = tokio::join!(traffic, verifications);
    assert!(walked > 0);
    let report = chains(&app).await;
    let events: u64 = report["chains"]
        .as_array()
        .expect("chains")
        .iter()
        .map(|c| c["events"].as_u64().expect("events"))
        .sum();
    assert_eq!(events, 80, "{report}");
}

on_both_backends!(
    tampering_is_found_at_the_event,
    removing_a_chains_last_event_is_found_at_its_head,
    a_verification_under_live_traffic_finds_nothing_broken,
);
