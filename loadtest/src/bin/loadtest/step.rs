//! One step: a goose attack at a fixed arrival rate.

use super::*;

/// Users per journey for `users` simulated users (goose splits them by weight).
pub(crate) fn split_users(
    users: usize,
    applicant_weight: usize,
    reviewer_weight: usize,
) -> (usize, usize) {
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

pub(crate) fn default_users(rate: usize) -> usize {
    (rate / 5).max(20)
}

pub(crate) struct StepPlan {
    pub(crate) label: String,
    pub(crate) rate: usize,
    pub(crate) seconds: u64,
    pub(crate) users: usize,
    pub(crate) report_file: Option<PathBuf>,
    pub(crate) print_goose: bool,
}

pub(crate) struct Outcome {
    pub(crate) metrics: GooseMetrics,
    pub(crate) shared: Arc<Shared>,
}

pub(crate) async fn run_step(
    args: &Args,
    tokens: &Tokens,
    pool: &identifiers::Pool,
    plan: &StepPlan,
) -> anyhow::Result<Outcome> {
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
        handed_over: Mutex::default(),
        pre_approved: Arc::clone(pool),
        pool_empty: AtomicU64::new(0),
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
        (
            "identifier",
            args.identifier_weight,
            true,
            "identifiers",
            identifiers::identifier_only(&shared),
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
