//! Traces: the `tracing` spans of a request (or of an outbox batch) exported as one
//! OpenTelemetry trace over OTLP/HTTP (protobuf), when an endpoint is configured.
//!
//! Off by default: the embedded default needs no collector. `PGE_OTLP_ENDPOINT` (or the
//! standard `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` / `OTEL_EXPORTER_OTLP_ENDPOINT`) turns it
//! on. What is kept ([`KeepSampledOrFailed`]): every trace whose id falls in the sampled
//! share (`PGE_TRACE_SAMPLE_RATIO`, by trace id, so every process agrees), and every trace
//! in which a span failed, whatever the share: errors are always kept.
//!
//! The exporter sends with the API's own HTTP client (reqwest on the process's tokio
//! runtime), from the batch processor's thread: no second HTTP stack in the binary.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use opentelemetry::trace::{Status, TraceId};
use opentelemetry_http::{Bytes, HttpClient, HttpError, Request, Response};
use opentelemetry_otlp::{Protocol, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{
    BatchConfigBuilder, BatchSpanProcessor, Sampler, SdkTracerProvider, Span, SpanData,
    SpanProcessor,
};

/// Where and how much to trace.
#[derive(Debug, Clone)]
pub struct TraceSettings {
    /// The OTLP/HTTP traces URL (`…/v1/traces`); `None`: no traces.
    pub endpoint: Option<String>,
    /// Share of traces kept when nothing failed in them, 0 to 1.
    pub sample_ratio: f64,
    /// `service.name`: `pge-api`, `pge-worker` … (`OTEL_SERVICE_NAME` wins).
    pub service: String,
}

impl TraceSettings {
    /// The traces URL from `PGE_OTLP_ENDPOINT` (a base URL, as the standard variable) or
    /// the OpenTelemetry variables, in that order.
    #[must_use]
    pub fn endpoint_from(
        pge_endpoint: Option<&str>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Option<String> {
        let base = |url: &str| format!("{}/v1/traces", url.trim_end_matches('/'));
        let non_empty = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
        if let Some(url) = pge_endpoint.filter(|v| !v.trim().is_empty()) {
            return Some(base(url));
        }
        if let Some(url) = non_empty(env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")) {
            return Some(url);
        }
        non_empty(env("OTEL_EXPORTER_OTLP_ENDPOINT")).map(|url| base(&url))
    }
}

/// The exporter's HTTP client: the API's reqwest client, its calls run on the tokio
/// runtime that built it (the batch processor calls from a thread of its own).
#[derive(Debug)]
struct RuntimeClient {
    client: reqwest::Client,
    runtime: tokio::runtime::Handle,
}

#[async_trait::async_trait]
impl HttpClient for RuntimeClient {
    async fn send_bytes(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        let client = self.client.clone();
        let (parts, body) = request.into_parts();
        let call = async move {
            let mut builder = client
                .request(parts.method, parts.uri.to_string())
                .body(body);
            for (name, value) in &parts.headers {
                builder = builder.header(name, value);
            }
            let answer = builder.send().await?;
            let status = answer.status();
            let body = answer.bytes().await?;
            Ok::<_, reqwest::Error>((status, body))
        };
        let (status, body) = self.runtime.spawn(call).await??;
        let mut response = Response::new(body);
        *response.status_mut() = status;
        Ok(response)
    }
}

/// Tail sampling that keeps failures: a span of a sampled trace goes to the exporter at
/// once; a span of another trace waits, with its trace's other spans, until that trace's
/// local root ends, and goes only if one of them failed (status `Error`: a 5xx answer,
/// an `error!` event). The wait is bounded: beyond `MAX_WAITING` spans, unsampled spans
/// are dropped (and counted), never memory.
#[derive(Debug)]
pub struct KeepSampledOrFailed<P> {
    inner: P,
    /// Traces with an id below this bound (lower 64 bits) are sampled.
    bound: u64,
    waiting: Mutex<Waiting>,
}

#[derive(Debug, Default)]
struct Waiting {
    traces: HashMap<TraceId, Vec<SpanData>>,
    spans: usize,
}

/// About 2,000 requests' worth: under overload (every shed answer a failure, kept) the
/// buffers must not take the API past its memory target (docs/PERFORMANCE.md).
const MAX_WAITING: usize = 5_000;

impl<P: SpanProcessor> KeepSampledOrFailed<P> {
    pub fn new(inner: P, ratio: f64) -> Self {
        let ratio = ratio.clamp(0.0, 1.0);
        // The share as a bound on the id's lower 64 bits, as OpenTelemetry's
        // TraceIdRatioBased sampler computes it (ratio 1 keeps all).
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let bound = if ratio >= 1.0 {
            u64::MAX
        } else {
            (ratio * (u64::MAX as f64)) as u64
        };
        Self {
            inner,
            bound,
            waiting: Mutex::new(Waiting::default()),
        }
    }

    fn sampled(&self, trace: TraceId) -> bool {
        if self.bound == u64::MAX {
            return true;
        }
        let bytes = trace.to_bytes();
        let mut low = [0_u8; 8];
        low.copy_from_slice(&bytes[8..]);
        u64::from_be_bytes(low) < self.bound
    }
}

impl<P: SpanProcessor> SpanProcessor for KeepSampledOrFailed<P> {
    fn on_start(&self, span: &mut Span, cx: &opentelemetry::Context) {
        self.inner.on_start(span, cx);
    }

    fn on_end(&self, span: SpanData) {
        let trace = span.span_context.trace_id();
        if self.sampled(trace) {
            self.inner.on_end(span);
            return;
        }
        let local_root = span.parent_span_id == opentelemetry::trace::SpanId::INVALID
            || span.parent_span_is_remote;
        let flush = {
            let Ok(mut waiting) = self.waiting.lock() else {
                return;
            };
            if local_root {
                let mut spans = waiting.traces.remove(&trace).unwrap_or_default();
                waiting.spans -= spans.len();
                spans.push(span);
                spans
                    .iter()
                    .any(|s| matches!(s.status, Status::Error { .. }))
                    .then_some(spans)
            } else {
                if waiting.spans >= MAX_WAITING {
                    metrics::counter!("pge_trace_spans_dropped_total").increment(1);
                    return;
                }
                waiting.spans += 1;
                waiting.traces.entry(trace).or_default().push(span);
                None
            }
        };
        for span in flush.into_iter().flatten() {
            self.inner.on_end(span);
        }
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}

/// The tracer provider for `settings`, or `None` when no endpoint is configured. Must be
/// called on the tokio runtime the exporter will send from.
///
/// # Errors
/// When the exporter cannot be built (an invalid endpoint URL).
pub fn provider(settings: &TraceSettings) -> anyhow::Result<Option<SdkTracerProvider>> {
    let Some(endpoint) = &settings.endpoint else {
        return Ok(None);
    };
    let client = RuntimeClient {
        client: reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()?,
        runtime: tokio::runtime::Handle::current(),
    };
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(endpoint.clone())
        .with_timeout(Duration::from_secs(10))
        .with_http_client(client)
        .build()?;
    // At most 2,048 spans waiting for the exporter (then dropped, not held): about 500
    // requests' worth, about a MB.
    let batch = BatchSpanProcessor::builder(exporter)
        .with_batch_config(
            BatchConfigBuilder::default()
                .with_max_queue_size(2_048)
                .with_max_export_batch_size(512)
                .with_scheduled_delay(Duration::from_secs(1))
                .build(),
        )
        .build();
    let service = std::env::var("OTEL_SERVICE_NAME")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| settings.service.clone());
    let provider = SdkTracerProvider::builder()
        // Every span is recorded; the processor decides what leaves (failures always).
        .with_sampler(Sampler::AlwaysOn)
        .with_span_processor(KeepSampledOrFailed::new(batch, settings.sample_ratio))
        .with_resource(
            Resource::builder()
                .with_service_name(service)
                .with_attribute(opentelemetry::KeyValue::new(
                    "service.version",
                    env!("CARGO_PKG_VERSION"),
                ))
                .build(),
        )
        .build();
    opentelemetry::global::set_text_map_propagator(
        opentelemetry_sdk::propagation::TraceContextPropagator::new(),
    );
    Ok(Some(provider))
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry::trace::{SpanContext, SpanId, SpanKind, TraceFlags, TraceState};
    use std::sync::Arc;

    #[derive(Debug, Default, Clone)]
    struct Collect(Arc<Mutex<Vec<String>>>);

    impl SpanProcessor for Collect {
        fn on_start(&self, _: &mut Span, _: &opentelemetry::Context) {}
        fn on_end(&self, span: SpanData) {
            self.0.lock().expect("lock").push(span.name.into_owned());
        }
        fn force_flush(&self) -> OTelSdkResult {
            Ok(())
        }
        fn shutdown_with_timeout(&self, _: Duration) -> OTelSdkResult {
            Ok(())
        }
    }

    fn span(trace: u128, id: u64, parent: u64, name: &'static str, failed: bool) -> SpanData {
        SpanData {
            span_context: SpanContext::new(
                TraceId::from(trace),
                SpanId::from(id),
                TraceFlags::SAMPLED,
                false,
                TraceState::NONE,
            ),
            parent_span_id: SpanId::from(parent),
            parent_span_is_remote: false,
            span_kind: SpanKind::Internal,
            name: name.into(),
            start_time: std::time::SystemTime::UNIX_EPOCH,
            end_time: std::time::SystemTime::UNIX_EPOCH,
            attributes: Vec::new(),
            dropped_attributes_count: 0,
            events: opentelemetry_sdk::trace::SpanEvents::default(),
            links: opentelemetry_sdk::trace::SpanLinks::default(),
            status: if failed {
                Status::error("failed")
            } else {
                Status::Unset
            },
            instrumentation_scope: opentelemetry::InstrumentationScope::default(),
        }
    }

    #[test]
    fn an_unsampled_trace_is_kept_whole_when_a_span_failed_and_dropped_otherwise() {
        let out = Collect::default();
        // Ratio 0: only failures leave.
        let keep = KeepSampledOrFailed::new(out.clone(), 0.0);
        keep.on_end(span(1, 2, 1, "ok-child", false));
        keep.on_end(span(1, 1, 0, "ok-root", false));
        assert!(out.0.lock().expect("lock").is_empty());
        keep.on_end(span(2, 2, 1, "sql", false));
        keep.on_end(span(2, 3, 1, "failed-child", true));
        keep.on_end(span(2, 1, 0, "root", false));
        assert_eq!(
            *out.0.lock().expect("lock"),
            ["sql", "failed-child", "root"]
        );
        assert_eq!(keep.waiting.lock().expect("lock").spans, 0);
    }

    #[test]
    fn the_share_is_decided_by_the_trace_id() {
        let out = Collect::default();
        let keep = KeepSampledOrFailed::new(out.clone(), 0.5);
        // Lower 64 bits small: sampled; large: not.
        keep.on_end(span(0x10, 2, 1, "kept", false));
        keep.on_end(span(u128::from(u64::MAX), 2, 1, "waits", false));
        assert_eq!(*out.0.lock().expect("lock"), ["kept"]);
        let all = KeepSampledOrFailed::new(Collect::default(), 1.0);
        assert!(all.sampled(TraceId::from(u128::MAX)));
    }
}
