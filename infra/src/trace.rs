//! The adapters' part of tracing (`api::traces` exports): a span per SQL statement, the
//! trace context an outbox message carries from the request that wrote it to the worker
//! that sends it. Nothing here runs unless the process turned traces on ([`enable`]).
//!
//! No personal data: a statement span carries the SQL text, whose values are bound
//! parameters (`$1`, `?`), never the values; a trace context is two random ids.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::SystemTime;

use opentelemetry::KeyValue;
use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::{SpanContext, SpanKind, Status, TraceContextExt, Tracer};
use opentelemetry_sdk::propagation::TraceContextPropagator;
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
    if !parent.span().span_context().is_valid() {
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
