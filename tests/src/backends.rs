//! The two databases every black-box test runs on: SQLite, a file in the test's folder,
//! and PostgreSQL, a database of the test's own on the server at
//! `PGE_TEST_DATABASE_URL`, cloned from the migrated template ([`crate::templates`]) and
//! dropped afterwards.

use std::path::Path;

use sea_orm::{ConnectionTrait, Database};

use crate::templates::postgres_template;

/// Which database a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs the named async test functions once per backend: `name::sqlite` and
/// `name::postgres`. Each function takes a [`TestApp`].
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::TestApp::spawn($crate::Backend::Sqlite).await).await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::TestApp::spawn($crate::Backend::Postgres).await).await;
                }
            }
        )+
    };
}

/// The PostgreSQL server tests create their databases on.
#[must_use]
pub fn postgres_admin_url() -> String {
    std::env::var("PGE_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

pub(crate) fn database_url_for(admin: &str, name: &str) -> String {
    let (base, query) = admin
        .split_once('?')
        .map_or((admin, None), |(b, q)| (b, Some(q)));
    let prefix = base.rsplit_once('/').map_or(base, |(p, _)| p);
    match query {
        Some(q) => format!("{prefix}/{name}?{q}"),
        None => format!("{prefix}/{name}"),
    }
}

/// The SQLite database of a test whose folder is `data_dir`.
pub(crate) fn sqlite_url(data_dir: &Path) -> String {
    format!(
        "sqlite://{}?mode=rwc",
        data_dir.join("pge.sqlite3").display()
    )
}

/// Creates this test's PostgreSQL database, a clone of the migrated template; returns
/// its URL and its name.
pub(crate) async fn create_postgres_database(unique: &str) -> (String, String) {
    let admin = postgres_admin_url();
    let name = format!("pge_test_{unique}");
    let template = postgres_template(&admin).await;
    let conn = Database::connect(&admin)
        .await
        .expect("PostgreSQL must be reachable for the PostgreSQL tests");
    conn.execute_unprepared(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
        .await
        .expect("create test database");
    // A test's database is thrown away afterwards: its commits need not wait
    // for the WAL to reach the disk (the same transactions, locks and
    // isolation; the fault tests, on a server of their own, keep the default).
    conn.execute_unprepared(&format!(
        "ALTER DATABASE {name} SET synchronous_commit = off"
    ))
    .await
    .expect("set the test database's commit mode");
    conn.close().await.ok();
    (database_url_for(&admin, &name), name)
}

/// Drops a test's PostgreSQL database, when its `TestApp` is dropped.
pub(crate) fn drop_postgres_database(name: String) {
    // Drop the database from a thread of its own: Drop cannot await.
    let admin = postgres_admin_url();
    let _ = std::thread::spawn(move || {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        runtime.block_on(async move {
            if let Ok(conn) = Database::connect(&admin).await {
                let _ = conn
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await;
                let _ = conn.close().await;
            }
        });
    })
    .join();
}
