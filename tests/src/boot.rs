//! Boots the real API, as `pge serve` would from its flags, on `127.0.0.1:0` against a
//! fresh database, with its internal metrics listener and, when asked, outbox workers in
//! the background; tears it all down when the test ends.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use api::Wiring;
use api::config::ServeConfig;
use clap::Parser as _;
use domain::campaign::CampaignWindow;
use infra::identity::{DEV_KEY_FILE, DevIdentityProvider};
use infra::worker::{OutboxWorker, WorkerSettings};
use infra::{DatabaseSettings, Store};
use sea_orm::{Database, DatabaseConnection};

use crate::backends::{Backend, create_postgres_database, drop_postgres_database, sqlite_url};
use crate::tokens::{identity, identity_dir};
use crate::{Reply, aws};

/// Options for [`TestApp::spawn_with`].
#[derive(Clone, Default)]
pub struct Options {
    pub campaign: CampaignWindow,
    /// The production profile against the emulator: Cognito tokens, SES v2 and S3 of
    /// this test's resources (instead of the dev provider and local folders).
    pub aws: Option<Arc<aws::Moto>>,
    /// With `aws`: where the API's AWS clients connect (a proxy in fault tests);
    /// default the emulator itself.
    pub aws_endpoint: Option<String>,
    /// Back-pressure of the business routes; default the production defaults.
    pub limits: Option<api::limits::Limits>,
    /// Worker tuning when `worker` is on; default [`fast_worker_settings`].
    pub worker_settings: Option<WorkerSettings>,
    /// Run the outbox worker in the background (fast retries), as `serve` does on the
    /// embedded default. Off by default so tests can inspect pending messages.
    pub worker: bool,
    /// With `worker`: how many workers claim from the outbox at once (default 1), as
    /// several `pge worker` replicas would.
    pub workers: usize,
    /// A built web app to serve at `/` (default: none).
    pub web_dir: Option<PathBuf>,
    /// More `pge serve` flags (`--dev-token-ttl 60`, …).
    pub serve_flags: Vec<String>,
}

/// Worker tuning for tests: short polls and retries, so e-mails appear within
/// milliseconds and a retry schedule fits in a test.
#[must_use]
pub fn fast_worker_settings() -> WorkerSettings {
    WorkerSettings {
        batch_size: 20,
        concurrency: 4,
        max_attempts: 5,
        base_backoff: Duration::from_millis(50),
        max_backoff: Duration::from_millis(400),
        lease: Duration::from_secs(10),
        send_timeout: Duration::from_secs(5),
        idle_poll: Duration::from_millis(25),
        degraded_pause: Duration::from_millis(200),
    }
}

/// A running API on a fresh database.
pub struct TestApp {
    pub backend: Backend,
    pub base_url: String,
    pub client: reqwest::Client,
    pub idp: Arc<DevIdentityProvider>,
    pub database_url: String,
    pub(crate) data_dir: PathBuf,
    pg_database: Option<String>,
    server: tokio::task::JoinHandle<()>,
    metrics: tokio::task::JoinHandle<()>,
    /// Base URL of the internal listener serving `/metrics`.
    pub metrics_url: String,
    workers: Vec<tokio::task::JoinHandle<()>>,
    /// How many passes each background worker has ended ([`TestApp::outbox_workers_pass`]).
    pub(crate) worker_passes: Vec<tokio::sync::watch::Receiver<u64>>,
    /// The outbox worker the test drives itself ([`TestApp::deliver_mail`]).
    pub(crate) outbox: OutboxWorker,
}

impl TestApp {
    /// Boots the API with default options.
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, Options::default()).await
    }

    /// Boots the API.
    pub async fn spawn_with(backend: Backend, options: Options) -> Self {
        Self::boot(backend, options, None).await
    }

    /// Boots a second API process's worth of state on this one's database: another
    /// replica behind the same load balancer (its own caches, pools and folders).
    pub async fn replica(&self) -> Self {
        Self::boot(
            self.backend,
            Options::default(),
            Some(self.database_url.clone()),
        )
        .await
    }

    async fn boot(backend: Backend, options: Options, shared_database: Option<String>) -> Self {
        let unique = uuid::Uuid::new_v4().simple().to_string();
        let data_dir = std::env::temp_dir().join(format!("pge-test-{unique}"));
        std::fs::create_dir_all(&data_dir).expect("temp dir");
        let (database_url, pg_database) = match (backend, shared_database) {
            (_, Some(url)) => (url, None),
            (Backend::Sqlite, None) => (sqlite_url(&data_dir), None),
            (Backend::Postgres, None) => {
                let (url, name) = create_postgres_database(&unique).await;
                (url, Some(name))
            }
        };
        let idp = identity();
        std::fs::copy(
            identity_dir().join(DEV_KEY_FILE),
            data_dir.join(DEV_KEY_FILE),
        )
        .expect("dev identity key");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let base_url = format!("http://{addr}");
        // The flags `pge serve` would get, through the code `pge serve` runs.
        let mut flags: Vec<String> = [
            "pge",
            "--data-dir",
            &data_dir.display().to_string(),
            "--database-url",
            &database_url,
            "--database-max-connections",
            "20",
            "--cursor-secret",
            "test cursor key",
            "--public-base-url",
            &base_url,
            "--web-dir",
            &options
                .web_dir
                .clone()
                .unwrap_or_else(|| data_dir.join("no-web-app"))
                .display()
                .to_string(),
        ]
        .iter()
        .map(|flag| (*flag).to_owned())
        .collect();
        let (opens, closes) = (options.campaign.opens_at, options.campaign.closes_at);
        for (flag, bound) in [
            ("--campaign-opens-at", opens),
            ("--campaign-closes-at", closes),
        ] {
            if let Some(at) = bound {
                flags.extend([flag.to_owned(), at.to_rfc3339()]);
            }
        }
        if let Some(moto) = &options.aws {
            let cognito = moto.cognito_settings();
            flags.extend(
                [
                    "--cognito-region",
                    &cognito.region,
                    "--cognito-user-pool-id",
                    &cognito.user_pool_id,
                    "--cognito-client-ids",
                    &cognito.client_ids.join(","),
                    "--cognito-jwks-url",
                    &cognito.jwks_url,
                    "--ses-from",
                    &moto.sender,
                    "--s3-bucket",
                    &moto.bucket,
                    "--s3-force-path-style",
                    "--aws-endpoint-url",
                    options.aws_endpoint.as_deref().unwrap_or(&moto.url),
                ]
                .map(str::to_owned),
            );
        }
        flags.extend(options.serve_flags.iter().cloned());
        let config = ServeConfig::try_parse_from(&flags).expect("test flags");
        let mut wiring = Wiring::from_settings(&config.settings, &config.serve, addr)
            .await
            .expect("wiring");
        wiring.database.acquire_timeout = Duration::from_secs(10);
        if let Some(limits) = &options.limits {
            wiring.limits = limits.clone();
        }
        if options.aws.is_some() {
            // The emulator's credentials and short timeouts (the real chain reads the
            // environment or the pod's role).
            wiring.aws = Some(aws::sdk_config(
                options
                    .aws_endpoint
                    .as_deref()
                    .unwrap_or_else(|| options.aws.as_ref().map_or("", |m| m.url.as_str())),
            ));
        }
        let state = api::build_state(wiring).await.expect("application state");
        let (workers, worker_passes) = if options.worker {
            let settings = options
                .worker_settings
                .clone()
                .unwrap_or_else(fast_worker_settings);
            (0..options.workers.max(1))
                .map(|_| {
                    let worker = state.outbox_worker(settings.clone());
                    let passes = worker.passes();
                    (tokio::spawn(worker.run(std::future::pending())), passes)
                })
                .unzip()
        } else {
            (Vec::new(), Vec::new())
        };
        let outbox = state.outbox_worker(fast_worker_settings());
        let metrics_listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind metrics");
        let metrics_url = format!(
            "http://{}",
            metrics_listener.local_addr().expect("metrics addr")
        );
        let metrics_store = state.store();
        let metrics = tokio::spawn(async move {
            api::metrics::serve(
                metrics_listener,
                metrics_store,
                None,
                std::future::pending(),
            )
            .await
            .expect("metrics server");
        });
        let server = tokio::spawn(async move {
            api::serve(listener, state, std::future::pending())
                .await
                .expect("server");
        });
        Self {
            backend,
            base_url,
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("client"),
            idp,
            database_url,
            data_dir,
            pg_database,
            server,
            metrics,
            metrics_url,
            workers,
            worker_passes,
            outbox,
        }
    }

    /// `GET /metrics` on the internal listener.
    pub async fn metrics(&self) -> Reply {
        self.send(self.client.get(format!("{}/metrics", self.metrics_url)))
            .await
    }

    /// A direct connection to the test database, for assertions on what was stored.
    pub async fn db(&self) -> DatabaseConnection {
        Database::connect(&self.database_url).await.expect("db")
    }

    /// A store on the test database.
    pub async fn store(&self) -> Store {
        Store::connect(&DatabaseSettings {
            url: self.database_url.clone(),
            max_connections: 2,
            acquire_timeout: Duration::from_secs(10),
        })
        .await
        .expect("store")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
        self.metrics.abort();
        for worker in &self.workers {
            worker.abort();
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
        if let Some(name) = self.pg_database.take() {
            drop_postgres_database(name);
        }
    }
}
