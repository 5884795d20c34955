//! Prometheus metrics at `GET /metrics` (the Ingress exposes only `/api`, so it stays
//! inside the cluster): requests and latency per route and status (recorded by
//! [`crate::telemetry::request_context`]), requests refused by rate limits, shed or
//! timed out, database pool use, outbox depth and dead letters, JWKS fetches.

use std::sync::OnceLock;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::state::AppState;

/// Latency buckets (seconds): fine below 50 ms, where the targets are.
const LATENCY_BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// The process-wide recorder, installed on first use.
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full("http_request_duration_seconds".to_owned()),
                &LATENCY_BUCKETS,
            )
            .unwrap_or_else(|_| PrometheusBuilder::new());
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        // Fails only when another recorder was installed first: metrics then go there.
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was already installed");
        }
        handle
    })
}

/// `GET /metrics`: Prometheus text exposition.
pub async fn metrics(State(state): State<AppState>) -> Response {
    if let Some((open, idle)) = state.pool_status() {
        metrics::gauge!("pge_db_pool_connections").set(f64::from(open));
        #[allow(clippy::cast_precision_loss)] // a pool holds at most a few hundred
        metrics::gauge!("pge_db_pool_idle_connections").set(idle as f64);
    }
    match state.stats.outbox().await {
        Ok(outbox) => {
            #[allow(clippy::cast_precision_loss)]
            {
                metrics::gauge!("pge_outbox_messages", "status" => "pending")
                    .set(outbox.pending as f64);
                metrics::gauge!("pge_outbox_messages", "status" => "dead").set(outbox.dead as f64);
            }
        }
        Err(err) => tracing::warn!(error = %err, "metrics: outbox counts unavailable"),
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle().render(),
    )
        .into_response()
}
