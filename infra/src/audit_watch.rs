//! The audit trail's chains verified on a schedule (docs/RULES.md §22), by the outbox
//! worker's process: a rewritten or removed event raises `PgeAuditChainBroken` within one
//! period instead of waiting for an admin to open the figures page or run
//! `pge audit verify`.
//!
//! Metrics: `pge_audit_chains_broken` (chains with a broken link at the last
//! verification), `pge_audit_verifications_total{result}` (`intact`, `broken`, `failed`),
//! `pge_audit_verification_last_success_timestamp_seconds`,
//! `pge_audit_verification_duration_seconds`, `pge_audit_events_verified` (events walked).
//! The broken links are logged (chain, number, event and request ids: no personal data).

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use domain::ports::{AuditChains, AuditReport};

/// Verifies the chains once now, then every `every`, until `stop` completes; `every` of
/// zero: never (on demand only).
pub async fn watch(chains: Arc<dyn AuditChains>, every: Duration, stop: impl Future<Output = ()>) {
    if every.is_zero() {
        stop.await;
        return;
    }
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => break,
            _ = ticks.tick() => {
                // Its own trace, sampled as a request is.
                crate::trace::as_root(
                    || tracing::info_span!(parent: None, "audit.verify"),
                    verify_once(chains.as_ref()),
                )
                .await;
            }
        }
    }
}

/// One verification: its metrics and, for each broken chain, an error log line.
pub async fn verify_once(chains: &dyn AuditChains) -> Option<AuditReport> {
    let started = Instant::now();
    let report = match chains.verify().await {
        Ok(report) => report,
        Err(err) => {
            metrics::counter!("pge_audit_verifications_total", "result" => "failed").increment(1);
            tracing::warn!(error = %err, "audit chains: verification failed");
            return None;
        }
    };
    record(&report, started.elapsed());
    Some(report)
}

/// The metrics and logs of a finished verification (also the admin page's).
pub fn record(report: &AuditReport, took: Duration) {
    let broken: Vec<_> = report
        .chains
        .iter()
        .filter_map(|c| c.broken.as_ref().map(|b| (c, b)))
        .collect();
    let events: u64 = report.chains.iter().map(|c| c.events).sum();
    #[allow(clippy::cast_precision_loss)]
    {
        metrics::gauge!("pge_audit_chains_broken").set(broken.len() as f64);
        metrics::gauge!("pge_audit_events_verified").set(events as f64);
    }
    metrics::gauge!("pge_audit_verification_duration_seconds").set(took.as_secs_f64());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    metrics::gauge!("pge_audit_verification_last_success_timestamp_seconds").set(now.as_secs_f64());
    let result = if broken.is_empty() {
        "intact"
    } else {
        "broken"
    };
    metrics::counter!("pge_audit_verifications_total", "result" => result).increment(1);
    for (chain, link) in &broken {
        tracing::error!(
            chain = %chain.chain,
            seq = link.seq,
            event_id = link.event_id,
            loan_request_id = link.loan_request_id.map(|id| id.0.to_string()),
            problem = link.problem,
            "audit chain broken"
        );
    }
    tracing::info!(
        chains = report.chains.len(),
        events,
        broken = broken.len(),
        took_ms = took.as_millis(),
        "audit chains verified"
    );
}
