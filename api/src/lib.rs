//! The HTTP layer of pge (axum) and the wiring of adapters into it.

pub mod auth;
pub mod config;
pub mod extract;
pub mod limits;
pub mod metrics;
pub mod problem;
pub mod routes;
pub mod state;
pub mod telemetry;
pub mod traces;
pub mod views;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use domain::campaign::CampaignWindow;
use std::path::PathBuf;

use domain::ports::{IdentityAdmin, Mailer, ObjectStore};
use infra::identity::{
    CognitoIdentityAdmin, DEV_ISSUER, DevIdentityAdmin, DevIdentityProvider, JwksSource,
    JwtVerifier, VerifierSettings,
};
use infra::mail::{FolderMailer, SesMailer};
use infra::objects::{LocalObjectStore, S3ObjectStore};
use infra::worker::{OutboxWorker, WorkerSettings};
use infra::{DatabaseSettings, Store};
use tokio::net::TcpListener;

use crate::config::{CognitoSettings, Environment, ServeSettings, Settings};
use crate::state::{Adapters, App, AppState};

/// Who signs the tokens the API trusts.
pub enum Identity {
    /// The embedded default's local provider.
    Dev(Arc<DevIdentityProvider>),
    /// An Amazon Cognito user pool.
    Cognito(Box<CognitoSettings>),
}

/// Everything needed to build the application.
pub struct Wiring {
    pub database: DatabaseSettings,
    pub identity: Identity,
    pub campaign: CampaignWindow,
    pub cursor_key: Vec<u8>,
    /// Apply migrations before serving (the embedded default does; production runs
    /// `pge migrate` as a deploy step).
    pub migrate: bool,
    /// AWS clients' configuration, when any AWS adapter is used.
    pub aws: Option<aws_config::SdkConfig>,
    pub mail: MailWiring,
    pub documents: DocumentsWiring,
    /// Rate limits, in-flight cap and timeout of the business routes.
    pub limits: config::Limits,
    pub web: WebWiring,
}

/// The web app served by the binary.
#[derive(Debug, Clone, Default)]
pub struct WebWiring {
    /// The built app (`web/dist`); `None` serves none.
    pub dir: Option<PathBuf>,
    /// Where users reach the platform (scheme, host, port): the dev provider's URLs,
    /// its one redirect URI.
    pub public_base_url: String,
    /// The web app's public URL e-mails link to (empty: no links).
    pub app_url: String,
    /// Cognito's hosted-UI domain (`auth.example.fr`): with Cognito, the app's sign-in
    /// and sign-out go there; without it `/config.json` is not served.
    pub cognito_domain: Option<String>,
    /// The dev provider's token lifetimes (embedded default only).
    pub dev_sessions: routes::dev_oidc::Lifetimes,
    /// The dev provider's staff client (`PGE_DEV_STAFF_CLIENT`).
    pub dev_staff_client: bool,
}

/// Where e-mails go.
pub enum MailWiring {
    /// `.eml` files in a folder (embedded default).
    Folder { dir: PathBuf, from: String },
    /// Amazon SES v2.
    Ses {
        from: String,
        configuration_set: Option<String>,
    },
}

/// Where documents go.
pub enum DocumentsWiring {
    /// A folder behind URLs signed by the API (embedded default).
    Local {
        dir: PathBuf,
        public_base_url: String,
    },
    /// An S3 bucket behind presigned URLs.
    S3 {
        bucket: String,
        force_path_style: bool,
    },
}

impl Wiring {
    /// What `pge serve` runs on, from its settings: the one translation of the
    /// configuration into adapters, used by `main` and by the test harness alike.
    /// `local_addr` is where the API listens (the public URL when none is set). The dev
    /// identity provider's key is read from the data folder (created there the first
    /// time).
    ///
    /// # Errors
    /// A message naming the variable at fault.
    pub async fn from_settings(
        settings: &Settings,
        serve: &ServeSettings,
        local_addr: std::net::SocketAddr,
    ) -> anyhow::Result<Self> {
        let identity = match serve.cognito(settings.env).map_err(anyhow::Error::msg)? {
            Some(cognito) => Identity::Cognito(Box::new(cognito)),
            None => Identity::Dev(Arc::new(
                DevIdentityProvider::load_or_create(&settings.data_dir)
                    .map_err(anyhow::Error::msg)?,
            )),
        };
        let campaign = CampaignWindow::new(serve.campaign_opens_at, serve.campaign_closes_at)
            .map_err(|e| anyhow::anyhow!("PGE_CAMPAIGN_CLOSES_AT: {e}"))?;
        let cursor_key = serve.cursor_secret.as_ref().map_or_else(
            || rand::random::<[u8; 32]>().to_vec(),
            |s| s.0.as_bytes().to_vec(),
        );
        let public_base_url = serve
            .public_base_url
            .clone()
            .unwrap_or_else(|| format!("http://{local_addr}"));
        // E-mails link to the app: PGE_APP_URL when given, else where this process
        // serves it.
        let app_url = settings
            .delivery
            .app_url
            .clone()
            .unwrap_or_else(|| public_base_url.clone());
        let web_dir = serve
            .web_dir
            .join("index.html")
            .is_file()
            .then(|| serve.web_dir.clone());
        if web_dir.is_none() {
            tracing::warn!(
                dir = %serve.web_dir.display(),
                "no built web app there (npm --prefix web run build): serving the API only"
            );
        }
        let aws = settings
            .delivery
            .aws_config(matches!(identity, Identity::Cognito(_)))
            .await;
        Ok(Self {
            database: settings.database(),
            identity,
            campaign,
            cursor_key,
            migrate: settings.env == Environment::Development,
            aws,
            mail: settings.mail(),
            documents: settings.documents(&public_base_url),
            limits: serve.limits(),
            web: WebWiring {
                dir: web_dir,
                public_base_url,
                app_url,
                cognito_domain: serve.cognito_domain.clone(),
                dev_sessions: routes::dev_oidc::Lifetimes {
                    token: Duration::from_secs(serve.dev_token_ttl),
                    refresh: Duration::from_secs(serve.dev_refresh_ttl),
                },
                dev_staff_client: serve.dev_staff_client,
            },
        })
    }
}

/// Sender of the embedded default's e-mails.
pub const DEV_MAIL_FROM: &str = "PGE <no-reply@pge.localhost>";

/// Builds the AWS clients' configuration: the default credential chain (IRSA on EKS;
/// `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` in the environment, any values, when the
/// endpoint override points at an emulator such as `moto_server`).
pub async fn aws_config(region: &str, endpoint_url: Option<&str>) -> aws_config::SdkConfig {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(region.to_owned()))
        .http_client(infra::aws::http_client());
    if let Some(url) = endpoint_url {
        loader = loader.endpoint_url(url);
    }
    loader.load().await
}

fn require_aws(
    aws: Option<&aws_config::SdkConfig>,
    what: &str,
) -> anyhow::Result<aws_config::SdkConfig> {
    aws.cloned()
        .ok_or_else(|| anyhow::anyhow!("{what} needs the AWS configuration"))
}

/// Builds the mailer the wiring names.
///
/// # Errors
/// When the mail folder cannot be created or SES has no AWS configuration.
pub fn build_mailer(
    mail: MailWiring,
    aws: Option<&aws_config::SdkConfig>,
) -> anyhow::Result<Arc<dyn Mailer>> {
    Ok(match mail {
        MailWiring::Folder { dir, from } => {
            Arc::new(FolderMailer::new(dir, &from).map_err(anyhow::Error::msg)?)
        }
        MailWiring::Ses {
            from,
            configuration_set,
        } => Arc::new(SesMailer::new(
            &require_aws(aws, "SES")?,
            from,
            configuration_set,
        )),
    })
}

/// Builds a stand-alone outbox worker (`pge worker`): the database and the mailer only.
///
/// # Errors
/// When the database cannot be reached or the mailer cannot be built.
pub async fn build_worker(
    database: &DatabaseSettings,
    mail: MailWiring,
    aws: Option<&aws_config::SdkConfig>,
    settings: WorkerSettings,
) -> anyhow::Result<(OutboxWorker, Store)> {
    let store = Store::connect(database)
        .await
        .context("cannot connect to the database")?;
    let mailer = build_mailer(mail, aws)?;
    let settings_port = Arc::new(store.clone());
    Ok((
        OutboxWorker::new(store.clone(), mailer, settings_port, settings),
        store,
    ))
}

/// The token verifier: 5 s of clock leeway, keys fetched again at most once a minute.
fn verifier(
    issuer: String,
    also_issuers: Vec<String>,
    client_ids: Vec<String>,
    jwks: JwksSource,
) -> anyhow::Result<JwtVerifier> {
    JwtVerifier::new(VerifierSettings {
        issuer,
        also_issuers,
        client_ids,
        jwks,
        leeway_seconds: 5,
        refetch_interval: Duration::from_secs(60),
    })
    .map_err(anyhow::Error::msg)
}

/// Connects the adapters and builds the shared state.
///
/// # Errors
/// When the database cannot be reached or migrated, or the identity setup is invalid.
pub async fn build_state(wiring: Wiring) -> anyhow::Result<AppState> {
    let store = Store::connect(&wiring.database)
        .await
        .context("cannot connect to the database")?;
    if wiring.migrate {
        store
            .migrate()
            .await
            .context("cannot migrate the database")?;
    }
    let aws = wiring.aws.as_ref();
    let mut connect = Vec::new();
    let mut web_config = None;
    let mut dev_oidc = None;
    let (verifier, dev_jwks, identity_admin): (_, _, Arc<dyn IdentityAdmin>) = match wiring.identity
    {
        Identity::Dev(provider) => {
            let oidc = routes::dev_oidc::DevOidc::new(
                provider.clone(),
                &wiring.web.public_base_url,
                wiring.web.dev_sessions,
                wiring.web.dev_staff_client,
            );
            web_config = Some(oidc.web_config());
            let (client_ids, staff_clients) = (oidc.client_ids(), oidc.staff_clients());
            dev_oidc = Some(Arc::new(oidc));
            let jwks = provider.jwks_json();
            let verifier = verifier(
                DEV_ISSUER.to_owned(),
                vec![routes::dev_oidc::DevOidc::issuer_at(
                    &wiring.web.public_base_url,
                )],
                client_ids,
                JwksSource::Document(jwks.clone()),
            )?;
            (
                // One provider; with PGE_DEV_STAFF_CLIENT, staff groups count only in
                // tokens of the staff's client, as with Cognito's two pools.
                auth::Verifiers::with_staff_clients(verifier, staff_clients),
                Some(jwks),
                Arc::new(DevIdentityAdmin::new(store.clone())),
            )
        }
        Identity::Cognito(cognito) => {
            let cognito = *cognito;
            connect.push(format!(
                "https://cognito-idp.{}.amazonaws.com",
                cognito.region
            ));
            let provider = |issuer: &str, client_ids: &[String], domain: Option<&String>| {
                let (domain, client_id) = (domain?, client_ids.first()?);
                Some(routes::web::WebProvider {
                    authority: issuer.to_owned(),
                    client_id: client_id.clone(),
                    scope: "openid email".to_owned(),
                    logout_url: format!("https://{domain}/logout"),
                    revocation_url: Some(format!("https://{domain}/oauth2/revoke")),
                })
            };
            if let Some(main) = provider(
                &cognito.issuer,
                &cognito.client_ids,
                wiring.web.cognito_domain.as_ref(),
            ) {
                let staff = cognito.staff.as_ref().and_then(|staff| {
                    provider(&staff.issuer, &staff.client_ids, staff.domain.as_ref())
                });
                for domain in [
                    &wiring.web.cognito_domain,
                    &cognito.staff.as_ref().and_then(|s| s.domain.clone()),
                ]
                .into_iter()
                .flatten()
                {
                    connect.push(format!("https://{domain}"));
                }
                web_config = Some(routes::web::WebConfig {
                    provider: main,
                    staff,
                });
            }
            let public = verifier(
                cognito.issuer,
                Vec::new(),
                cognito.client_ids,
                JwksSource::Url(cognito.jwks_url),
            )?;
            // Reviewer accounts are created in the staff's pool when there is one.
            let mut admin_pool = cognito.user_pool_id;
            let verifiers = match cognito.staff {
                Some(staff) => {
                    admin_pool = staff.user_pool_id;
                    let staff_verifier = verifier(
                        staff.issuer,
                        Vec::new(),
                        staff.client_ids.clone(),
                        JwksSource::Url(staff.jwks_url),
                    )?;
                    auth::Verifiers::split(public, staff_verifier, staff.client_ids)
                }
                None => auth::Verifiers::with_staff_clients(public, Vec::new()),
            };
            if let Err(err) = verifiers.warm_up().await {
                // Not fatal: the keys are fetched again on the first token.
                tracing::warn!(error = %err, "JWKS not fetched at start-up");
            }
            let verifier = verifiers;
            let admin = CognitoIdentityAdmin::new(
                &require_aws(aws, "Cognito account administration")?,
                &cognito.region,
                admin_pool,
            );
            (verifier, None, Arc::new(admin))
        }
    };
    let mailer = build_mailer(wiring.mail, aws)?;
    let (objects, local_objects): (Arc<dyn ObjectStore>, _) = match wiring.documents {
        DocumentsWiring::Local {
            dir,
            public_base_url,
        } => {
            let local = Arc::new(
                LocalObjectStore::new(
                    dir,
                    &public_base_url,
                    routes::cursor::derive_key(&wiring.cursor_key, b"local-documents"),
                )
                .map_err(anyhow::Error::msg)?,
            );
            (local.clone(), Some(local))
        }
        DocumentsWiring::S3 {
            bucket,
            force_path_style,
        } => {
            // Where the browser uploads to: the URL style the store signs.
            let config = require_aws(aws, "S3")?;
            match config.endpoint_url() {
                Some(endpoint) => connect.push(endpoint.trim_end_matches('/').to_owned()),
                None => {
                    let region = config.region().map_or("eu-west-3", |r| r.as_ref());
                    connect.push(if force_path_style {
                        format!("https://s3.{region}.amazonaws.com")
                    } else {
                        format!("https://{bucket}.s3.{region}.amazonaws.com")
                    });
                }
            }
            (
                Arc::new(S3ObjectStore::new(&config, bucket, force_path_style)),
                None,
            )
        }
    };
    let frontend = routes::web::Frontend {
        dir: wiring.web.dir,
        config: web_config,
        csp: routes::web::content_security_policy(&connect),
        app_url: Some(wiring.web.app_url.clone()).filter(|url| !url.is_empty()),
        dev_oidc,
    };
    let shared = Arc::new(store.clone());
    let services = app::Services::new(
        app::Ports {
            loan_requests: shared.clone(),
            banks: shared.clone(),
            stats: shared.clone(),
            settings: shared.clone(),
            admin_actions: shared.clone(),
            drafts: shared.clone(),
            documents: shared.clone(),
            messages: shared.clone(),
            objects,
            identity_admin,
            clock: Arc::new(infra::system::SystemClock),
            ids: Arc::new(infra::system::RandomIds),
        },
        wiring.campaign,
    );
    Ok(AppState(Arc::new(App::new(
        services,
        Adapters {
            health: shared,
            local_objects,
            mailer,
            store,
        },
        verifier,
        dev_jwks,
        wiring.cursor_key,
        wiring.limits,
        frontend,
    ))))
}

/// Serves until `shutdown` resolves, then stops accepting and lets in-flight requests
/// finish (connections idle between requests are closed at once).
///
/// axum's own `serve` sets no timer on hyper, so a client that sends its headers one
/// byte at a time (slow loris) would hold its connection for ever: here hyper closes a
/// connection that has not sent a request's headers within the configured
/// `header_read_timeout`.
///
/// # Errors
/// Never in practice: a failed `accept` (out of file descriptors…) is logged and
/// retried after a pause rather than ending the server.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::extract::ConnectInfo;
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt as _;

    let header_read_timeout = state.limits.header_read_timeout;
    let router = routes::router(state);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout)
        .keep_alive(true);
    let service_for = |peer: std::net::SocketAddr| {
        let router = router.clone();
        hyper::service::service_fn(
            move |mut request: axum::http::Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                router.clone().oneshot(request.map(axum::body::Body::new))
            },
        )
    };
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) if is_connection_error(&error) => continue,
                Err(error) => {
                    tracing::error!(%error, "accept failed; pausing");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Answers are written whole: no reason to wait for an ACK before the next one.
        let _ = stream.set_nodelay(true);
        let connection =
            graceful.watch(http.serve_connection(TokioIo::new(stream), service_for(peer)));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, %peer, "connection ended with an error");
            }
        });
    }
    // Connections the kernel completed before we stop listening would be reset when the
    // listener closes: answer their one request each (no keep-alive) instead. New
    // handshakes are stopped first, so that none completes between the last accept and
    // the close.
    stop_handshakes(&listener);
    tokio::time::sleep(HANDSHAKE_SETTLE).await;
    let mut last_ones = http.clone();
    last_ones.keep_alive(false);
    let mut backlog = tokio::task::JoinSet::new();
    if let Ok(listener) = listener.into_std() {
        while let Ok((stream, peer)) = listener.accept() {
            let Ok(stream) = stream
                .set_nonblocking(true)
                .and_then(|()| tokio::net::TcpStream::from_std(stream))
            else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            backlog.spawn(last_ones.serve_connection(TokioIo::new(stream), service_for(peer)));
        }
    }
    // A connection accepted an instant ago whose request is not read yet looks idle to
    // hyper, and a graceful shutdown closes idle connections at once: let such requests
    // be read (and answered) before telling every connection to finish.
    tokio::time::sleep(SHUTDOWN_SETTLE).await;
    graceful.shutdown().await;
    while backlog.join_next().await.is_some() {}
    Ok(())
}

/// Makes the listening socket drop, from now on, every TCP segment with the SYN flag (a
/// classic packet filter of four instructions): a new connection's SYN goes unanswered,
/// and its client's retransmission, a second later, finds the socket closed and is
/// refused. The handshakes already under way complete (their last ACK passes) and join
/// the accept queue, which is then drained. Without it, a handshake completed between
/// the last `accept` and the close would be reset, maybe with its request already sent.
/// Linux only; elsewhere (and if the kernel refuses the filter) the close stays as it was.
fn stop_handshakes(listener: &TcpListener) {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use socket2::SockFilter;
        // A TCP socket's filter sees the segment from its TCP header: byte 13 holds the
        // flags, SYN is 0x02. `ldb [13]; jset #0x02, drop; ret #-1 (keep); drop: ret #0`.
        const BPF_LD_B_ABS: u16 = 0x30;
        const BPF_JMP_JSET_K: u16 = 0x45;
        const BPF_RET_K: u16 = 0x06;
        let drop_syn = [
            SockFilter::new(BPF_LD_B_ABS, 0, 0, 13),
            SockFilter::new(BPF_JMP_JSET_K, 1, 0, 0x02),
            SockFilter::new(BPF_RET_K, 0, 0, u32::MAX),
            SockFilter::new(BPF_RET_K, 0, 0, 0),
        ];
        if let Err(error) = socket2::SockRef::from(listener).attach_filter(&drop_syn) {
            tracing::warn!(%error, "could not stop new connections before closing the listener");
        }
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    let _ = listener;
}

/// Time given to the handshakes under way when new ones are stopped, before the accept
/// queue is drained for the last time.
const HANDSHAKE_SETTLE: Duration = Duration::from_millis(50);

/// Time between closing the listener and closing idle connections, at shutdown.
const SHUTDOWN_SETTLE: Duration = Duration::from_millis(300);

/// Errors of one connection that must not stop the accept loop.
fn is_connection_error(error: &std::io::Error) -> bool {
    matches!(
        error.kind(),
        std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::ConnectionReset
    )
}
