//! `pge`: the loan platform's one binary.

use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use domain::campaign::CampaignWindow;
use infra::identity::{DevIdentityProvider, DevTokenRequest};
use infra::{DatabaseSettings, Store};

use api::config::{Environment, ServeSettings, Settings};
use api::{Identity, Wiring, telemetry};

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
    Serve(ServeSettings),
    /// Apply database migrations, then exit.
    Migrate,
    /// Print the OpenAPI document.
    Openapi,
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

fn database(settings: &Settings) -> DatabaseSettings {
    DatabaseSettings {
        url: settings.database_url(),
        max_connections: settings.database_max_connections,
        acquire_timeout: std::time::Duration::from_secs(5),
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

async fn serve(settings: Settings, serve: ServeSettings) -> anyhow::Result<()> {
    settings.check().map_err(anyhow::Error::msg)?;
    ensure_data_dir(&settings)?;
    let identity = match serve.cognito(settings.env).map_err(anyhow::Error::msg)? {
        Some(cognito) => Identity::Cognito(cognito),
        None => Identity::Dev(Arc::new(
            DevIdentityProvider::load_or_create(&settings.data_dir).map_err(anyhow::Error::msg)?,
        )),
    };
    let campaign = CampaignWindow {
        opens_at: serve.campaign_opens_at,
        closes_at: serve.campaign_closes_at,
    };
    let cursor_key = serve.cursor_secret.as_ref().map_or_else(
        || rand::random::<[u8; 32]>().to_vec(),
        |s| s.0.as_bytes().to_vec(),
    );
    let state = api::build_state(Wiring {
        database: database(&settings),
        identity,
        campaign,
        cursor_key,
        migrate: settings.env == Environment::Development,
    })
    .await?;
    let listener = tokio::net::TcpListener::bind(serve.listen_addr)
        .await
        .with_context(|| format!("PGE_LISTEN_ADDR: cannot listen on {}", serve.listen_addr))?;
    tracing::info!(addr = %serve.listen_addr, "listening");
    api::serve(listener, state, shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(serve_settings) => serve(cli.settings, serve_settings).await,
        Command::Migrate => {
            cli.settings.check().map_err(anyhow::Error::msg)?;
            ensure_data_dir(&cli.settings)?;
            let store = Store::connect(&database(&cli.settings)).await?;
            store.migrate().await?;
            tracing::info!("migrations applied");
            Ok(())
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

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    telemetry::init(&cli.settings.log_format);
    match run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = format!("{err:#}"), "pge failed");
            eprintln!("pge: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
