//! `GET /api/v1/stats` (admin): national figures, counts and amounts by status and by
//! bank, grouped and summed by the database.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use domain::ports::Totals;
use domain::workflow::Status;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Admin;
use crate::problem::{Problem, ProblemDetails};
use crate::state::AppState;

/// Count and amounts of a group of requests. The sums are exact whatever their size
/// (computed as 128-bit integers): clients reading them as IEEE doubles lose cents only
/// beyond €90 billion.
#[derive(Debug, Clone, Copy, Default, Serialize, ToSchema)]
pub struct TotalsView {
    pub count: i64,
    #[schema(value_type = i64)]
    pub requested_cents: i128,
    #[schema(value_type = i64)]
    pub guaranteed_cents: i128,
}

impl TotalsView {
    fn add(&mut self, totals: Totals) {
        self.count += totals.count;
        self.requested_cents += totals.requested_cents;
        self.guaranteed_cents += totals.guaranteed_cents;
    }
}

/// One bank's figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct BankStatsView {
    pub bank_id: String,
    pub bank_name: Option<String>,
    pub total: TotalsView,
    /// Keyed by status.
    pub by_status: BTreeMap<String, TotalsView>,
}

/// Outbox health.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxView {
    pub pending: i64,
    pub sent: i64,
    /// Messages given up after every retry.
    pub dead: i64,
}

/// National figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatsView {
    pub total: TotalsView,
    /// Keyed by status (every status present, zero when empty).
    pub by_status: BTreeMap<String, TotalsView>,
    pub by_bank: Vec<BankStatsView>,
    /// State guarantee on granted loans, in cents.
    #[schema(value_type = i64)]
    pub granted_guaranteed_cents: i128,
    /// State guarantee on requests still in play (submitted, in review, pre-approved,
    /// granted), in cents.
    #[schema(value_type = i64)]
    pub committed_guaranteed_cents: i128,
    pub outbox: OutboxView,
}

/// National figures (admin).
#[utoipa::path(
    get,
    path = "/api/v1/stats",
    tag = "back-office",
    responses(
        (status = 200, description = "Figures", body = StatsView),
        (status = 401, description = "Not authenticated", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, description = "Degraded mode", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get_stats(
    State(state): State<AppState>,
    _admin: Admin,
) -> Result<Json<StatsView>, Problem> {
    state.refuse_when_degraded().await?;
    let rows = state.stats.by_bank_and_status().await?;
    let outbox = state.stats.outbox().await?;
    let banks = state.bank_list().await?;
    let mut total = TotalsView::default();
    let mut by_status: BTreeMap<String, TotalsView> = Status::ALL
        .iter()
        .map(|s| (s.as_str().to_owned(), TotalsView::default()))
        .collect();
    let mut by_bank: BTreeMap<String, BankStatsView> = BTreeMap::new();
    let mut granted = 0i128;
    let mut committed = 0i128;
    for row in rows {
        total.add(row.totals);
        by_status
            .entry(row.status.as_str().to_owned())
            .or_default()
            .add(row.totals);
        if row.status == Status::Granted {
            granted += row.totals.guaranteed_cents;
        }
        if row.status.counts_toward_cap() {
            committed += row.totals.guaranteed_cents;
        }
        let bank = by_bank
            .entry(row.bank.clone())
            .or_insert_with(|| BankStatsView {
                bank_name: banks
                    .iter()
                    .find(|b| b.code.as_str() == row.bank)
                    .map(|b| b.name.clone()),
                bank_id: row.bank.clone(),
                total: TotalsView::default(),
                by_status: BTreeMap::new(),
            });
        bank.total.add(row.totals);
        bank.by_status
            .entry(row.status.as_str().to_owned())
            .or_default()
            .add(row.totals);
    }
    Ok(Json(StatsView {
        total,
        by_status,
        by_bank: by_bank.into_values().collect(),
        granted_guaranteed_cents: granted,
        committed_guaranteed_cents: committed,
        outbox: OutboxView {
            pending: outbox.pending,
            sent: outbox.sent,
            dead: outbox.dead,
        },
    }))
}
