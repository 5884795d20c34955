//! Traces: the `tracing` spans of a request (or of an outbox batch) exported as one
//! OpenTelemetry trace over OTLP/HTTP (protobuf), when an endpoint is configured.
//!
//! Off by default: the embedded default needs no collector. `PGE_OTLP_ENDPOINT` (or the
//! standard `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` / `OTEL_EXPORTER_OTLP_ENDPOINT`) turns it
//! on. What is kept: every trace whose id falls in the sampled share
//! (`PGE_TRACE_SAMPLE_RATIO`, decided before the trace's first span exists:
//! [`infra::trace::decide`]), and, of
//! every other trace, the span of a request or a delivery that failed, alone
//! ([`infra::trace::keep_failure`]): errors are always kept, and the 90 % of requests that
//! are neither sampled nor failed cost no span data.
//!
//! The exporter sends with the API's own HTTP client (reqwest on the process's tokio
//! runtime), from the batch processor's thread: no second HTTP stack in the binary.

use std::sync::Arc;
use std::time::Duration;

use opentelemetry_http::{Bytes, HttpClient, HttpError, Request, Response};
use opentelemetry_otlp::{Protocol, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{
    BatchConfigBuilder, BatchSpanProcessor, Sampler, SdkTracerProvider, Span, SpanData,
    SpanExporter as _, SpanProcessor,
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

/// How the exporter batches spans: pge's defaults, each replaced by its standard
/// OpenTelemetry variable when set (`OTEL_BSP_MAX_QUEUE_SIZE`,
/// `OTEL_BSP_MAX_EXPORT_BATCH_SIZE`, `OTEL_BSP_SCHEDULE_DELAY` in milliseconds; a value that
/// is not a positive whole number is ignored).
///
/// The defaults: at most 64 spans waiting for the exporter (then dropped, not held), sent
/// in batches of 32, or every 100 ms. At 10 % of 3,300 requests a second (the 4x overload
/// of docs/PERFORMANCE.md) that is about 1,000 spans a second: the queue is a few tenths of
/// a second of them, and sending small batches often keeps the exporter's memory small.
/// Measured there: with 1,024 spans, batches of 256 and 500 ms (the SDK's own defaults are
/// larger still) traces added 3.4 MiB to the API's peak RSS; with these, well under one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchSettings {
    pub max_queue: usize,
    /// Never more than `max_queue` (the SDK's rule).
    pub max_batch: usize,
    pub delay: Duration,
}

impl BatchSettings {
    #[must_use]
    pub fn from_env(env: impl Fn(&str) -> Option<String>) -> Self {
        let number = |name: &str, default: u64| {
            env(name)
                .and_then(|v| v.trim().parse::<u64>().ok())
                .filter(|&v| v > 0)
                .unwrap_or(default)
        };
        let max_queue = usize::try_from(number("OTEL_BSP_MAX_QUEUE_SIZE", 64)).unwrap_or(64);
        let max_batch = usize::try_from(number("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", 32)).unwrap_or(32);
        Self {
            max_queue,
            max_batch: max_batch.min(max_queue),
            delay: Duration::from_millis(number("OTEL_BSP_SCHEDULE_DELAY", 100)),
        }
    }
}

/// The batch processor, shared: the tracer provider holds one handle (sampled spans), the
/// failure path ([`infra::trace::keep_failure`]) the other. Its exporter got the resource
/// before the processor was built, so the provider's `set_resource` has nothing to do.
#[derive(Debug, Clone)]
struct Shared(Arc<BatchSpanProcessor>);

impl SpanProcessor for Shared {
    fn on_start(&self, span: &mut Span, cx: &opentelemetry::Context) {
        self.0.on_start(span, cx);
    }

    fn on_end(&self, span: SpanData) {
        self.0.on_end(span);
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.0.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.0.shutdown_with_timeout(timeout)
    }
}

/// What reaches the SDK is recorded: pge decides a trace's sampling before its first span
/// exists ([`infra::trace::decide`], at the request and the outbox batch) and keeps the
/// OpenTelemetry layer out of the rest, so a root span here belongs to a trace that is
/// sampled, and a child follows its parent.
fn sampler() -> Sampler {
    Sampler::ParentBased(Box::new(Sampler::AlwaysOn))
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
    let service = std::env::var("OTEL_SERVICE_NAME")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| settings.service.clone());
    let resource = Resource::builder()
        .with_service_name(service)
        .with_attribute(opentelemetry::KeyValue::new(
            "service.version",
            env!("CARGO_PKG_VERSION"),
        ))
        .build();
    let mut exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(endpoint.clone())
        .with_timeout(Duration::from_secs(10))
        .with_http_client(client)
        .build()?;
    exporter.set_resource(&resource);
    let batch = BatchSettings::from_env(|name| std::env::var(name).ok());
    let batch = Shared(Arc::new(
        BatchSpanProcessor::builder(exporter)
            .with_batch_config(
                BatchConfigBuilder::default()
                    .with_max_queue_size(batch.max_queue)
                    .with_max_export_batch_size(batch.max_batch)
                    .with_scheduled_delay(batch.delay)
                    .build(),
            )
            .build(),
    ));
    infra::trace::set_sample_ratio(settings.sample_ratio);
    let failures = batch.clone();
    infra::trace::set_failure_sink(Box::new(move |span| failures.on_end(span)));
    let provider = SdkTracerProvider::builder()
        .with_sampler(sampler())
        .with_span_processor(batch)
        .with_resource(resource)
        .build();
    opentelemetry::global::set_text_map_propagator(
        opentelemetry_sdk::propagation::TraceContextPropagator::new(),
    );
    Ok(Some(provider))
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry::trace::{
        SpanContext, SpanId, SpanKind, TraceContextExt as _, TraceFlags, TraceId, TraceState,
    };
    use opentelemetry_sdk::trace::{SamplingDecision, ShouldSample as _};

    fn decide(parent: Option<TraceFlags>, trace: u128) -> SamplingDecision {
        let cx = parent.map_or_else(opentelemetry::Context::new, |flags| {
            opentelemetry::Context::new().with_remote_span_context(SpanContext::new(
                TraceId::from(trace),
                SpanId::from(1_u64),
                flags,
                true,
                TraceState::NONE,
            ))
        });
        sampler()
            .should_sample(
                Some(&cx),
                TraceId::from(trace),
                "POST /api/v1/loan-requests",
                &SpanKind::Server,
                &[],
                &[],
            )
            .decision
    }

    #[test]
    fn the_batch_settings_are_pges_unless_the_standard_variables_say_otherwise() {
        let none = BatchSettings::from_env(|_| None);
        assert_eq!(
            none,
            BatchSettings {
                max_queue: 64,
                max_batch: 32,
                delay: Duration::from_millis(100)
            }
        );
        let set = BatchSettings::from_env(|name| {
            match name {
                "OTEL_BSP_MAX_QUEUE_SIZE" => Some("512"),
                "OTEL_BSP_MAX_EXPORT_BATCH_SIZE" => Some(" 128 "),
                "OTEL_BSP_SCHEDULE_DELAY" => Some("250"),
                _ => None,
            }
            .map(str::to_owned)
        });
        assert_eq!(
            set,
            BatchSettings {
                max_queue: 512,
                max_batch: 128,
                delay: Duration::from_millis(250)
            }
        );
        // A batch larger than the queue is cut to it; nonsense and zero are ignored.
        let odd = BatchSettings::from_env(|name| {
            match name {
                "OTEL_BSP_MAX_QUEUE_SIZE" => Some("100"),
                "OTEL_BSP_MAX_EXPORT_BATCH_SIZE" => Some("4096"),
                "OTEL_BSP_SCHEDULE_DELAY" => Some("0"),
                _ => Some("lots"),
            }
            .map(str::to_owned)
        });
        assert_eq!((odd.max_queue, odd.max_batch), (100, 100));
        assert_eq!(odd.delay, Duration::from_millis(100));
    }

    #[test]
    fn what_reaches_the_sdk_is_recorded_and_a_child_follows_its_parent() {
        assert_eq!(
            decide(None, u128::from(u64::MAX)),
            SamplingDecision::RecordAndSample
        );
        assert_eq!(
            decide(Some(TraceFlags::SAMPLED), 7),
            SamplingDecision::RecordAndSample
        );
        assert_eq!(
            decide(Some(TraceFlags::default()), 7),
            SamplingDecision::Drop
        );
    }
}
