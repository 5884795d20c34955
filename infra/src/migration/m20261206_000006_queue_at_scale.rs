//! The reviewer's queue at scale (docs/PERFORMANCE.md, "Back office"): the orders by
//! amount, and the search in company names.
//!
//! - `(bank_id, requested_amount_cents, id)` and `(requested_amount_cents, id)`: a bank's
//!   queue, and the national list, sorted by amount either way, read as an index range
//!   from the keyset position, as the time orders already are.
//! - PostgreSQL: a trigram index (`pg_trgm`, a trusted extension that RDS offers) on
//!   `lower(legal_name)`, which serves the list's `lower(legal_name) LIKE '%…%'`. SQLite
//!   scans (the embedded default holds a few thousand requests at most).
//!
//! The indexes are built in the migration's transaction: on a table of a million rows
//! the trigram index takes seconds, during which submissions wait. Run it outside the
//! peak (docs/DEPLOYMENT.md, migrations).

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TRIGRAM: &str = "CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS ix_loan_requests_name_trgm ON loan_requests USING gin (lower(legal_name) gin_trgm_ops);";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, columns) in [
            (
                "ix_loan_requests_bank_amount",
                &[
                    LoanRequests::BankId,
                    LoanRequests::RequestedAmountCents,
                    LoanRequests::Id,
                ][..],
            ),
            (
                "ix_loan_requests_amount",
                &[LoanRequests::RequestedAmountCents, LoanRequests::Id][..],
            ),
        ] {
            let mut index = Index::create()
                .name(name)
                .table(LoanRequests::Table)
                .to_owned();
            for column in columns {
                index.col(column.clone());
            }
            manager.create_index(index).await?;
        }
        if manager.get_database_backend() == DbBackend::Postgres {
            manager.get_connection().execute_unprepared(TRIGRAM).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("DROP INDEX IF EXISTS ix_loan_requests_name_trgm;")
                .await?;
        }
        for name in ["ix_loan_requests_amount", "ix_loan_requests_bank_amount"] {
            manager
                .drop_index(
                    Index::drop()
                        .name(name)
                        .table(LoanRequests::Table)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone)]
enum LoanRequests {
    Table,
    Id,
    BankId,
    RequestedAmountCents,
}
