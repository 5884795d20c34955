//! Test harness: boots the real router on `127.0.0.1:0` against a fresh database (a
//! SQLite file in a temporary folder, or a new PostgreSQL database per test, dropped
//! afterwards) and talks to it over HTTP with real signed tokens.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use api::Wiring;
use api::config::ServeConfig;
use clap::Parser as _;
use domain::campaign::CampaignWindow;
use infra::identity::{DEV_KEY_FILE, DevIdentityProvider, DevTokenRequest};
use infra::worker::{OutboxWorker, WorkerSettings};
use infra::{DatabaseSettings, Store};
use reqwest::{Method, RequestBuilder, StatusCode};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{Value, json};

pub mod aws;

pub use reqwest;
pub use serde_json;

/// Which database a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs the named async test functions once per backend: `name::sqlite` and
/// `name::postgres`. Each function takes a [`TestApp`].
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::TestApp::spawn($crate::Backend::Sqlite).await).await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::TestApp::spawn($crate::Backend::Postgres).await).await;
                }
            }
        )+
    };
}

/// Where the tests' dev identity key lives: one key for every test process of this
/// machine (generated once, then copied into each test's data folder, where the API
/// loads it as `pge serve` does).
fn identity_dir() -> PathBuf {
    std::env::temp_dir().join("pge-test-identity")
}

fn identity() -> Arc<DevIdentityProvider> {
    static IDP: OnceLock<Arc<DevIdentityProvider>> = OnceLock::new();
    IDP.get_or_init(|| {
        Arc::new(DevIdentityProvider::load_or_create(&identity_dir()).expect("dev identity key"))
    })
    .clone()
}

/// The PostgreSQL server tests create their databases on.
#[must_use]
pub fn postgres_admin_url() -> String {
    std::env::var("PGE_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

fn database_url_for(admin: &str, name: &str) -> String {
    let (base, query) = admin
        .split_once('?')
        .map_or((admin, None), |(b, q)| (b, Some(q)));
    let prefix = base.rsplit_once('/').map_or(base, |(p, _)| p);
    match query {
        Some(q) => format!("{prefix}/{name}?{q}"),
        None => format!("{prefix}/{name}"),
    }
}

/// The database every PostgreSQL test's own database is cloned from
/// (`CREATE DATABASE … TEMPLATE`): migrated once for the whole run instead of once per
/// test. Its name carries the fingerprint of `infra/src/migration/` (see `build.rs`), so
/// a changed migration makes a new template; templates of other fingerprints are dropped
/// when a new one is made. Test processes run at once: one makes it, under an advisory
/// lock, the others wait and find it; it is migrated under a temporary name and renamed
/// when whole, so a process stopped midway leaves no half-migrated template.
pub async fn postgres_template(admin: &str) -> String {
    static TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            let template = format!("pge_template_{}", env!("PGE_MIGRATIONS_FINGERPRINT"));
            // One connection, so that the session's advisory lock is held by the
            // connection every statement goes through.
            let mut options = sea_orm::ConnectOptions::new(admin.to_owned());
            options.max_connections(1).sqlx_logging(false);
            let conn = Database::connect(options)
                .await
                .expect("PostgreSQL must be reachable for the PostgreSQL tests");
            let run = |sql: String| {
                let conn = &conn;
                async move {
                    conn.execute_unprepared(&sql)
                        .await
                        .unwrap_or_else(|err| panic!("{sql}: {err}"));
                }
            };
            // Any fixed key: it only has to be the same in every test process.
            run("SELECT pg_advisory_lock(7451208026)".to_owned()).await;
            let exists = conn
                .query_one(sea_orm::Statement::from_string(
                    sea_orm::DatabaseBackend::Postgres,
                    format!("SELECT 1 FROM pg_database WHERE datname = '{template}'"),
                ))
                .await
                .expect("look for the template database")
                .is_some();
            if !exists {
                let building = format!("{template}_building");
                run(format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)")).await;
                run(format!("CREATE DATABASE {building}")).await;
                let store = Store::connect(&DatabaseSettings {
                    url: database_url_for(admin, &building),
                    max_connections: 1,
                    acquire_timeout: Duration::from_secs(10),
                })
                .await
                .expect("connect to the template database");
                store.migrate().await.expect("migrate the template database");
                store.close().await;
                // A closed connection's server process can outlive the close by a few
                // milliseconds, and a database being accessed cannot be renamed: the
                // building database is this process's alone (under the lock), so any
                // session left on it is ended, then the rename is retried (bounded).
                for attempt in 1..=50 {
                    run(format!(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                         WHERE datname = '{building}' AND pid <> pg_backend_pid()"
                    ))
                    .await;
                    let renamed = conn
                        .execute_unprepared(&format!("ALTER DATABASE {building} RENAME TO {template}"))
                        .await;
                    match renamed {
                        Ok(_) => break,
                        Err(err) if attempt == 50 => panic!("rename the template database: {err}"),
                        Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
                    }
                }
                // Earlier fingerprints' templates (a test still cloning one keeps it).
                let stale = conn
                    .query_all(sea_orm::Statement::from_string(
                        sea_orm::DatabaseBackend::Postgres,
                        format!(
                            "SELECT datname FROM pg_database WHERE datname LIKE 'pge\\_template\\_%' \
                             AND datname <> '{template}'"
                        ),
                    ))
                    .await
                    .expect("list templates");
                for row in stale {
                    if let Ok(name) = row.try_get::<String>("", "datname") {
                        let _ = conn
                            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}"))
                            .await;
                    }
                }
            }
            run("SELECT pg_advisory_unlock(7451208026)".to_owned()).await;
            conn.close().await.ok();
            template
        })
        .await
        .clone()
}

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
    data_dir: PathBuf,
    pg_database: Option<String>,
    server: tokio::task::JoinHandle<()>,
    metrics: tokio::task::JoinHandle<()>,
    /// Base URL of the internal listener serving `/metrics`.
    pub metrics_url: String,
    workers: Vec<tokio::task::JoinHandle<()>>,
    /// The outbox worker the test drives itself ([`TestApp::deliver_mail`]).
    outbox: OutboxWorker,
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
            (Backend::Sqlite, None) => (
                format!(
                    "sqlite://{}?mode=rwc",
                    data_dir.join("pge.sqlite3").display()
                ),
                None,
            ),
            (Backend::Postgres, None) => {
                let admin = postgres_admin_url();
                let name = format!("pge_test_{unique}");
                let template = postgres_template(&admin).await;
                let conn = Database::connect(&admin)
                    .await
                    .expect("PostgreSQL must be reachable for the PostgreSQL tests");
                conn.execute_unprepared(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
                    .await
                    .expect("create test database");
                // A test's database is thrown away afterwards: its commits need not wait
                // for the WAL to reach the disk (the same transactions, locks and
                // isolation; the fault tests, on a server of their own, keep the default).
                conn.execute_unprepared(&format!(
                    "ALTER DATABASE {name} SET synchronous_commit = off"
                ))
                .await
                .expect("set the test database's commit mode");
                conn.close().await.ok();
                (database_url_for(&admin, &name), Some(name))
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
        let workers = if options.worker {
            let settings = options
                .worker_settings
                .clone()
                .unwrap_or_else(fast_worker_settings);
            (0..options.workers.max(1))
                .map(|_| {
                    tokio::spawn(
                        state
                            .outbox_worker(settings.clone())
                            .run(std::future::pending()),
                    )
                })
                .collect()
        } else {
            Vec::new()
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
            outbox,
        }
    }

    /// `GET /metrics` on the internal listener.
    pub async fn metrics(&self) -> Reply {
        self.send(self.client.get(format!("{}/metrics", self.metrics_url)))
            .await
    }

    /// Folder of the e-mails the folder mailer wrote (`.eml` files).
    #[must_use]
    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.join("mail")
    }

    /// The `.eml` files written so far, read whole, oldest first by name.
    #[must_use]
    pub fn sent_mail(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.mail_dir()) else {
            return Vec::new();
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        paths.sort();
        paths
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .collect()
    }

    /// Sends every e-mail due in the outbox now, pass after pass of the worker, as
    /// `pge worker` would (without its polling); returns how many were sent.
    pub async fn deliver_mail(&self) -> usize {
        let mut sent = 0;
        for _ in 0..100 {
            let report = self.outbox.run_once(50).await.expect("outbox pass");
            sent += report.sent;
            if report.claimed() == 0 {
                break;
            }
        }
        sent
    }

    /// Delivers the outbox until at least `n` e-mails were written (bounded); returns
    /// them. A pass that finds nothing due (a message waiting for its retry, or leased
    /// by a background worker) is followed by a short pause.
    pub async fn wait_for_mail(&self, n: usize) -> Vec<String> {
        for _ in 0..200 {
            let mail = self.sent_mail();
            if mail.len() >= n {
                return mail;
            }
            if self.deliver_mail().await == 0 {
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
        }
        let mail = self.sent_mail();
        assert!(
            mail.len() >= n,
            "expected {n} e-mails, found {}",
            mail.len()
        );
        mail
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

    #[must_use]
    pub fn token(&self, role: &str, subject: &str, bank: Option<&str>) -> String {
        let request = DevTokenRequest::for_role(role, subject.to_owned(), bank.map(str::to_owned))
            .expect("role");
        self.idp.mint(&request).expect("token")
    }

    #[must_use]
    pub fn applicant(&self, subject: &str) -> String {
        self.token("applicant", subject, None)
    }

    #[must_use]
    pub fn reviewer(&self, subject: &str, bank: &str) -> String {
        self.token("reviewer", subject, Some(bank))
    }

    #[must_use]
    pub fn admin(&self) -> String {
        self.token("admin", "admin-1", None)
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.base_url))
    }

    /// Sends and returns status, headers and the body as JSON (Null when empty or not
    /// JSON).
    pub async fn send(&self, builder: RequestBuilder) -> Reply {
        let response = builder.send().await.expect("request");
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            text,
            json,
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        let mut builder = self.request(Method::GET, path);
        if let Some(token) = token {
            builder = builder.bearer_auth(token);
        }
        self.send(builder).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Reply {
        let mut builder = self.request(Method::POST, path).json(body);
        if let Some(token) = token {
            builder = builder.bearer_auth(token);
        }
        self.send(builder).await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: &Value) -> Reply {
        let mut builder = self.request(Method::PUT, path).json(body);
        if let Some(token) = token {
            builder = builder.bearer_auth(token);
        }
        self.send(builder).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Reply {
        let mut builder = self.request(Method::DELETE, path);
        if let Some(token) = token {
            builder = builder.bearer_auth(token);
        }
        self.send(builder).await
    }

    /// Submits a request and asserts it was created.
    pub async fn submit(&self, token: &str, body: &Value) -> Value {
        let reply = self.post("/api/v1/loan-requests", Some(token), body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        reply.json
    }

    /// Applies a workflow action with the current ETag.
    pub async fn act(&self, token: &str, id: &str, action: &str, body: Option<&Value>) -> Reply {
        let current = self
            .get(&format!("/api/v1/loan-requests/{id}"), Some(token))
            .await;
        let etag = current
            .headers
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("\"0\"")
            .to_owned();
        let mut builder = self
            .request(
                Method::POST,
                &format!("/api/v1/loan-requests/{id}/{action}"),
            )
            .bearer_auth(token)
            .header("if-match", etag);
        if let Some(body) = body {
            builder = builder.json(body);
        }
        self.send(builder).await
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
            // Drop the database from a thread of its own: Drop cannot await.
            let admin = postgres_admin_url();
            let _ = std::thread::spawn(move || {
                let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                runtime.block_on(async move {
                    if let Ok(conn) = Database::connect(&admin).await {
                        let _ = conn
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            ))
                            .await;
                        let _ = conn.close().await;
                    }
                });
            })
            .join();
        }
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Reply {
    /// Asserts a problem+json answer with the given status and `type` slug.
    #[track_caller]
    pub fn assert_problem(&self, status: u16, slug: &str) {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.text);
        assert_eq!(
            self.headers
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("application/problem+json"),
            "body: {}",
            self.text
        );
        assert_eq!(
            self.json["type"],
            json!(format!("/problems/{slug}")),
            "body: {}",
            self.text
        );
        assert_eq!(self.json["status"], json!(status));
        assert!(self.json["title"].is_string() && self.json["detail"].is_string());
    }

    /// The field names of a validation problem.
    #[must_use]
    pub fn error_fields(&self) -> Vec<String> {
        self.json["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|e| e["field"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

pub use domain::company::luhn_complete;

/// A random valid SIREN, so tests never share a company.
#[must_use]
pub fn random_siren() -> String {
    let n = uuid::Uuid::new_v4().as_u128() % 100_000_000;
    luhn_complete(&format!("{n:08}"))
}

/// A valid submission body for a fresh company: revenue €1M (cap €250,000), PME.
#[must_use]
pub fn submission(siren: &str, amount_cents: i64) -> Value {
    json!({
        "bank_id": "30004",
        "company": {
            "siren": siren,
            "legal_name": "Boulangerie Exemple",
            "legal_form": "SAS",
            "creation_date": "2012-05-04",
            "headcount": 12,
            "revenue_cents": 100_000_000,
            "payroll_cents": 40_000_000,
            "balance_sheet_cents": null,
            "innovative": false,
            "collective_proceedings": false
        },
        "requested_amount_cents": amount_cents,
        "amortization_years": 4,
        "contact_email": "gerant@boulangerie.example"
    })
}
