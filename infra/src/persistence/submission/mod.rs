//! The submission's writers: one per database, each an adapter of its own behind the
//! domain's [`SubmissionRepository`] port, and [`Store::submissions`], which picks the
//! one for the connected database.
//!
//! - [`PgSubmissions`] (`postgres.rs`): PostgreSQL, the launch-day hot path, one
//!   statement (`pge_submit_v2`) on submission lanes;
//! - [`OrmSubmissions`] (`orm.rs`): sea-orm statements in one transaction; SQLite's
//!   writer (it also runs on PostgreSQL, for the test that compares both writers' rows).
//!
//! Both take the same steps in the same order, under the same locks, and share what is
//! not the database's business: the request's row and the outbox row
//! (`persistence::convert`), the lock keys and the released statuses below, the domain's
//! aggregate-cap rule ([`domain::rules::Commitments`]: decided once, the refusal built
//! from that decision), and the receipt, rendered by the [`ReceiptFormat`] the
//! composition root gives the writer. The contract both pass, with the fake, is
//! `app::contract` (run by `tests/tests/store_contract.rs`).

mod orm;
mod postgres;

use std::sync::{Arc, LazyLock};

use domain::loan_request::{IdempotencyKey, LoanRequestId};
use domain::ports::{Receipt, ReceiptFormat, SubmissionRepository, SubmitOutcome};
use domain::workflow::Status;
use sha2::{Digest, Sha256};
use uuid::Uuid;

pub use orm::OrmSubmissions;
pub use postgres::{LANE_MAX_AGE, Lanes, PgSubmissions};

use super::Store;

/// Advisory-lock class of SIREN locks (two-int4 key space: class, SIREN).
pub(super) const SIREN_LOCK_CLASS: i32 = 0x5047_4501;

/// The stored names of the statuses whose amounts no longer count toward a company's
/// cap, from [`Status::released`] (the domain's `counts_toward_cap`).
pub(super) static RELEASED: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| Status::released().map(Status::as_str).collect());

/// The locks a submission takes, always in this order: the idempotency key's (with a
/// key), then the company's.
struct Locks {
    key: Option<i64>,
    company: i32,
}

impl Locks {
    fn of(subject: &str, idempotency: Option<&IdempotencyKey>, siren: &str) -> Self {
        Self {
            key: idempotency.map(|idem| lock_key(&["idempotency", subject, &idem.key])),
            company: siren.parse().unwrap_or_default(),
        }
    }
}

fn lock_key(parts: &[&str]) -> i64 {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    let digest = hasher.finalize();
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(bytes)
}

/// A replay of the receipt saved with an idempotency key.
fn replayed(receipt: String, id: Option<Uuid>) -> SubmitOutcome {
    SubmitOutcome::Replayed {
        loan_request_id: id.map(LoanRequestId),
        receipt: Receipt(receipt),
    }
}

impl Store {
    /// The submission's writer for this database: [`PgSubmissions`] on PostgreSQL
    /// (on this store's lanes), [`OrmSubmissions`] on SQLite. `receipts` renders what
    /// an idempotency record keeps (the API's first answer).
    #[must_use]
    pub fn submissions(&self, receipts: Arc<dyn ReceiptFormat>) -> Arc<dyn SubmissionRepository> {
        match &self.lanes {
            Some(lanes) => Arc::new(PgSubmissions::new(lanes.clone(), receipts)),
            None => Arc::new(OrmSubmissions::new(self.db.clone(), receipts)),
        }
    }

    /// The sea-orm writer on this database, whichever it is (on PostgreSQL: for the
    /// test that compares both writers' rows, `tests/tests/submissions.rs`).
    #[must_use]
    pub fn orm_submissions(&self, receipts: Arc<dyn ReceiptFormat>) -> OrmSubmissions {
        OrmSubmissions::new(self.db.clone(), receipts)
    }
}
