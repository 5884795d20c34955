//! Logs and request context: JSON lines (pretty on a terminal), a request id on every
//! response and in every log line of that request. No personal data is logged: paths
//! are logged as their route template, never with query strings or bodies.

use std::io::IsTerminal;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing::Instrument;
use tracing_subscriber::EnvFilter;

pub const REQUEST_ID: &str = "x-request-id";

/// Installs the global subscriber: log lines to stderr, and, with a tracer provider,
/// spans to OpenTelemetry (the `pge` crates' spans at info and above: not the
/// libraries' own, which would multiply a request's spans by ten).
pub fn init(format: &str, traces: Option<&SdkTracerProvider>) {
    use tracing_subscriber::Layer as _;
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;

    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let pretty = match format {
        "pretty" => true,
        "json" => false,
        _ => std::io::stderr().is_terminal(),
    };
    let logs = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let logs = if pretty {
        logs.boxed()
    } else {
        logs.json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(true)
            .boxed()
    };
    let spans = traces.map(|provider| {
        use opentelemetry::trace::TracerProvider as _;
        opentelemetry::global::set_tracer_provider(provider.clone());
        infra::trace::enable();
        tracing_opentelemetry::layer()
            .with_tracer(provider.tracer("pge"))
            .with_location(false)
            .with_threads(false)
            .with_tracked_inactivity(false)
            // A span's parent is the current `tracing` span (the layer looks it up), and
            // pge reads a span's context from the span itself (`infra::trace`), never from
            // OpenTelemetry's thread-local current context: attaching it at every poll of
            // every recorded future would cost each poll and serve nobody.
            .with_context_activation(false)
            // Spans, and of the events only warnings and errors (an error marks its span
            // failed): the info lines (one "request completed" per request) stay in the
            // logs, where they are already, rather than costing every span an event.
            //
            // And only in recorded work: a request or a batch outside the sampled share
            // runs where `infra::trace::recording` is false, and none of its spans goes
            // through this layer (no span builder, no SDK span, nothing attached at each
            // poll), which is what head sampling saves.
            //
            // One filter, not two nested ones: each per-layer filter has its own bit in the
            // registry's state, and a span one of them lets through is made (stored,
            // entered and exited at each poll) even if the other shuts the layer out of
            // it. Nested, the crates' directive alone made every request's spans live in
            // the registry, sampled or not, when the logs (`RUST_LOG=warn`) did not want
            // them. The call site's part (the crates at `info`, spans and warnings) is
            // decided once per call site; whether the work is recorded, at each call: a
            // plain `filter_fn` would cache its first answer for the call site, and a span
            // first met outside the sampled share would never be recorded again.
            .with_filter(recorded_work())
    });
    // A second init (tests) keeps the first subscriber.
    drop(
        tracing_subscriber::registry()
            .with(logs.with_filter(filter))
            .with(spans)
            .try_init(),
    );
}

/// The traces layer's filter: the `pge` crates' spans (not the libraries', which would
/// multiply a request's spans by ten) and their warnings and errors, in recorded work only
/// ([`infra::trace::recording`]).
fn recorded_work<S>() -> impl tracing_subscriber::layer::Filter<S>
where
    S: tracing::Subscriber,
{
    use tracing::subscriber::Interest;
    use tracing_subscriber::filter::Targets;
    let crates = Targets::new()
        .with_default(tracing::Level::WARN)
        .with_targets(["api", "infra", "app", "pge"].map(|c| (c, tracing::Level::INFO)));
    tracing_subscriber::filter::dynamic_filter_fn(|_meta, _cx| infra::trace::recording())
        .with_callsite_filter(move |meta| {
            let wanted = (meta.is_span() || *meta.level() <= tracing::Level::WARN)
                && crates.would_enable(meta.target(), meta.level());
            if wanted {
                Interest::sometimes()
            } else {
                Interest::never()
            }
        })
}

/// Whether spans go to OpenTelemetry (set once by [`init`], the adapters' flag).
fn traces_on() -> bool {
    infra::trace::enabled()
}

tokio::task_local! {
    /// The request's ids, for its problem+json answer ([`current_ids`]).
    static IDS: RequestIds;
}

/// What a user who reports an error hands the team: the request id (in every log line
/// of the request) and, with traces on, the trace id.
#[derive(Debug, Clone, Default)]
pub struct RequestIds {
    pub request_id: String,
    pub trace_id: Option<String>,
}

/// The ids of the request being answered, inside [`request_context`].
#[must_use]
pub fn current_ids() -> Option<RequestIds> {
    IDS.try_with(Clone::clone).ok()
}

/// A client-supplied request id is kept when it is short and plain; otherwise a new
/// one is made, so log lines cannot be forged through the header.
fn sane(value: &HeaderValue) -> Option<String> {
    let s = value.to_str().ok()?;
    (!s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':')))
    .then(|| s.to_owned())
}

/// The method as a metric label and in logs, from a closed set: any other method (HTTP
/// allows inventing them) is `other`, so a client cannot add series at will. The
/// route label is the matched route's template or `unmatched`, the status a number.
fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Middleware: request id, a span around the request, one access-log line.
pub async fn request_context(mut request: Request, next: Next) -> Response {
    let request_id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(sane)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        request.headers_mut().insert(REQUEST_ID, value);
    }
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = method_label(request.method());
    let started_at = std::time::SystemTime::now();
    let (span, trace_id, caller, unrecorded) = if traces_on() {
        let caller = caller_context(&request);
        match infra::trace::decide(caller.as_ref()) {
            None => {
                let (span, trace_id) =
                    request_span_traced(caller.as_ref(), &request_id, method, &route);
                (span, trace_id, caller, None)
            }
            Some(ids) => {
                let trace_id = ids.trace_id().to_string();
                let span = infra::trace::within_sync(
                    Some(&ids),
                    || tracing::info_span!("request", request_id = %request_id, method = %method, route = %route, trace_id = %trace_id),
                );
                (span, Some(trace_id), caller, Some(ids))
            }
        }
    } else {
        (
            tracing::info_span!("request", request_id = %request_id, method = %method, route = %route),
            None,
            None,
            None,
        )
    };
    let ids = RequestIds {
        request_id: request_id.clone(),
        trace_id,
    };
    let started = Instant::now();
    let work = IDS.scope(ids, next.run(request).instrument(span.clone()));
    let mut response = infra::trace::within(unrecorded.clone(), work).await;
    let status = response.status().as_u16();
    if traces_on() {
        span.record("http.response.status_code", status);
        // A shed answer is the replica protecting itself, not a fault: its count and the
        // shed alerts say enough, and keeping thousands of them would cost the memory the
        // shedding protects.
        if status >= 500 && response.extensions().get::<Shed>().is_none() {
            span.record("otel.status_code", "error");
            if let Some(own) = &unrecorded {
                infra::trace::keep_failure(
                    own,
                    infra::trace::Failure {
                        name: format!("{method} {route}").into(),
                        kind: opentelemetry::trace::SpanKind::Server,
                        start: started_at,
                        remote_parent: caller,
                        attributes: vec![
                            opentelemetry::KeyValue::new("request_id", request_id.clone()),
                            opentelemetry::KeyValue::new("http.request.method", method),
                            opentelemetry::KeyValue::new("http.route", route.clone()),
                            opentelemetry::KeyValue::new(
                                "http.response.status_code",
                                i64::from(status),
                            ),
                        ],
                        links: Vec::new(),
                        message: format!("HTTP {status}").into(),
                    },
                );
            }
        }
    }
    let elapsed = started.elapsed();
    let labels = [
        ("method", method.to_owned()),
        ("route", route.clone()),
        ("status", status.to_string()),
    ];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels).record(elapsed.as_secs_f64());
    span.in_scope(|| {
        tracing::info!(
            status,
            // In whole microseconds: 22.755, not 22.755065000000002.
            latency_ms = elapsed.as_micros() as f64 / 1000.0,
            "request completed"
        );
    });
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    response
}

/// Marks an answer the load shedding gave (503 `overloaded`): not a failure to keep in
/// the traces.
#[derive(Debug, Clone, Copy)]
pub struct Shed;

/// The caller's span context, when the request carries a valid W3C `traceparent`.
fn caller_context(request: &Request) -> Option<opentelemetry::trace::SpanContext> {
    let value = request.headers().get("traceparent")?.to_str().ok()?;
    infra::trace::parse_traceparent(value)
}

/// The span of a recorded request with OpenTelemetry's fields: named `METHOD /route`, a
/// server span, the child of the caller's span when the request carries a W3C
/// `traceparent`. Returns the trace id, also recorded in the span (so in every log line
/// of the request).
fn request_span_traced(
    caller: Option<&opentelemetry::trace::SpanContext>,
    request_id: &str,
    method: &'static str,
    route: &str,
) -> (tracing::Span, Option<String>) {
    use opentelemetry::trace::TraceContextExt as _;
    use tracing_opentelemetry::OpenTelemetrySpanExt as _;
    let span = tracing::info_span!(
        "request",
        otel.name = %format_args!("{method} {route}"),
        otel.kind = "server",
        otel.status_code = tracing::field::Empty,
        http.response.status_code = tracing::field::Empty,
        request_id = %request_id,
        method = %method,
        route = %route,
        trace_id = tracing::field::Empty,
    );
    if let Some(caller) = caller {
        let _ =
            span.set_parent(opentelemetry::Context::new().with_remote_span_context(caller.clone()));
    }
    let trace_id = span.context().span().span_context().trace_id();
    if trace_id == opentelemetry::trace::TraceId::INVALID {
        return (span, None);
    }
    let trace_id = trace_id.to_string();
    span.record("trace_id", trace_id.as_str());
    (span, Some(trace_id))
}
