//! Load test of the two journeys of launch day (issue 4, item 1), built on `goose`.
//!
//! Journey A, an applicant: simulate → submit (a random eligible company, Luhn-valid
//! SIREN/SIRET, amount within the cap) → list own requests → read the new one.
//! Journey B, a reviewer of one bank: list the bank's submitted requests → open one at
//! random (its `ETag`) → take it in review (`If-Match`) → decide (`If-Match` with the new
//! `ETag`): pre-approve, or now and then reject with a reason. A 409
//! `invalid-transition` or a 412 there means another reviewer took the request first:
//! counted as contention, not as an error.
//!
//! The offered load is a fixed arrival rate of HTTP requests (a GCRA pacer from `governor`,
//! a leaky bucket shared by every simulated user) held by a pool of users large enough
//! that some are always waiting on the throttle; `--ramp` runs steps of increasing rate
//! until a threshold is missed, to find the ceiling; `--steps 833,2500,833` runs given
//! rates in turn (overload, then recovery), and with `--allow-shedding` the answers that
//! shed load (503 `overloaded`, 429) are counted apart from errors, the p99 threshold
//! applying to the others. Tokens are real: minted with
//! `pge dev-token` from the server's data folder, one subject per simulated user.
//!
//! ```sh
//! cargo run --release -p pge-loadtest --bin loadtest -- \
//!     --host http://127.0.0.1:8080 --pge-bin target/release/pge --data-dir var \
//!     --rate 833 --duration 60s --max-p99 50 --max-errors 0
//! ```
//!
//! See `loadtest/README.md`.
#![allow(clippy::print_stdout)] // a report printed to the terminal is its purpose

mod hostile;

use domain::company::luhn_complete;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::{Context, bail, ensure};
use clap::Parser;
use goose::config::GooseConfiguration;
use goose::goose::{GooseResponse, TransactionFunction};
use goose::metrics::{GooseMetrics, GooseRequestMetric};
use goose::prelude::*;
use goose::test_plan::TestPlanStepAction;
use rand::Rng;
use rand::seq::SliceRandom;
use reqwest::RequestBuilder;
use reqwest::header::{AUTHORIZATION, ETAG, IF_MATCH};
use serde_json::{Value, json};

/// Where the dev identity provider keeps its key in the server's data folder.
const DEV_KEY_FILE: &str = "dev-identity-key.pem";

#[derive(Parser, Debug)]
#[command(
    name = "loadtest",
    about = "Load test of the pge API: applicant and reviewer journeys at a fixed arrival rate (goose)"
)]
#[allow(clippy::struct_excessive_bools)]
struct Args {
    /// Base URL of the API under test.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    host: String,
    /// Offered load: HTTP requests per second, both journeys together (fixed-rate mode);
    /// 0: no throttle, every user loops as fast as answers come (closed model, with
    /// `--users` clients, like `pgbench -c`).
    #[arg(long, default_value_t = 833)]
    rate: usize,
    /// Measured time at that rate, or of each ramp step (`20s`, `1m`, `1m30s`).
    #[arg(long, default_value = "60s", value_parser = parse_seconds)]
    duration: u64,
    /// Unmeasured run at the first rate before measuring (`0s` to skip): connections,
    /// caches and the database pool warm up.
    #[arg(long, default_value = "3s", value_parser = parse_seconds)]
    warmup: u64,
    /// Ramp mode, `START:STEP:MAX` requests/s (e.g. `100:100:1500`): one step of
    /// `--duration` per rate, stopping at the first step that misses a threshold.
    #[arg(long, value_parser = parse_ramp)]
    ramp: Option<Ramp>,
    /// Steps mode: the offered rates of consecutive steps of `--duration` each, e.g.
    /// `833,2500,833` (normal load, overload, normal load again: does the API shed the
    /// excess and recover by itself?). Every step runs; each is checked against the
    /// thresholds, and the run fails when one misses.
    #[arg(long, value_delimiter = ',', conflicts_with = "ramp")]
    steps: Vec<usize>,
    /// Count the answers that shed load (503 `overloaded`, 429 `rate-limited`) apart from
    /// the errors: `--max-errors` then applies to the other errors only, and `--max-p99`
    /// to the answers that were not shed.
    #[arg(long)]
    allow_shedding: bool,
    /// Simulated users (GooseUsers, each with its own subject and connection); default:
    /// rate / 5, at least 20, so that up to 200 ms of latency still leaves users waiting
    /// on the throttle.
    #[arg(long)]
    users: Option<usize>,
    /// Relative weight of journey A (applicants) among the users; 0 disables it.
    #[arg(long, default_value_t = 4)]
    applicant_weight: usize,
    /// Relative weight of journey B (reviewers) among the users; 0 disables it.
    #[arg(long, default_value_t = 1)]
    reviewer_weight: usize,
    /// Relative weight of the submission-only scenario (one `POST /api/v1/loan-requests`
    /// per iteration, for the submission ceiling); 0 disables it.
    #[arg(long, default_value_t = 0)]
    submit_weight: usize,
    /// Hostile requests per second sent besides the measured load (not throttled with
    /// it, not in its figures): forged and malformed tokens, oversized bodies,
    /// anonymous submissions. Their answers are counted apart.
    #[arg(long, default_value_t = 0)]
    hostile_rate: u64,
    /// Slow-loris connections held open during each measured step: each sends a
    /// request's headers one byte a second and reconnects when the server closes it.
    #[arg(long, default_value_t = 0)]
    slowloris: usize,
    /// Bank the applicants submit to and the reviewers work for.
    #[arg(long, default_value = "30004")]
    bank: String,
    /// Share of reviewer decisions that reject (with a reason) instead of pre-approving.
    #[arg(long, default_value_t = 0.2)]
    reject_share: f64,
    /// The `pge` binary whose `dev-token` subcommand mints the tokens.
    #[arg(long, default_value = "pge")]
    pge_bin: PathBuf,
    /// `PGE_DATA_DIR` of the server under test (its dev identity provider's key). Needed
    /// unless tokens are given with `--applicant-token` / `--reviewer-token`.
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// A ready-made applicant token (repeatable); replaces minting for applicants.
    #[arg(long)]
    applicant_token: Vec<String>,
    /// A ready-made reviewer token of `--bank` (repeatable); replaces minting for reviewers.
    #[arg(long)]
    reviewer_token: Vec<String>,
    /// Fail (exit 1; in ramp mode: end the ramp) when a named request's p99 reaches this
    /// many milliseconds. Ramp mode defaults to 50.
    #[arg(long)]
    max_p99: Option<u64>,
    /// Fail (exit 1; in ramp mode: end the ramp) when there are more errors than this.
    /// Ramp mode defaults to 0.
    #[arg(long)]
    max_errors: Option<usize>,
    /// Fail (exit 1; in ramp mode: end the ramp) when the achieved request rate is below
    /// this share of the offered one: the users could not keep up, the load was no longer
    /// open.
    #[arg(long, default_value_t = 0.95)]
    min_achieved: f64,
    /// Per-request timeout, seconds.
    #[arg(long, default_value_t = 10)]
    timeout: u64,
    /// Write the figures of every step as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Also write goose's own report of each measured step (`.html`, `.md` or `.json`;
    /// with several steps, the step's number and rate are added to the name).
    #[arg(long)]
    goose_report: Option<PathBuf>,
    /// Also print goose's own tables after each step.
    #[arg(long)]
    goose_summary: bool,
}

#[derive(Debug, Clone, Copy)]
struct Ramp {
    start: usize,
    step: usize,
    max: usize,
}

fn parse_ramp(raw: &str) -> Result<Ramp, String> {
    let parts: Vec<&str> = raw.split(':').collect();
    let [start, step, max] = parts.as_slice() else {
        return Err("expected START:STEP:MAX, e.g. 100:100:1500".to_owned());
    };
    let number = |s: &str| s.trim().parse::<usize>().map_err(|e| format!("{s:?}: {e}"));
    let ramp = Ramp {
        start: number(start)?,
        step: number(step)?,
        max: number(max)?,
    };
    if ramp.start == 0 || ramp.step == 0 || ramp.max < ramp.start {
        return Err("START and STEP must be positive and MAX at least START".to_owned());
    }
    Ok(ramp)
}

/// `90`, `90s`, `2m`, `1m30s`, `1h` → seconds.
fn parse_seconds(raw: &str) -> Result<u64, String> {
    let mut total = 0_u64;
    let mut number = String::new();
    for c in raw.trim().chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            _ => return Err(format!("{raw:?}: expected e.g. 30s, 2m, 1m30s")),
        };
        let value: u64 = number
            .parse()
            .map_err(|_| format!("{raw:?}: a number must precede {c:?}"))?;
        total += value * unit;
        number.clear();
    }
    if !number.is_empty() {
        total += number.parse::<u64>().map_err(|e| format!("{raw:?}: {e}"))?;
    }
    Ok(total)
}

// ---------------------------------------------------------------------------------------
// Test data

const LEGAL_FORMS: [&str; 10] = [
    "SA",
    "SAS",
    "SASU",
    "SARL",
    "EURL",
    "SNC",
    "EI",
    "MICRO",
    "ASSOCIATION",
    "OTHER",
];

/// A Luhn-valid SIREN and a Luhn-valid SIRET of it (never La Poste's SIREN, whose SIRETs
/// follow another rule).
fn random_siren_siret(rng: &mut impl Rng) -> (String, String) {
    // Consecutive numbers from a random start: no two submissions of a run share a
    // company (a shared one could exceed its cap and be refused, rightly).
    static START: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let start = *START.get_or_init(|| rand::thread_rng().gen_range(0..100_000_000));
    loop {
        let body = (start + NEXT.fetch_add(1, Ordering::Relaxed)) % 100_000_000;
        let siren = luhn_complete(&format!("{body:08}"));
        if siren == "356000000" {
            continue;
        }
        let siret = luhn_complete(&format!("{siren}{:04}", rng.gen_range(0..10_000_u32)));
        return (siren, siret);
    }
}

/// An eligible company created before 2019 and not innovative, so its cap is exactly 25%
/// of its revenue; and an amount between €1,000 and half that cap (even a company drawn
/// twice across runs stays within its cap).
fn random_submission(rng: &mut impl Rng) -> (Value, i64, i64) {
    let (siren, siret) = random_siren_siret(rng);
    let revenue_cents: i64 = rng.gen_range(20_000_000..5_000_000_000);
    let cap = revenue_cents / 4;
    let amount = rng.gen_range(100_000..=cap / 2);
    let years: i64 = rng.gen_range(0..=5);
    let company = json!({
        "siren": siren,
        "siret": siret,
        "legal_name": format!("Entreprise de charge {siren}"),
        "legal_form": LEGAL_FORMS[rng.gen_range(0..LEGAL_FORMS.len())],
        "creation_date": format!(
            "{}-{:02}-{:02}",
            rng.gen_range(1990..=2018),
            rng.gen_range(1..=12),
            rng.gen_range(1..=28)
        ),
        "headcount": rng.gen_range(1..250),
        "revenue_cents": revenue_cents,
        "payroll_cents": revenue_cents / 3,
        "balance_sheet_cents": null,
        "innovative": false,
        "collective_proceedings": false,
    });
    (company, amount, years)
}

// ---------------------------------------------------------------------------------------
// Tokens

struct Tokens {
    applicants: Vec<String>,
    reviewers: Vec<String>,
}

fn mint(
    pge_bin: &Path,
    data_dir: &Path,
    role: &str,
    bank: Option<&str>,
    sub: &str,
) -> anyhow::Result<String> {
    let mut command = std::process::Command::new(pge_bin);
    command
        .env("PGE_DATA_DIR", data_dir)
        .env_remove("PGE_ENV")
        .args(["dev-token", "--role", role, "--sub", sub]);
    if let Some(bank) = bank {
        command.args(["--bank", bank]);
    }
    let output = command
        .output()
        .with_context(|| format!("cannot run {}", pge_bin.display()))?;
    ensure!(
        output.status.success(),
        "{} dev-token failed: {}",
        pge_bin.display(),
        String::from_utf8_lossy(&output.stderr).trim()
    );
    let token = String::from_utf8(output.stdout)
        .context("dev-token printed something that is not UTF-8")?
        .trim()
        .to_owned();
    ensure!(token.split('.').count() == 3, "dev-token printed no JWT");
    Ok(token)
}

fn tokens(args: &Args, applicants: usize, reviewers: usize) -> anyhow::Result<Tokens> {
    let need_minting = (applicants > 0 && args.applicant_token.is_empty())
        || (reviewers > 0 && args.reviewer_token.is_empty());
    let mut minted = 0;
    let started = Instant::now();
    let run = uuid::Uuid::new_v4().simple().to_string();
    let run = &run[..8];
    let data_dir = if need_minting {
        let Some(dir) = &args.data_dir else {
            bail!(
                "--data-dir (the server's PGE_DATA_DIR) is needed to mint tokens, or give --applicant-token and --reviewer-token"
            );
        };
        // `pge dev-token` would create a fresh key that the server does not know.
        ensure!(
            dir.join(DEV_KEY_FILE).is_file(),
            "{} has no {DEV_KEY_FILE}: is it the data folder of the running server?",
            dir.display()
        );
        Some(dir.as_path())
    } else {
        None
    };
    let mut mint_many =
        |role: &str, bank: Option<&str>, count: usize| -> anyhow::Result<Vec<String>> {
            let dir = data_dir.context("no data folder")?;
            (0..count)
                .map(|i| {
                    minted += 1;
                    mint(
                        &args.pge_bin,
                        dir,
                        role,
                        bank,
                        &format!("loadtest-{run}-{role}-{i}"),
                    )
                })
                .collect()
        };
    let applicant_tokens = if !args.applicant_token.is_empty() {
        args.applicant_token.clone()
    } else if applicants > 0 {
        mint_many("applicant", None, applicants)?
    } else {
        Vec::new()
    };
    let reviewer_tokens = if !args.reviewer_token.is_empty() {
        args.reviewer_token.clone()
    } else if reviewers > 0 {
        mint_many("reviewer", Some(&args.bank), reviewers)?
    } else {
        Vec::new()
    };
    if minted > 0 {
        println!(
            "minted {minted} tokens with {} dev-token in {:.1} s (subjects loadtest-{run}-…)",
            args.pge_bin.display(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(Tokens {
        applicants: applicant_tokens,
        reviewers: reviewer_tokens,
    })
}

/// Fails early, with a readable message, when the API is not there or refuses the tokens.
async fn preflight(host: &str, tokens: &Tokens) -> anyhow::Result<()> {
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(5))
        .build()?;
    let ready = client
        .get(format!("{host}/readyz"))
        .send()
        .await
        .with_context(|| format!("{host} does not answer"))?;
    ensure!(
        ready.status().is_success(),
        "{host}/readyz answered {}",
        ready.status()
    );
    for (role, token) in [
        ("applicant", tokens.applicants.first()),
        ("reviewer", tokens.reviewers.first()),
    ] {
        let Some(token) = token else { continue };
        let response = client
            .get(format!("{host}/api/v1/loan-requests?limit=1"))
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .send()
            .await?;
        let status = response.status();
        if !status.is_success() {
            let body = response.text().await.unwrap_or_default();
            bail!("the API refuses the {role} token: {status} {body}");
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The journeys

/// What the transactions of one step share.
struct Shared {
    /// Paces every request of every user at the offered rate (GCRA: a late wake-up is
    /// made up by the next requests, so the average rate holds); `None` in closed loop.
    pacer: Option<governor::DefaultDirectRateLimiter>,
    applicant_tokens: Vec<String>,
    reviewer_tokens: Vec<String>,
    next_applicant: AtomicUsize,
    next_reviewer: AtomicUsize,
    /// Next applicant token of the submission-only scenario.
    next_submitter: AtomicUsize,
    bank: String,
    reject_share: f64,
    /// 409 `invalid-transition` and 412 answers, by request name and status.
    contention: Mutex<BTreeMap<(String, u16), u64>>,
    /// Reviewer journeys that found nothing submitted.
    idle: AtomicU64,
    /// Answers that shed load (503 `overloaded`, 429), by request name.
    shed: Mutex<BTreeMap<String, u64>>,
    /// Response times of the other answers (milliseconds → count), by request name.
    accepted: Mutex<BTreeMap<String, BTreeMap<usize, usize>>>,
}

impl Shared {
    fn record(&self, answer: &Answer) {
        let shed = answer.status == 429
            || (answer.status == 503 && answer.problem_type().as_deref() == Some("overloaded"));
        if shed {
            if let Ok(mut map) = self.shed.lock() {
                if let Some(count) = map.get_mut(&answer.metric.name) {
                    *count += 1;
                } else {
                    map.insert(answer.metric.name.clone(), 1);
                }
            }
        } else if let Ok(mut map) = self.accepted.lock() {
            let millis = usize::try_from(answer.metric.response_time).unwrap_or(usize::MAX);
            // On every answer: one lookup, and the name's key allocated only the first time.
            if let Some(times) = map.get_mut(&answer.metric.name) {
                *times.entry(millis).or_default() += 1;
            } else {
                map.insert(answer.metric.name.clone(), BTreeMap::from([(millis, 1)]));
            }
        }
    }

    fn count_contention(&self, name: &str, status: u16) {
        if let Ok(mut map) = self.contention.lock() {
            *map.entry((name.to_owned(), status)).or_default() += 1;
        }
    }
}

/// Per user: the `Authorization` header value.
struct Session {
    authorization: String,
    shared: Arc<Shared>,
}

fn authorization(user: &GooseUser) -> String {
    user.get_session_data::<Session>()
        .map(|s| s.authorization.clone())
        .unwrap_or_default()
}

/// One answered request.
struct Answer {
    metric: GooseRequestMetric,
    status: u16,
    etag: Option<String>,
    text: String,
}

impl Answer {
    fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.text).ok()
    }

    /// The problem type's last segment, e.g. `invalid-transition`.
    fn problem_type(&self) -> Option<String> {
        let body = self.json()?;
        let kind = body.get("type")?.as_str()?;
        Some(kind.rsplit('/').next().unwrap_or(kind).to_owned())
    }
}

/// Sends a request through goose (throttled and measured), and reads the answer.
async fn send(
    user: &mut GooseUser,
    name: &str,
    builder: RequestBuilder,
) -> Result<Answer, Box<TransactionError>> {
    let shared = user
        .get_session_data::<Session>()
        .map(|s| Arc::clone(&s.shared));
    if let Some(pacer) = shared.as_ref().and_then(|s| s.pacer.as_ref()) {
        pacer.until_ready().await;
    }
    let request = GooseRequest::builder()
        .name(name)
        .set_request_builder(builder)
        .build();
    let GooseResponse { request, response } = user.request(request).await?;
    match response {
        Ok(response) => {
            let status = response.status().as_u16();
            let etag = response
                .headers()
                .get(ETAG)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let text = response.text().await.unwrap_or_default();
            let answer = Answer {
                metric: request,
                status,
                etag,
                text,
            };
            if let Some(shared) = &shared {
                shared.record(&answer);
            }
            Ok(answer)
        }
        // Goose has counted it as a failure already.
        Err(_) => Err(Box::new(TransactionError::RequestFailed {
            raw_request: request,
        })),
    }
}

/// Ends the journey unless the answer has the expected status. Goose counts any non-2xx
/// answer as a failure; a 2xx other than the expected one is marked failed here.
fn expect(user: &GooseUser, answer: &mut Answer, status: u16) -> TransactionResult {
    if answer.status == status {
        return Ok(());
    }
    if answer.metric.success {
        let tag = format!(
            "{}: expected {status}, got {}",
            answer.metric.name, answer.status
        );
        return user.set_failure(&tag, &mut answer.metric, None, Some(&answer.text));
    }
    Err(Box::new(TransactionError::RequestFailed {
        raw_request: answer.metric.clone(),
    }))
}

fn fail(user: &GooseUser, answer: &mut Answer, why: &str) -> TransactionResult {
    let tag = format!("{}: {why}", answer.metric.name);
    user.set_failure(&tag, &mut answer.metric, None, Some(&answer.text))
}

fn on_start(shared: &Arc<Shared>, applicant: bool) -> TransactionFunction {
    let shared = Arc::clone(shared);
    Arc::new(move |user| {
        let shared = Arc::clone(&shared);
        Box::pin(async move {
            let (tokens, next) = if applicant {
                (&shared.applicant_tokens, &shared.next_applicant)
            } else {
                (&shared.reviewer_tokens, &shared.next_reviewer)
            };
            let index = next.fetch_add(1, Ordering::Relaxed);
            let token = tokens
                .get(index % tokens.len().max(1))
                .cloned()
                .unwrap_or_default();
            user.set_session_data(Session {
                authorization: format!("Bearer {token}"),
                shared: Arc::clone(&shared),
            });
            Ok(())
        })
    })
}

fn journey(shared: &Arc<Shared>, applicant: bool) -> TransactionFunction {
    let shared = Arc::clone(shared);
    Arc::new(move |user| {
        let shared = Arc::clone(&shared);
        Box::pin(async move {
            if applicant {
                applicant_journey(user, &shared).await
            } else {
                reviewer_journey(user, &shared).await
            }
        })
    })
}

fn submit_only(shared: &Arc<Shared>) -> TransactionFunction {
    let shared = Arc::clone(shared);
    Arc::new(move |user| {
        let shared = Arc::clone(&shared);
        Box::pin(async move {
            // Each submission comes from the next applicant in turn (many applicants
            // submitting once, as on launch day), so the per-principal rate limit does not
            // cap the ceiling at users x the per-principal budget.
            let index = shared.next_submitter.fetch_add(1, Ordering::Relaxed);
            let token = shared
                .applicant_tokens
                .get(index % shared.applicant_tokens.len().max(1))
                .map(|t| format!("Bearer {t}"))
                .unwrap_or_default();
            let submission = random_submission(&mut rand::thread_rng());
            submit(user, &shared, "S submit", &token, submission)
                .await
                .map(|_| ())
        })
    })
}

/// `POST /api/v1/loan-requests` of a random eligible company; the new request's id.
async fn submit(
    user: &mut GooseUser,
    shared: &Shared,
    name: &str,
    auth: &str,
    (company, amount, years): (Value, i64, i64),
) -> Result<Option<String>, Box<TransactionError>> {
    let contact = format!(
        "gerant@{}.example",
        company["siren"].as_str().unwrap_or("entreprise")
    );
    let builder = user
        .get_request_builder(&GooseMethod::Post, "/api/v1/loan-requests")?
        .header(AUTHORIZATION, auth)
        .header("idempotency-key", uuid::Uuid::new_v4().to_string())
        .json(&json!({
            "bank_id": shared.bank,
            "company": company,
            "requested_amount_cents": amount,
            "amortization_years": years,
            "contact_email": contact,
        }));
    let mut answer = send(user, name, builder).await?;
    expect(user, &mut answer, 201)?;
    let id = answer
        .json()
        .and_then(|b| b.get("id")?.as_str().map(str::to_owned));
    if id.is_none() {
        fail(user, &mut answer, "no id in the answer")?;
    }
    Ok(id)
}

/// Journey A: simulate → submit → list own → read one.
async fn applicant_journey(user: &mut GooseUser, shared: &Shared) -> TransactionResult {
    let auth = authorization(user);
    let (company, amount, years) = random_submission(&mut rand::thread_rng());

    let builder = user
        .get_request_builder(&GooseMethod::Post, "/api/v1/simulations")?
        // The SPA sends the signed-in applicant's token with every call, so the
        // per-principal budget is theirs (anonymous calls share their address's).
        .header(AUTHORIZATION, &auth)
        .json(&json!({
            "company": company,
            "requested_amount_cents": amount,
            "amortization_years": years,
        }));
    let mut answer = send(user, "A1 simulate", builder).await?;
    expect(user, &mut answer, 200)?;
    if answer.json().and_then(|b| b.get("eligible")?.as_bool()) != Some(true) {
        return fail(user, &mut answer, "company not eligible");
    }

    let Some(id) = submit(user, shared, "A2 submit", &auth, (company, amount, years)).await? else {
        return Ok(());
    };

    let builder = user
        .get_request_builder(&GooseMethod::Get, "/api/v1/loan-requests?limit=10")?
        .header(AUTHORIZATION, &auth);
    let mut answer = send(user, "A3 list own", builder).await?;
    expect(user, &mut answer, 200)?;
    let listed = answer.json().is_some_and(|b| {
        b.get("items")
            .and_then(Value::as_array)
            .is_some_and(|items| {
                items
                    .iter()
                    .any(|item| item.get("id").and_then(Value::as_str) == Some(id.as_str()))
            })
    });
    if !listed {
        return fail(
            user,
            &mut answer,
            "the new request is not in the owner's list",
        );
    }

    let builder = user
        .get_request_builder(&GooseMethod::Get, &format!("/api/v1/loan-requests/{id}"))?
        .header(AUTHORIZATION, &auth);
    let mut answer = send(user, "A4 read one", builder).await?;
    expect(user, &mut answer, 200)?;
    if answer.etag.is_none() {
        return fail(user, &mut answer, "no ETag");
    }
    Ok(())
}

/// A 409 `invalid-transition` or a 412 on a state change: another reviewer was first.
/// Marks it a success for goose and counts it; answers whether it was contention.
fn contention(
    user: &GooseUser,
    shared: &Shared,
    answer: &mut Answer,
) -> Result<bool, Box<TransactionError>> {
    let lost = match answer.status {
        412 => true,
        409 => answer.problem_type().as_deref() == Some("invalid-transition"),
        _ => false,
    };
    if lost {
        shared.count_contention(&answer.metric.name, answer.status);
        user.set_success(&mut answer.metric)?;
    }
    Ok(lost)
}

/// Journey B: list the bank's submitted requests → open one → review → decide.
async fn reviewer_journey(user: &mut GooseUser, shared: &Shared) -> TransactionResult {
    let auth = authorization(user);

    let builder = user
        .get_request_builder(
            &GooseMethod::Get,
            "/api/v1/loan-requests?status=submitted&limit=20",
        )?
        .header(AUTHORIZATION, &auth);
    let mut answer = send(user, "B1 list submitted", builder).await?;
    expect(user, &mut answer, 200)?;
    let Some(ids) = answer.json().and_then(|b| {
        b.get("items").and_then(Value::as_array).map(|items| {
            items
                .iter()
                .filter_map(|item| item.get("id").and_then(Value::as_str).map(str::to_owned))
                .collect::<Vec<_>>()
        })
    }) else {
        return fail(user, &mut answer, "no items in the page");
    };
    let Some(id) = ids.choose(&mut rand::thread_rng()).cloned() else {
        shared.idle.fetch_add(1, Ordering::Relaxed);
        return Ok(());
    };

    let builder = user
        .get_request_builder(&GooseMethod::Get, &format!("/api/v1/loan-requests/{id}"))?
        .header(AUTHORIZATION, &auth);
    let mut answer = send(user, "B2 open", builder).await?;
    expect(user, &mut answer, 200)?;
    let Some(etag) = answer.etag.clone() else {
        return fail(user, &mut answer, "no ETag");
    };

    let builder = user
        .get_request_builder(
            &GooseMethod::Post,
            &format!("/api/v1/loan-requests/{id}/review"),
        )?
        .header(AUTHORIZATION, &auth)
        .header(IF_MATCH, &etag);
    let mut answer = send(user, "B3 review", builder).await?;
    if contention(user, shared, &mut answer)? {
        return Ok(());
    }
    expect(user, &mut answer, 200)?;
    let Some(etag) = answer.etag.clone() else {
        return fail(user, &mut answer, "no ETag");
    };

    let decision = if rand::thread_rng().gen_bool(shared.reject_share.clamp(0.0, 1.0)) {
        json!({"decision": "reject", "reason": "Dossier incomplet"})
    } else {
        json!({"decision": "pre_approve"})
    };
    let builder = user
        .get_request_builder(
            &GooseMethod::Post,
            &format!("/api/v1/loan-requests/{id}/decision"),
        )?
        .header(AUTHORIZATION, &auth)
        .header(IF_MATCH, &etag)
        .json(&decision);
    let mut answer = send(user, "B4 decide", builder).await?;
    if contention(user, shared, &mut answer)? {
        return Ok(());
    }
    expect(user, &mut answer, 200)
}

// ---------------------------------------------------------------------------------------
// One step: a goose attack at a fixed rate

/// Users per journey for `users` simulated users (goose splits them by weight).
fn split_users(users: usize, applicant_weight: usize, reviewer_weight: usize) -> (usize, usize) {
    let total = (applicant_weight + reviewer_weight).max(1);
    let applicants = if applicant_weight == 0 {
        0
    } else {
        (users * applicant_weight).div_ceil(total)
    };
    let reviewers = if reviewer_weight == 0 {
        0
    } else {
        (users * reviewer_weight).div_ceil(total)
    };
    (applicants, reviewers)
}

fn default_users(rate: usize) -> usize {
    (rate / 5).max(20)
}

struct StepPlan {
    label: String,
    rate: usize,
    seconds: u64,
    users: usize,
    report_file: Option<PathBuf>,
    print_goose: bool,
}

struct Outcome {
    metrics: GooseMetrics,
    shared: Arc<Shared>,
}

async fn run_step(args: &Args, tokens: &Tokens, plan: &StepPlan) -> anyhow::Result<Outcome> {
    // Burst of 10 ms worth of requests: enough to make up for a late timer, too small to
    // change the offered rate.
    let pacer =
        std::num::NonZeroU32::new(u32::try_from(plan.rate).unwrap_or(u32::MAX)).map(|rate| {
            let burst = std::num::NonZeroU32::new((rate.get() / 100).max(1)).unwrap_or(rate);
            governor::RateLimiter::direct(governor::Quota::per_second(rate).allow_burst(burst))
        });
    let shared = Arc::new(Shared {
        pacer,
        applicant_tokens: tokens.applicants.clone(),
        reviewer_tokens: tokens.reviewers.clone(),
        next_applicant: AtomicUsize::new(0),
        next_reviewer: AtomicUsize::new(0),
        next_submitter: AtomicUsize::new(0),
        bank: args.bank.clone(),
        reject_share: args.reject_share,
        contention: Mutex::new(BTreeMap::new()),
        idle: AtomicU64::new(0),
        shed: Mutex::new(BTreeMap::new()),
        accepted: Mutex::new(BTreeMap::new()),
    });

    let mut configuration = GooseConfiguration::default();
    configuration.host.clone_from(&args.host);
    configuration.users = Some(plan.users);
    // All users start within a quarter of a second; the pacer paces them from the start
    // (goose's own throttle sleeps in whole milliseconds and fell 10% short of 833/s).
    configuration.hatch_rate = Some((plan.users * 4).to_string());
    configuration.run_time = format!("{}s", plan.seconds);
    // Keep the start-up in the figures: the contention counters cover the whole step,
    // and a `set_success` after a reset would make goose's counters underflow.
    configuration.no_reset_metrics = true;
    configuration.no_print_metrics = !plan.print_goose;
    configuration.no_error_summary = !plan.print_goose;
    configuration.no_telnet = true;
    configuration.no_websocket = true;
    configuration.no_gzip = true;
    configuration.timeout = Some(args.timeout.to_string());
    if let Some(file) = &plan.report_file {
        configuration.report_file = vec![file.display().to_string()];
    }

    let mut attack = GooseAttack::initialize_with_config(configuration)?;
    // Each scenario's users take a token when they start, then loop on their work.
    let scenarios = [
        (
            "applicant",
            args.applicant_weight,
            true,
            "journey A",
            journey(&shared, true),
        ),
        (
            "submitter",
            args.submit_weight,
            true,
            "submissions",
            submit_only(&shared),
        ),
        (
            "reviewer",
            args.reviewer_weight,
            false,
            "journey B",
            journey(&shared, false),
        ),
    ];
    for (name, weight, applicant, work, function) in scenarios {
        if weight == 0 {
            continue;
        }
        attack = attack.register_scenario(
            Scenario::new(name)
                .set_weight(weight)?
                .register_transaction(
                    Transaction::new(on_start(&shared, applicant))
                        .set_name("token")
                        .set_on_start(),
                )
                .register_transaction(Transaction::new(function).set_name(work)),
        );
    }
    println!(
        "{}: offering {} requests/s for {} s with {} users …",
        plan.label, plan.rate, plan.seconds, plan.users
    );
    let metrics = Box::pin(attack.execute()).await?;
    Ok(Outcome { metrics, shared })
}

// ---------------------------------------------------------------------------------------
// Figures

/// Nearest-rank percentile of goose's millisecond histogram.
fn percentile(times: &BTreeMap<usize, usize>, count: usize, p: f64) -> usize {
    if count == 0 {
        return 0;
    }
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let rank = ((count as f64) * p).ceil().max(1.0) as usize;
    let mut seen = 0;
    for (&ms, &n) in times {
        seen += n;
        if seen >= rank {
            return ms;
        }
    }
    times.keys().next_back().copied().unwrap_or(0)
}

#[derive(Debug, Clone, Default)]
struct Row {
    name: String,
    count: usize,
    errors: usize,
    contention: u64,
    p50: usize,
    p95: usize,
    p99: usize,
    max: usize,
    mean: f64,
    statuses: BTreeMap<u16, usize>,
    times: BTreeMap<usize, usize>,
    /// Answers that shed load (503 `overloaded`, 429).
    shed: u64,
    /// The answers that were not shed: their count, times, p50, p99, max.
    accepted: usize,
    accepted_times: BTreeMap<usize, usize>,
    accepted_p50: usize,
    accepted_p99: usize,
    accepted_max: usize,
}

impl Row {
    fn finish(mut self) -> Self {
        self.p50 = percentile(&self.times, self.count, 0.50);
        self.p95 = percentile(&self.times, self.count, 0.95);
        self.p99 = percentile(&self.times, self.count, 0.99);
        self.accepted = self.accepted_times.values().sum();
        self.accepted_p50 = percentile(&self.accepted_times, self.accepted, 0.50);
        self.accepted_p99 = percentile(&self.accepted_times, self.accepted, 0.99);
        self.accepted_max = self.accepted_times.keys().next_back().copied().unwrap_or(0);
        self
    }

    /// Errors, less the shed answers when shedding is allowed.
    fn errors_beyond(&self, allow_shedding: bool) -> usize {
        if allow_shedding {
            self.errors
                .saturating_sub(usize::try_from(self.shed).unwrap_or(usize::MAX))
        } else {
            self.errors
        }
    }
}

#[derive(Debug)]
struct StepReport {
    label: String,
    offered: usize,
    users: usize,
    seconds: f64,
    rows: Vec<Row>,
    total: Row,
    idle: u64,
    error_samples: Vec<(String, usize)>,
}

impl StepReport {
    fn achieved(&self) -> f64 {
        #[allow(clippy::cast_precision_loss)]
        let count = self.total.count as f64;
        if self.seconds > 0.0 {
            count / self.seconds
        } else {
            0.0
        }
    }

    fn count_of(&self, name: &str) -> usize {
        self.rows
            .iter()
            .find(|r| r.name == name)
            .map_or(0, |r| r.count - r.errors)
    }

    /// The thresholds this step misses.
    fn misses(
        &self,
        max_p99: Option<u64>,
        max_errors: Option<usize>,
        min_achieved: f64,
        allow_shedding: bool,
    ) -> Vec<String> {
        let mut misses = Vec::new();
        if let Some(limit) = max_errors {
            let errors = self.total.errors_beyond(allow_shedding);
            if errors > limit {
                let what = if allow_shedding {
                    "errors (shed answers not counted)"
                } else {
                    "errors"
                };
                misses.push(format!("{errors} {what} > --max-errors {limit}"));
            }
        }
        if let Some(limit) = max_p99 {
            for row in &self.rows {
                // Goose records whole milliseconds, truncated: bucket 49 is 49.0–49.99 ms.
                let (p99, what) = if allow_shedding {
                    (row.accepted_p99, "p99 of the answers not shed")
                } else {
                    (row.p99, "p99")
                };
                if u64::try_from(p99).unwrap_or(u64::MAX) >= limit {
                    misses.push(format!("{}: {what} {p99} ms ≥ --max-p99 {limit}", row.name));
                }
            }
        }
        #[allow(clippy::cast_precision_loss)]
        let wanted = self.offered as f64 * min_achieved;
        if self.achieved() < wanted {
            misses.push(format!(
                "achieved {:.1} requests/s < {:.0}% of the {} offered",
                self.achieved(),
                min_achieved * 100.0,
                self.offered
            ));
        }
        misses
    }

    fn to_json(&self) -> Value {
        let row = |r: &Row| {
            json!({
                "name": r.name, "count": r.count, "errors": r.errors, "contention": r.contention,
                "p50_ms": r.p50, "p95_ms": r.p95, "p99_ms": r.p99, "max_ms": r.max,
                "mean_ms": r.mean, "shed": r.shed, "accepted": r.accepted,
                "accepted_p50_ms": r.accepted_p50, "accepted_p99_ms": r.accepted_p99,
                "accepted_max_ms": r.accepted_max, "statuses": r.statuses.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
            })
        };
        json!({
            "label": self.label,
            "offered_rps": self.offered,
            "achieved_rps": self.achieved(),
            "seconds": self.seconds,
            "users": self.users,
            "requests": self.rows.iter().map(row).collect::<Vec<_>>(),
            "total": row(&self.total),
            "reviewer_journeys_without_work": self.idle,
            "errors": self.error_samples.iter().map(|(e, n)| json!({"error": e, "count": n})).collect::<Vec<_>>(),
        })
    }
}

/// A copy of what a mutex holds (empty if a user panicked while holding it).
fn snapshot<T: Clone + Default>(mutex: &Mutex<T>) -> T {
    mutex.lock().map(|m| m.clone()).unwrap_or_default()
}

fn report(label: &str, offered: usize, users: usize, outcome: &Outcome) -> StepReport {
    let metrics = &outcome.metrics;
    let contention = snapshot(&outcome.shared.contention);
    let shed = snapshot(&outcome.shared.shed);
    let accepted = snapshot(&outcome.shared.accepted);
    let mut rows: Vec<Row> = metrics
        .requests
        .values()
        .map(|aggregate| {
            let data = &aggregate.raw_data;
            #[allow(clippy::cast_precision_loss)]
            let mean = if data.counter == 0 {
                0.0
            } else {
                data.total_time as f64 / data.counter as f64
            };
            Row {
                name: aggregate.path.clone(),
                count: data.counter,
                errors: aggregate.fail_count,
                contention: contention
                    .iter()
                    .filter(|((name, _), _)| *name == aggregate.path)
                    .map(|(_, n)| n)
                    .sum(),
                max: data.maximum_time,
                mean,
                statuses: aggregate
                    .status_code_counts
                    .iter()
                    .map(|(k, v)| (*k, *v))
                    .collect(),
                times: data.times.clone(),
                shed: shed.get(&aggregate.path).copied().unwrap_or(0),
                accepted_times: accepted.get(&aggregate.path).cloned().unwrap_or_default(),
                ..Row::default()
            }
            .finish()
        })
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name));

    let mut total = Row {
        name: "all requests".to_owned(),
        ..Row::default()
    };
    let mut total_time = 0.0;
    for row in &rows {
        total.count += row.count;
        total.errors += row.errors;
        total.contention += row.contention;
        total.shed += row.shed;
        for (ms, n) in &row.accepted_times {
            *total.accepted_times.entry(*ms).or_default() += n;
        }
        total.max = total.max.max(row.max);
        #[allow(clippy::cast_precision_loss)]
        {
            total_time += row.mean * row.count as f64;
        }
        for (ms, n) in &row.times {
            *total.times.entry(*ms).or_default() += n;
        }
        for (status, n) in &row.statuses {
            *total.statuses.entry(*status).or_default() += n;
        }
    }
    #[allow(clippy::cast_precision_loss)]
    if total.count > 0 {
        total.mean = total_time / total.count as f64;
    }
    let total = total.finish();

    // The window the requests were made in: users starting → the last user stopped
    // (users finish the request they are in, and the pacer lets requests through, while
    // goose stops them: counting those requests but not that time overstated the rate
    // of short steps with many users).
    let start = metrics.history.first().map(|h| h.timestamp);
    let end = metrics
        .history
        .iter()
        .rev()
        .find(|h| {
            matches!(
                h.action,
                TestPlanStepAction::Decreasing
                    | TestPlanStepAction::Canceling
                    | TestPlanStepAction::Finished
            )
        })
        .map(|h| h.timestamp);
    #[allow(clippy::cast_precision_loss)]
    let seconds = match (start, end) {
        (Some(start), Some(end)) => (end - start).num_milliseconds() as f64 / 1000.0,
        _ => metrics.duration as f64,
    };

    // Goose's error summary, less the contention answers marked successful afterwards.
    let mut error_samples: Vec<(String, usize)> = metrics
        .errors
        .values()
        .filter(|e| {
            let status = e.error.split(' ').next().unwrap_or("");
            !(matches!(status, "409" | "412") && contention.keys().any(|(name, _)| *name == e.name))
        })
        .map(|e| (e.error.clone(), e.occurrences))
        .collect();
    error_samples.sort_by_key(|e| std::cmp::Reverse(e.1));

    StepReport {
        label: label.to_owned(),
        offered,
        users,
        seconds,
        rows,
        total,
        idle: outcome.shared.idle.load(Ordering::Relaxed),
        error_samples,
    }
}

fn ms(value: usize) -> String {
    if value == 0 {
        "<1".to_owned()
    } else {
        value.to_string()
    }
}

fn print_step(step: &StepReport) {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n── {} ── offered {} requests/s, {} users: {} requests in {:.1} s = {:.1} requests/s achieved",
        step.label,
        step.offered,
        step.users,
        step.total.count,
        step.seconds,
        step.achieved()
    );
    let _ = writeln!(
        out,
        "{:<20} {:>8} {:>8} {:>6} {:>6} {:>6} {:>6} {:>7} {:>7} {:>10}",
        "request", "count", "req/s", "p50", "p95", "p99", "max", "mean", "errors", "contention"
    );
    for row in step.rows.iter().chain(std::iter::once(&step.total)) {
        #[allow(clippy::cast_precision_loss)]
        let rate = if step.seconds > 0.0 {
            row.count as f64 / step.seconds
        } else {
            0.0
        };
        let _ = writeln!(
            out,
            "{:<20} {:>8} {:>8.1} {:>6} {:>6} {:>6} {:>6} {:>7.2} {:>7} {:>10}",
            row.name,
            row.count,
            rate,
            ms(row.p50),
            ms(row.p95),
            ms(row.p99),
            ms(row.max),
            row.mean,
            row.errors,
            row.contention
        );
    }
    let _ = writeln!(
        out,
        "(milliseconds to the response headers, whole ms truncated: \"<1\" is under 1 ms)"
    );
    let statuses: Vec<String> = step
        .total
        .statuses
        .iter()
        .map(|(status, n)| format!("{status}×{n}"))
        .collect();
    let _ = writeln!(out, "statuses: {}", statuses.join(", "));
    if step.total.shed > 0 {
        let _ = writeln!(
            out,
            "shed (503 overloaded, 429): {}; the {} answers not shed: p50 {}, p99 {}, max {} ms",
            step.total.shed,
            step.total.accepted,
            ms(step.total.accepted_p50),
            ms(step.total.accepted_p99),
            ms(step.total.accepted_max)
        );
    }
    let _ = writeln!(
        out,
        "journeys: A completed {}; B decided {}, lost to contention {}, found nothing submitted {}",
        step.count_of("A4 read one"),
        step.count_of("B4 decide"),
        step.total.contention,
        step.idle
    );
    for (error, n) in step.error_samples.iter().take(8) {
        let _ = writeln!(out, "error ×{n}: {error}");
    }
    print!("{out}");
}

// ---------------------------------------------------------------------------------------

fn report_path(base: &Path, step: usize, rate: usize, several: bool) -> PathBuf {
    if !several {
        return base.to_path_buf();
    }
    let stem = base
        .file_stem()
        .map_or_else(|| "goose".to_owned(), |s| s.to_string_lossy().into_owned());
    let ext = base
        .extension()
        .map_or_else(|| "html".to_owned(), |s| s.to_string_lossy().into_owned());
    base.with_file_name(format!("{stem}-{step}-{rate}rps.{ext}"))
}

#[tokio::main]
async fn main() -> anyhow::Result<ExitCode> {
    let args = Args::parse();
    ensure!(
        args.applicant_weight + args.reviewer_weight + args.submit_weight > 0,
        "at least one journey must have a positive weight"
    );
    ensure!(args.duration > 0, "--duration must be positive");
    let args_host = args.host.trim_end_matches('/').to_owned();
    let args = Args {
        host: args_host,
        ..args
    };

    let rates: Vec<usize> = match args.ramp {
        Some(ramp) => (ramp.start..=ramp.max).step_by(ramp.step).collect(),
        None if !args.steps.is_empty() => args.steps.clone(),
        None => vec![args.rate],
    };
    let several = args.ramp.is_some() || rates.len() > 1;
    let users_for = |rate: usize| {
        args.users
            .unwrap_or_else(|| default_users(rate))
            .max(args.applicant_weight + args.reviewer_weight + args.submit_weight)
    };
    let most_users = rates.iter().map(|r| users_for(*r)).max().unwrap_or(20);
    let (applicants, reviewers) = split_users(
        most_users,
        args.applicant_weight + args.submit_weight,
        args.reviewer_weight,
    );
    // The submission-only scenario turns through at least 4 applicants per user.
    let applicants = if args.submit_weight > 0 {
        applicants.max(most_users * 4)
    } else {
        applicants
    };
    let tokens = tokens(&args, applicants, reviewers)?;
    preflight(&args.host, &tokens).await?;

    let (max_p99, max_errors) = if args.ramp.is_some() {
        (args.max_p99.or(Some(50)), args.max_errors.or(Some(0)))
    } else {
        (args.max_p99, args.max_errors)
    };

    if args.warmup > 0 {
        let rate = rates.first().copied().unwrap_or(args.rate);
        let plan = StepPlan {
            label: "warm-up (not measured)".to_owned(),
            rate,
            seconds: args.warmup,
            users: users_for(rate),
            report_file: None,
            print_goose: false,
        };
        let outcome = run_step(&args, &tokens, &plan).await?;
        let step = report(&plan.label, rate, plan.users, &outcome);
        println!(
            "warm-up: {} requests, {} errors",
            step.total.count, step.total.errors
        );
    }

    let mut steps: Vec<StepReport> = Vec::new();
    let mut failed = false;
    let mut ceiling: Option<f64> = None;
    for (i, rate) in rates.iter().copied().enumerate() {
        if goose::is_killswitch_triggered() {
            println!("interrupted");
            failed = true;
            break;
        }
        let label = if several {
            format!("step {} at {rate} requests/s", i + 1)
        } else if rate == 0 {
            format!("closed loop, {} users", users_for(rate))
        } else {
            format!("{rate} requests/s")
        };
        let plan = StepPlan {
            label: label.clone(),
            rate,
            seconds: args.duration,
            users: users_for(rate),
            report_file: args
                .goose_report
                .as_deref()
                .map(|p| report_path(p, i + 1, rate, several)),
            print_goose: args.goose_summary,
        };
        let hostile = if args.hostile_rate > 0 || args.slowloris > 0 {
            Some(hostile::start(
                &args.host,
                args.hostile_rate,
                args.slowloris,
                tokens.applicants.first().map(String::as_str),
            )?)
        } else {
            None
        };
        let outcome = run_step(&args, &tokens, &plan).await;
        let hostile = match hostile {
            Some(hostile) => Some(hostile.stop().await),
            None => None,
        };
        let outcome = outcome?;
        let step = report(&label, rate, plan.users, &outcome);
        print_step(&step);
        if let Some(hostile) = hostile {
            print!("{hostile}");
        }
        let misses = step.misses(max_p99, max_errors, args.min_achieved, args.allow_shedding);
        for miss in &misses {
            println!("MISSED: {miss}");
        }
        let missed = !misses.is_empty();
        if !missed && args.ramp.is_some() {
            ceiling = Some(step.achieved());
        }
        steps.push(step);
        if missed {
            if args.ramp.is_none() {
                // Fixed rate or steps: a miss fails the run; steps go on to the end.
                failed = true;
                continue;
            }
            failed = ceiling.is_none();
            break;
        }
    }

    if several {
        let or_none = |v: Option<String>| v.unwrap_or_else(|| "none".to_owned());
        println!(
            "\n{} summary (thresholds: p99 per request below {}, errors at most {}, achieved ≥ {:.0}% of offered{})",
            if args.ramp.is_some() { "ramp" } else { "steps" },
            or_none(max_p99.map(|v| format!("{v} ms"))),
            or_none(max_errors.map(|v| v.to_string())),
            args.min_achieved * 100.0,
            if args.allow_shedding {
                "; shed answers apart"
            } else {
                ""
            }
        );
        println!(
            "{:>8} {:>10} {:>6} {:>6} {:>6} {:>7} {:>10} {:>7} {:>11}",
            "offered",
            "achieved",
            "p50",
            "p99",
            "max",
            "errors",
            "contention",
            "shed",
            "p99 unshed"
        );
        for step in &steps {
            let worst = step.rows.iter().map(|r| r.p99).max().unwrap_or(0);
            println!(
                "{:>8} {:>10.1} {:>6} {:>6} {:>6} {:>7} {:>10} {:>7} {:>11}   (worst request p99 {})",
                step.offered,
                step.achieved(),
                ms(step.total.p50),
                ms(step.total.p99),
                ms(step.total.max),
                step.total.errors,
                step.total.contention,
                step.total.shed,
                ms(step.total.accepted_p99),
                ms(worst)
            );
        }
        if args.ramp.is_some() {
            match ceiling {
                Some(rps) => {
                    println!("ceiling: {rps:.1} requests/s (last step within the thresholds)");
                }
                None => {
                    println!("ceiling: not found, the first step already misses the thresholds");
                }
            }
        }
    }

    if let Some(path) = &args.json {
        let document = json!({
            "host": args.host,
            "mode": if args.ramp.is_some() { "ramp" } else if several { "steps" } else { "fixed" },
            "thresholds": {"max_p99_ms": max_p99, "max_errors": max_errors, "min_achieved": args.min_achieved},
            "ceiling_rps": ceiling,
            "steps": steps.iter().map(StepReport::to_json).collect::<Vec<_>>(),
        });
        std::fs::write(path, serde_json::to_string_pretty(&document)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }

    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn luhn_valid(s: &str) -> bool {
        luhn::valid(s)
    }

    #[test]
    fn check_digits_match_known_identifiers() {
        assert!(luhn_valid("732829320"));
        assert!(luhn_valid("73282932000074"));
        assert!(!luhn_valid("732829321"));
    }

    #[test]
    fn random_companies_are_valid_and_within_the_cap() {
        let mut rng = rand::thread_rng();
        for _ in 0..1000 {
            let (company, amount, years) = random_submission(&mut rng);
            let siren = company["siren"].as_str().unwrap_or_default();
            let siret = company["siret"].as_str().unwrap_or_default();
            assert_eq!(siren.len(), 9);
            assert!(luhn_valid(siren));
            assert_eq!(siret.len(), 14);
            assert!(siret.starts_with(siren));
            assert!(luhn_valid(siret));
            let revenue = company["revenue_cents"].as_i64().unwrap_or_default();
            assert!((100_000..=revenue / 8).contains(&amount));
            assert!((0..=5).contains(&years));
        }
    }

    #[test]
    fn durations_and_ramps_parse() {
        assert_eq!(parse_seconds("90"), Ok(90));
        assert_eq!(parse_seconds("1m30s"), Ok(90));
        assert_eq!(parse_seconds("2m"), Ok(120));
        assert!(parse_seconds("abc").is_err());
        let ramp = parse_ramp("100:50:300").map(|r| (r.start, r.step, r.max));
        assert_eq!(ramp, Ok((100, 50, 300)));
        assert!(parse_ramp("100:0:300").is_err());
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let times: BTreeMap<usize, usize> = [(1, 90), (5, 9), (40, 1)].into_iter().collect();
        assert_eq!(percentile(&times, 100, 0.50), 1);
        assert_eq!(percentile(&times, 100, 0.95), 5);
        assert_eq!(percentile(&times, 100, 0.99), 5);
        assert_eq!(percentile(&times, 100, 1.0), 40);
    }

    #[test]
    fn users_split_by_weight() {
        assert_eq!(split_users(100, 4, 1), (80, 20));
        assert_eq!(split_users(10, 1, 0), (10, 0));
    }
}
