//! The composition root: the adapters a [`Wiring`](crate::wiring::Wiring) names, built
//! and handed to the application services (`build_state`), and the outbox worker.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use domain::ports::{Clock, IdentityAdmin, Mailer, ObjectStore};
use infra::identity::{
    CognitoIdentityAdmin, DEV_ISSUER, DevIdentityAdmin, JwksSource, JwtVerifier, VerifierSettings,
};
use infra::mail::{FolderMailer, SesMailer};
use infra::objects::{LocalObjectStore, S3ObjectStore};
use infra::worker::{OutboxWorker, WorkerSettings};
use infra::{DatabaseSettings, Store};

use crate::state::{Adapters, App, AppState};
use crate::wiring::{DocumentsWiring, Identity, MailWiring, Wiring};
use crate::{auth, routes};

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
    // One clock for the services and the object stores' URLs.
    let clock: Arc<dyn Clock> = Arc::new(infra::system::SystemClock);
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
                    clock.clone(),
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
                Arc::new(S3ObjectStore::new(
                    &config,
                    bucket,
                    force_path_style,
                    clock.clone(),
                )),
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
    let services = app::Services::new_with_rule(
        app::Ports {
            // The submission's writer for this database, keeping the API's receipt with
            // an idempotency key.
            submissions: store.submissions(Arc::new(routes::loan_requests::submit::receipt)),
            loan_requests: shared.clone(),
            guarantees: shared.clone(),
            four_eyes: shared.clone(),
            audit: shared.clone(),
            banks: shared.clone(),
            stats: shared.clone(),
            settings: shared.clone(),
            admin_actions: shared.clone(),
            drafts: shared.clone(),
            documents: shared.clone(),
            messages: shared.clone(),
            objects,
            identity_admin,
            clock,
            ids: Arc::new(infra::system::RandomIds),
        },
        wiring.campaign,
        wiring.one_identifier_per_company,
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
