//! `GET /api/v1/admin/audit-chains` (admin): the tamper-evident audit trail walked now
//! (docs/RULES.md §22): every chain's head, for an external timestamp, and the first
//! broken link of any chain whose events were changed or removed. `pge audit verify` and
//! `pge audit heads` do the same from the command line.

use axum::Json;
use axum::extract::State;
use domain::ports::AuditReport;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Admin;
use crate::problem::Problem;
use crate::problem::openapi::AdminOnly;
use crate::state::AppState;

/// Where a chain stops proving its events.
#[derive(Debug, Serialize, ToSchema)]
pub struct BrokenLinkView {
    /// The event's number in its chain (the one expected, when an event is missing).
    pub seq: u64,
    /// The stored event there (`audit_events.id`), if any.
    pub event_id: Option<i64>,
    pub loan_request_id: Option<Uuid>,
    /// `hash-mismatch` (the event was changed), `prev-mismatch`, `missing` (an event was
    /// removed), `head-mismatch` (the last events were removed), `unchained`.
    #[schema(example = "hash-mismatch")]
    pub problem: String,
}

/// One chain: a bank's lane.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChainView {
    /// `{bank}-{lane}`.
    #[schema(example = "30004-07")]
    pub chain: String,
    pub events: u64,
    pub head_seq: u64,
    /// SHA-256, hex.
    pub head_hash: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub broken: Option<BrokenLinkView>,
}

/// The audit trail's state.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditChainsView {
    /// No chain is broken.
    pub intact: bool,
    /// Events written before the chain began.
    pub unchained_before: u64,
    pub chains: Vec<ChainView>,
}

impl From<AuditReport> for AuditChainsView {
    fn from(report: AuditReport) -> Self {
        Self {
            intact: report.intact(),
            unchained_before: report.unchained_before,
            chains: report
                .chains
                .into_iter()
                .map(|c| ChainView {
                    chain: c.chain,
                    events: c.events,
                    head_seq: c.head_seq,
                    head_hash: c.head_hash,
                    broken: c.broken.map(|b| BrokenLinkView {
                        seq: b.seq,
                        event_id: b.event_id,
                        loan_request_id: b.loan_request_id.map(|id| id.0),
                        problem: b.problem.to_owned(),
                    }),
                })
                .collect(),
        }
    }
}

/// Verify the audit trail's chains now (admin).
#[utoipa::path(
    get,
    path = "/api/v1/admin/audit-chains",
    tag = "back-office",
    responses(
        (status = 200, description = "Every chain, its head and its first broken link", body = AuditChainsView),
        AdminOnly,
    ),
    security(("bearer" = []))
)]
pub async fn audit_chains(
    State(state): State<AppState>,
    admin: Admin,
) -> Result<Json<AuditChainsView>, Problem> {
    let started = std::time::Instant::now();
    let report = state.services.platform.audit_chains(&admin).await?;
    infra::audit_watch::record(&report, started.elapsed());
    Ok(Json(report.into()))
}
