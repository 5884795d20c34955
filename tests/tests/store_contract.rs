//! The submission's storage contract (`app::contract`, which the fake passes in `app`'s
//! own tests) against both databases' writers: the sea-orm writer on SQLite, the
//! one-statement writer (`pge_submit_v2`, on lanes) on PostgreSQL, each as `pge serve`
//! picks it (`Store::submissions`), and the requests' repository on the same store.

use std::sync::Arc;

use app::contract::{Adapters, run};
use harness::{Backend, TestApp};
use sea_orm::{ConnectionTrait, Statement};

async fn keeps_the_contract(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let store = app.store().await;
    run(&Adapters {
        submissions: store.submissions(Arc::new(app::fakes::receipt)),
        requests: Arc::new(store.clone()),
        receipts: Arc::new(app::fakes::receipt),
        bank: "30004".to_owned(),
    })
    .await;
    // No HTTP status below the API: the writers leave `response_status` out, and the
    // column's default (migration m20261206_000009) gives the previous release's
    // replicas the 201 they replay.
    let db = app.db().await;
    let statuses = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            "SELECT DISTINCT response_status FROM idempotency_records",
        ))
        .await
        .expect("read the idempotency records");
    let statuses: Vec<i32> = statuses
        .iter()
        .map(|row| row.try_get::<i32>("", "response_status").expect("status"))
        .collect();
    assert_eq!(statuses, vec![201]);
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sqlite_writer_keeps_the_submission_contract() {
    keeps_the_contract(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_postgresql_writer_keeps_the_submission_contract() {
    keeps_the_contract(Backend::Postgres).await;
}
