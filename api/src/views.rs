//! JSON shapes of the API (docs/ARCHITECTURE.md §4), shared by several routes: what
//! clients send and receive. They are separate from the domain types (which only exist
//! valid) and from the storage rows.

use chrono::{DateTime, NaiveDate, Utc};
use domain::company::{Company, RawCompany};
use domain::four_eyes::PendingGrant;
use domain::loan_request::{AuditEvent, LoanRequest};
use domain::rules::LoanTerms;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A loan request's state (docs/RULES.md §14): `submitted` → `in_review` → `pre_approved` →
/// `granted`; `submitted`/`in_review`/`pre_approved` → `rejected` or `withdrawn`. Documentation only:
/// statuses travel as these strings.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)] // never built: it describes the strings in the OpenAPI document
pub enum LoanStatus {
    Submitted,
    InReview,
    PreApproved,
    Granted,
    Rejected,
    Withdrawn,
}

/// Declared company data (docs/RULES.md §2). Whitespace in SIREN/SIRET is tolerated.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompanyInput {
    /// 9 digits, Luhn-valid.
    #[schema(example = "732829320")]
    pub siren: String,
    /// 14 digits starting with the SIREN (head office), optional.
    #[schema(example = "73282932000074")]
    pub siret: Option<String>,
    /// 1–200 characters.
    #[schema(example = "Boulangerie Exemple")]
    pub legal_name: String,
    /// One of SA, SAS, SASU, SARL, EURL, SNC, EI, MICRO, ASSOCIATION, SCI,
    /// CREDIT_INSTITUTION, FINANCING_COMPANY, OTHER.
    #[schema(example = "SAS")]
    pub legal_form: String,
    /// Not in the future (`future-date`).
    #[schema(example = "2012-05-04")]
    pub creation_date: NaiveDate,
    /// 0 to 10,000,000.
    #[schema(example = 12, minimum = 0, maximum = 10_000_000)]
    pub headcount: i64,
    /// Revenue of the last closed fiscal year, in cents: 0 to 10^14 (€1,000 billion).
    #[schema(example = 100_000_000, minimum = 0, maximum = 100_000_000_000_000_i64)]
    pub revenue_cents: i64,
    /// Annual payroll in France, in cents: 0 to 10^14 (€1,000 billion).
    #[schema(minimum = 0, maximum = 100_000_000_000_000_i64)]
    pub payroll_cents: Option<i64>,
    /// Balance-sheet total, in cents: 0 to 10^14 (€1,000 billion).
    #[schema(minimum = 0, maximum = 100_000_000_000_000_i64)]
    pub balance_sheet_cents: Option<i64>,
    /// Innovative company (payroll cap whatever its age); omitted or null: false.
    #[serde(default)]
    pub innovative: Option<bool>,
    /// Safeguard, receivership or liquidation opened; omitted or null: false.
    #[serde(default)]
    pub collective_proceedings: Option<bool>,
}

impl From<CompanyInput> for RawCompany {
    fn from(c: CompanyInput) -> Self {
        Self {
            siren: c.siren,
            siret: c.siret,
            legal_name: c.legal_name,
            legal_form: c.legal_form,
            creation_date: c.creation_date,
            headcount: c.headcount,
            revenue_cents: c.revenue_cents,
            payroll_cents: c.payroll_cents,
            balance_sheet_cents: c.balance_sheet_cents,
            innovative: c.innovative.unwrap_or(false),
            collective_proceedings: c.collective_proceedings.unwrap_or(false),
        }
    }
}

/// Company data as stored (normalised).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CompanyView {
    pub siren: String,
    pub siret: Option<String>,
    pub legal_name: String,
    pub legal_form: String,
    pub creation_date: NaiveDate,
    pub headcount: u32,
    pub revenue_cents: i64,
    pub payroll_cents: Option<i64>,
    pub balance_sheet_cents: Option<i64>,
    pub innovative: bool,
    pub collective_proceedings: bool,
}

impl From<&Company> for CompanyView {
    fn from(c: &Company) -> Self {
        Self {
            siren: c.siren.as_str().to_owned(),
            siret: c.siret.as_ref().map(|s| s.as_str().to_owned()),
            legal_name: c.legal_name.as_str().to_owned(),
            legal_form: c.legal_form.as_str().to_owned(),
            creation_date: c.creation_date,
            headcount: c.headcount.get(),
            revenue_cents: c.revenue.get(),
            payroll_cents: c.payroll.map(|v| v.get()),
            balance_sheet_cents: c.balance_sheet.map(|v| v.get()),
            innovative: c.innovative,
            collective_proceedings: c.collective_proceedings,
        }
    }
}

/// One year of the guarantee-fee schedule.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FeeYearView {
    pub year: u8,
    /// Yearly fee rate, in basis points.
    pub rate_bp: u32,
    /// Principal outstanding at the start of the year, in cents.
    pub outstanding_cents: i64,
    /// Fee of the year, in cents.
    pub fee_cents: i64,
}

/// Computed loan terms.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TermsView {
    /// PME, ETI or GE.
    #[schema(example = "PME")]
    pub size_category: String,
    pub cap_cents: i64,
    /// Share of the loan guaranteed by the State, in basis points.
    #[schema(example = 9000)]
    pub guarantee_share_bp: u32,
    pub guaranteed_cents: i64,
    pub fee_schedule: Vec<FeeYearView>,
    pub total_fee_cents: i64,
}

impl From<&LoanTerms> for TermsView {
    fn from(t: &LoanTerms) -> Self {
        Self {
            size_category: t.size_category.as_str().to_owned(),
            cap_cents: t.cap.get(),
            guarantee_share_bp: t.guarantee_share.get(),
            guaranteed_cents: t.guaranteed.get(),
            fee_schedule: t
                .fee_schedule
                .iter()
                .map(|y| FeeYearView {
                    year: y.year,
                    rate_bp: y.rate_bp.get(),
                    outstanding_cents: y.outstanding.get(),
                    fee_cents: y.fee.get(),
                })
                .collect(),
            total_fee_cents: t.total_fee.get(),
        }
    }
}

/// A loan request as returned by the API.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LoanRequestView {
    pub id: Uuid,
    /// Public reference read over the phone.
    #[schema(example = "PGE-0J5K8Q2M3RX")]
    pub reference: String,
    #[schema(value_type = LoanStatus)]
    pub status: String,
    /// Optimistic-concurrency version (also the `ETag`).
    pub version: i32,
    pub bank_id: String,
    pub company: CompanyView,
    pub requested_amount_cents: i64,
    pub amortization_years: u8,
    pub contact_email: String,
    pub terms: TermsView,
    /// Reason given with the last decision, when there is one.
    pub decision_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Messages from the other side the caller's side has not read yet (applicant:
    /// the bank's; reviewer: the applicant's). In the list and in `GET` of one request
    /// for applicants and reviewers; absent elsewhere.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unread_messages: Option<u32>,
    /// A grant above the bank's four-eyes threshold asked by a first reviewer, awaiting a
    /// second one (docs/RULES.md §21); the request stays `pre_approved` meanwhile. In
    /// `GET` of one request and in a grant's answer; absent when none is pending.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub awaiting_second_approval: Option<PendingGrantView>,
}

/// A grant awaiting a second reviewer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PendingGrantView {
    /// The reviewer who asked for it; absent for the applicant (the bank's staff are
    /// named to applicants only as their bank).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_by: Option<String>,
    pub requested_at: DateTime<Utc>,
}

impl PendingGrantView {
    /// The pending grant as `caller` may read it.
    #[must_use]
    pub fn for_caller(pending: &PendingGrant, caller: &app::Caller) -> Self {
        Self {
            requested_by: (!matches!(caller, app::Caller::Applicant(_)))
                .then(|| pending.requested_by.as_str().to_owned()),
            requested_at: pending.requested_at,
        }
    }
}

impl From<&LoanRequest> for LoanRequestView {
    fn from(r: &LoanRequest) -> Self {
        Self {
            id: r.id.0,
            reference: r.reference.to_string(),
            status: r.status.as_str().to_owned(),
            version: r.version,
            bank_id: r.bank.as_str().to_owned(),
            company: CompanyView::from(&r.company),
            requested_amount_cents: r.amount.get(),
            amortization_years: r.amortization.get(),
            contact_email: r.contact_email.as_str().to_owned(),
            terms: TermsView::from(&r.terms),
            decision_reason: r.decision_reason.clone(),
            created_at: r.created_at,
            updated_at: r.updated_at,
            unread_messages: None,
            awaiting_second_approval: None,
        }
    }
}

/// One entry of a request's audit trail.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditEventView {
    pub at: DateTime<Utc>,
    /// applicant, reviewer or admin.
    pub actor_role: String,
    /// The account that acted; absent when an applicant reads what the bank's staff did
    /// (they are named as their bank).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor_subject: Option<String>,
    /// submit, review, pre_approve, reject, grant, withdraw, attach_document (a
    /// document confirmed), message, or issue_guarantee (the company obtained its
    /// guarantee identifier); the last three leave the status as it was.
    pub action: String,
    #[schema(value_type = Option<LoanStatus>)]
    pub from_status: Option<String>,
    #[schema(value_type = LoanStatus)]
    pub to_status: String,
    pub reason: Option<String>,
}

impl From<&AuditEvent> for AuditEventView {
    fn from(e: &AuditEvent) -> Self {
        Self {
            at: e.at,
            actor_role: e.actor_role.as_str().to_owned(),
            actor_subject: e.actor_subject.clone(),
            action: e.action.as_str().to_owned(),
            from_status: e.from_status.map(|s| s.as_str().to_owned()),
            to_status: e.to_status.as_str().to_owned(),
            reason: e.reason.clone(),
        }
    }
}

/// The `ETag` of a request at a version.
#[must_use]
pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}
