//! The migrated PostgreSQL database every PostgreSQL test's own is cloned from.

use std::time::Duration;

use infra::{DatabaseSettings, Store};
use sea_orm::{ConnectionTrait, Database};

use crate::backends::database_url_for;

/// The database every PostgreSQL test's own database is cloned from
/// (`CREATE DATABASE … TEMPLATE`): migrated once for the whole run instead of once per
/// test. Its name carries the fingerprint of `infra/src/migration/` (see `build.rs`), so
/// a changed migration makes a new template; templates of other fingerprints are dropped
/// when a new one is made. Test processes run at once: one makes it, under an advisory
/// lock, the others wait and find it; it is migrated under a temporary name and renamed
/// when whole, so a process stopped midway leaves no half-migrated template.
pub async fn postgres_template(admin: &str) -> String {
    static TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            let template = format!("pge_template_{}", env!("PGE_MIGRATIONS_FINGERPRINT"));
            // One connection, so that the session's advisory lock is held by the
            // connection every statement goes through.
            let mut options = sea_orm::ConnectOptions::new(admin.to_owned());
            options.max_connections(1).sqlx_logging(false);
            let conn = Database::connect(options)
                .await
                .expect("PostgreSQL must be reachable for the PostgreSQL tests");
            let run = |sql: String| {
                let conn = &conn;
                async move {
                    conn.execute_unprepared(&sql)
                        .await
                        .unwrap_or_else(|err| panic!("{sql}: {err}"));
                }
            };
            // Any fixed key: it only has to be the same in every test process.
            run("SELECT pg_advisory_lock(7451208026)".to_owned()).await;
            let exists = conn
                .query_one(sea_orm::Statement::from_string(
                    sea_orm::DatabaseBackend::Postgres,
                    format!("SELECT 1 FROM pg_database WHERE datname = '{template}'"),
                ))
                .await
                .expect("look for the template database")
                .is_some();
            if !exists {
                let building = format!("{template}_building");
                run(format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)")).await;
                run(format!("CREATE DATABASE {building}")).await;
                let store = Store::connect(&DatabaseSettings {
                    url: database_url_for(admin, &building),
                    max_connections: 1,
                    acquire_timeout: Duration::from_secs(10),
                })
                .await
                .expect("connect to the template database");
                store.migrate().await.expect("migrate the template database");
                store.close().await;
                // A closed connection's server process can outlive the close by a few
                // milliseconds, and a database being accessed cannot be renamed: the
                // building database is this process's alone (under the lock), so any
                // session left on it is ended, then the rename is retried (bounded).
                for attempt in 1..=50 {
                    run(format!(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                         WHERE datname = '{building}' AND pid <> pg_backend_pid()"
                    ))
                    .await;
                    let renamed = conn
                        .execute_unprepared(&format!("ALTER DATABASE {building} RENAME TO {template}"))
                        .await;
                    match renamed {
                        Ok(_) => break,
                        Err(err) if attempt == 50 => panic!("rename the template database: {err}"),
                        Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
                    }
                }
                // Earlier fingerprints' templates (a test still cloning one keeps it).
                let stale = conn
                    .query_all(sea_orm::Statement::from_string(
                        sea_orm::DatabaseBackend::Postgres,
                        format!(
                            "SELECT datname FROM pg_database WHERE datname LIKE 'pge\\_template\\_%' \
                             AND datname <> '{template}'"
                        ),
                    ))
                    .await
                    .expect("list templates");
                for row in stale {
                    if let Ok(name) = row.try_get::<String>("", "datname") {
                        let _ = conn
                            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}"))
                            .await;
                    }
                }
            }
            run("SELECT pg_advisory_unlock(7451208026)".to_owned()).await;
            conn.close().await.ok();
            template
        })
        .await
        .clone()
}
