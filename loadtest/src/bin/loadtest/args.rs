//! Command-line flags: the offered load, the steps, the thresholds.

use super::*;

/// Where the dev identity provider keeps its key in the server's data folder.
pub(crate) const DEV_KEY_FILE: &str = "dev-identity-key.pem";

#[derive(Parser, Debug)]
#[command(
    name = "loadtest",
    about = "Load test of the pge API: applicant and reviewer journeys at a fixed arrival rate (goose)"
)]
#[allow(clippy::struct_excessive_bools)]
pub(crate) struct Args {
    /// Base URL of the API under test.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub(crate) host: String,
    /// Offered load: HTTP requests per second, both journeys together (fixed-rate mode);
    /// 0: no throttle, every user loops as fast as answers come (closed model, with
    /// `--users` clients, like `pgbench -c`).
    #[arg(long, default_value_t = 833)]
    pub(crate) rate: usize,
    /// Measured time at that rate, or of each ramp step (`20s`, `1m`, `1m30s`).
    #[arg(long, default_value = "60s", value_parser = parse_seconds)]
    pub(crate) duration: u64,
    /// Unmeasured run at the first rate before measuring (`0s` to skip): connections,
    /// caches and the database pool warm up.
    #[arg(long, default_value = "3s", value_parser = parse_seconds)]
    pub(crate) warmup: u64,
    /// Ramp mode, `START:STEP:MAX` requests/s (e.g. `100:100:1500`): one step of
    /// `--duration` per rate, stopping at the first step that misses a threshold.
    #[arg(long, value_parser = parse_ramp)]
    pub(crate) ramp: Option<Ramp>,
    /// Steps mode: the offered rates of consecutive steps of `--duration` each, e.g.
    /// `833,2500,833` (normal load, overload, normal load again: does the API shed the
    /// excess and recover by itself?). Every step runs; each is checked against the
    /// thresholds, and the run fails when one misses.
    #[arg(long, value_delimiter = ',', conflicts_with = "ramp")]
    pub(crate) steps: Vec<usize>,
    /// Count the answers that shed load (503 `overloaded`, 429 `rate-limited`) apart from
    /// the errors: `--max-errors` then applies to the other errors only, and `--max-p99`
    /// to the answers that were not shed.
    #[arg(long)]
    pub(crate) allow_shedding: bool,
    /// Simulated users (GooseUsers, each with its own subject and connection); default:
    /// rate / 5, at least 20, so that up to 200 ms of latency still leaves users waiting
    /// on the throttle.
    #[arg(long)]
    pub(crate) users: Option<usize>,
    /// Relative weight of journey A (applicants) among the users; 0 disables it.
    #[arg(long, default_value_t = 4)]
    pub(crate) applicant_weight: usize,
    /// Relative weight of journey B (reviewers) among the users; 0 disables it.
    #[arg(long, default_value_t = 1)]
    pub(crate) reviewer_weight: usize,
    /// Relative weight of the submission-only scenario (one `POST /api/v1/loan-requests`
    /// per iteration, for the submission ceiling); 0 disables it.
    #[arg(long, default_value_t = 0)]
    pub(crate) submit_weight: usize,
    /// Relative weight of the identifier-only scenario (one `POST
    /// /api/v1/loan-requests/{id}/guarantee` per iteration, on requests pre-approved
    /// through the API before the steps, not measured); 0 disables it.
    #[arg(long, default_value_t = 0)]
    pub(crate) identifier_weight: usize,
    /// Hostile requests per second sent besides the measured load (not throttled with
    /// it, not in its figures): forged and malformed tokens, oversized bodies,
    /// anonymous submissions. Their answers are counted apart.
    #[arg(long, default_value_t = 0)]
    pub(crate) hostile_rate: u64,
    /// Slow-loris connections held open during each measured step: each sends a
    /// request's headers one byte a second and reconnects when the server closes it.
    #[arg(long, default_value_t = 0)]
    pub(crate) slowloris: usize,
    /// Bank the applicants submit to and the reviewers work for.
    #[arg(long, default_value = "30004")]
    pub(crate) bank: String,
    /// Share of reviewer decisions that reject (with a reason) instead of pre-approving.
    #[arg(long, default_value_t = 0.2)]
    pub(crate) reject_share: f64,
    /// The `pge` binary whose `dev-token` subcommand mints the tokens.
    #[arg(long, default_value = "pge")]
    pub(crate) pge_bin: PathBuf,
    /// `PGE_DATA_DIR` of the server under test (its dev identity provider's key). Needed
    /// unless tokens are given with `--applicant-token` / `--reviewer-token`.
    #[arg(long)]
    pub(crate) data_dir: Option<PathBuf>,
    /// A ready-made applicant token (repeatable); replaces minting for applicants.
    #[arg(long)]
    pub(crate) applicant_token: Vec<String>,
    /// A ready-made reviewer token of `--bank` (repeatable); replaces minting for reviewers.
    #[arg(long)]
    pub(crate) reviewer_token: Vec<String>,
    /// Fail (exit 1; in ramp mode: end the ramp) when a named request's p99 reaches this
    /// many milliseconds. Ramp mode defaults to 50.
    #[arg(long)]
    pub(crate) max_p99: Option<u64>,
    /// Fail (exit 1; in ramp mode: end the ramp) when there are more errors than this.
    /// Ramp mode defaults to 0.
    #[arg(long)]
    pub(crate) max_errors: Option<usize>,
    /// Fail (exit 1; in ramp mode: end the ramp) when the achieved request rate is below
    /// this share of the offered one: the users could not keep up, the load was no longer
    /// open.
    #[arg(long, default_value_t = 0.95)]
    pub(crate) min_achieved: f64,
    /// Per-request timeout, seconds.
    #[arg(long, default_value_t = 10)]
    pub(crate) timeout: u64,
    /// Write the figures of every step as JSON to this file.
    #[arg(long)]
    pub(crate) json: Option<PathBuf>,
    /// Also write goose's own report of each measured step (`.html`, `.md` or `.json`;
    /// with several steps, the step's number and rate are added to the name).
    #[arg(long)]
    pub(crate) goose_report: Option<PathBuf>,
    /// Also print goose's own tables after each step.
    #[arg(long)]
    pub(crate) goose_summary: bool,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Ramp {
    pub(crate) start: usize,
    pub(crate) step: usize,
    pub(crate) max: usize,
}

pub(crate) fn parse_ramp(raw: &str) -> Result<Ramp, String> {
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
pub(crate) fn parse_seconds(raw: &str) -> Result<u64, String> {
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
