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

mod args;
mod data;
mod figures;
mod hostile;
mod identifiers;
mod journeys;
mod step;
mod tokens;

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

use args::*;
use data::*;
use domain::company::luhn_complete;
use figures::*;
use journeys::*;
use step::*;
use tokens::*;

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
        args.applicant_weight + args.reviewer_weight + args.submit_weight + args.identifier_weight
            > 0,
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
        args.users.unwrap_or_else(|| default_users(rate)).max(
            args.applicant_weight
                + args.reviewer_weight
                + args.submit_weight
                + args.identifier_weight,
        )
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
    // The identifier scenario's requests are seeded by 64 applicants and 32 reviewers
    // (each within the per-principal budget at the seeding's pace).
    let (applicants, reviewers) = if args.identifier_weight > 0 {
        (applicants.max(64), reviewers.max(32))
    } else {
        (applicants, reviewers)
    };
    let tokens = tokens(&args, applicants, reviewers)?;
    preflight(&args.host, &tokens).await?;
    let pool = match identifiers::needed(&args, &rates) {
        0 => identifiers::Pool::default(),
        count => identifiers::seed(&args.host, &tokens, &args.bank, count).await?,
    };

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
        let outcome = run_step(&args, &tokens, &pool, &plan).await?;
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
        let outcome = run_step(&args, &tokens, &pool, &plan).await;
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
