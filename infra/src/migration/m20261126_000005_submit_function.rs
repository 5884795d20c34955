//! PostgreSQL only: a submission in one round trip. `pge_submit` runs, inside the one
//! implicit transaction of a single `SELECT`, the very steps the sea-orm path runs in an
//! explicit one (`persistence/loan_requests.rs`): the advisory locks (idempotency key,
//! then company), the idempotency lookup, the company's committed sum and lowest standing
//! cap, the aggregate-cap check, then the four INSERTs (request, audit event, outbox
//! e-mail, idempotency record). The caller is `persistence/fast_submit.rs`.
//!
//! Why it stays race-free: a PL/pgSQL function is `VOLATILE` by default, and in READ
//! COMMITTED each statement of a volatile function takes a new snapshot; the sum is
//! read after the company's lock is held, so it sees every submission committed by the
//! lock's previous holder. The transaction, and the locks with it, ends when the
//! `SELECT` answers: an acknowledged submission is committed.
//!
//! The request row arrives as JSON keyed by column name (`jsonb_populate_record` over
//! the table's own row type), so this function names no column of `loan_requests` and a
//! later migration that adds one does not have to replace it. The lock keys, the
//! released statuses and the e-mail come from the caller, which owns those constants.
//! The aggregate-cap comparison is the one SQL copy of `domain::rules::
//! check_aggregate_cap(company_cap(..))`: on a refusal the function returns the sum and
//! the lowest cap it compared, and the caller builds the refusal with the domain rule
//! (and reports a disagreement as a storage error).
//!
//! SQLite has no server-side functions: there this migration does nothing.

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const CREATE: &str = r#"
CREATE OR REPLACE FUNCTION pge_submit(
    p_request jsonb,
    p_actor_role text,
    p_key_lock bigint,
    p_company_lock_class integer,
    p_company_lock integer,
    p_released text[],
    p_idem_key text,
    p_fingerprint text,
    p_response_status integer,
    p_receipt text,
    p_outbox_id uuid,
    p_mail_kind text,
    p_outbox_payload text
) RETURNS TABLE (
    outcome text,
    replay_receipt text,
    replay_id uuid,
    committed_cents bigint,
    lowest_cap_cents bigint
) LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
    r loan_requests;
    known_fingerprint text;
    known_receipt text;
    known_id uuid;
    total bigint;
    lowest bigint;
BEGIN
    r := jsonb_populate_record(NULL::loan_requests, p_request);
    IF p_key_lock IS NOT NULL THEN
        PERFORM pg_advisory_xact_lock(p_key_lock);
    END IF;
    PERFORM pg_advisory_xact_lock(p_company_lock_class, p_company_lock);
    IF p_idem_key IS NOT NULL THEN
        SELECT i.body_fingerprint, i.response_body, i.loan_request_id
          INTO known_fingerprint, known_receipt, known_id
          FROM idempotency_records i
         WHERE i.applicant_sub = r.applicant_sub AND i.idem_key = p_idem_key;
        IF FOUND THEN
            IF known_fingerprint = p_fingerprint THEN
                RETURN QUERY SELECT 'replayed'::text, known_receipt, known_id, NULL::bigint, NULL::bigint;
            ELSE
                RETURN QUERY SELECT 'key_reused'::text, NULL::text, NULL::uuid, NULL::bigint, NULL::bigint;
            END IF;
            RETURN;
        END IF;
    END IF;
    SELECT CAST(COALESCE(SUM(l.requested_amount_cents), 0) AS bigint), MIN(l.cap_cents)
      INTO total, lowest
      FROM loan_requests l
     WHERE l.siren = r.siren AND l.status <> ALL (p_released);
    IF total::numeric + r.requested_amount_cents > LEAST(r.cap_cents, COALESCE(lowest, r.cap_cents)) THEN
        RETURN QUERY SELECT 'cap_exceeded'::text, NULL::text, NULL::uuid, total, lowest;
        RETURN;
    END IF;
    INSERT INTO loan_requests VALUES (r.*);
    INSERT INTO audit_events (loan_request_id, at, actor_role, actor_sub, action, from_status, to_status, reason)
    VALUES (r.id, r.created_at, p_actor_role, r.applicant_sub, 'submit', NULL, r.status, NULL);
    INSERT INTO outbox_messages (id, loan_request_id, kind, recipient, payload, status, attempts, next_attempt_at, last_error, provider_message_id, created_at, sent_at)
    VALUES (p_outbox_id, r.id, p_mail_kind, r.contact_email, p_outbox_payload, 'pending', 0, r.created_at, NULL, NULL, r.created_at, NULL);
    IF p_idem_key IS NOT NULL THEN
        INSERT INTO idempotency_records (applicant_sub, idem_key, body_fingerprint, response_status, response_body, loan_request_id, created_at)
        VALUES (r.applicant_sub, p_idem_key, p_fingerprint, p_response_status, p_receipt, r.id, r.created_at);
    END IF;
    RETURN QUERY SELECT 'created'::text, NULL::text, r.id, NULL::bigint, NULL::bigint;
END
$fn$
"#;

const DROP: &str = "DROP FUNCTION IF EXISTS pge_submit(jsonb, text, bigint, integer, integer, text[], text, text, integer, text, uuid, text, text)";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        manager.get_connection().execute_unprepared(CREATE).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        manager.get_connection().execute_unprepared(DROP).await?;
        Ok(())
    }
}
