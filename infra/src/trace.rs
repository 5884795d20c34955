//! The adapters' part of tracing (`api::traces` exports): head sampling decided before a
//! piece of work has any span ([`decide`], [`within`]), a span per SQL statement, the
//! trace context an outbox message carries from the request that wrote it to the worker
//! that sends it, and the failure a sampled-out trace still exports ([`keep_failure`]).
//! Nothing here runs unless the process turned traces on ([`enable`]).
//!
//! Work outside the sampled share runs inside [`within`]'s scope: the OpenTelemetry layer
//! is filtered out there ([`recording`]), so its spans cost what a log-only span costs (or
//! nothing, when the logs do not want them); its ids are drawn here, for the logs, the
//! problem+json answer, the outbox's `traceparent` and a failure's lone span.
//!
//! No personal data: a statement span carries the SQL text, whose values are bound
//! parameters (`$1`, `?`), never the values; a trace context is two random ids.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::SystemTime;

use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::{
    Link, SpanContext, SpanId, SpanKind, Status, TraceContextExt, TraceFlags, TraceId, TraceState,
    Tracer,
};
use opentelemetry::{InstrumentationScope, KeyValue};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{
    IdGenerator as _, RandomIdGenerator, SpanData, SpanEvents, SpanLinks,
};
use tracing_opentelemetry::OpenTelemetrySpanExt;

static ENABLED: AtomicBool = AtomicBool::new(false);

/// Turns the adapters' spans on (the process exports traces).
pub fn enable() {
    ENABLED.store(true, Ordering::Relaxed);
}

/// Whether the process exports traces.
#[must_use]
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// The sampled share of new traces, 0 to 1 (an `f64`'s bits; 0 until set).
static RATIO: AtomicU64 = AtomicU64::new(0);

/// Sets the share of new traces [`decide`] records (`PGE_TRACE_SAMPLE_RATIO`).
pub fn set_sample_ratio(ratio: f64) {
    RATIO.store(ratio.clamp(0.0, 1.0).to_bits(), Ordering::Relaxed);
}

tokio::task_local! {
    /// The ids of the work being done when its trace is not recorded.
    static UNRECORDED: SpanContext;
}

/// Head sampling, decided by pge before the work (a request, an outbox batch) has any
/// span: `None` when the trace is recorded, else the ids of the trace that is not (run
/// the work [`within`] them). A caller's decision (`traceparent`'s sampled flag) is
/// followed, its trace id kept; a new trace is recorded when its id falls in the sampled
/// share, by the rule every OpenTelemetry SDK's `TraceIdRatioBased` uses.
#[must_use]
pub fn decide(caller: Option<&SpanContext>) -> Option<SpanContext> {
    if !enabled() {
        return None;
    }
    let ids = RandomIdGenerator::default();
    let (trace_id, sampled) = match caller.filter(|c| c.is_valid()) {
        Some(caller) => (caller.trace_id(), caller.is_sampled()),
        None => {
            let trace_id = ids.new_trace_id();
            let ratio = f64::from_bits(RATIO.load(Ordering::Relaxed));
            (trace_id, in_share(trace_id, ratio))
        }
    };
    (!sampled).then(|| {
        SpanContext::new(
            trace_id,
            ids.new_span_id(),
            TraceFlags::default(),
            false,
            TraceState::NONE,
        )
    })
}

/// Whether `trace_id` falls in the `ratio` share: its lower 64 bits, halved, below
/// `ratio × 2⁶³` (OpenTelemetry's `TraceIdRatioBased`).
fn in_share(trace_id: TraceId, ratio: f64) -> bool {
    if ratio >= 1.0 {
        return true;
    }
    if ratio <= 0.0 || ratio.is_nan() {
        return false;
    }
    let bytes = trace_id.to_bytes();
    let low = u64::from_be_bytes(bytes[8..16].try_into().unwrap_or_default()) >> 1;
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let bound = (ratio * (1_u64 << 63) as f64) as u64;
    low < bound
}

/// Runs `work` inside the ids [`decide`] gave (not recorded), or as it is (recorded).
pub async fn within<F: std::future::Future>(unrecorded: Option<SpanContext>, work: F) -> F::Output {
    match unrecorded {
        Some(ids) => UNRECORDED.scope(ids, work).await,
        None => work.await,
    }
}

/// Runs `f` (which creates the work's first span) inside the same ids as [`within`].
pub fn within_sync<R>(unrecorded: Option<&SpanContext>, f: impl FnOnce() -> R) -> R {
    match unrecorded {
        Some(ids) => UNRECORDED.sync_scope(ids.clone(), f),
        None => f(),
    }
}

/// A piece of work with no request behind it (an outbox batch, a scheduled verification):
/// the root of its own trace, sampled as a request is ([`decide`]); `span` makes its
/// first span (`parent: None`), inside the ids when it is not recorded.
pub async fn as_root<F: std::future::Future>(
    span: impl FnOnce() -> tracing::Span,
    work: F,
) -> F::Output {
    use tracing::Instrument as _;
    let unrecorded = decide(None);
    let span = within_sync(unrecorded.as_ref(), span);
    within(unrecorded, work.instrument(span)).await
}

/// The ids of the work being done, when its trace is not recorded.
#[must_use]
pub fn unrecorded() -> Option<SpanContext> {
    UNRECORDED.try_with(Clone::clone).ok()
}

/// Whether the work being done is recorded: the OpenTelemetry layer's filter.
#[must_use]
pub fn recording() -> bool {
    UNRECORDED.try_with(|_| ()).is_err()
}

/// Where a failure of a sampled-out trace goes: the exporter's queue (set once by the
/// process that built the tracer provider).
type FailureSink = Box<dyn Fn(SpanData) + Send + Sync>;
static FAILURES: OnceLock<FailureSink> = OnceLock::new();

/// Sends the spans [`keep_failure`] builds to `sink` (the batch exporter). A second call
/// keeps the first sink (tests start several servers in one process).
pub fn set_failure_sink(sink: FailureSink) {
    let _ = FAILURES.set(sink);
}

/// A failed piece of work whose trace was not sampled: what its lone span says.
#[derive(Debug)]
pub struct Failure {
    /// The span's name (`POST /api/v1/loan-requests`, `outbox.deliver`).
    pub name: Cow<'static, str>,
    pub kind: SpanKind,
    pub start: SystemTime,
    /// The caller's span (a request's `traceparent`), if any: the lone span's parent.
    pub remote_parent: Option<SpanContext>,
    /// Identifiers and codes only, never personal data.
    pub attributes: Vec<KeyValue>,
    /// Spans of other traces this one continues (the request that queued an e-mail).
    pub links: Vec<SpanContext>,
    /// Why it failed (a status code, an error kind).
    pub message: Cow<'static, str>,
}

/// Errors are always kept: head sampling records nothing of a trace outside the sampled
/// share (no span data, no export), so when work that was not recorded fails, its own
/// span is exported alone, under the ids [`decide`] gave it (`unrecorded`), which the logs
/// and the problem+json answer already carry. A recorded trace carries its failure
/// already: it is not passed here.
pub fn keep_failure(unrecorded: &SpanContext, failure: Failure) {
    let Some(sink) = FAILURES.get().filter(|_| enabled()) else {
        return;
    };
    if !unrecorded.is_valid() {
        return;
    }
    sink(failure_span(unrecorded, failure, SystemTime::now()));
    metrics::counter!("pge_trace_failures_kept_total").increment(1);
}

/// The same trace as `ids`, a new span in it (one of several failures of a batch).
#[must_use]
pub fn new_span_in(ids: &SpanContext) -> SpanContext {
    SpanContext::new(
        ids.trace_id(),
        RandomIdGenerator::default().new_span_id(),
        ids.trace_flags(),
        false,
        ids.trace_state().clone(),
    )
}

fn failure_span(own: &SpanContext, failure: Failure, end: SystemTime) -> SpanData {
    let parent = failure
        .remote_parent
        .filter(|p| p.is_valid() && p.trace_id() == own.trace_id());
    let mut links = SpanLinks::default();
    links.links = failure.links.into_iter().map(Link::with_context).collect();
    SpanData {
        span_context: SpanContext::new(
            own.trace_id(),
            own.span_id(),
            TraceFlags::SAMPLED,
            false,
            own.trace_state().clone(),
        ),
        parent_span_id: parent
            .as_ref()
            .map_or(SpanId::INVALID, SpanContext::span_id),
        parent_span_is_remote: parent.is_some(),
        span_kind: failure.kind,
        name: failure.name,
        start_time: failure.start.min(end),
        end_time: end,
        attributes: failure.attributes,
        dropped_attributes_count: 0,
        events: SpanEvents::default(),
        links,
        status: Status::error(failure.message),
        instrumentation_scope: InstrumentationScope::builder("pge").build(),
    }
}

fn propagator() -> TraceContextPropagator {
    TraceContextPropagator::new()
}

/// The current span's trace context as a W3C `traceparent`, when traces are on (the ids
/// [`decide`] gave, with the sampled flag off, when the work is not recorded).
#[must_use]
pub fn current_traceparent() -> Option<String> {
    if !enabled() {
        return None;
    }
    if let Some(ids) = unrecorded() {
        return Some(format!("00-{}-{}-00", ids.trace_id(), ids.span_id()));
    }
    let cx = tracing::Span::current().context();
    let mut carrier = HashMap::new();
    propagator().inject_context(&cx, &mut carrier);
    carrier.remove("traceparent")
}

/// The span context a `traceparent` names (for a link), if it is well-formed.
#[must_use]
pub fn parse_traceparent(value: &str) -> Option<SpanContext> {
    let carrier = HashMap::from([("traceparent".to_owned(), value.to_owned())]);
    let cx = propagator().extract(&carrier);
    let span = cx.span();
    let sc = span.span_context();
    sc.is_valid().then(|| sc.clone())
}

/// Ends a span for one SQL statement (sea-orm's metric callback, after the statement):
/// a child of the current span, timed by the callback's figures. Only when the current
/// span belongs to a trace.
pub(crate) fn statement(info: &sea_orm::metric::Info<'_>, system: &'static str) {
    if !recording() {
        return;
    }
    let parent = tracing::Span::current().context();
    // A sampled-out trace records nothing (its failures are kept by their request's span).
    if !parent.span().span_context().is_sampled() {
        return;
    }
    let end = SystemTime::now();
    let start = end.checked_sub(info.elapsed).unwrap_or(end);
    let sql = info.statement.sql.as_str();
    let tracer = statement_tracer();
    let span = tracer
        .span_builder(summary(sql))
        .with_kind(SpanKind::Client)
        .with_start_time(start)
        .with_attributes([
            KeyValue::new("db.system.name", system),
            KeyValue::new("db.query.text", truncate(sql, 500).to_owned()),
        ])
        .start_with_context(tracer, &parent);
    let cx = parent.with_span(span);
    let span = cx.span();
    if info.failed {
        span.set_status(Status::error("statement failed"));
    }
    span.end_with_timestamp(end);
}

/// The statements' tracer, taken once from the global provider (set before any span is
/// recorded, so before any statement reaches here) rather than built again for each
/// statement.
fn statement_tracer() -> &'static opentelemetry::global::BoxedTracer {
    static TRACER: OnceLock<opentelemetry::global::BoxedTracer> = OnceLock::new();
    TRACER.get_or_init(|| opentelemetry::global::tracer("pge-db"))
}

fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// A statement's span name: its operation and first table, `SELECT loan_requests`
/// (OpenTelemetry's database conventions: low cardinality, no values).
#[must_use]
pub fn summary(sql: &str) -> String {
    let mut words = sql
        .split(|c: char| c.is_whitespace() || c == '(' || c == ',')
        .filter(|w| !w.is_empty());
    let Some(operation) = words.next() else {
        return "SQL".to_owned();
    };
    let operation = operation.to_ascii_uppercase();
    let after = match operation.as_str() {
        "SELECT" | "DELETE" => "FROM",
        "INSERT" => "INTO",
        "UPDATE" => "",
        _ => return operation,
    };
    let table = if after.is_empty() {
        words.next()
    } else {
        words.skip_while(|w| !w.eq_ignore_ascii_case(after)).nth(1)
    };
    match table {
        Some(table) => {
            let table: String = table
                .trim_matches('"')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.' || *c == '"')
                .filter(|c| *c != '"')
                .collect();
            if table.is_empty() {
                operation
            } else {
                format!("{operation} {table}")
            }
        }
        None => operation,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_trace_is_in_the_share_by_its_id() {
        // The id's lower 64 bits against the ratio's share of them.
        assert!(in_share(TraceId::from(0x10_u128), 0.1));
        assert!(!in_share(TraceId::from(u128::from(u64::MAX)), 0.1));
        assert!(in_share(TraceId::from(u128::MAX), 1.0));
        assert!(!in_share(TraceId::from(0_u128), 0.0));
        assert!(!in_share(TraceId::from(0_u128), f64::NAN));
        // About the ratio's share of random ids.
        let ids = RandomIdGenerator::default();
        let kept = (0..20_000)
            .filter(|_| in_share(ids.new_trace_id(), 0.1))
            .count();
        assert!(
            (1_600..2_400).contains(&kept),
            "{kept} of 20,000 kept at 10 %"
        );
    }

    #[test]
    fn a_callers_decision_is_followed_and_its_trace_kept() {
        enable();
        set_sample_ratio(1.0);
        assert!(decide(None).is_none(), "a new trace at 100 % is recorded");
        let sampled = context(7, 3, TraceFlags::SAMPLED, true);
        assert!(decide(Some(&sampled)).is_none());
        let quiet = context(7, 3, TraceFlags::default(), true);
        let ids = decide(Some(&quiet)).expect("not recorded");
        assert_eq!(ids.trace_id(), TraceId::from(7_u128));
        assert_ne!(ids.span_id(), SpanId::from(3_u64), "a span of its own");
        assert!(!ids.is_sampled() && !ids.is_remote());
        set_sample_ratio(0.0);
        let new = decide(None).expect("a new trace at 0 % is not recorded");
        assert!(new.is_valid());
        let invalid = context(0, 0, TraceFlags::SAMPLED, true);
        assert!(
            decide(Some(&invalid)).is_some(),
            "an invalid caller is ignored"
        );
        set_sample_ratio(1.0);
    }

    #[tokio::test]
    async fn unrecorded_work_carries_its_ids_to_the_outbox_and_out_of_the_layer() {
        enable();
        let ids = context(0xabc, 0xdef, TraceFlags::default(), false);
        assert!(recording());
        let (inside, traceparent) = within(Some(ids.clone()), async {
            (recording(), current_traceparent())
        })
        .await;
        assert!(!inside);
        assert_eq!(
            traceparent.as_deref(),
            Some("00-00000000000000000000000000000abc-0000000000000def-00")
        );
        assert!(within_sync(Some(&ids), unrecorded).is_some());
        assert!(within_sync(None, unrecorded).is_none());
        assert!(recording());
    }

    fn context(trace: u128, span: u64, flags: TraceFlags, remote: bool) -> SpanContext {
        SpanContext::new(
            TraceId::from(trace),
            SpanId::from(span),
            flags,
            remote,
            TraceState::NONE,
        )
    }

    fn failure(remote_parent: Option<SpanContext>) -> Failure {
        Failure {
            name: "POST /api/v1/loan-requests".into(),
            kind: SpanKind::Server,
            start: SystemTime::UNIX_EPOCH,
            remote_parent,
            attributes: vec![KeyValue::new("http.response.status_code", 500)],
            links: vec![context(9, 9, TraceFlags::SAMPLED, true)],
            message: "500".into(),
        }
    }

    #[test]
    fn a_kept_failure_is_its_own_span_exported_with_the_ids_the_logs_carry() {
        let own = context(7, 8, TraceFlags::default(), false);
        let end = SystemTime::UNIX_EPOCH + std::time::Duration::from_millis(12);
        let caller = context(7, 3, TraceFlags::default(), true);
        let span = failure_span(&own, failure(Some(caller)), end);
        assert_eq!(span.span_context.trace_id(), TraceId::from(7_u128));
        assert_eq!(span.span_context.span_id(), SpanId::from(8_u64));
        assert!(
            span.span_context.is_sampled(),
            "the exporter drops unsampled spans"
        );
        assert_eq!(span.parent_span_id, SpanId::from(3_u64));
        assert!(span.parent_span_is_remote);
        assert_eq!(span.end_time, end);
        assert!(matches!(span.status, Status::Error { .. }));
        assert_eq!(span.links.len(), 1);

        // A root request (no caller, or a caller's id of another trace): no parent.
        let alone = failure_span(
            &own,
            failure(Some(context(1, 3, TraceFlags::SAMPLED, true))),
            end,
        );
        assert_eq!(alone.parent_span_id, SpanId::INVALID);
        assert!(!failure_span(&own, failure(None), end).parent_span_is_remote);
    }

    #[test]
    fn a_statement_is_named_by_its_operation_and_first_table() {
        assert_eq!(
            summary(r#"SELECT "loan_requests"."id" FROM "loan_requests" WHERE x = $1"#),
            "SELECT loan_requests"
        );
        assert_eq!(
            summary(r#"INSERT INTO "audit_events" ("id") VALUES ($1)"#),
            "INSERT audit_events"
        );
        assert_eq!(
            summary("UPDATE outbox_messages SET a = 1"),
            "UPDATE outbox_messages"
        );
        assert_eq!(summary("select pge_submit($1, $2)"), "SELECT");
        assert_eq!(summary("BEGIN"), "BEGIN");
        assert_eq!(summary(""), "SQL");
    }

    #[test]
    fn traceparent_is_parsed_strictly() {
        let ok = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        let sc = parse_traceparent(ok).expect("valid");
        assert_eq!(
            sc.trace_id().to_string(),
            "4bf92f3577b34da6a3ce929d0e0e4736"
        );
        assert!(sc.is_sampled());
        for bad in [
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x",
        ] {
            assert!(parse_traceparent(bad).is_none(), "{bad}");
        }
    }
}
