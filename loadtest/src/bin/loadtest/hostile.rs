//! Hostile traffic sent beside the measured load, at its own fixed arrival rate (open
//! model: a slow answer never slows the flood down): forged tokens (a real token with a
//! wrong signature), malformed tokens, `alg: none` tokens, anonymous submissions and
//! oversized bodies; plus slow-loris connections that send a request's headers one byte
//! a second and reconnect as soon as the server closes them. What matters is what the
//! valid users see meanwhile (the step's figures); the answers here are only counted.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

/// Hostile requests allowed in flight at once; beyond, a tick is counted as skipped.
const MAX_OUTSTANDING: usize = 2_000;
/// Size of the oversized bodies (the API accepts 64 KiB).
const OVERSIZED: usize = 256 * 1024;

#[derive(Default)]
struct Counts {
    answers: Mutex<BTreeMap<String, u64>>,
    skipped: AtomicU64,
    loris_opened: AtomicU64,
    loris_closed_by_server: AtomicU64,
    loris_longest_ms: AtomicU64,
    loris_connect_errors: AtomicU64,
}

impl Counts {
    fn count(&self, key: String) {
        if let Ok(mut map) = self.answers.lock() {
            *map.entry(key).or_default() += 1;
        }
    }
}

/// Running hostile traffic; [`Hostile::stop`] ends it and gives the counts.
pub struct Hostile {
    stop: Arc<AtomicBool>,
    counts: Arc<Counts>,
    tasks: Vec<JoinHandle<()>>,
    started: Instant,
}

/// `header.payload.signature` → the same with another signature of the same length.
fn forge(token: &str) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    if let Some(signature) = parts.last_mut() {
        *signature = signature
            .chars()
            .map(|c| if c == 'A' { 'B' } else { 'A' })
            .collect();
    }
    parts.join(".")
}

/// Starts `rate` hostile requests per second and `slowloris` slow connections against
/// `host` (`http://IP:PORT`). `token` is a real token to forge from.
pub fn start(
    host: &str,
    rate: u64,
    slowloris: usize,
    token: Option<&str>,
) -> anyhow::Result<Hostile> {
    let stop = Arc::new(AtomicBool::new(false));
    let counts = Arc::new(Counts::default());
    let mut tasks = Vec::new();
    if rate > 0 {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()?;
        let forged = token.map_or_else(
            || "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl".to_owned(),
            forge,
        );
        let oversized = format!("{{\"padding\":\"{}\"}}", "x".repeat(OVERSIZED));
        tasks.push(tokio::spawn(flood(
            client,
            host.to_owned(),
            rate,
            forged,
            oversized,
            Arc::clone(&stop),
            Arc::clone(&counts),
        )));
    }
    if slowloris > 0 {
        let authority = host
            .trim_start_matches("http://")
            .split('/')
            .next()
            .context("no host:port in --host")?
            .to_owned();
        for _ in 0..slowloris {
            tasks.push(tokio::spawn(slow_loris(
                authority.clone(),
                Arc::clone(&stop),
                Arc::clone(&counts),
            )));
        }
    }
    Ok(Hostile {
        stop,
        counts,
        tasks,
        started: Instant::now(),
    })
}

async fn flood(
    client: reqwest::Client,
    host: String,
    rate: u64,
    forged: String,
    oversized: String,
    stop: Arc<AtomicBool>,
    counts: Arc<Counts>,
) {
    #[allow(clippy::cast_precision_loss)]
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate.max(1) as f64));
    let outstanding = Arc::new(Semaphore::new(MAX_OUTSTANDING));
    let list = format!("{host}/api/v1/loan-requests");
    let mut n: u64 = 0;
    while !stop.load(Ordering::Relaxed) {
        tick.tick().await;
        let Ok(permit) = Arc::clone(&outstanding).try_acquire_owned() else {
            counts.skipped.fetch_add(1, Ordering::Relaxed);
            continue;
        };
        n += 1;
        let (kind, request) = match n % 5 {
            0 => (
                "forged signature",
                client.get(&list).header(AUTHORIZATION, format!("Bearer {forged}")),
            ),
            1 => (
                "malformed token",
                client
                    .get(&list)
                    .header(AUTHORIZATION, format!("Bearer not-a-jwt-{n}")),
            ),
            2 => (
                "alg none",
                client.get(&list).header(
                    AUTHORIZATION,
                    "Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJhZG1pbiIsImNvZ25pdG86Z3JvdXBzIjpbImFkbWlucyJdfQ.",
                ),
            ),
            3 => (
                "anonymous submission",
                client
                    .post(&list)
                    .header(CONTENT_TYPE, "application/json")
                    .body("{}"),
            ),
            _ => (
                "oversized body",
                client
                    .post(&list)
                    .header(AUTHORIZATION, format!("Bearer {forged}"))
                    .header(CONTENT_TYPE, "application/json")
                    .body(oversized.clone()),
            ),
        };
        let counts = Arc::clone(&counts);
        tokio::spawn(async move {
            let key = match request.send().await {
                Ok(response) => format!("{kind} → {}", response.status().as_u16()),
                Err(error) if error.is_timeout() => format!("{kind} → timeout"),
                Err(_) => format!("{kind} → connection error"),
            };
            counts.count(key);
            drop(permit);
        });
    }
}

async fn slow_loris(authority: String, stop: Arc<AtomicBool>, counts: Arc<Counts>) {
    let head = format!(
        "POST /api/v1/loan-requests HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\nX-Slow: "
    );
    while !stop.load(Ordering::Relaxed) {
        let Ok(mut stream) = tokio::net::TcpStream::connect(&authority).await else {
            counts.loris_connect_errors.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        };
        counts.loris_opened.fetch_add(1, Ordering::Relaxed);
        let opened = Instant::now();
        let mut closed = stream.write_all(head.as_bytes()).await.is_err();
        let mut buffer = [0_u8; 512];
        while !closed && !stop.load(Ordering::Relaxed) {
            tokio::select! {
                _ = stream.read(&mut buffer) => {
                    // Any answer (a 408, an EOF, a reset) ends the connection for us.
                    closed = true;
                }
                () = tokio::time::sleep(Duration::from_secs(1)) => {
                    closed = stream.write_all(b"a").await.is_err();
                }
            }
        }
        if closed {
            counts
                .loris_closed_by_server
                .fetch_add(1, Ordering::Relaxed);
            let held = u64::try_from(opened.elapsed().as_millis()).unwrap_or(u64::MAX);
            counts.loris_longest_ms.fetch_max(held, Ordering::Relaxed);
        }
    }
}

impl Hostile {
    /// Stops the traffic; a summary of what was sent and how it was answered.
    pub async fn stop(self) -> String {
        self.stop.store(true, Ordering::Relaxed);
        for task in self.tasks {
            task.abort();
            let _ = task.await;
        }
        // Let the last answers in flight be counted.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let seconds = self.started.elapsed().as_secs_f64();
        let counts = &self.counts;
        let mut out = String::new();
        let answers = counts.answers.lock().map(|m| m.clone()).unwrap_or_default();
        let total: u64 = answers.values().sum();
        if total > 0 || counts.skipped.load(Ordering::Relaxed) > 0 {
            #[allow(clippy::cast_precision_loss)]
            let rate = total as f64 / seconds;
            let _ = writeln!(
                out,
                "hostile requests: {total} answered ({rate:.1}/s), {} not sent ({MAX_OUTSTANDING} already in flight)",
                counts.skipped.load(Ordering::Relaxed)
            );
            for (key, n) in &answers {
                let _ = writeln!(out, "  {key} ×{n}");
            }
        }
        let opened = counts.loris_opened.load(Ordering::Relaxed);
        if opened > 0 {
            let _ = writeln!(
                out,
                "slow-loris: {opened} connections opened, {} closed by the server (longest held {:.1} s), {} connect errors",
                counts.loris_closed_by_server.load(Ordering::Relaxed),
                Duration::from_millis(counts.loris_longest_ms.load(Ordering::Relaxed))
                    .as_secs_f64(),
                counts.loris_connect_errors.load(Ordering::Relaxed)
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::forge;

    #[test]
    fn a_forged_token_differs_only_by_its_signature() {
        let token = "aGVhZA.cGF5bG9hZA.c2lnbmF0dXJlAa0";
        let forged = forge(token);
        assert_ne!(forged, token);
        assert!(forged.starts_with("aGVhZA.cGF5bG9hZA."));
        assert_eq!(forged.len(), token.len());
    }
}
