//! Readiness across a rolling deploy: the pre-upgrade hook migrates first, so the
//! replicas of the release still serving see migrations newer than themselves.

use harness::{TestApp, on_both_backends};
use sea_orm::ConnectionTrait;

async fn readiness_and_migrate_tolerate_a_newer_releases_migrations(app: TestApp) {
    assert_eq!(app.get("/readyz", None).await.status, 200);
    let db = app.db().await;
    // A newer release's migration, applied by its pre-upgrade hook.
    db.execute_unprepared(
        "INSERT INTO seaql_migrations (version, applied_at) \
         VALUES ('m29991231_000001_from_a_newer_release', 0)",
    )
    .await
    .expect("insert");
    let ready = app.get("/readyz", None).await;
    assert_eq!(ready.status, 200, "{}", ready.text);
    // A rollback's `pge migrate` leaves the database as it is, and succeeds.
    app.store()
        .await
        .migrate()
        .await
        .expect("migrate on a newer database");
    let state = infra::persistence::migration_state(&db)
        .await
        .expect("state");
    assert!(state.pending.is_empty(), "{state:?}");
    assert_eq!(state.newer, ["m29991231_000001_from_a_newer_release"]);

    // A migration of this release missing from the database: not ready.
    let ours: String = db
        .query_one(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT version FROM seaql_migrations WHERE version NOT LIKE 'm2999%' \
             ORDER BY version DESC LIMIT 1"
                .to_owned(),
        ))
        .await
        .expect("query")
        .expect("row")
        .try_get("", "version")
        .expect("version");
    db.execute_unprepared(&format!(
        "DELETE FROM seaql_migrations WHERE version = '{ours}'"
    ))
    .await
    .expect("delete");
    app.get("/readyz", None)
        .await
        .assert_problem(503, "not-ready");
}

on_both_backends!(readiness_and_migrate_tolerate_a_newer_releases_migrations);
