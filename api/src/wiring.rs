//! From the configuration to what the process is made of (`Wiring`): which database,
//! identity provider, mail and documents adapters, web app and limits, decided once.

use std::sync::Arc;
use std::time::Duration;

use domain::campaign::CampaignWindow;
use domain::issuance::OneIdentifierPerCompany;
use std::path::PathBuf;

use infra::DatabaseSettings;
use infra::identity::DevIdentityProvider;

use crate::config::{CognitoSettings, Environment, ServeSettings, Settings};
use crate::{config, routes};

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
    /// The one-identifier-per-company rule's dates.
    pub one_identifier_per_company: OneIdentifierPerCompany,
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
        let one_identifier_per_company = match (
            serve.one_identifier_per_company_from,
            serve.one_identifier_per_company_until,
        ) {
            (None, None) => OneIdentifierPerCompany::NEVER,
            (from, until) => OneIdentifierPerCompany::during(
                CampaignWindow::new(from, until)
                    .map_err(|e| anyhow::anyhow!("PGE_ONE_IDENTIFIER_PER_COMPANY_UNTIL: {e}"))?,
            ),
        };
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
            one_identifier_per_company,
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
