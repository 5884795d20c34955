//! The tamper-evident audit trail (docs/RULES.md §22): every audit event carries its
//! chain, its number in it, the hash of the event before it and its own hash; each
//! chain's head (its last number and hash) is kept in `audit_chain_heads`.
//!
//! - `audit_events` gains four nullable columns (a catalog-only change on PostgreSQL,
//!   under a brief ACCESS EXCLUSIVE lock that `pge migrate`'s lock_timeout bounds; no
//!   rewrite, no index built on the live table). Events written before stay unchained.
//! - PostgreSQL: a BEFORE INSERT trigger, `pge_audit_link`, links every new event in the
//!   inserting transaction — whoever inserts it: the submission's function, this
//!   release's statements, or the previous release's during a rolling deploy. The head's
//!   row, updated in that transaction, serialises the events of one chain.
//! - SQLite (the embedded default): the application links each event before inserting
//!   it (`infra::persistence::audit_chain`), with the same canonical form; its single
//!   writer serialises them.

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{big_integer, string_len};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The trigger: the event's chain (`{bank}-{lane}`, the lane from the request id's last
/// byte), then, in one UPDATE of the chain's head, its number, the previous hash and its
/// own (the head keeps the previous hash too, so that one statement returns all three).
/// The canonical form is `infra::persistence::audit_chain::canonical`'s.
const LINK: &str = r#"
CREATE FUNCTION pge_audit_link() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    bank text;
    fields text;
BEGIN
    SELECT l.bank_id INTO bank FROM loan_requests l WHERE l.id = NEW.loan_request_id;
    NEW.chain := COALESCE(bank, '00000') || '-'
        || lpad((get_byte(uuid_send(NEW.loan_request_id), 15) % 16)::text, 2, '0');
    -- The canonical form but the chain and the number (which the head gives).
    fields := concat_ws('|',
        NEW.loan_request_id::text,
        to_char(NEW.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        COALESCE(length(NEW.actor_role)::text || ':' || NEW.actor_role, '-'),
        COALESCE(length(NEW.actor_sub)::text || ':' || NEW.actor_sub, '-'),
        COALESCE(length(NEW.action)::text || ':' || NEW.action, '-'),
        COALESCE(length(NEW.from_status)::text || ':' || NEW.from_status, '-'),
        COALESCE(length(NEW.to_status)::text || ':' || NEW.to_status, '-'),
        COALESCE(length(NEW.reason)::text || ':' || NEW.reason, '-'));
    LOOP
        -- One statement moves the head and links the event (the head's row lock orders
        -- the chain's events until the transaction ends).
        UPDATE audit_chain_heads h
           SET seq = h.seq + 1,
               prev_hash = h.hash,
               hash = encode(sha256(convert_to(h.hash || E'\n'
                   || length(NEW.chain)::text || ':' || NEW.chain || '|'
                   || (h.seq + 1)::text || '|' || fields, 'UTF8')), 'hex')
         WHERE h.chain = NEW.chain
        RETURNING h.seq, h.prev_hash, h.hash INTO NEW.seq, NEW.prev_hash, NEW.hash;
        EXIT WHEN FOUND;
        -- The chain's first event (or a concurrent first one won: update again).
        INSERT INTO audit_chain_heads (chain, seq, prev_hash, hash)
        VALUES (NEW.chain, 1, repeat('0', 64), encode(sha256(convert_to(repeat('0', 64) || E'\n'
            || length(NEW.chain)::text || ':' || NEW.chain || '|1|' || fields, 'UTF8')), 'hex'))
        ON CONFLICT (chain) DO NOTHING
        RETURNING seq, prev_hash, hash INTO NEW.seq, NEW.prev_hash, NEW.hash;
        EXIT WHEN FOUND;
    END LOOP;
    RETURN NEW;
END
$fn$
"#;

const TRIGGER: &str = "CREATE TRIGGER pge_audit_link BEFORE INSERT ON audit_events \
     FOR EACH ROW EXECUTE FUNCTION pge_audit_link()";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditChainHeads::Table)
                    .col(string_len(AuditChainHeads::Chain, 12).primary_key())
                    .col(big_integer(AuditChainHeads::Seq))
                    .col(string_len(AuditChainHeads::PrevHash, 64))
                    .col(string_len(AuditChainHeads::Hash, 64))
                    .to_owned(),
            )
            .await?;
        // One column a statement: SQLite adds one at a time.
        for column in [
            ColumnDef::new(AuditEvents::Chain)
                .string_len(12)
                .null()
                .to_owned(),
            ColumnDef::new(AuditEvents::Seq)
                .big_integer()
                .null()
                .to_owned(),
            ColumnDef::new(AuditEvents::PrevHash)
                .string_len(64)
                .null()
                .to_owned(),
            ColumnDef::new(AuditEvents::Hash)
                .string_len(64)
                .null()
                .to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(AuditEvents::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        if manager.get_database_backend() == DbBackend::Postgres {
            let db = manager.get_connection();
            db.execute_unprepared(LINK).await?;
            db.execute_unprepared(TRIGGER).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            let db = manager.get_connection();
            db.execute_unprepared("DROP TRIGGER IF EXISTS pge_audit_link ON audit_events")
                .await?;
            db.execute_unprepared("DROP FUNCTION IF EXISTS pge_audit_link()")
                .await?;
        }
        for column in [
            AuditEvents::Hash,
            AuditEvents::PrevHash,
            AuditEvents::Seq,
            AuditEvents::Chain,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(AuditEvents::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table(AuditChainHeads::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum AuditChainHeads {
    Table,
    Chain,
    Seq,
    PrevHash,
    Hash,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Chain,
    Seq,
    PrevHash,
    Hash,
}
