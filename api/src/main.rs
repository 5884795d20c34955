//! `pge`: the loan platform's one binary.

use anyhow::Context;
use clap::{Parser, Subcommand};
use infra::Store;
use infra::identity::{DevIdentityProvider, DevTokenRequest};

use api::config::{Environment, MetricsAddr, ServeSettings, Settings};
use api::{Wiring, telemetry};
use infra::worker::WorkerSettings;

/// mimalloc rather than the C library's allocator: in the load test glibc's malloc and
/// free took 12% of the API's CPU (the container image links the same glibc statically).
/// Built without transparent huge pages (`no_thp` in Cargo.toml): resident memory then
/// grows with what is used, 4 KiB at a time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "pge",
    version,
    about = "State-guaranteed business loans (PGE) backend"
)]
struct Cli {
    #[command(flatten)]
    settings: Settings,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API.
    Serve(Box<ServeSettings>),
    /// Send the outbox's e-mails until stopped (SIGTERM finishes the batch in hand).
    Worker,
    /// Apply database migrations, then exit.
    Migrate(MigrateSettings),
    /// Print the OpenAPI document.
    Openapi,
    /// The tamper-evident audit trail (docs/RULES.md §22).
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
    /// Print a token signed by the dev identity provider (embedded default only).
    DevToken {
        /// applicant, reviewer or admin.
        #[arg(long, value_parser = ["applicant", "reviewer", "admin"])]
        role: String,
        /// Bank code carried by a reviewer's token (`custom:bank_id`).
        #[arg(long)]
        bank: Option<String>,
        /// Subject; default `dev-<role>` (so successive tokens see the same requests).
        #[arg(long)]
        sub: Option<String>,
    },
}

#[derive(Subcommand)]
enum AuditAction {
    /// Walk every chain; print each one's state and its first broken link; exit 1 when
    /// any chain is broken.
    Verify,
    /// Print every chain's head (`chain seq hash`, one a line), to timestamp outside
    /// the platform.
    Heads,
}

/// Timeouts of the migration's sessions (PostgreSQL): a migration that waits for a
/// lock longer than `lock_timeout` fails, rather than holding every query of the live
/// release queued behind it; Kubernetes retries the job.
#[derive(clap::Args)]
struct MigrateSettings {
    /// Longest wait for a lock, in PostgreSQL's units (`5s`, `500ms`).
    #[arg(long, env = "PGE_MIGRATE_LOCK_TIMEOUT", default_value = "5s",
        value_parser = parse_pg_duration)]
    lock_timeout: String,
    /// Longest statement (a backfill or index build included).
    #[arg(long, env = "PGE_MIGRATE_STATEMENT_TIMEOUT", default_value = "15min",
        value_parser = parse_pg_duration)]
    statement_timeout: String,
}

/// A PostgreSQL duration setting: a positive whole number and one of its units.
fn parse_pg_duration(value: &str) -> Result<String, String> {
    let value = value.trim();
    let digits = value.bytes().take_while(u8::is_ascii_digit).count();
    let (number, unit) = value.split_at(digits);
    let positive = number.parse::<u64>().is_ok_and(|n| n > 0);
    if positive && matches!(unit, "ms" | "s" | "min" | "h") {
        Ok(value.to_owned())
    } else {
        Err(format!(
            "expected a duration such as 5s, 500ms or 15min, got {value:?}"
        ))
    }
}

fn ensure_data_dir(settings: &Settings) -> anyhow::Result<()> {
    if settings.database_url.is_none() || settings.env == Environment::Development {
        std::fs::create_dir_all(&settings.data_dir).with_context(|| {
            format!(
                "PGE_DATA_DIR: cannot create {}",
                settings.data_dir.display()
            )
        })?;
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested: finishing in-flight requests");
}

/// Binds the metrics listener (before anything slow, so a taken port stops start-up).
async fn bind_metrics(settings: &Settings) -> anyhow::Result<Option<tokio::net::TcpListener>> {
    match settings.metrics_addr {
        MetricsAddr::Off => Ok(None),
        MetricsAddr::At(addr) => tokio::net::TcpListener::bind(addr)
            .await
            .map(Some)
            .with_context(|| format!("PGE_METRICS_ADDR: cannot listen on {addr}")),
    }
}

/// Serves `/metrics` (and the worker's `/livez`) until `stop` turns true.
/// The scheduled verification of the audit trail's chains, until `stop` says stopped.
fn spawn_audit_watch(
    settings: &Settings,
    store: Store,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    let every = std::time::Duration::from_secs(settings.audit_verify_minutes.saturating_mul(60));
    tokio::spawn(infra::audit_watch::watch(
        std::sync::Arc::new(store),
        every,
        async move {
            let _ = stop.wait_for(|stopped| *stopped).await;
        },
    ))
}

fn spawn_metrics(
    listener: Option<tokio::net::TcpListener>,
    store: Store,
    heartbeat: Option<infra::worker::Heartbeat>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> Option<tokio::task::JoinHandle<()>> {
    let listener = listener?;
    // The recorder is installed now, before anything else this process starts records
    // (the audit chains' first verification runs at once): not when the spawned server
    // first runs.
    let _ = api::metrics::handle();
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "metrics listening");
    }
    Some(tokio::spawn(async move {
        let stopped = async move {
            let _ = stop.wait_for(|stopped| *stopped).await;
        };
        if let Err(error) = api::metrics::serve(listener, store, heartbeat, stopped).await {
            tracing::error!(%error, "metrics listener failed");
        }
    }))
}

/// Checks the settings of a long-running command and creates the data folder.
fn prepare(settings: &Settings) -> anyhow::Result<()> {
    settings.check().map_err(anyhow::Error::msg)?;
    settings
        .delivery
        .check(settings.env)
        .map_err(anyhow::Error::msg)?;
    ensure_data_dir(settings)
}

async fn serve(settings: Settings, serve: ServeSettings) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    prepare(&settings)?;
    let metrics_listener = bind_metrics(&settings).await?;
    // Bind first: the local documents' URLs need the real address.
    let listener = tokio::net::TcpListener::bind(serve.listen_addr)
        .await
        .with_context(|| format!("PGE_LISTEN_ADDR: cannot listen on {}", serve.listen_addr))?;
    let local_addr = listener.local_addr()?;
    let wiring = Wiring::from_settings(&settings, &serve, local_addr).await?;
    let state = api::build_state(wiring).await?;
    let app = state.clone();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let in_process = serve
        .worker_in_process
        .unwrap_or(settings.env == Environment::Development);
    let worker = in_process.then(|| state.outbox_worker(WorkerSettings::default()));
    let metrics = spawn_metrics(
        metrics_listener,
        state.store(),
        worker.as_ref().map(infra::worker::OutboxWorker::heartbeat),
        stop_rx.clone(),
    );
    let worker = worker.map(|worker| {
        let mut stop = stop_rx.clone();
        let audit = spawn_audit_watch(&settings, state.store(), stop_rx.clone());
        let run = tokio::spawn(worker.run(async move {
            let _ = stop.wait_for(|stopped| *stopped).await;
        }));
        (run, audit)
    });
    tracing::info!(
        addr = %local_addr,
        in_process_worker = in_process,
        ready_in_ms = started.elapsed().as_millis(),
        "listening"
    );
    api::serve(listener, state, async move {
        shutdown_signal().await;
        let _ = stop_tx.send(true);
    })
    .await?;
    if let Some((worker, audit)) = worker {
        let _ = worker.await;
        let _ = audit.await;
    }
    if let Some(metrics) = metrics {
        let _ = metrics.await;
    }
    app.close_database().await;
    tracing::info!("stopped");
    Ok(())
}

async fn worker(settings: Settings) -> anyhow::Result<()> {
    prepare(&settings)?;
    let metrics_listener = bind_metrics(&settings).await?;
    let aws = settings.delivery.aws_config(false).await;
    let (worker, store) = api::build_worker(
        &settings.database(),
        settings.mail(),
        aws.as_ref(),
        WorkerSettings::default(),
    )
    .await?;
    let worker = worker.with_links(settings.delivery.app_url.clone());
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let metrics = spawn_metrics(
        metrics_listener,
        store.clone(),
        Some(worker.heartbeat()),
        stop_rx.clone(),
    );
    let audit = spawn_audit_watch(&settings, store.clone(), stop_rx);
    worker.run(shutdown_signal()).await;
    let _ = stop_tx.send(true);
    let _ = audit.await;
    if let Some(metrics) = metrics {
        let _ = metrics.await;
    }
    store.close().await;
    Ok(())
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(serve_settings) => serve(cli.settings, *serve_settings).await,
        Command::Worker => worker(cli.settings).await,
        Command::Migrate(migrate) => {
            cli.settings.check().map_err(anyhow::Error::msg)?;
            ensure_data_dir(&cli.settings)?;
            let store = Store::connect_for_migrations(
                &cli.settings.database(),
                &migrate.lock_timeout,
                &migrate.statement_timeout,
            )
            .await?;
            store.migrate().await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::Audit { action } => {
            cli.settings.check().map_err(anyhow::Error::msg)?;
            ensure_data_dir(&cli.settings)?;
            let store = Store::connect(&cli.settings.database()).await?;
            let report = domain::ports::AuditChains::verify(&store)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            store.close().await;
            audit(action, &report)
        }
        Command::Openapi => {
            let doc = api::routes::openapi()
                .to_pretty_json()
                .context("cannot render the OpenAPI document")?;
            use std::io::Write;
            writeln!(std::io::stdout(), "{doc}")?;
            Ok(())
        }
        Command::DevToken { role, bank, sub } => {
            if cli.settings.env == Environment::Production {
                anyhow::bail!("PGE_ENV=production: the dev identity provider is disabled");
            }
            ensure_data_dir(&cli.settings)?;
            let provider = DevIdentityProvider::load_or_create(&cli.settings.data_dir)
                .map_err(anyhow::Error::msg)?;
            let subject = sub.unwrap_or_else(|| format!("dev-{role}"));
            let request =
                DevTokenRequest::for_role(&role, subject, bank).context("unknown role")?;
            let token = provider.mint(&request).map_err(anyhow::Error::msg)?;
            use std::io::Write;
            writeln!(std::io::stdout(), "{token}")?;
            Ok(())
        }
    }
}

/// Prints what `pge audit` was asked for.
fn audit(action: AuditAction, report: &domain::ports::AuditReport) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match action {
        AuditAction::Heads => {
            for chain in &report.chains {
                writeln!(
                    out,
                    "{} {} {}",
                    chain.chain, chain.head_seq, chain.head_hash
                )?;
            }
            Ok(())
        }
        AuditAction::Verify => {
            for chain in &report.chains {
                match &chain.broken {
                    None => writeln!(out, "{}: {} events, intact", chain.chain, chain.events)?,
                    Some(broken) => writeln!(
                        out,
                        "{}: BROKEN at event {} of the chain ({}; audit_events.id {}, loan request {})",
                        chain.chain,
                        broken.seq,
                        broken.problem,
                        broken
                            .event_id
                            .map_or_else(|| "-".to_owned(), |id| id.to_string()),
                        broken
                            .loan_request_id
                            .map_or_else(|| "-".to_owned(), |id| id.to_string()),
                    )?,
                }
            }
            writeln!(
                out,
                "{} chains, {} events written before the chain",
                report.chains.len(),
                report.unchained_before
            )?;
            if report.intact() {
                Ok(())
            } else {
                anyhow::bail!("the audit trail is broken")
            }
        }
    }
}

/// The `PGE_*` variable behind a flag such as `--env`, searched in every subcommand.
fn variable_of(command: &clap::Command, long: &str) -> Option<String> {
    command
        .get_arguments()
        .find(|arg| arg.get_long() == Some(long))
        .and_then(|arg| arg.get_env())
        .map(|env| env.to_string_lossy().into_owned())
        .or_else(|| {
            command
                .get_subcommands()
                .find_map(|sub| variable_of(sub, long))
        })
}

/// Parses the command line and the `PGE_*` variables; an invalid value stops the
/// program with a message naming the variable (clap alone names only the flag).
fn parse_cli() -> Cli {
    use clap::CommandFactory;
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let err = match Cli::try_parse() {
        Ok(cli) => return cli,
        Err(err) => err,
    };
    if matches!(
        err.kind(),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation
    ) && let Some(ContextValue::String(arg)) = err.get(ContextKind::InvalidArg)
    {
        let long = arg
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .trim_start_matches("--");
        if let Some(variable) = variable_of(&Cli::command(), long) {
            let shown = err.render().to_string();
            let shown = shown.trim().trim_start_matches("error: ");
            eprintln!("pge: {variable} (or --{long}) is invalid: {shown}");
            std::process::exit(2);
        }
    }
    err.exit()
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = parse_cli();
    let service = match &cli.command {
        Command::Serve(_) => "pge-api",
        Command::Worker => "pge-worker",
        Command::Migrate(_) => "pge-migrate",
        Command::Openapi | Command::DevToken { .. } | Command::Audit { .. } => "pge",
    };
    let trace_settings = api::traces::TraceSettings {
        endpoint: api::traces::TraceSettings::endpoint_from(
            cli.settings.otlp_endpoint.as_deref(),
            |name| std::env::var(name).ok(),
        ),
        sample_ratio: cli.settings.trace_sample_ratio,
        service: service.to_owned(),
    };
    let traces = match api::traces::provider(&trace_settings) {
        Ok(traces) => traces,
        Err(err) => {
            eprintln!("pge: traces: {err:#}");
            return std::process::ExitCode::FAILURE;
        }
    };
    telemetry::init(&cli.settings.log_format, traces.as_ref());
    if let Some(endpoint) = &trace_settings.endpoint {
        tracing::info!(%endpoint, sample_ratio = trace_settings.sample_ratio, "exporting traces");
    }
    let code = match run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = format!("{err:#}"), "pge failed");
            eprintln!("pge: {err:#}");
            std::process::ExitCode::FAILURE
        }
    };
    if let Some(provider) = traces {
        // The last batch leaves before the process does (the exporter sends on this
        // runtime, so the blocking wait runs beside it).
        let _ = tokio::task::spawn_blocking(move || provider.shutdown()).await;
    }
    code
}
