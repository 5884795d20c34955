//! Traces of the real binary, received by an OTLP/HTTP endpoint served by this test and
//! decoded with OpenTelemetry's own protobuf types: a submission is one trace (the HTTP
//! span, the store's transaction, its SQL statements) continuing the caller's W3C
//! `traceparent`; the e-mail it queued is sent in a trace of its own (the outbox batch)
//! linked to the submission's; a problem+json answer names its request and trace; log
//! lines carry the trace id; no span carries personal data. Outside the sampled share
//! nothing is exported but the failures, each its own span under the ids its answer and
//! its log lines carry.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::routing::post;
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::trace::v1::Span;
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use prost::Message as _;

const LEGAL_NAME: &str = "Boulangerie Tracée";
const EMAIL: &str = "gerant.trace@boulangerie.example";
const SIREN: &str = "732829320";
const CALLER_TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN: &str = "00f067aa0ba902b7";

#[derive(Clone, Default)]
struct Received {
    spans: Arc<Mutex<Vec<(String, Span)>>>,
    raw: Arc<Mutex<Vec<u8>>>,
}

/// The collector: `POST /v1/traces`, protobuf in, protobuf out.
async fn collector() -> (String, Received) {
    let received = Received::default();
    let state = received.clone();
    let app = axum::Router::new().route(
        "/v1/traces",
        post(move |body: Bytes| {
            let state = state.clone();
            async move {
                let request =
                    ExportTraceServiceRequest::decode(body.as_ref()).expect("an OTLP request");
                state.raw.lock().expect("lock").extend_from_slice(&body);
                let mut spans = state.spans.lock().expect("lock");
                for resource in request.resource_spans {
                    let service = resource
                        .resource
                        .iter()
                        .flat_map(|r| &r.attributes)
                        .find(|kv| kv.key == "service.name")
                        .and_then(|kv| kv.value.as_ref())
                        .map(|v| format!("{v:?}"))
                        .unwrap_or_default();
                    for scope in resource.scope_spans {
                        for span in scope.spans {
                            spans.push((service.clone(), span));
                        }
                    }
                }
                ExportTraceServiceResponse::default().encode_to_vec()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("collector") });
    (format!("http://{addr}"), received)
}

struct Pge {
    child: Child,
    addr: String,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Drop for Pge {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(dir: &std::path::Path, endpoint: &str) -> Pge {
    start_sampling(dir, endpoint, "1")
}

fn start_sampling(dir: &std::path::Path, endpoint: &str, ratio: &str) -> Pge {
    start_with(dir, endpoint, ratio, &[])
}

fn start_with(dir: &std::path::Path, endpoint: &str, ratio: &str, env: &[(&str, &str)]) -> Pge {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pge"))
        .arg("serve")
        .env_clear()
        .envs(env.iter().copied())
        .env("PGE_DATA_DIR", dir)
        .env("PGE_LISTEN_ADDR", "127.0.0.1:0")
        .env("PGE_METRICS_ADDR", "off")
        .env("PGE_LOG_FORMAT", "json")
        .env("PGE_OTLP_ENDPOINT", endpoint)
        .env("PGE_TRACE_SAMPLE_RATIO", ratio)
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve");
    let stderr = child.stderr.take().expect("stderr");
    let lines = Arc::new(Mutex::new(Vec::new()));
    let (tx, rx) = std::sync::mpsc::channel();
    let kept = lines.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Ok(entry) = serde_json::from_str::<serde_json::Value>(&line)
                && entry["message"] == "listening"
            {
                let _ = tx.send(entry["addr"].as_str().unwrap_or_default().to_owned());
            }
            kept.lock().expect("lock").push(line);
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("pge did not start");
    Pge { child, addr, lines }
}

fn applicant_token(dir: &std::path::Path) -> String {
    let token = Command::new(env!("CARGO_BIN_EXE_pge"))
        .args(["dev-token", "--role", "applicant"])
        .env_clear()
        .env("PGE_DATA_DIR", dir)
        .output()
        .expect("dev-token");
    String::from_utf8(token.stdout).expect("utf-8")
}

fn submission() -> serde_json::Value {
    serde_json::json!({
        "bank_id": "30004",
        "company": {"siren": SIREN, "legal_name": LEGAL_NAME, "legal_form": "SAS",
                    "creation_date": "2012-05-04", "headcount": 12,
                    "revenue_cents": 100_000_000, "innovative": false,
                    "collective_proceedings": false},
        "requested_amount_cents": 5_000_000, "amortization_years": 4,
        "contact_email": EMAIL,
    })
}

/// `POST /api/v1/loan-requests` of `body` under the caller's `traceparent`.
async fn submit_traced(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    traceparent: &str,
    body: &serde_json::Value,
) -> reqwest::Response {
    http.post(format!("{base}/api/v1/loan-requests"))
        .bearer_auth(token.trim())
        .header("traceparent", traceparent)
        .json(body)
        .send()
        .await
        .expect("submit")
}

/// The spans received once `done` holds of them (the exporter sends within its 1 s batch
/// delay; 30 s at most).
async fn spans_until(
    received: &Received,
    done: impl Fn(&[(String, Span)]) -> bool,
) -> Vec<(String, Span)> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let spans = received.spans.lock().expect("lock").clone();
        if done(&spans) {
            return spans;
        }
        assert!(
            Instant::now() < deadline,
            "spans received: {:?}",
            spans.iter().map(|(_, s)| &s.name).collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `ancestor` is `span`'s parent, grandparent …, within `trace`.
fn descends(trace: &HashMap<String, &Span>, span: &Span, ancestor: &Span) -> bool {
    let mut parent = hex(&span.parent_span_id);
    for _ in 0..32 {
        if parent == hex(&ancestor.span_id) {
            return true;
        }
        match trace.get(&parent) {
            Some(next) => parent = hex(&next.parent_span_id),
            None => return false,
        }
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_submission_is_one_trace_and_its_email_another_linked_to_it() {
    let (endpoint, received) = collector().await;
    let dir = std::env::temp_dir().join(format!("pge-traces-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let token = applicant_token(&dir);
    let pge = start(&dir, &endpoint);
    let http = reqwest::Client::new();
    let base = format!("http://{}", pge.addr);

    let body = submission();
    let created = http
        .post(format!("{base}/api/v1/loan-requests"))
        .bearer_auth(token.trim())
        .header("x-request-id", "traces-test-1")
        .header("traceparent", format!("00-{CALLER_TRACE}-{CALLER_SPAN}-01"))
        .json(&body)
        .send()
        .await
        .expect("submit");
    assert_eq!(created.status(), 201);

    // A refusal names its request and its trace.
    let refused = http
        .post(format!("{base}/api/v1/loan-requests"))
        .bearer_auth(token.trim())
        .header("x-request-id", "traces-test-2")
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("refused");
    assert_eq!(refused.status(), 400);
    let problem: serde_json::Value = refused.json().await.expect("problem+json");
    assert_eq!(problem["request_id"], "traces-test-2", "{problem}");
    let refused_trace = problem["trace_id"].as_str().expect("trace_id").to_owned();
    assert_eq!(refused_trace.len(), 32, "{problem}");
    assert_ne!(refused_trace, CALLER_TRACE);

    // The spans arrive within the exporter's batch delay (1 s): wait for the e-mail's.
    let spans = spans_until(&received, |spans| {
        spans.iter().any(|(_, s)| s.name == "outbox.deliver")
            && spans.iter().any(|(_, s)| hex(&s.trace_id) == refused_trace)
    })
    .await;
    for (service, _) in &spans {
        assert!(service.contains("pge-api"), "service.name: {service}");
    }

    // The submission's trace continues the caller's.
    let of_trace = |id: &str| -> HashMap<String, &Span> {
        spans
            .iter()
            .map(|(_, s)| s)
            .filter(|s| hex(&s.trace_id) == id)
            .map(|s| (hex(&s.span_id), s))
            .collect()
    };
    let submission = of_trace(CALLER_TRACE);
    let names: Vec<&str> = submission.values().map(|s| s.name.as_str()).collect();
    let root = submission
        .values()
        .find(|s| s.name == "POST /api/v1/loan-requests")
        .unwrap_or_else(|| panic!("no server span in {names:?}"));
    assert_eq!(root.kind, SpanKind::Server as i32);
    assert_eq!(
        hex(&root.parent_span_id),
        CALLER_SPAN,
        "the caller's span is the parent"
    );
    let transaction = submission
        .values()
        .find(|s| s.name == "store.submit")
        .unwrap_or_else(|| panic!("no transaction span in {names:?}"));
    assert!(descends(&submission, transaction, root), "{names:?}");
    for table in ["loan_requests", "audit_events", "outbox_messages"] {
        let insert = submission
            .values()
            .find(|s| s.name == format!("INSERT {table}"))
            .unwrap_or_else(|| panic!("no INSERT {table} span in {names:?}"));
        assert!(descends(&submission, insert, transaction), "{names:?}");
        assert_eq!(insert.kind, SpanKind::Client as i32);
    }

    // The e-mail: its own trace (the outbox batch), linked to the submission's.
    let deliver = spans
        .iter()
        .map(|(_, s)| s)
        .find(|s| s.name == "outbox.deliver")
        .expect("deliver span");
    let mail_trace = hex(&deliver.trace_id);
    assert_ne!(mail_trace, CALLER_TRACE);
    assert!(
        deliver
            .links
            .iter()
            .any(|link| hex(&link.trace_id) == CALLER_TRACE),
        "the delivery links to the submission's trace: {:?}",
        deliver.links
    );
    let mail = of_trace(&mail_trace);
    let mail_names: Vec<&str> = mail.values().map(|s| s.name.as_str()).collect();
    let batch = mail
        .values()
        .find(|s| s.name == "outbox.batch")
        .unwrap_or_else(|| panic!("no batch span in {mail_names:?}"));
    assert!(batch.parent_span_id.is_empty(), "the batch is a root");
    assert!(descends(&mail, deliver, batch));
    let write = mail
        .values()
        .find(|s| s.name == "mail.write")
        .unwrap_or_else(|| panic!("no send span in {mail_names:?}"));
    assert!(descends(&mail, write, deliver));

    // No personal data in anything exported.
    let raw = String::from_utf8_lossy(&received.raw.lock().expect("lock")).into_owned();
    for secret in [LEGAL_NAME, EMAIL, SIREN, "Boulangerie"] {
        assert!(!raw.contains(secret), "{secret} in an exported span");
    }

    // Every log line of the submission carries its trace id.
    let lines = pge.lines.lock().expect("lock").clone();
    let of_request: Vec<&String> = lines
        .iter()
        .filter(|l| l.contains("\"request_id\":\"traces-test-1\""))
        .collect();
    assert!(!of_request.is_empty(), "{lines:?}");
    for line in of_request {
        assert!(
            line.contains(&format!("\"trace_id\":\"{CALLER_TRACE}\"")),
            "a line without its trace id: {line}"
        );
    }
    drop(pge);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Whether a span is recorded is decided per trace, never cached per call site: with
/// logs at `warn` (no layer but the traces' wants an `info` span), a submission outside
/// the sampled share first, then one inside it, the second is exported whole (its server
/// span, the store's transaction, its SQL statements) and nothing of the first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sampled_request_after_unsampled_ones_is_recorded_whole() {
    const QUIET_TRACE: &str = "6bf92f3577b34da6a3ce929d0e0e4738";
    const KEPT_TRACE: &str = "7bf92f3577b34da6a3ce929d0e0e4739";
    let (endpoint, received) = collector().await;
    let dir = std::env::temp_dir().join(format!("pge-traces-sites-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let token = applicant_token(&dir);
    let pge = start_with(&dir, &endpoint, "1", &[("RUST_LOG", "warn,pge=info")]);
    let http = reqwest::Client::new();
    let base = format!("http://{}", pge.addr);
    for (trace, flags, siren) in [(QUIET_TRACE, "00", SIREN), (KEPT_TRACE, "01", "552100554")] {
        let mut body = submission();
        body["company"]["siren"] = siren.into();
        let traceparent = format!("00-{trace}-{CALLER_SPAN}-{flags}");
        let created = submit_traced(&http, &base, &token, &traceparent, &body).await;
        assert_eq!(created.status(), 201, "{trace}");
    }
    let spans = spans_until(&received, |spans| {
        spans
            .iter()
            .any(|(_, s)| hex(&s.trace_id) == KEPT_TRACE && s.name == "store.submit")
    })
    .await;
    assert!(
        spans.iter().all(|(_, s)| hex(&s.trace_id) != QUIET_TRACE),
        "the unsampled submission was exported"
    );
    let kept: HashMap<String, &Span> = spans
        .iter()
        .map(|(_, s)| s)
        .filter(|s| hex(&s.trace_id) == KEPT_TRACE)
        .map(|s| (hex(&s.span_id), s))
        .collect();
    let names: Vec<&str> = kept.values().map(|s| s.name.as_str()).collect();
    let root = kept
        .values()
        .find(|s| s.name == "POST /api/v1/loan-requests")
        .unwrap_or_else(|| panic!("no server span in {names:?}"));
    let transaction = kept
        .values()
        .find(|s| s.name == "store.submit")
        .unwrap_or_else(|| panic!("no transaction span in {names:?}"));
    assert!(descends(&kept, transaction, root), "{names:?}");
    assert!(
        kept.values()
            .any(|s| s.name == "INSERT loan_requests" && descends(&kept, s, transaction)),
        "no statement span under the transaction in {names:?}"
    );
}

/// Sampled at 0: a request that succeeds exports nothing (a caller's unsampled
/// `traceparent` is followed); a request that fails exports its server span alone, under
/// the trace id its problem+json answer names; a failed e-mail delivery exports its span,
/// linked to the request that queued it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outside_the_sampled_share_only_failures_are_exported() {
    const QUIET_TRACE: &str = "5bf92f3577b34da6a3ce929d0e0e4737";
    let (endpoint, received) = collector().await;
    let dir = std::env::temp_dir().join(format!("pge-traces-failures-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let token = applicant_token(&dir);
    let pge = start_sampling(&dir, &endpoint, "0");
    let http = reqwest::Client::new();
    let base = format!("http://{}", pge.addr);
    // Mail and documents cannot be written: a file stands where each folder was (a
    // permission would not stop root).
    for folder in ["mail", "documents"] {
        let path = dir.join(folder);
        let _ = std::fs::remove_dir_all(&path);
        std::fs::write(&path, b"not a folder").expect("file");
    }

    let body = submission();
    let traceparent = format!("00-{QUIET_TRACE}-{CALLER_SPAN}-00");
    let created = submit_traced(&http, &base, &token, &traceparent, &body).await;
    assert_eq!(created.status(), 201);
    let created: serde_json::Value = created.json().await.expect("json");
    let id = created["id"].as_str().expect("id");

    let announced = http
        .post(format!("{base}/api/v1/loan-requests/{id}/documents"))
        .bearer_auth(token.trim())
        .json(&serde_json::json!({"filename": "bilan.pdf", "content_type": "application/pdf", "size": 4}))
        .send()
        .await
        .expect("announce");
    assert!(announced.status().is_success(), "{}", announced.status());
    let announced: serde_json::Value = announced.json().await.expect("json");
    let mut upload = http.put(announced["upload_url"].as_str().expect("upload url"));
    for (name, value) in announced["upload_headers"].as_object().expect("headers") {
        if name != "content-length" {
            upload = upload.header(name, value.as_str().expect("header value"));
        }
    }
    let failed = upload
        .header("x-request-id", "traces-broken-upload")
        .body(b"%PDF".to_vec())
        .send()
        .await
        .expect("upload");
    assert!(failed.status().is_server_error(), "{}", failed.status());
    let problem: serde_json::Value = failed.json().await.expect("problem+json");
    assert_eq!(problem["request_id"], "traces-broken-upload", "{problem}");
    let failed_trace = problem["trace_id"].as_str().expect("trace_id").to_owned();

    // Wait for the two failures; what else was exported came before them.
    let spans = spans_until(&received, |spans| {
        spans.iter().any(|(_, s)| s.name == "outbox.deliver")
            && spans.iter().any(|(_, s)| hex(&s.trace_id) == failed_trace)
    })
    .await;
    let error = opentelemetry_proto::tonic::trace::v1::status::StatusCode::Error as i32;
    for (_, span) in &spans {
        assert_ne!(
            hex(&span.trace_id),
            QUIET_TRACE,
            "the quiet submission was exported"
        );
        assert_eq!(
            span.status.as_ref().map(|s| s.code),
            Some(error),
            "only failures leave: {} was exported",
            span.name
        );
    }
    let upload = spans
        .iter()
        .map(|(_, s)| s)
        .find(|s| hex(&s.trace_id) == failed_trace)
        .expect("the failed upload's span");
    assert_eq!(upload.kind, SpanKind::Server as i32);
    assert!(upload.name.starts_with("PUT /"), "{}", upload.name);
    assert!(
        upload.parent_span_id.is_empty(),
        "a root request: no parent"
    );
    // Its trace id is the one its log lines carry.
    let lines = pge.lines.lock().expect("lock").clone();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("\"request_id\":\"traces-broken-upload\"")
                && l.contains(&format!("\"trace_id\":\"{failed_trace}\""))),
        "{lines:?}"
    );
    let deliver = spans
        .iter()
        .map(|(_, s)| s)
        .find(|s| s.name == "outbox.deliver")
        .expect("deliver span");
    assert!(
        deliver
            .links
            .iter()
            .any(|link| hex(&link.trace_id) == QUIET_TRACE),
        "the failed delivery links to the request that queued it: {:?}",
        deliver.links
    );
    drop(pge);
    let _ = std::fs::remove_dir_all(&dir);
}
