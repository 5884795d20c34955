//! Figures of a step: percentiles, rows per request kind, the printed report.

use super::*;

/// Nearest-rank percentile of goose's millisecond histogram.
pub(crate) fn percentile(times: &BTreeMap<usize, usize>, count: usize, p: f64) -> usize {
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
pub(crate) struct Row {
    pub(crate) name: String,
    pub(crate) count: usize,
    pub(crate) errors: usize,
    pub(crate) contention: u64,
    pub(crate) p50: usize,
    pub(crate) p95: usize,
    pub(crate) p99: usize,
    pub(crate) max: usize,
    pub(crate) mean: f64,
    pub(crate) statuses: BTreeMap<u16, usize>,
    pub(crate) times: BTreeMap<usize, usize>,
    /// Answers that shed load (503 `overloaded`, 429).
    pub(crate) shed: u64,
    /// The answers that were not shed: their count, times, p50, p99, max.
    pub(crate) accepted: usize,
    pub(crate) accepted_times: BTreeMap<usize, usize>,
    pub(crate) accepted_p50: usize,
    pub(crate) accepted_p99: usize,
    pub(crate) accepted_max: usize,
}

impl Row {
    pub(crate) fn finish(mut self) -> Self {
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
    pub(crate) fn errors_beyond(&self, allow_shedding: bool) -> usize {
        if allow_shedding {
            self.errors
                .saturating_sub(usize::try_from(self.shed).unwrap_or(usize::MAX))
        } else {
            self.errors
        }
    }
}

#[derive(Debug)]
pub(crate) struct StepReport {
    pub(crate) label: String,
    pub(crate) offered: usize,
    pub(crate) users: usize,
    pub(crate) seconds: f64,
    pub(crate) rows: Vec<Row>,
    pub(crate) total: Row,
    pub(crate) idle: u64,
    pub(crate) pool_empty: u64,
    pub(crate) error_samples: Vec<(String, usize)>,
}

impl StepReport {
    pub(crate) fn achieved(&self) -> f64 {
        #[allow(clippy::cast_precision_loss)]
        let count = self.total.count as f64;
        if self.seconds > 0.0 {
            count / self.seconds
        } else {
            0.0
        }
    }

    pub(crate) fn count_of(&self, name: &str) -> usize {
        self.rows
            .iter()
            .find(|r| r.name == name)
            .map_or(0, |r| r.count - r.errors)
    }

    /// The thresholds this step misses.
    pub(crate) fn misses(
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

    pub(crate) fn to_json(&self) -> Value {
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
            "identifier_iterations_without_request": self.pool_empty,
            "errors": self.error_samples.iter().map(|(e, n)| json!({"error": e, "count": n})).collect::<Vec<_>>(),
        })
    }
}

/// A copy of what a mutex holds (empty if a user panicked while holding it).
pub(crate) fn snapshot<T: Clone + Default>(mutex: &Mutex<T>) -> T {
    mutex.lock().map(|m| m.clone()).unwrap_or_default()
}

pub(crate) fn report(label: &str, offered: usize, users: usize, outcome: &Outcome) -> StepReport {
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
        pool_empty: outcome.shared.pool_empty.load(Ordering::Relaxed),
        error_samples,
    }
}

pub(crate) fn ms(value: usize) -> String {
    if value == 0 {
        "<1".to_owned()
    } else {
        value.to_string()
    }
}

pub(crate) fn print_step(step: &StepReport) {
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
    if step.count_of("I identifier") > 0 || step.pool_empty > 0 {
        let _ = writeln!(
            out,
            "identifiers: issued {}, iterations that found no pre-approved request left {}",
            step.count_of("I identifier"),
            step.pool_empty
        );
    }
    for (error, n) in step.error_samples.iter().take(8) {
        let _ = writeln!(out, "error ×{n}: {error}");
    }
    print!("{out}");
}
