//! Prometheus metrics at `GET /metrics`, on a listener of its own (`PGE_METRICS_ADDR`,
//! the pod's internal port: neither the Ingress nor the API port serves it): requests
//! and latency per route and status (recorded by [`crate::telemetry::request_context`]),
//! requests refused by rate limits, shed or timed out, database pool use (open, idle, max,
//! and the submissions' wait for a connection, `pge_db_wait_seconds`), outbox depth,
//! dead letters and the oldest waiting e-mail's age, submissions by outcome
//! (`pge_submissions_total{outcome}`, a closed set), the build (`pge_build_info{version,
//! commit}`, the commit from `PGE_COMMIT` at build time), JWKS fetches.

use std::sync::OnceLock;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use infra::Store;
use infra::worker::Heartbeat;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::problem::Problem;

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
            .and_then(|builder| {
                builder.set_buckets_for_metric(
                    Matcher::Full("pge_db_wait_seconds".to_owned()),
                    &LATENCY_BUCKETS,
                )
            })
            .unwrap_or_else(|_| PrometheusBuilder::new());
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        // Fails only when another recorder was installed first: metrics then go there.
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was already installed");
        }
        // Which build answers (dashboards line deploys up with their effects).
        metrics::gauge!(
            "pge_build_info",
            "version" => env!("CARGO_PKG_VERSION"),
            "commit" => option_env!("PGE_COMMIT").unwrap_or("unknown")
        )
        .set(1.0);
        // Counters that appear only at their first increment are registered at zero, so
        // that rate() sees that first increment and panels are not empty.
        for name in [
            "pge_rate_limited_total",
            "pge_requests_shed_total",
            "pge_requests_timed_out_total",
            "pge_slow_bodies_total",
        ] {
            metrics::counter!(name).absolute(0);
        }
        for result in ["found", "not_found", "invalid", "rate_limited", "error"] {
            metrics::counter!("pge_guarantee_checks_total", "result" => result).absolute(0);
        }
        for result in ["intact", "broken", "failed"] {
            metrics::counter!("pge_audit_verifications_total", "result" => result).absolute(0);
        }
        // A histogram keeps each sample until it is folded into its buckets, which only
        // upkeep (or a scrape) does: without it, a process nobody scrapes grows by every
        // request it answers.
        let upkept = handle.clone();
        let spawned = std::thread::Builder::new()
            .name("metrics-upkeep".to_owned())
            .spawn(move || {
                loop {
                    std::thread::sleep(UPKEEP_EVERY);
                    upkept.run_upkeep();
                }
            });
        if let Err(error) = spawned {
            tracing::warn!(%error, "no metrics upkeep thread: histograms fold only when scraped");
        }
        handle
    })
}

/// The longest a scrape waits for the outbox's counts from the database.
const OUTBOX_READ_BUDGET: std::time::Duration = std::time::Duration::from_millis(500);

/// How often the histograms' pending samples are folded into their buckets (the
/// exporter's own default when it runs its upkeep itself).
const UPKEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// What the internal port reads: the store, and the worker's heartbeat when this
/// process runs the outbox worker.
#[derive(Clone)]
struct Internal {
    store: Store,
    heartbeat: Option<Heartbeat>,
}

/// The internal port's router: `GET /metrics`, `GET /livez` (the worker's liveness:
/// 503 when its loop has not made progress for its stale limit; 200 in a process
/// without a worker), and problem+json for anything else.
pub fn router(store: Store, heartbeat: Option<Heartbeat>) -> Router {
    let _ = handle();
    Router::new()
        .route("/metrics", get(metrics))
        .route("/livez", get(livez))
        .fallback(|| async { Problem::not_found().into_response() })
        .method_not_allowed_fallback(|| async { Problem::method_not_allowed().into_response() })
        .with_state(Internal { store, heartbeat })
}

/// Serves [`router`] on `listener` until `shutdown` completes.
///
/// # Errors
/// When the listener fails.
pub async fn serve(
    listener: tokio::net::TcpListener,
    store: Store,
    heartbeat: Option<Heartbeat>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(store, heartbeat))
        .with_graceful_shutdown(shutdown)
        .await
}

/// `GET /livez`: is the worker's loop alive?
async fn livez(State(internal): State<Internal>) -> Response {
    match &internal.heartbeat {
        Some(heartbeat) if !heartbeat.alive() => {
            let age = heartbeat.age().as_secs();
            tracing::error!(age_s = age, "outbox worker stalled: liveness failing");
            Problem::new(
                crate::problem::ProblemType::NotReady,
                format!("the outbox worker has not made progress for {age} s"),
            )
            .into_response()
        }
        _ => (StatusCode::OK, "ok\n").into_response(),
    }
}

/// `GET /metrics`: Prometheus text exposition.
async fn metrics(State(internal): State<Internal>) -> Response {
    let store = internal.store;
    if let Some(heartbeat) = &internal.heartbeat {
        metrics::gauge!("pge_worker_heartbeat_age_seconds").set(heartbeat.age().as_secs_f64());
    }
    if let Some((open, idle, max)) = store.pool_status() {
        metrics::gauge!("pge_db_pool_connections").set(f64::from(open));
        #[allow(clippy::cast_precision_loss)] // a pool holds at most a few hundred
        metrics::gauge!("pge_db_pool_idle_connections").set(idle as f64);
        metrics::gauge!("pge_db_pool_max_connections").set(f64::from(max));
    }
    // Bounded: while the database is down the other metrics are still served at once (a
    // scrape timed out would show nothing at the moment they matter most).
    match tokio::time::timeout(OUTBOX_READ_BUDGET, store.outbox_backlog())
        .await
        .unwrap_or_else(|_| {
            Err(domain::ports::StorageError::unavailable(
                "the outbox counts took too long",
            ))
        }) {
        Ok(outbox) => {
            #[allow(clippy::cast_precision_loss)]
            {
                metrics::gauge!("pge_outbox_messages", "status" => "pending")
                    .set(outbox.pending as f64);
                metrics::gauge!("pge_outbox_messages", "status" => "dead").set(outbox.dead as f64);
                // How late e-mails are: 0 when nothing waits.
                let age = outbox.oldest_pending_at.map_or(0.0, |at| {
                    (chrono::Utc::now() - at).num_milliseconds().max(0) as f64 / 1000.0
                });
                metrics::gauge!("pge_outbox_oldest_pending_age_seconds").set(age);
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
