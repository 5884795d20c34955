//! Race conditions, on PostgreSQL where transactions really run in parallel.

use futures::future::join_all;
use harness::{Backend, TestApp, random_siren, submission};
use sea_orm::{ConnectionTrait, Statement};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_submissions_never_exceed_the_aggregate_cap() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let token = app.applicant("racer");
    let siren = random_siren();
    // Cap €250,000; 24 requests of €30,000 (€720,000 in all): at most 8 can pass.
    let body = submission(&siren, 3_000_000);
    let replies =
        join_all((0..24).map(|_| app.post("/api/v1/loan-requests", Some(&token), &body))).await;
    let mut created = 0;
    for reply in &replies {
        if reply.status == 201 {
            created += 1;
        } else {
            reply.assert_problem(422, "aggregate-cap-exceeded");
        }
    }
    assert_eq!(created, 8);
    let db = app.db().await;
    let row = db
        .query_one(Statement::from_sql_and_values(
            db.get_database_backend(),
            "SELECT CAST(SUM(requested_amount_cents) AS BIGINT) FROM loan_requests WHERE siren = $1",
            [siren.clone().into()],
        ))
        .await
        .expect("query")
        .expect("row");
    let total: i64 = row.try_get_by_index(0).expect("sum");
    assert!(total <= 25_000_000, "committed {total} over the cap");
    assert_eq!(total, 24_000_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_idempotency_key_retried_100_times_in_parallel_creates_one_request() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let token = app.applicant("retrier");
    let body = submission(&random_siren(), 2_000_000);
    let replies = join_all((0..100).map(|_| {
        app.send(
            app.request(reqwest::Method::POST, "/api/v1/loan-requests")
                .bearer_auth(&token)
                .header("idempotency-key", "same-key")
                .json(&body),
        )
    }))
    .await;
    let first_id = replies[0].json["id"].clone();
    for reply in &replies {
        assert_eq!(reply.status, 201, "{}", reply.text);
        assert_eq!(reply.json["id"], first_id);
    }
    let list = app.get("/api/v1/loan-requests", Some(&token)).await;
    assert_eq!(list.json["items"].as_array().map(Vec::len), Some(1));
}
