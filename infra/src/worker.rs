//! The outbox worker: sends the e-mails that transactions wrote to the outbox.
//!
//! Delivery is at-least-once. The window for a duplicate is between the provider
//! accepting a message and the `sent` mark being committed (one UPDATE, milliseconds):
//! a crash there, or a send outliving its lease, makes the message due again. A
//! duplicate is harmless: every e-mail restates a state the applicant can check, and
//! carries the outbox id (as its `Message-ID` for `.eml` files).

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use domain::loan_request::MailKind;
use domain::ports::{Clock, Mailer, PlatformSettings, SendError};
use futures::StreamExt;
use rand::Rng;
use tracing::Instrument;

use crate::mail::Templates;
use crate::persistence::{ClaimedMessage, Store};

/// Tuning of the worker.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// Messages claimed at once.
    pub batch_size: u32,
    /// Sends in flight at once.
    pub concurrency: usize,
    /// After this many failed attempts a message is `dead`.
    pub max_attempts: u32,
    /// Delay before the first retry; doubled at each attempt, with jitter.
    pub base_backoff: Duration,
    /// Longest delay between two attempts.
    pub max_backoff: Duration,
    /// How long a claimed message is reserved for its claimant.
    pub lease: Duration,
    /// Longest a single send may take before counting as failed.
    pub send_timeout: Duration,
    /// Pause when nothing is due.
    pub idle_poll: Duration,
    /// Pause between batches while degraded mode is on (the worker slows down).
    pub degraded_pause: Duration,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        Self {
            batch_size: 50,
            concurrency: 8,
            max_attempts: 12,
            base_backoff: Duration::from_secs(5),
            max_backoff: Duration::from_secs(30 * 60),
            lease: Duration::from_secs(120),
            send_timeout: Duration::from_secs(30),
            idle_poll: Duration::from_millis(500),
            degraded_pause: Duration::from_secs(5),
        }
    }
}

/// When the worker's loop last made progress: its liveness signal (`GET /livez` on the
/// metrics port, which Kubernetes probes). Beaten at every turn of the loop and after
/// every message, so a long batch is not a hang; a loop stuck in a call that never
/// returns stops beating and the pod is restarted.
#[derive(Debug, Clone)]
pub struct Heartbeat {
    last_ms: Arc<std::sync::atomic::AtomicI64>,
    /// Older than this, the worker is stale.
    pub stale_after: Duration,
}

impl Heartbeat {
    #[must_use]
    pub fn new(stale_after: Duration) -> Self {
        Self {
            last_ms: Arc::new(std::sync::atomic::AtomicI64::new(
                Utc::now().timestamp_millis(),
            )),
            stale_after,
        }
    }

    fn beat(&self) {
        self.last_ms.store(
            Utc::now().timestamp_millis(),
            std::sync::atomic::Ordering::Relaxed,
        );
    }

    /// Time since the last beat.
    #[must_use]
    pub fn age(&self) -> Duration {
        let last = self.last_ms.load(std::sync::atomic::Ordering::Relaxed);
        Duration::from_millis(u64::try_from(Utc::now().timestamp_millis() - last).unwrap_or(0))
    }

    /// Whether the loop beat recently enough.
    #[must_use]
    pub fn alive(&self) -> bool {
        self.age() <= self.stale_after
    }
}

/// Counts of one pass.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PassReport {
    pub sent: usize,
    pub retried: usize,
    pub dead: usize,
}

impl PassReport {
    #[must_use]
    pub fn claimed(&self) -> usize {
        self.sent + self.retried + self.dead
    }
}

/// Sends outbox messages through a [`Mailer`].
pub struct OutboxWorker {
    store: Store,
    mailer: Arc<dyn Mailer>,
    settings_port: Arc<dyn PlatformSettings>,
    templates: Templates,
    settings: WorkerSettings,
    /// The web app's public base URL, for the links in e-mails.
    app_url: Option<String>,
    heartbeat: Heartbeat,
    /// How many turns of [`OutboxWorker::run`]'s loop have ended ([`OutboxWorker::passes`]).
    passes: tokio::sync::watch::Sender<u64>,
    /// The time of its claims, sends and retries: the system's unless given another.
    clock: Arc<dyn Clock>,
}

/// Delay before attempt `attempts + 1`: exponential, capped, with "equal jitter"
/// (between half and all of the step) so a crowd of retries spreads out.
#[must_use]
pub fn backoff(settings: &WorkerSettings, attempts: u32, rng: &mut impl Rng) -> Duration {
    let exponent = attempts.saturating_sub(1).min(30);
    let step = settings
        .base_backoff
        .saturating_mul(1u32 << exponent)
        .min(settings.max_backoff);
    let half = step / 2;
    half + step.saturating_sub(half).mul_f64(rng.r#gen::<f64>())
}

impl OutboxWorker {
    #[must_use]
    pub fn new(
        store: Store,
        mailer: Arc<dyn Mailer>,
        settings_port: Arc<dyn PlatformSettings>,
        settings: WorkerSettings,
    ) -> Self {
        Self {
            store,
            mailer,
            settings_port,
            templates: Templates::new(),
            // A send may take `send_timeout`, a message is processed within its lease:
            // no beat for a lease's length is a hang.
            heartbeat: Heartbeat::new(settings.lease.max(settings.send_timeout * 2)),
            settings,
            app_url: None,
            passes: tokio::sync::watch::Sender::new(0),
            clock: Arc::new(crate::system::SystemClock),
        }
    }

    /// Takes the time from `clock` rather than the system's (a test fixes it).
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Links each e-mail to its request's page in the web app at `app_url` (the
    /// environment's public base URL), where the owner signs in to see it.
    #[must_use]
    pub fn with_links(mut self, app_url: Option<String>) -> Self {
        self.app_url = app_url.map(|url| url.trim_end_matches('/').to_owned());
        self
    }

    /// Bank names by code, read once per batch (an e-mail names the bank; the payload
    /// has its code). Unreadable: the e-mails of the batch show the code.
    async fn bank_names(&self) -> HashMap<String, String> {
        match domain::ports::BankRepository::list(&self.store).await {
            Ok(banks) => banks
                .into_iter()
                .map(|b| (b.code.as_str().to_owned(), b.name))
                .collect(),
            Err(err) => {
                tracing::warn!(error = %err, "bank names unavailable for this batch's e-mails");
                HashMap::new()
            }
        }
    }

    /// The templates' context: the payload, the bank's name and the link to the
    /// request's page. `None` when the payload is not JSON (rendering then fails).
    fn context(
        &self,
        message: &ClaimedMessage,
        bank_names: &HashMap<String, String>,
    ) -> Option<serde_json::Value> {
        let serde_json::Value::Object(mut payload) = serde_json::from_str(&message.payload).ok()?
        else {
            return None;
        };
        let code = payload
            .get("bank_id")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default();
        let name = bank_names
            .get(code)
            .cloned()
            .unwrap_or_else(|| code.to_owned());
        payload.insert("bank_name".into(), serde_json::Value::String(name));
        if let Some(url) = &self.app_url {
            payload.insert(
                "request_url".into(),
                serde_json::Value::String(format!(
                    "{url}/{}/{}",
                    // The bank's staff open the request in the back office.
                    if message.kind == MailKind::MessageToBank.as_str() {
                        "instruction"
                    } else {
                        "demandes"
                    },
                    message.loan_request_id
                )),
            );
        }
        Some(serde_json::Value::Object(payload))
    }

    /// The number of turns of [`OutboxWorker::run`]'s loop that have ended (each a batch
    /// claimed and processed, or nothing due), to wait on. The first turn to end after
    /// a moment may have begun before it, the second began after it: two more turns than
    /// counted then, and the worker has looked at the outbox since (what the black-box
    /// tests wait for before asserting that something did not happen).
    #[must_use]
    pub fn passes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.passes.subscribe()
    }

    /// The loop's liveness signal (cloned: it follows this worker).
    #[must_use]
    pub fn heartbeat(&self) -> Heartbeat {
        self.heartbeat.clone()
    }

    /// Claims one batch and processes it.
    ///
    /// # Errors
    /// When the store fails.
    pub async fn run_once(
        &self,
        batch_size: u32,
    ) -> Result<PassReport, domain::ports::StorageError> {
        let now = self.clock.now();
        let lease = chrono::Duration::from_std(self.settings.lease).unwrap_or_default();
        let claimed = self
            .store
            .claim_outbox(batch_size, now, now + lease)
            .await?;
        if claimed.is_empty() {
            return Ok(PassReport::default());
        }
        // One trace per batch (a root: the loop's own span has no request behind it),
        // sampled as a request is; each message's span links to the request that wrote it.
        let messages = claimed.len();
        let batch =
            || tracing::info_span!(parent: None, "outbox.batch", otel.kind = "consumer", messages);
        let outcomes: Vec<Result<Outcome, domain::ports::StorageError>> = crate::trace::as_root(batch, async {
            let bank_names = self.bank_names().await;
            futures::stream::iter(claimed)
                .map(|message| {
                    let span = tracing::info_span!("outbox.deliver", otel.kind = "consumer", kind = %message.kind, attempts = message.attempts);
                    let link = trace_link(&message.payload);
                    if let Some(link) = &link {
                        use tracing_opentelemetry::OpenTelemetrySpanExt as _;
                        span.add_link(link.clone());
                    }
                    self.process(message, &bank_names, link).instrument(span)
                })
                .buffer_unordered(self.settings.concurrency.max(1))
                .collect()
                .await
        })
        .await;
        let mut report = PassReport::default();
        for outcome in outcomes {
            match outcome? {
                Outcome::Sent => report.sent += 1,
                Outcome::Retried => report.retried += 1,
                Outcome::Dead => report.dead += 1,
            }
        }
        Ok(report)
    }

    async fn process(
        &self,
        message: ClaimedMessage,
        bank_names: &HashMap<String, String>,
        link: Option<opentelemetry::trace::SpanContext>,
    ) -> Result<Outcome, domain::ports::StorageError> {
        let started = std::time::SystemTime::now();
        let kind = message.kind.clone();
        let attempts = message.attempts;
        let outcome = self.deliver(message, bank_names).await;
        self.heartbeat.beat();
        let failed = match &outcome {
            Ok(Outcome::Sent) => None,
            Ok(Outcome::Retried) => Some("e-mail not sent, will retry"),
            Ok(Outcome::Dead) => Some("e-mail dead"),
            Err(_) => Some("store failure"),
        };
        if let (Some(message), Some(batch)) = (failed, crate::trace::unrecorded()) {
            crate::trace::keep_failure(
                &crate::trace::new_span_in(&batch),
                crate::trace::Failure {
                    name: "outbox.deliver".into(),
                    kind: opentelemetry::trace::SpanKind::Consumer,
                    start: started,
                    remote_parent: None,
                    attributes: vec![
                        opentelemetry::KeyValue::new("kind", kind),
                        opentelemetry::KeyValue::new("attempts", i64::from(attempts)),
                    ],
                    links: link.into_iter().collect(),
                    message: message.into(),
                },
            );
        }
        outcome
    }

    /// The e-mail of an issued guarantee identifier carries its attestation (PDF),
    /// rendered from the payload the issue wrote (off the runtime's threads: font
    /// subsetting and compression take a few milliseconds).
    async fn attach_attestation(
        &self,
        mut email: domain::ports::OutgoingEmail,
        context: serde_json::Value,
    ) -> Result<domain::ports::OutgoingEmail, String> {
        // The rendering's context: the payload with the bank's name resolved.
        let bank_name = context
            .get("bank_name")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let attestation = crate::attestation::Attestation::from_payload(
            &context,
            bank_name,
            crate::attestation::verification_url(self.app_url.as_deref()),
        )?;
        let filename = attestation.filename();
        let pdf = tokio::task::spawn_blocking(move || crate::attestation::render(&attestation))
            .await
            .map_err(|e| format!("attestation task: {e}"))?
            .map_err(|e| e.to_string())?;
        metrics::counter!("pge_attestations_rendered_total", "channel" => "email").increment(1);
        email.attachments.push(domain::ports::Attachment {
            filename,
            content_type: "application/pdf".to_owned(),
            content: pdf,
        });
        Ok(email)
    }

    async fn deliver(
        &self,
        message: ClaimedMessage,
        bank_names: &HashMap<String, String>,
    ) -> Result<Outcome, domain::ports::StorageError> {
        let context = self.context(&message, bank_names);
        let rendered = match &context {
            Some(context) => self.templates.render_context(
                message.id,
                &message.kind,
                &message.recipient,
                context,
            ),
            // Not a JSON object: rendering says why.
            None => self.templates.render(
                message.id,
                &message.kind,
                &message.recipient,
                &message.payload,
            ),
        };
        let rendered = match (rendered, context) {
            (Ok(email), Some(context)) if message.kind == MailKind::GuaranteeIssued.as_str() => {
                self.attach_attestation(email, context).await
            }
            (other, _) => other.map_err(|e| e.to_string()),
        };
        let result = match rendered {
            Ok(email) => {
                match tokio::time::timeout(self.settings.send_timeout, self.mailer.send(&email))
                    .await
                {
                    Ok(result) => result,
                    Err(_) => Err(SendError::Transient("send timed out".to_owned())),
                }
            }
            Err(err) => Err(SendError::Permanent(err)),
        };
        match result {
            Ok(provider_id) => {
                self.store
                    .mark_outbox_sent(message.id, &provider_id, self.clock.now())
                    .await?;
                tracing::info!(outbox_id = %message.id, kind = %message.kind, attempts = message.attempts, "e-mail sent");
                Ok(Outcome::Sent)
            }
            Err(SendError::Transient(err)) if message.attempts < self.settings.max_attempts => {
                let delay = backoff(&self.settings, message.attempts, &mut rand::thread_rng());
                let retry_at =
                    self.clock.now() + chrono::Duration::from_std(delay).unwrap_or_default();
                self.store
                    .mark_outbox_failed(message.id, &err, Some(retry_at))
                    .await?;
                tracing::warn!(outbox_id = %message.id, attempts = message.attempts, retry_in_ms = delay.as_millis(), error = %err, "e-mail not sent, will retry");
                Ok(Outcome::Retried)
            }
            Err(SendError::Transient(err) | SendError::Permanent(err)) => {
                self.store
                    .mark_outbox_failed(message.id, &err, None)
                    .await?;
                tracing::error!(outbox_id = %message.id, attempts = message.attempts, error = %err, "e-mail dead");
                Ok(Outcome::Dead)
            }
        }
    }

    /// Runs until `shutdown` resolves; a batch in progress is finished first.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) {
        tokio::pin!(shutdown);
        tracing::info!("outbox worker started");
        loop {
            self.heartbeat.beat();
            let degraded = self.settings_port.degraded_mode().await.unwrap_or(false);
            let batch = if degraded {
                self.settings.batch_size.min(5)
            } else {
                self.settings.batch_size
            };
            let pause = match self.run_once(batch).await {
                Ok(report) if degraded => {
                    let _ = report;
                    self.settings.degraded_pause
                }
                Ok(report) if report.claimed() > 0 => Duration::ZERO,
                Ok(_) => self.settings.idle_poll,
                Err(err) => {
                    tracing::error!(error = %err, "outbox worker: store failure");
                    self.settings.idle_poll.max(Duration::from_secs(1))
                }
            };
            self.passes.send_modify(|passes| *passes += 1);
            tokio::select! {
                () = &mut shutdown => break,
                () = tokio::time::sleep(pause) => {}
            }
        }
        tracing::info!("outbox worker stopped");
    }
}

/// The span context of the request that wrote a message (its payload's `traceparent`),
/// when traces are on.
fn trace_link(payload: &str) -> Option<opentelemetry::trace::SpanContext> {
    if !crate::trace::enabled() {
        return None;
    }
    let value: serde_json::Value = serde_json::from_str(payload).ok()?;
    crate::trace::parse_traceparent(value.get("traceparent")?.as_str()?)
}

enum Outcome {
    Sent,
    Retried,
    Dead,
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        let settings = WorkerSettings {
            base_backoff: Duration::from_secs(5),
            max_backoff: Duration::from_secs(600),
            ..WorkerSettings::default()
        };
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for attempts in 1..40u32 {
            let step = Duration::from_secs(5)
                .saturating_mul(1 << attempts.saturating_sub(1).min(30))
                .min(Duration::from_secs(600));
            for _ in 0..50 {
                let d = backoff(&settings, attempts, &mut rng);
                assert!(d >= step / 2 && d <= step, "attempt {attempts}: {d:?}");
            }
        }
        let spread: std::collections::HashSet<_> =
            (0..20).map(|_| backoff(&settings, 3, &mut rng)).collect();
        assert!(spread.len() > 10, "jitter spreads retries");
    }
}
