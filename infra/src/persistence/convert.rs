//! Rows to domain values and back. A row that no longer parses is reported as a storage
//! failure (it can only come from outside the application), never served half-valid.

use chrono::{DateTime, Utc};
use domain::company::{Company, RawCompany};
use domain::loan_request::{
    Actor, AuditAction, AuditEvent, LoanRequest, LoanRequestId, MailKind, OutboxStatus, Subject,
};
use domain::money::{BasisPoints, Cents};
use domain::ports::StorageError;
use domain::reference::Reference;
use domain::rules::{AmortizationYears, FeeYear, LoanTerms, SizeCategory};
use domain::submission::{BankCode, EmailAddress};
use domain::workflow::{Role, Status};
use sea_orm::ActiveValue::Set;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::entity::{audit_event, loan_request, outbox_message};

/// A fee-schedule line as stored in the `fee_schedule` JSON column.
#[derive(Serialize, Deserialize)]
struct StoredFeeYear {
    year: u8,
    rate_bp: u32,
    outstanding_cents: i64,
    fee_cents: i64,
}

/// The row a request is stored as: the one description of its columns. The sea-orm
/// writer inserts it as it is; the PostgreSQL writer sends it to `pge_submit_v2` as JSON
/// keyed by column name (`tests/tests/submissions.rs` checks both store the same).
pub(crate) fn request_row(request: &LoanRequest) -> loan_request::Model {
    let company = &request.company;
    let terms = &request.terms;
    loan_request::Model {
        id: request.id.0,
        reference: request.reference.to_string(),
        status: request.status.as_str().to_owned(),
        version: request.version,
        bank_id: request.bank.as_str().to_owned(),
        applicant_sub: request.applicant.as_str().to_owned(),
        siren: company.siren.as_str().to_owned(),
        siret: company.siret.as_ref().map(|s| s.as_str().to_owned()),
        legal_name: company.legal_name.as_str().to_owned(),
        legal_form: company.legal_form.as_str().to_owned(),
        creation_date: company.creation_date,
        headcount: i64::from(company.headcount.get()),
        revenue_cents: company.revenue.get(),
        payroll_cents: company.payroll.map(Cents::get),
        balance_sheet_cents: company.balance_sheet.map(Cents::get),
        innovative: company.innovative,
        collective_proceedings: company.collective_proceedings,
        requested_amount_cents: request.amount.get(),
        amortization_years: i16::from(request.amortization.get()),
        contact_email: request.contact_email.as_str().to_owned(),
        size_category: terms.size_category.as_str().to_owned(),
        cap_cents: terms.cap.get(),
        guarantee_share_bp: i32::try_from(terms.guarantee_share.get()).unwrap_or(i32::MAX),
        guaranteed_cents: terms.guaranteed.get(),
        fee_schedule: fee_schedule_json(terms),
        total_fee_cents: terms.total_fee.get(),
        decision_reason: request.decision_reason.clone(),
        created_at: request.created_at,
        updated_at: request.updated_at,
    }
}

fn corrupt(what: &str, id: impl std::fmt::Display) -> StorageError {
    StorageError::other(format!("corrupt {what} in loan request {id}"))
}

pub(crate) fn fee_schedule_json(terms: &LoanTerms) -> String {
    let lines: Vec<StoredFeeYear> = terms
        .fee_schedule
        .iter()
        .map(|y| StoredFeeYear {
            year: y.year,
            rate_bp: y.rate_bp.get(),
            outstanding_cents: y.outstanding.get(),
            fee_cents: y.fee.get(),
        })
        .collect();
    serde_json::to_string(&lines).unwrap_or_else(|_| "[]".to_owned())
}

pub(crate) fn status_from(value: &str, id: impl std::fmt::Display) -> Result<Status, StorageError> {
    Status::parse(value).ok_or_else(|| corrupt("status", id))
}

pub(crate) fn loan_request_from_row(row: loan_request::Model) -> Result<LoanRequest, StorageError> {
    let id = row.id;
    let company = Company::parse(
        RawCompany {
            siren: row.siren,
            siret: row.siret,
            legal_name: row.legal_name,
            legal_form: row.legal_form,
            creation_date: row.creation_date,
            headcount: row.headcount,
            revenue_cents: row.revenue_cents,
            payroll_cents: row.payroll_cents,
            balance_sheet_cents: row.balance_sheet_cents,
            innovative: row.innovative,
            collective_proceedings: row.collective_proceedings,
        },
        "company",
    )
    .map_err(|_| corrupt("company", id))?;
    let stored: Vec<StoredFeeYear> =
        serde_json::from_str(&row.fee_schedule).map_err(|_| corrupt("fee schedule", id))?;
    let fee_schedule = stored
        .into_iter()
        .map(|y| FeeYear {
            year: y.year,
            rate_bp: BasisPoints::new(y.rate_bp),
            outstanding: Cents::new(y.outstanding_cents),
            fee: Cents::new(y.fee_cents),
        })
        .collect();
    let terms = LoanTerms {
        size_category: SizeCategory::parse(&row.size_category)
            .ok_or_else(|| corrupt("size category", id))?,
        cap: Cents::new(row.cap_cents),
        guarantee_share: BasisPoints::new(
            u32::try_from(row.guarantee_share_bp).map_err(|_| corrupt("share", id))?,
        ),
        guaranteed: Cents::new(row.guaranteed_cents),
        fee_schedule,
        total_fee: Cents::new(row.total_fee_cents),
    };
    Ok(LoanRequest {
        id: LoanRequestId(id),
        reference: Reference::parse(&row.reference).map_err(|_| corrupt("reference", id))?,
        status: status_from(&row.status, id)?,
        version: row.version,
        bank: BankCode::parse(&row.bank_id).map_err(|_| corrupt("bank", id))?,
        applicant: Subject::new(row.applicant_sub),
        company,
        amount: Cents::new(row.requested_amount_cents),
        amortization: AmortizationYears::new(i64::from(row.amortization_years))
            .ok_or_else(|| corrupt("amortization", id))?,
        contact_email: EmailAddress::stored(&row.contact_email)
            .map_err(|_| corrupt("contact email", id))?,
        terms,
        decision_reason: row.decision_reason,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

pub(crate) fn audit_event_from_row(row: audit_event::Model) -> Result<AuditEvent, StorageError> {
    let id = row.loan_request_id;
    Ok(AuditEvent {
        at: row.at,
        actor_role: Role::parse(&row.actor_role).ok_or_else(|| corrupt("audit role", id))?,
        actor_subject: Some(row.actor_sub),
        action: AuditAction::parse(&row.action).ok_or_else(|| corrupt("audit action", id))?,
        from_status: row
            .from_status
            .as_deref()
            .map(|s| status_from(s, id))
            .transpose()?,
        to_status: status_from(&row.to_status, id)?,
        reason: row.reason,
    })
}

/// An audit line as stored: `action` by `actor` at `at`, moving the request from `from`
/// (none for its submission) to `to`.
pub(crate) fn audit_row(
    request: LoanRequestId,
    at: DateTime<Utc>,
    actor: &Actor,
    action: AuditAction,
    (from, to): (Option<Status>, Status),
    reason: Option<String>,
) -> audit_event::ActiveModel {
    audit_event::ActiveModel {
        loan_request_id: Set(request.0),
        at: Set(at),
        actor_role: Set(actor.role.as_str().to_owned()),
        actor_sub: Set(actor.subject.as_str().to_owned()),
        action: Set(action.as_str().to_owned()),
        from_status: Set(from.map(|s| s.as_str().to_owned())),
        to_status: Set(to.as_str().to_owned()),
        reason: Set(reason),
        ..Default::default()
    }
}

/// What an e-mail about a request needs to know of it (the outbox message's payload).
/// With traces on, it carries the writer's trace context (`traceparent`): the worker's
/// delivery span links to the request that wrote the message.
pub(crate) fn outbox_payload(request: &LoanRequest) -> String {
    outbox_payload_with(request, serde_json::Map::new())
}

/// [`outbox_payload`] with more fields (an e-mail that needs more of the request).
pub(crate) fn outbox_payload_with(
    request: &LoanRequest,
    more: serde_json::Map<String, serde_json::Value>,
) -> String {
    let mut payload = serde_json::json!({
        "reference": request.reference.to_string(),
        "status": request.status.as_str(),
        "bank_id": request.bank.as_str(),
        "legal_name": request.company.legal_name.as_str(),
        "requested_amount_cents": request.amount.get(),
        "reason": request.decision_reason,
    });
    if let serde_json::Value::Object(fields) = &mut payload {
        fields.extend(more);
    }
    if let Some(traceparent) = crate::trace::current_traceparent() {
        payload["traceparent"] = serde_json::Value::String(traceparent);
    }
    payload.to_string()
}

/// The applicant's e-mail of `kind` about `request`.
pub(crate) fn outbox_row(
    request: &LoanRequest,
    kind: MailKind,
    now: DateTime<Utc>,
) -> outbox_message::ActiveModel {
    outbox_row_to(request, kind, request.contact_email.as_str(), now)
}

/// An e-mail of `kind` about `request` to `recipient`: pending, due `now`.
pub(crate) fn outbox_row_to(
    request: &LoanRequest,
    kind: MailKind,
    recipient: &str,
    now: DateTime<Utc>,
) -> outbox_message::ActiveModel {
    outbox_row_with(request, kind, recipient, outbox_payload(request), now)
}

/// An e-mail of `kind` about `request` to `recipient` with its own payload: pending,
/// due `now`.
pub(crate) fn outbox_row_with(
    request: &LoanRequest,
    kind: MailKind,
    recipient: &str,
    payload: String,
    now: DateTime<Utc>,
) -> outbox_message::ActiveModel {
    outbox_message::ActiveModel {
        id: Set(Uuid::now_v7()),
        loan_request_id: Set(request.id.0),
        kind: Set(kind.as_str().to_owned()),
        recipient: Set(recipient.to_owned()),
        payload: Set(payload),
        status: Set(OutboxStatus::Pending.as_str().to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        last_error: Set(None),
        provider_message_id: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
    }
}
