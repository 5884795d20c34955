//! The relational store (sea-orm): one implementation for SQLite and PostgreSQL of every
//! repository port but the submission's, which has a writer per database
//! ([`submission`]).

mod admin_actions;
pub mod audit_chain;
mod backoffice;
mod convert;
mod documents;
mod drafts;
mod four_eyes;
mod guarantees;
mod loan_requests;
mod messages;
mod outbox;
pub mod submission;

/// The system time at the databases' precision (tests and tools; see [`crate::system::now`]).
pub use crate::system::now;
pub use outbox::ClaimedMessage;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::loan_request::Bank;
use domain::ports::{BankRepository, CreateBankError, HealthCheck, StorageError};
use domain::submission::{BankCode, EmailAddress};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr, EntityTrait, QueryOrder,
};
use sea_orm_migration::MigratorTrait;

use crate::entity::bank;
use crate::migration::Migrator;

/// The database behind every repository port.
#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
    /// PostgreSQL only: the submissions' own connections (see `submission::postgres`).
    lanes: Option<Arc<submission::Lanes>>,
}

/// How to reach the database.
#[derive(Clone, Debug)]
pub struct DatabaseSettings {
    pub url: String,
    pub max_connections: u32,
    pub acquire_timeout: Duration,
}

impl Store {
    /// Connections of the PostgreSQL pool: `(open, idle, max)`; `None` on SQLite.
    #[must_use]
    pub fn pool_status(&self) -> Option<(u32, usize, u32)> {
        match &self.db {
            DatabaseConnection::SqlxPostgresPoolConnection(_) => {
                let pool = self.db.get_postgres_connection_pool();
                Some((
                    pool.size(),
                    pool.num_idle(),
                    pool.options().get_max_connections(),
                ))
            }
            _ => None,
        }
    }

    /// Connects (without migrating).
    ///
    /// # Errors
    /// When the database cannot be reached or the URL is invalid.
    pub async fn connect(settings: &DatabaseSettings) -> Result<Self, DbErr> {
        Self::connect_with(settings, &[]).await
    }

    /// Connects for `pge migrate`: on PostgreSQL every session runs with these timeouts,
    /// so a DDL statement queued behind live traffic's locks gives up after
    /// `lock_timeout` (the migration fails and is retried) instead of stalling every
    /// query queued behind it, and no statement runs longer than `statement_timeout`.
    /// Values in PostgreSQL's units (`5s`, `15min`).
    ///
    /// # Errors
    /// As [`Store::connect`].
    pub async fn connect_for_migrations(
        settings: &DatabaseSettings,
        lock_timeout: &str,
        statement_timeout: &str,
    ) -> Result<Self, DbErr> {
        Self::connect_with(
            settings,
            &[
                ("lock_timeout", lock_timeout.to_owned()),
                ("statement_timeout", statement_timeout.to_owned()),
            ],
        )
        .await
    }

    async fn connect_with(
        settings: &DatabaseSettings,
        session: &[(&'static str, String)],
    ) -> Result<Self, DbErr> {
        let is_sqlite = settings.url.starts_with("sqlite:");
        let mut options = ConnectOptions::new(settings.url.clone());
        if !is_sqlite && !session.is_empty() {
            let session = session.to_vec();
            options.map_sqlx_postgres_opts(move |pg| pg.options(session.clone()));
        }
        options
            // SQL with bound values would put personal data in the logs.
            .sqlx_logging(false)
            .acquire_timeout(settings.acquire_timeout)
            .connect_timeout(settings.acquire_timeout)
            // SQLite has a single writer: one connection serialises every transaction,
            // which also makes the aggregate-cap check race-free there.
            .max_connections(if is_sqlite {
                1
            } else {
                settings.max_connections
            })
            .min_connections(if is_sqlite {
                1
            } else {
                2.min(settings.max_connections)
            })
            // sqlx pings every connection it hands out (a round trip more per use) and
            // again when it takes one back. The ping on acquire goes; the one on release
            // is not configurable and stays, except for submissions, whose lanes keep
            // their connections (`submission::postgres`). A connection the database has dropped since
            // (restart, failover) then fails its next statement instead: that request
            // answers 503 `database-unavailable` with Retry-After, and the pool replaces
            // the connection.
            .test_before_acquire(is_sqlite);
        let mut db = Database::connect(options).await?;
        if crate::trace::enabled() {
            // A span per statement, in the trace of the request or batch that ran it.
            let system = if is_sqlite { "sqlite" } else { "postgresql" };
            db.set_metric_callback(move |info| crate::trace::statement(info, system));
        }
        if is_sqlite {
            db.execute_unprepared("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;")
                .await?;
        }
        let lanes = match &db {
            DatabaseConnection::SqlxPostgresPoolConnection(_) => {
                Some(Arc::new(submission::Lanes::new(
                    db.get_postgres_connection_pool().clone(),
                    settings.max_connections,
                    settings.acquire_timeout,
                )))
            }
            _ => None,
        };
        Ok(Self { db, lanes })
    }

    /// Closes the pool's connections politely (a Terminate message each, rather than a
    /// reset when the process exits), waiting for the ones in use to come back.
    pub async fn close(&self) {
        if let Some(lanes) = &self.lanes {
            lanes.close();
        }
        if let Err(err) = self.db.close_by_ref().await {
            tracing::warn!(error = %err, "closing the database pool");
        }
    }

    /// Applies pending migrations. A database that a newer release already migrated
    /// further is left as it is: migrations are written expand-then-contract, so the
    /// previous release runs on it, and a rollback's `pge migrate` must not fail on it.
    ///
    /// # Errors
    /// When a migration fails, or when this release has migrations to apply on a
    /// database that a newer release migrated (an order no rollout produces).
    pub async fn migrate(&self) -> Result<(), DbErr> {
        let state = migration_state(&self.db).await?;
        if !state.newer.is_empty() {
            tracing::warn!(newer = ?state.newer, "the database holds migrations of a newer release");
        }
        match (state.pending.is_empty(), state.newer.is_empty()) {
            (true, _) => Ok(()),
            (false, true) => Migrator::up(&self.db, None).await,
            (false, false) => Err(DbErr::Custom(format!(
                "migrations {:?} are not applied but newer ones {:?} are: refusing to interleave",
                state.pending, state.newer
            ))),
        }
    }

    /// The underlying connection (tests and tools).
    #[must_use]
    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }
}

/// This release's migrations against the database's record of applied ones.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct MigrationState {
    /// Known to this release, not applied.
    pub pending: Vec<String>,
    /// Applied, unknown to this release (a newer release's).
    pub newer: Vec<String>,
}

/// Compares this release's migrations with those the database applied.
///
/// Reads the record without writing anything: the application's database role, which
/// may not create tables (`ops/postgres/roles.sql`), runs this at start and in
/// `/readyz`. (sea-orm's own reader creates the record's table first, which needs
/// CREATE on the schema.) No record yet: nothing applied.
///
/// # Errors
/// When the migration table cannot be read.
pub async fn migration_state(db: &DatabaseConnection) -> Result<MigrationState, DbErr> {
    let backend = db.get_database_backend();
    let exists_sql = if backend == sea_orm::DbBackend::Postgres {
        "SELECT CAST(CASE WHEN to_regclass('seaql_migrations') IS NULL THEN 0 ELSE 1 END AS BIGINT) AS present"
    } else {
        "SELECT COUNT(*) AS present FROM sqlite_master WHERE type = 'table' AND name = 'seaql_migrations'"
    };
    let present = db
        .query_one(sea_orm::Statement::from_string(backend, exists_sql))
        .await?
        .map(|row| row.try_get::<i64>("", "present"))
        .transpose()?
        .unwrap_or(0)
        > 0;
    let mut applied = std::collections::BTreeSet::new();
    if present {
        for row in db
            .query_all(sea_orm::Statement::from_string(
                backend,
                "SELECT version FROM seaql_migrations",
            ))
            .await?
        {
            applied.insert(row.try_get::<String>("", "version")?);
        }
    }
    let known: Vec<String> = Migrator::migrations()
        .iter()
        .map(|migration| migration.name().to_owned())
        .collect();
    Ok(MigrationState {
        pending: known
            .iter()
            .filter(|name| !applied.contains(*name))
            .cloned()
            .collect(),
        newer: applied
            .iter()
            .filter(|name| !known.contains(name))
            .cloned()
            .collect(),
    })
}

pub(crate) fn storage(err: DbErr) -> StorageError {
    if is_unavailable(&err) {
        StorageError::unavailable(err.to_string())
    } else {
        StorageError::other(err.to_string())
    }
}

/// Whether the database is out of reach (rather than the statement or the data at
/// fault): no connection to be had, the connection lost, the server shutting down or
/// starting up.
fn is_unavailable(err: &DbErr) -> bool {
    use sea_orm::sqlx::Error as Sqlx;
    let runtime = match err {
        DbErr::ConnectionAcquire(_) => return true,
        DbErr::Conn(runtime) | DbErr::Exec(runtime) | DbErr::Query(runtime) => runtime,
        _ => return false,
    };
    let sea_orm::RuntimeErr::SqlxError(sqlx) = runtime else {
        return false;
    };
    match sqlx {
        Sqlx::Io(_) | Sqlx::PoolTimedOut | Sqlx::PoolClosed | Sqlx::WorkerCrashed => true,
        // Class 08 (connection exception), 57P01–57P03 (shutdown, crash, starting up).
        Sqlx::Database(db) => db.code().is_some_and(|code| {
            code.starts_with("08") || matches!(&*code, "57P01" | "57P02" | "57P03")
        }),
        _ => false,
    }
}

#[async_trait]
impl BankRepository for Store {
    async fn list(&self) -> Result<Vec<Bank>, StorageError> {
        let rows = bank::Entity::find()
            .order_by_asc(bank::Column::Name)
            .all(&self.db)
            .await
            .map_err(storage)?;
        rows.into_iter()
            .map(|row| {
                let code = BankCode::parse(&row.code)
                    .map_err(|_| StorageError::other(format!("corrupt bank code {}", row.code)))?;
                // A stored address the current rule refuses is read as none, rather than
                // failing every read of the bank list.
                let notification_email = row
                    .notification_email
                    .as_deref()
                    .and_then(|raw| EmailAddress::parse(raw).ok());
                Ok(Bank {
                    code,
                    name: row.name,
                    notification_email,
                })
            })
            .collect()
    }

    async fn create(&self, bank: &Bank, now: DateTime<Utc>) -> Result<(), CreateBankError> {
        self.insert_bank(bank, now).await
    }
}

#[async_trait]
impl HealthCheck for Store {
    async fn ready(&self) -> Result<(), String> {
        self.db
            .execute_unprepared("SELECT 1")
            .await
            .map_err(|e| format!("database unreachable: {e}"))?;
        let state = migration_state(&self.db)
            .await
            .map_err(|e| format!("cannot read migrations: {e}"))?;
        // Ready when every migration this release knows is applied; newer ones (a
        // release being deployed migrated first) do not make it unready.
        if state.pending.is_empty() {
            Ok(())
        } else {
            Err(format!("{} migration(s) not applied", state.pending.len()))
        }
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::{ConnAcquireErr, DbErr};

    use super::storage;

    #[test]
    fn an_unreachable_database_is_told_apart_from_other_failures() {
        assert!(storage(DbErr::ConnectionAcquire(ConnAcquireErr::Timeout)).unavailable);
        assert!(storage(DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed)).unavailable);
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset");
        assert!(
            storage(DbErr::Query(sea_orm::RuntimeErr::SqlxError(
                sea_orm::sqlx::Error::Io(io)
            )))
            .unavailable
        );
        assert!(!storage(DbErr::Custom("corrupt row".to_owned())).unavailable);
        assert!(!storage(DbErr::RecordNotFound("x".to_owned())).unavailable);
    }
}
