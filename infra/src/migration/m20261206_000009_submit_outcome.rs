//! The submission's writers no longer write an HTTP status, and PostgreSQL's answers a
//! typed outcome. Expand only: what the previous release sends keeps working.
//!
//! - `idempotency_records.response_status` gets the default 201. The column predates
//!   receipts; only the previous release's replicas read it (as their replay's status),
//!   so this release's writers leave it out and the default gives those replicas what
//!   they expect, until a later migration drops the column. On PostgreSQL a `SET
//!   DEFAULT` changes the catalog only (no rewrite, no scan) under a brief ACCESS
//!   EXCLUSIVE lock, which `pge migrate`'s lock_timeout bounds. SQLite cannot change a
//!   column's default: the table (no index but its key, no foreign key, nothing refers
//!   to it) is made again with the default and its rows copied, in the migration's
//!   transaction; SQLite is the embedded, single-process default, never shared with
//!   another release.
//! - PostgreSQL only: the enum `pge_submit_outcome` and the function `pge_submit_v2`,
//!   the steps of `pge_submit` (migration `m20261126_000005`, which says why they are
//!   race-free) with three differences: it answers a `pge_submit_outcome` rather than
//!   text; it takes no HTTP status (the default above fills it); and it writes no stored
//!   name of its own: the audit action and the outbox status come from the caller, like
//!   the released statuses and the e-mail's kind (the domain's enums own them). Its
//!   aggregate-cap comparison is the only decision of that rule on PostgreSQL: on a
//!   refusal it answers the sum and lowest cap it compared, and the caller builds the
//!   refusal from them (`domain::rules::Commitments::refusal`) without deciding again.
//!   `pge_submit` stays, for the previous release's replicas, until a later migration
//!   drops it.

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{integer, string_len, text, timestamp_with_time_zone, uuid_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// What `pge_submit`'s callers wrote in `response_status`: a submission's 201.
const LEGACY_RESPONSE_STATUS: i32 = 201;

const DEFAULT: &str =
    "ALTER TABLE idempotency_records ALTER COLUMN response_status SET DEFAULT 201";

const OUTCOME: &str =
    "CREATE TYPE pge_submit_outcome AS ENUM ('created', 'replayed', 'key_reused', 'cap_exceeded')";

const CREATE: &str = r#"
CREATE FUNCTION pge_submit_v2(
    p_request jsonb,
    p_actor_role text,
    p_action text,
    p_key_lock bigint,
    p_company_lock_class integer,
    p_company_lock integer,
    p_released text[],
    p_idem_key text,
    p_fingerprint text,
    p_receipt text,
    p_outbox_id uuid,
    p_mail_kind text,
    p_outbox_status text,
    p_outbox_payload text
) RETURNS TABLE (
    outcome pge_submit_outcome,
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
                RETURN QUERY SELECT 'replayed'::pge_submit_outcome, known_receipt, known_id, NULL::bigint, NULL::bigint;
            ELSE
                RETURN QUERY SELECT 'key_reused'::pge_submit_outcome, NULL::text, NULL::uuid, NULL::bigint, NULL::bigint;
            END IF;
            RETURN;
        END IF;
    END IF;
    SELECT CAST(COALESCE(SUM(l.requested_amount_cents), 0) AS bigint), MIN(l.cap_cents)
      INTO total, lowest
      FROM loan_requests l
     WHERE l.siren = r.siren AND l.status <> ALL (p_released);
    IF total::numeric + r.requested_amount_cents > LEAST(r.cap_cents, COALESCE(lowest, r.cap_cents)) THEN
        RETURN QUERY SELECT 'cap_exceeded'::pge_submit_outcome, NULL::text, NULL::uuid, total, lowest;
        RETURN;
    END IF;
    INSERT INTO loan_requests VALUES (r.*);
    INSERT INTO audit_events (loan_request_id, at, actor_role, actor_sub, action, from_status, to_status, reason)
    VALUES (r.id, r.created_at, p_actor_role, r.applicant_sub, p_action, NULL, r.status, NULL);
    INSERT INTO outbox_messages (id, loan_request_id, kind, recipient, payload, status, attempts, next_attempt_at, last_error, provider_message_id, created_at, sent_at)
    VALUES (p_outbox_id, r.id, p_mail_kind, r.contact_email, p_outbox_payload, p_outbox_status, 0, r.created_at, NULL, NULL, r.created_at, NULL);
    IF p_idem_key IS NOT NULL THEN
        INSERT INTO idempotency_records (applicant_sub, idem_key, body_fingerprint, response_body, loan_request_id, created_at)
        VALUES (r.applicant_sub, p_idem_key, p_fingerprint, p_receipt, r.id, r.created_at);
    END IF;
    RETURN QUERY SELECT 'created'::pge_submit_outcome, NULL::text, r.id, NULL::bigint, NULL::bigint;
END
$fn$
"#;

const DROP: [&str; 3] = [
    "DROP FUNCTION IF EXISTS pge_submit_v2(jsonb, text, text, bigint, integer, integer, text[], text, text, text, uuid, text, text, text)",
    "DROP TYPE IF EXISTS pge_submit_outcome",
    "ALTER TABLE idempotency_records ALTER COLUMN response_status DROP DEFAULT",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() != DbBackend::Postgres {
            return sqlite_default(manager).await;
        }
        for statement in [DEFAULT, OUTCOME, CREATE] {
            db.execute_unprepared(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite keeps the default: harmless to the release before, which writes the
        // column.
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        for statement in DROP {
            manager
                .get_connection()
                .execute_unprepared(statement)
                .await?;
        }
        Ok(())
    }
}

/// SQLite: `idempotency_records` made again, as migration `m20261123_000001` made it
/// but for the default, and its rows copied.
async fn sqlite_default(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Rebuilt::Table)
                .col(string_len(IdempotencyRecords::ApplicantSub, 255))
                .col(string_len(IdempotencyRecords::IdemKey, 255))
                .col(string_len(IdempotencyRecords::BodyFingerprint, 64))
                .col(integer(IdempotencyRecords::ResponseStatus).default(LEGACY_RESPONSE_STATUS))
                .col(text(IdempotencyRecords::ResponseBody))
                .col(uuid_null(IdempotencyRecords::LoanRequestId))
                .col(timestamp_with_time_zone(IdempotencyRecords::CreatedAt))
                .primary_key(
                    Index::create()
                        .col(IdempotencyRecords::ApplicantSub)
                        .col(IdempotencyRecords::IdemKey),
                )
                .to_owned(),
        )
        .await?;
    manager
        .get_connection()
        .execute_unprepared(
            "INSERT INTO idempotency_records_rebuilt (applicant_sub, idem_key, body_fingerprint, \
             response_status, response_body, loan_request_id, created_at) \
             SELECT applicant_sub, idem_key, body_fingerprint, response_status, response_body, \
             loan_request_id, created_at FROM idempotency_records",
        )
        .await?;
    manager
        .drop_table(Table::drop().table(IdempotencyRecords::Table).to_owned())
        .await?;
    manager
        .rename_table(
            Table::rename()
                .table(Rebuilt::Table, IdempotencyRecords::Table)
                .to_owned(),
        )
        .await
}

#[derive(DeriveIden)]
enum IdempotencyRecords {
    Table,
    ApplicantSub,
    IdemKey,
    BodyFingerprint,
    ResponseStatus,
    ResponseBody,
    LoanRequestId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Rebuilt {
    #[sea_orm(iden = "idempotency_records_rebuilt")]
    Table,
}
