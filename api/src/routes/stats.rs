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
use crate::problem::Problem;
use crate::problem::openapi::{AdminOnly, Pausable};
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

impl From<Totals> for TotalsView {
    fn from(totals: Totals) -> Self {
        Self {
            count: totals.count,
            requested_cents: totals.requested_cents,
            guaranteed_cents: totals.guaranteed_cents,
        }
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
    /// Messages given up after every retry (an admin can put them back in line:
    /// `POST /api/v1/admin/outbox/dead-letters/retry`).
    pub dead: i64,
    /// When the oldest message still waiting was written; absent when none waits.
    pub oldest_pending_at: Option<chrono::DateTime<chrono::Utc>>,
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
        AdminOnly,
        Pausable,
    ),
    security(("bearer" = []))
)]
pub async fn get_stats(
    State(state): State<AppState>,
    admin: Admin,
) -> Result<Json<StatsView>, Problem> {
    let figures = state.services.platform.national_figures(&admin).await?;
    let by_status = |by_status: &BTreeMap<Status, Totals>| {
        by_status
            .iter()
            .map(|(status, totals)| (status.as_str().to_owned(), TotalsView::from(*totals)))
            .collect()
    };
    Ok(Json(StatsView {
        total: figures.total.into(),
        by_status: by_status(&figures.by_status),
        by_bank: figures
            .by_bank
            .iter()
            .map(|bank| BankStatsView {
                bank_id: bank.code.clone(),
                bank_name: bank.name.clone(),
                total: bank.total.into(),
                by_status: by_status(&bank.by_status),
            })
            .collect(),
        granted_guaranteed_cents: figures.granted_guaranteed_cents,
        committed_guaranteed_cents: figures.committed_guaranteed_cents,
        outbox: OutboxView {
            pending: figures.outbox.pending,
            sent: figures.outbox.sent,
            dead: figures.outbox.dead,
            oldest_pending_at: figures.outbox.oldest_pending_at,
        },
    }))
}
