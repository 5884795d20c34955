//! The adapters' part of tracing (`api::traces` exports): a span per SQL statement, the
//! trace context an outbox message carries from the request that wrote it to the worker
//! that sends it, and the failure a sampled-out trace still exports ([`keep_failure`]).
//! Nothing here runs unless the process turned traces on ([`enable`]).
//!
//! No personal data: a statement span carries the SQL text, whose values are bound
//! parameters (`$1`, `?`), never the values; a trace context is two random ids.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::SystemTime;

use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::{
    Link, SpanContext, SpanId, SpanKind, Status, TraceContextExt, TraceFlags, Tracer,
};
use opentelemetry::{InstrumentationScope, KeyValue};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{SpanData, SpanEvents, SpanLinks};
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
/// share (no span data, no export), so when the work of `span` fails in such a trace, its
/// own span is exported alone, with the trace and span ids the logs and the problem+json
/// answer already carry. A sampled trace carries its failure already: nothing is done.
pub fn keep_failure(span: &tracing::Span, failure: Failure) {
    let Some(sink) = FAILURES.get().filter(|_| enabled()) else {
        return;
    };
    let context = span.context();
    let own = context.span().span_context().clone();
    if !own.is_valid() || own.is_sampled() {
        return;
    }
    sink(failure_span(&own, failure, SystemTime::now()));
    metrics::counter!("pge_trace_failures_kept_total").increment(1);
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

/// The current span's trace context as a W3C `traceparent`, when traces are on.
#[must_use]
pub fn current_traceparent() -> Option<String> {
    if !enabled() {
        return None;
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
    let parent = tracing::Span::current().context();
    // A sampled-out trace records nothing (its failures are kept by their request's span).
    if !parent.span().span_context().is_sampled() {
        return;
    }
    let end = SystemTime::now();
    let start = end.checked_sub(info.elapsed).unwrap_or(end);
    let sql = info.statement.sql.as_str();
    let tracer = opentelemetry::global::tracer("pge-db");
    let span = tracer
        .span_builder(summary(sql))
        .with_kind(SpanKind::Client)
        .with_start_time(start)
        .with_attributes([
            KeyValue::new("db.system.name", system),
            KeyValue::new("db.query.text", truncate(sql, 500).to_owned()),
        ])
        .start_with_context(&tracer, &parent);
    let cx = parent.with_span(span);
    let span = cx.span();
    if info.failed {
        span.set_status(Status::error("statement failed"));
    }
    span.end_with_timestamp(end);
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
    use opentelemetry::trace::{TraceId, TraceState};

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
