//! Banks, loan requests, audit events, outbox messages and idempotency records.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, big_integer_null, boolean, date, integer, pk_auto, small_integer, string,
    string_len, string_null, text, text_null, timestamp_with_time_zone,
    timestamp_with_time_zone_null, uuid,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Participating banks with their 5-digit French bank codes (code banque).
const SEED_BANKS: &[(&str, &str)] = &[
    ("30004", "BNP Paribas"),
    ("30003", "Société Générale"),
    ("30002", "LCL - Le Crédit Lyonnais"),
    ("10278", "Crédit Mutuel"),
    ("20041", "La Banque Postale"),
    ("30066", "CIC"),
    ("30056", "HSBC Continental Europe"),
    ("17515", "Caisse d'Epargne Ile-de-France"),
    ("18206", "Crédit Agricole d'Ile-de-France"),
    ("10107", "BRED Banque Populaire"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Banks::Table)
                    .col(string_len(Banks::Code, 5).primary_key())
                    .col(string_len(Banks::Name, 200))
                    .col(timestamp_with_time_zone(Banks::CreatedAt))
                    .to_owned(),
            )
            .await?;
        let mut seed = Query::insert()
            .into_table(Banks::Table)
            .columns([Banks::Code, Banks::Name, Banks::CreatedAt])
            .to_owned();
        let seeded_at = chrono::DateTime::<chrono::Utc>::from_timestamp(1_732_320_000, 0)
            .ok_or_else(|| DbErr::Migration("seed timestamp".into()))?;
        for (code, name) in SEED_BANKS {
            seed.values_panic([(*code).into(), (*name).into(), seeded_at.into()]);
        }
        manager.exec_stmt(seed).await?;

        manager
            .create_table(
                Table::create()
                    .table(LoanRequests::Table)
                    .col(uuid(LoanRequests::Id).primary_key())
                    .col(string_len(LoanRequests::Reference, 16))
                    .col(string_len(LoanRequests::Status, 20))
                    .col(integer(LoanRequests::Version))
                    .col(string_len(LoanRequests::BankId, 5))
                    .col(string_len(LoanRequests::ApplicantSub, 255))
                    .col(string_len(LoanRequests::Siren, 9))
                    .col(string_null(LoanRequests::Siret))
                    .col(string(LoanRequests::LegalName))
                    .col(string_len(LoanRequests::LegalForm, 30))
                    .col(date(LoanRequests::CreationDate))
                    .col(big_integer(LoanRequests::Headcount))
                    .col(big_integer(LoanRequests::RevenueCents))
                    .col(big_integer_null(LoanRequests::PayrollCents))
                    .col(big_integer_null(LoanRequests::BalanceSheetCents))
                    .col(boolean(LoanRequests::Innovative))
                    .col(boolean(LoanRequests::CollectiveProceedings))
                    .col(big_integer(LoanRequests::RequestedAmountCents))
                    .col(small_integer(LoanRequests::AmortizationYears))
                    .col(string_len(LoanRequests::ContactEmail, 254))
                    .col(string_len(LoanRequests::SizeCategory, 3))
                    .col(big_integer(LoanRequests::CapCents))
                    .col(integer(LoanRequests::GuaranteeShareBp))
                    .col(big_integer(LoanRequests::GuaranteedCents))
                    .col(text(LoanRequests::FeeSchedule))
                    .col(big_integer(LoanRequests::TotalFeeCents))
                    .col(text_null(LoanRequests::DecisionReason))
                    .col(timestamp_with_time_zone(LoanRequests::CreatedAt))
                    .col(timestamp_with_time_zone(LoanRequests::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_loan_requests_bank")
                            .from(LoanRequests::Table, LoanRequests::BankId)
                            .to(Banks::Table, Banks::Code),
                    )
                    .to_owned(),
            )
            .await?;
        let indexes: [(&str, &[LoanRequests], bool); 6] = [
            (
                "ux_loan_requests_reference",
                &[LoanRequests::Reference],
                true,
            ),
            (
                "ix_loan_requests_applicant_keyset",
                &[
                    LoanRequests::ApplicantSub,
                    LoanRequests::CreatedAt,
                    LoanRequests::Id,
                ],
                false,
            ),
            (
                "ix_loan_requests_bank_keyset",
                &[
                    LoanRequests::BankId,
                    LoanRequests::CreatedAt,
                    LoanRequests::Id,
                ],
                false,
            ),
            (
                "ix_loan_requests_bank_status_keyset",
                &[
                    LoanRequests::BankId,
                    LoanRequests::Status,
                    LoanRequests::CreatedAt,
                    LoanRequests::Id,
                ],
                false,
            ),
            (
                "ix_loan_requests_siren",
                &[LoanRequests::Siren, LoanRequests::CreatedAt],
                false,
            ),
            (
                "ix_loan_requests_keyset",
                &[LoanRequests::CreatedAt, LoanRequests::Id],
                false,
            ),
        ];
        for (name, columns, unique) in indexes {
            let mut index = Index::create()
                .name(name)
                .table(LoanRequests::Table)
                .to_owned();
            for column in columns {
                index.col(column.clone());
            }
            if unique {
                index.unique();
            }
            manager.create_index(index).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(AuditEvents::Table)
                    .col(pk_auto(AuditEvents::Id))
                    .col(uuid(AuditEvents::LoanRequestId))
                    .col(timestamp_with_time_zone(AuditEvents::At))
                    .col(string_len(AuditEvents::ActorRole, 20))
                    .col(string_len(AuditEvents::ActorSub, 255))
                    .col(string_len(AuditEvents::Action, 30))
                    .col(string_null(AuditEvents::FromStatus))
                    .col(string_len(AuditEvents::ToStatus, 20))
                    .col(text_null(AuditEvents::Reason))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_audit_events_loan_request")
                            .from(AuditEvents::Table, AuditEvents::LoanRequestId)
                            .to(LoanRequests::Table, LoanRequests::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_audit_events_loan_request")
                    .table(AuditEvents::Table)
                    .col(AuditEvents::LoanRequestId)
                    .col(AuditEvents::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(OutboxMessages::Table)
                    .col(uuid(OutboxMessages::Id).primary_key())
                    .col(uuid(OutboxMessages::LoanRequestId))
                    .col(string_len(OutboxMessages::Kind, 40))
                    .col(string_len(OutboxMessages::Recipient, 254))
                    .col(text(OutboxMessages::Payload))
                    .col(string_len(OutboxMessages::Status, 10))
                    .col(integer(OutboxMessages::Attempts))
                    .col(timestamp_with_time_zone(OutboxMessages::NextAttemptAt))
                    .col(text_null(OutboxMessages::LastError))
                    .col(string_null(OutboxMessages::ProviderMessageId))
                    .col(timestamp_with_time_zone(OutboxMessages::CreatedAt))
                    .col(timestamp_with_time_zone_null(OutboxMessages::SentAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_outbox_messages_due")
                    .table(OutboxMessages::Table)
                    .col(OutboxMessages::Status)
                    .col(OutboxMessages::NextAttemptAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(IdempotencyRecords::Table)
                    .col(string_len(IdempotencyRecords::ApplicantSub, 255))
                    .col(string_len(IdempotencyRecords::IdemKey, 255))
                    .col(string_len(IdempotencyRecords::BodyFingerprint, 64))
                    .col(integer(IdempotencyRecords::ResponseStatus))
                    .col(text(IdempotencyRecords::ResponseBody))
                    .col(sea_orm_migration::schema::uuid_null(
                        IdempotencyRecords::LoanRequestId,
                    ))
                    .col(timestamp_with_time_zone(IdempotencyRecords::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(IdempotencyRecords::ApplicantSub)
                            .col(IdempotencyRecords::IdemKey),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            IdempotencyRecords::Table.into_iden(),
            OutboxMessages::Table.into_iden(),
            AuditEvents::Table.into_iden(),
            LoanRequests::Table.into_iden(),
            Banks::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Banks {
    Table,
    Code,
    Name,
    CreatedAt,
}

#[derive(DeriveIden, Clone)]
enum LoanRequests {
    Table,
    Id,
    Reference,
    Status,
    Version,
    BankId,
    ApplicantSub,
    Siren,
    Siret,
    LegalName,
    LegalForm,
    CreationDate,
    Headcount,
    RevenueCents,
    PayrollCents,
    BalanceSheetCents,
    Innovative,
    CollectiveProceedings,
    RequestedAmountCents,
    AmortizationYears,
    ContactEmail,
    SizeCategory,
    CapCents,
    GuaranteeShareBp,
    GuaranteedCents,
    FeeSchedule,
    TotalFeeCents,
    DecisionReason,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    LoanRequestId,
    At,
    ActorRole,
    ActorSub,
    Action,
    FromStatus,
    ToStatus,
    Reason,
}

#[derive(DeriveIden)]
enum OutboxMessages {
    Table,
    Id,
    LoanRequestId,
    Kind,
    Recipient,
    Payload,
    Status,
    Attempts,
    NextAttemptAt,
    LastError,
    ProviderMessageId,
    CreatedAt,
    SentAt,
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
