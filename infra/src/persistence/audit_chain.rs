//! The tamper-evident audit trail (docs/RULES.md §22): events chained by hash, per bank
//! and lane; the insert that links each event, and the verification that walks the
//! chains ([`AuditChains`] for [`Store`]).
//!
//! The link of an event is `sha256(prev_hash + "\n" + canonical(event))`, hex, where the
//! previous hash of a chain's first event is 64 zeros. On PostgreSQL the trigger of
//! migration `m20261206_000012_audit_chain` computes it in the inserting transaction; on
//! SQLite [`insert_event`] does, with [`canonical`] — the same form, which
//! `tests/tests/audit_chain.rs` checks against what the trigger wrote.

use async_trait::async_trait;
use domain::loan_request::LoanRequestId;
use domain::ports::{AuditChains, AuditReport, BrokenLink, ChainState, StorageError};
use futures::TryStreamExt;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    AccessMode, ActiveValue, ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, EntityTrait,
    IsolationLevel, QueryOrder, TransactionTrait,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{Store, storage};
use crate::entity::{audit_chain_head, audit_event, loan_request};

/// Lanes per bank: a bank's events spread over this many chains by request, so that
/// concurrent submissions to one bank do not all wait on one head.
pub const LANES: u8 = 16;

/// The previous hash of a chain's first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The chain of a request's events: its bank and lane (the request id's last byte).
#[must_use]
pub fn chain_of(bank: &str, request: Uuid) -> String {
    format!("{bank}-{:02}", request.as_bytes()[15] % LANES)
}

fn field(value: Option<&str>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| format!("{}:{v}", v.chars().count()))
}

/// What an event's hash covers, every field length-prefixed (`-` for none).
#[must_use]
pub fn canonical(event: &audit_event::Model, chain: &str, seq: i64) -> String {
    [
        field(Some(chain)),
        seq.to_string(),
        event.loan_request_id.to_string(),
        event.at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
        field(Some(&event.actor_role)),
        field(Some(&event.actor_sub)),
        field(Some(&event.action)),
        field(event.from_status.as_deref()),
        field(Some(&event.to_status)),
        field(event.reason.as_deref()),
    ]
    .join("|")
}

/// The link of an event after `previous`.
#[must_use]
pub fn link(previous: &str, canonical: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(previous.as_bytes());
    hasher.update(b"\n");
    hasher.update(canonical.as_bytes());
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Inserts an audit event of a request of `bank`, linked to its chain: on PostgreSQL
/// the trigger links it; on SQLite this does, reading and moving the chain's head in the
/// same transaction (its single writer serialises them).
pub(crate) async fn insert_event(
    txn: &DatabaseTransaction,
    mut row: audit_event::ActiveModel,
    bank: &str,
) -> Result<(), DbErr> {
    if txn.get_database_backend() == DbBackend::Postgres {
        return audit_event::Entity::insert(row)
            .exec_without_returning(txn)
            .await
            .map(|_| ());
    }
    let ActiveValue::Set(request) = row.loan_request_id.clone() else {
        return Err(DbErr::Custom(
            "an audit event without its request".to_owned(),
        ));
    };
    let chain = chain_of(bank, request);
    let head = audit_chain_head::Entity::find_by_id(chain.clone())
        .one(txn)
        .await?;
    let (seq, previous) = head.map_or((1, GENESIS.to_owned()), |h| (h.seq + 1, h.hash));
    let model = audit_event::Model {
        id: 0,
        loan_request_id: request,
        at: value(&row.at)?,
        actor_role: value(&row.actor_role)?,
        actor_sub: value(&row.actor_sub)?,
        action: value(&row.action)?,
        from_status: value(&row.from_status)?,
        to_status: value(&row.to_status)?,
        reason: value(&row.reason)?,
        chain: None,
        seq: None,
        prev_hash: None,
        hash: None,
    };
    let hash = link(&previous, &canonical(&model, &chain, seq));
    row.chain = Set(Some(chain.clone()));
    row.seq = Set(Some(seq));
    let previous_for_head = previous.clone();
    row.prev_hash = Set(Some(previous));
    row.hash = Set(Some(hash.clone()));
    audit_event::Entity::insert(row)
        .exec_without_returning(txn)
        .await?;
    audit_chain_head::Entity::insert(audit_chain_head::ActiveModel {
        chain: Set(chain),
        seq: Set(seq),
        prev_hash: Set(previous_for_head),
        hash: Set(hash),
    })
    .on_conflict(
        OnConflict::column(audit_chain_head::Column::Chain)
            .update_columns([
                audit_chain_head::Column::Seq,
                audit_chain_head::Column::PrevHash,
                audit_chain_head::Column::Hash,
            ])
            .to_owned(),
    )
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

fn value<T: Clone + Into<sea_orm::Value>>(field: &ActiveValue<T>) -> Result<T, DbErr> {
    match field {
        ActiveValue::Set(v) | ActiveValue::Unchanged(v) => Ok(v.clone()),
        ActiveValue::NotSet => Err(DbErr::Custom("an audit event field is not set".to_owned())),
    }
}

/// A chain being walked.
struct Walk {
    state: ChainState,
    previous: String,
}

impl Walk {
    fn new(chain: String) -> Self {
        Self {
            state: ChainState {
                chain,
                events: 0,
                head_seq: 0,
                head_hash: String::new(),
                broken: None,
            },
            previous: GENESIS.to_owned(),
        }
    }

    fn break_at(&mut self, seq: u64, event: Option<&audit_event::Model>, problem: &'static str) {
        if self.state.broken.is_none() {
            self.state.broken = Some(BrokenLink {
                seq,
                event_id: event.map(|e| i64::from(e.id)),
                loan_request_id: event.map(|e| LoanRequestId(e.loan_request_id)),
                problem,
            });
        }
    }

    /// The next event of the chain.
    fn step(&mut self, event: &audit_event::Model, chain: &str, seq: i64) {
        let expected = self.state.events + 1;
        self.state.events += 1;
        let seq_u = u64::try_from(seq).unwrap_or(0);
        if seq_u != expected {
            // An event is missing before this one (or numbers were rewritten).
            self.break_at(expected, Some(event), "missing");
        }
        if event.prev_hash.as_deref() != Some(self.previous.as_str()) {
            self.break_at(seq_u, Some(event), "prev-mismatch");
        }
        let computed = link(
            event.prev_hash.as_deref().unwrap_or_default(),
            &canonical(event, chain, seq),
        );
        if event.hash.as_deref() != Some(computed.as_str()) {
            self.break_at(seq_u, Some(event), "hash-mismatch");
        }
        self.previous = event.hash.clone().unwrap_or_default();
    }
}

#[async_trait]
impl AuditChains for Store {
    #[tracing::instrument(name = "store.audit_verify", skip_all)]
    async fn verify(&self) -> Result<AuditReport, StorageError> {
        // One snapshot for the heads and the events: events committed between two reads
        // would otherwise show chains longer than their heads (a false break, under live
        // traffic). PostgreSQL: repeatable read; SQLite: a transaction's reads share one
        // snapshot from its first read (WAL).
        let txn = if self.db.get_database_backend() == DbBackend::Postgres {
            self.db
                .begin_with_config(
                    Some(IsolationLevel::RepeatableRead),
                    Some(AccessMode::ReadOnly),
                )
                .await
        } else {
            self.db.begin().await
        }
        .map_err(storage)?;
        let heads: Vec<audit_chain_head::Model> = audit_chain_head::Entity::find()
            .order_by_asc(audit_chain_head::Column::Chain)
            .all(&txn)
            .await
            .map_err(storage)?;
        let mut report = AuditReport::default();
        let mut walks: std::collections::BTreeMap<String, Walk> = heads
            .iter()
            .map(|h| (h.chain.clone(), Walk::new(h.chain.clone())))
            .collect();
        // The first chained event: any unchained one written after it is a break.
        let mut first_chained: Option<i32> = None;
        let mut late_unchained: Vec<audit_event::Model> = Vec::new();
        let mut events = audit_event::Entity::find()
            .order_by_asc(audit_event::Column::Chain)
            .order_by_asc(audit_event::Column::Seq)
            .order_by_asc(audit_event::Column::Id)
            .stream(&txn)
            .await
            .map_err(storage)?;
        while let Some(event) = events.try_next().await.map_err(storage)? {
            match (event.chain.clone(), event.seq) {
                (Some(chain), Some(seq)) => {
                    first_chained = Some(first_chained.map_or(event.id, |f| f.min(event.id)));
                    walks
                        .entry(chain.clone())
                        .or_insert_with(|| Walk::new(chain.clone()))
                        .step(&event, &chain, seq);
                }
                _ => late_unchained.push(event),
            }
        }
        drop(events);
        for event in late_unchained {
            if first_chained.is_some_and(|first| event.id > first) {
                // Written after the chain began without its link: its chain is the one
                // its request's bank and lane give.
                let bank = loan_request::Entity::find_by_id(event.loan_request_id)
                    .one(&txn)
                    .await
                    .map_err(storage)?
                    .map_or_else(|| "00000".to_owned(), |r| r.bank_id);
                let chain = chain_of(&bank, event.loan_request_id);
                let walk = walks
                    .entry(chain.clone())
                    .or_insert_with(|| Walk::new(chain));
                walk.break_at(0, Some(&event), "unchained");
            } else {
                report.unchained_before += 1;
            }
        }
        for walk in walks.values_mut() {
            if !heads.iter().any(|h| h.chain == walk.state.chain) {
                // Events without their chain's head: the head row was removed.
                let next = walk.state.events + 1;
                walk.break_at(next, None, "head-mismatch");
            }
        }
        for head in &heads {
            if let Some(walk) = walks.get_mut(&head.chain) {
                walk.state.head_seq = u64::try_from(head.seq).unwrap_or(0);
                walk.state.head_hash.clone_from(&head.hash);
                if walk.state.head_seq != walk.state.events || walk.previous != head.hash {
                    let next = walk.state.events + 1;
                    walk.break_at(next, None, "head-mismatch");
                }
            }
        }
        txn.commit().await.map_err(storage)?;
        report.chains = walks.into_values().map(|w| w.state).collect();
        Ok(report)
    }
}
