//! Configuration: `PGE_*` environment variables (or the equivalent flags), parsed once
//! into typed settings at start-up. A missing or invalid variable stops the program
//! with a message naming it. Secrets are wrapped so they never print.

use std::net::SocketAddr;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::{Args, ValueEnum};

/// Deployment environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Environment {
    Development,
    Production,
}

/// A value that must not be printed (logged with `Debug`).
#[derive(Clone, Default)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
}

/// Where `/metrics` is served, if anywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricsAddr {
    Off,
    At(SocketAddr),
}

fn parse_metrics_addr(raw: &str) -> Result<MetricsAddr, String> {
    if raw.eq_ignore_ascii_case("off") {
        return Ok(MetricsAddr::Off);
    }
    raw.parse()
        .map(MetricsAddr::At)
        .map_err(|_| "expected an address such as 0.0.0.0:9090, or off".to_owned())
}

/// An AWS region name (`eu-west-3`): lower-case letters, digits and dashes.
fn check_region(region: &str, variable: &str) -> Result<(), String> {
    let valid = !region.is_empty()
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if valid {
        Ok(())
    } else {
        Err(format!("{variable} is not an AWS region name"))
    }
}

/// Every setting of `pge serve`, as one tree: what the binary parses from `PGE_*` and
/// its flags, and what the test harness parses from the flags it chooses, before both
/// call [`crate::Wiring::from_settings`].
#[derive(Debug, Clone, clap::Parser)]
#[command(name = "pge serve")]
pub struct ServeConfig {
    #[command(flatten)]
    pub settings: Settings,
    #[command(flatten)]
    pub serve: ServeSettings,
}

/// Settings shared by `serve`, `migrate` and `worker`.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// `development` (embedded default) or `production` (refuses SQLite and the dev
    /// identity provider).
    #[arg(long, env = "PGE_ENV", value_enum, default_value = "development")]
    pub env: Environment,

    /// Data folder of the embedded default (SQLite file, dev signing key).
    #[arg(long, env = "PGE_DATA_DIR", default_value = "./var")]
    pub data_dir: PathBuf,

    /// Database URL (`postgres://…` or `sqlite://…`); default: SQLite under the data
    /// folder.
    #[arg(long, env = "PGE_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<Secret>,

    /// Largest number of pooled database connections (PostgreSQL); half of them (at
    /// least one) are the submissions' lanes, the rest serve every other query.
    #[arg(long, env = "PGE_DATABASE_MAX_CONNECTIONS", default_value_t = 16,
        value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub database_max_connections: u32,

    /// Internal address of `GET /metrics` (Prometheus), apart from the API's listener
    /// so that nothing routed to the API exposes it; `off` serves no metrics.
    #[arg(long, env = "PGE_METRICS_ADDR", default_value = "127.0.0.1:9090",
        value_parser = parse_metrics_addr)]
    pub metrics_addr: MetricsAddr,

    /// Log format: `json`, `pretty`, or `auto` (pretty on a terminal).
    #[arg(long, env = "PGE_LOG_FORMAT", default_value = "auto",
        value_parser = ["json", "pretty", "auto"])]
    pub log_format: String,

    /// OTLP/HTTP endpoint for traces (base URL, e.g. `http://collector:4318`); unset: no
    /// traces. The standard `OTEL_EXPORTER_OTLP_ENDPOINT` (or `…_TRACES_ENDPOINT`) also
    /// turns them on.
    #[arg(long, env = "PGE_OTLP_ENDPOINT")]
    pub otlp_endpoint: Option<String>,

    /// Share of traces exported when nothing failed in them (0 to 1); a trace with a
    /// failure is always exported.
    #[arg(long, env = "PGE_TRACE_SAMPLE_RATIO", default_value_t = 0.1,
        value_parser = parse_ratio)]
    pub trace_sample_ratio: f64,

    /// Minutes between two verifications of the audit trail's chains by the outbox
    /// worker's process (`pge worker`, or the API's in-process worker): a broken link
    /// raises `PgeAuditChainBroken`. 0: on demand only (`pge audit verify`, the admin
    /// figures page).
    #[arg(long, env = "PGE_AUDIT_VERIFY_MINUTES", default_value_t = 60)]
    pub audit_verify_minutes: u64,

    #[command(flatten)]
    pub delivery: DeliverySettings,
}

/// Where e-mails and documents go: AWS (SES v2, S3) in production, local folders on the
/// embedded default.
#[derive(Debug, Clone, Args)]
pub struct DeliverySettings {
    /// AWS region of SES and S3 (Paris by default: data stays in France).
    #[arg(long, env = "PGE_AWS_REGION", default_value = "eu-west-3")]
    pub aws_region: String,

    /// Endpoint override for every AWS client (an S3/SES/Cognito emulator in tests).
    #[arg(long, env = "PGE_AWS_ENDPOINT_URL")]
    pub aws_endpoint_url: Option<String>,

    /// Sender of the platform's e-mails. When set, e-mails go through SES v2; unset,
    /// they are written as `.eml` files under `PGE_DATA_DIR/mail` (embedded default).
    #[arg(long, env = "PGE_SES_FROM")]
    pub ses_from: Option<String>,

    /// SES configuration set attached to every e-mail (event publishing, IP pool).
    #[arg(long, env = "PGE_SES_CONFIGURATION_SET")]
    pub ses_configuration_set: Option<String>,

    /// Documents bucket. When set, documents go to S3 through presigned URLs; unset,
    /// they are kept under `PGE_DATA_DIR/documents` behind signed local URLs.
    #[arg(long, env = "PGE_S3_BUCKET")]
    pub s3_bucket: Option<String>,

    /// The web app's public URL (`https://pge.example.fr`): e-mails link to the
    /// request's page there. Default under `serve`: `PGE_PUBLIC_BASE_URL`; a `pge worker`
    /// without it sends e-mails without the link.
    #[arg(long, env = "PGE_APP_URL")]
    pub app_url: Option<String>,

    /// Path-style S3 URLs (S3-compatible endpoints); real S3 uses virtual hosts.
    #[arg(long, env = "PGE_S3_FORCE_PATH_STYLE", default_value_t = false)]
    pub s3_force_path_style: bool,
}

impl DeliverySettings {
    /// Checks the combination for the environment.
    ///
    /// # Errors
    /// A message naming the variable at fault.
    pub fn check(&self, env: Environment) -> Result<(), String> {
        check_region(&self.aws_region, "PGE_AWS_REGION")?;
        if let Some(url) = &self.aws_endpoint_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err("PGE_AWS_ENDPOINT_URL must be an http(s) URL".to_owned());
        }
        if let Some(url) = &self.app_url
            && !(url.starts_with("https://")
                || (env == Environment::Development && url.starts_with("http://")))
        {
            return Err("PGE_APP_URL must be an https URL (http in development)".to_owned());
        }
        if let Some(from) = &self.ses_from
            && (!from.contains('@') || from.chars().any(char::is_control))
        {
            return Err("PGE_SES_FROM must be an e-mail address".to_owned());
        }
        if let Some(bucket) = &self.s3_bucket {
            let valid = (3..=63).contains(&bucket.len())
                && bucket.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.'
                });
            if !valid {
                return Err("PGE_S3_BUCKET is not a valid bucket name".to_owned());
            }
        }
        if env == Environment::Production {
            if self.ses_from.is_none() {
                return Err("PGE_ENV=production requires PGE_SES_FROM (e-mails through SES; the mail folder is refused)".to_owned());
            }
            if self.s3_bucket.is_none() {
                return Err("PGE_ENV=production requires PGE_S3_BUCKET (documents in S3; the local folder is refused)".to_owned());
            }
        }
        Ok(())
    }

    /// Whether any AWS client is needed.
    #[must_use]
    pub fn uses_aws(&self) -> bool {
        self.ses_from.is_some() || self.s3_bucket.is_some()
    }

    /// The AWS clients' configuration when SES, S3 or (`cognito`) account
    /// administration is used; `None` on the embedded default.
    pub async fn aws_config(&self, cognito: bool) -> Option<aws_config::SdkConfig> {
        if cognito || self.uses_aws() {
            Some(crate::aws_config(&self.aws_region, self.aws_endpoint_url.as_deref()).await)
        } else {
            None
        }
    }
}

impl Settings {
    /// The database connection: the URL in force, `PGE_DATABASE_MAX_CONNECTIONS`, and
    /// 5 s to wait for a pooled connection.
    #[must_use]
    pub fn database(&self) -> infra::DatabaseSettings {
        infra::DatabaseSettings {
            url: self.database_url(),
            max_connections: self.database_max_connections,
            acquire_timeout: std::time::Duration::from_secs(5),
        }
    }

    /// Where e-mails go: SES when `PGE_SES_FROM` is set, else `.eml` files under
    /// `PGE_DATA_DIR/mail`.
    #[must_use]
    pub fn mail(&self) -> crate::MailWiring {
        match &self.delivery.ses_from {
            Some(from) => crate::MailWiring::Ses {
                from: from.clone(),
                configuration_set: self.delivery.ses_configuration_set.clone(),
            },
            None => crate::MailWiring::Folder {
                dir: self.data_dir.join("mail"),
                from: crate::DEV_MAIL_FROM.to_owned(),
            },
        }
    }

    /// Where documents go: S3 when `PGE_S3_BUCKET` is set, else a folder under
    /// `PGE_DATA_DIR/documents` behind URLs of `public_base_url` signed by the API.
    #[must_use]
    pub fn documents(&self, public_base_url: &str) -> crate::DocumentsWiring {
        match &self.delivery.s3_bucket {
            Some(bucket) => crate::DocumentsWiring::S3 {
                bucket: bucket.clone(),
                force_path_style: self.delivery.s3_force_path_style,
            },
            None => crate::DocumentsWiring::Local {
                dir: self.data_dir.join("documents"),
                public_base_url: public_base_url.to_owned(),
            },
        }
    }

    /// The database URL in force.
    #[must_use]
    pub fn database_url(&self) -> String {
        self.database_url.as_ref().map_or_else(
            || {
                format!(
                    "sqlite://{}?mode=rwc",
                    self.data_dir.join("pge.sqlite3").display()
                )
            },
            |s| s.0.clone(),
        )
    }

    /// Refuses combinations that must never reach production.
    ///
    /// # Errors
    /// A message naming the offending variable.
    pub fn check(&self) -> Result<(), String> {
        let url = self.database_url();
        if !(url.starts_with("postgres://")
            || url.starts_with("postgresql://")
            || url.starts_with("sqlite:"))
        {
            return Err("PGE_DATABASE_URL must start with postgres:// or sqlite:".to_owned());
        }
        if self.env == Environment::Production && !url.starts_with("postgres") {
            return Err(
                "PGE_ENV=production requires PGE_DATABASE_URL to point to PostgreSQL".to_owned(),
            );
        }
        Ok(())
    }
}

/// Settings of the HTTP server.
#[derive(Debug, Clone, Args)]
pub struct ServeSettings {
    /// Address the API listens on.
    #[arg(long, env = "PGE_LISTEN_ADDR", default_value = "127.0.0.1:8080")]
    pub listen_addr: SocketAddr,

    /// Cognito region (production identity).
    #[arg(long, env = "PGE_COGNITO_REGION")]
    pub cognito_region: Option<String>,

    /// Cognito user pool id (production identity).
    #[arg(long, env = "PGE_COGNITO_USER_POOL_ID")]
    pub cognito_user_pool_id: Option<String>,

    /// Accepted app client ids (the access tokens' `client_id`), comma-separated.
    #[arg(long, env = "PGE_COGNITO_CLIENT_IDS", value_delimiter = ',')]
    pub cognito_client_ids: Vec<String>,

    /// The staff's user pool (bank reviewers and admins, TOTP MFA required), beside the
    /// applicants' pool above: reviewer and admin groups are honoured only in tokens of
    /// its clients, and reviewer accounts are created in it. Unset: one pool for all.
    #[arg(long, env = "PGE_COGNITO_STAFF_USER_POOL_ID")]
    pub cognito_staff_user_pool_id: Option<String>,

    /// The staff pool's app client ids, comma-separated.
    #[arg(long, env = "PGE_COGNITO_STAFF_CLIENT_IDS", value_delimiter = ',')]
    pub cognito_staff_client_ids: Vec<String>,

    /// The staff pool's hosted-UI domain (no scheme): where reviewers and admins sign in.
    #[arg(long, env = "PGE_COGNITO_STAFF_DOMAIN")]
    pub cognito_staff_domain: Option<String>,

    /// Issuer override of the staff pool (tests against an emulator).
    #[arg(long, env = "PGE_COGNITO_STAFF_ISSUER")]
    pub cognito_staff_issuer: Option<String>,

    /// JWKS URL override of the staff pool (tests against an emulator).
    #[arg(long, env = "PGE_COGNITO_STAFF_JWKS_URL")]
    pub cognito_staff_jwks_url: Option<String>,

    /// Lifetime of the dev provider's access and ID tokens, in seconds (embedded
    /// default; Cognito's are set in the user pool's app client).
    #[arg(long, env = "PGE_DEV_TOKEN_TTL", default_value_t = crate::routes::dev_oidc::DEFAULT_TOKEN_TTL_SECS,
        value_parser = clap::value_parser!(u64).range(10..=86_400))]
    pub dev_token_ttl: u64,

    /// Lifetime of the dev provider's refresh tokens, in seconds: how long a session
    /// lasts without signing in again (Cognito: 12 hours, set in the app client).
    #[arg(long, env = "PGE_DEV_REFRESH_TTL", default_value_t = crate::routes::dev_oidc::DEFAULT_REFRESH_TTL_SECS,
        value_parser = clap::value_parser!(u64).range(10..=2_592_000))]
    pub dev_refresh_ttl: u64,

    /// The dev provider gives bank staff and admins a client of their own
    /// (`pge-dev-staff-client`), as Cognito's staff pool does in production: the web app's
    /// back office signs in with it, and staff groups count only in its tokens.
    #[arg(long, env = "PGE_DEV_STAFF_CLIENT", default_value_t = false)]
    pub dev_staff_client: bool,

    /// JWKS URL override (tests against a local emulator); default:
    /// `{issuer}/.well-known/jwks.json`.
    #[arg(long, env = "PGE_COGNITO_JWKS_URL")]
    pub cognito_jwks_url: Option<String>,

    /// Issuer override; default: `https://cognito-idp.{region}.amazonaws.com/{pool}`.
    #[arg(long, env = "PGE_COGNITO_ISSUER")]
    pub cognito_issuer: Option<String>,

    /// Submissions are accepted from this instant (RFC 3339); default: open.
    #[arg(long, env = "PGE_CAMPAIGN_OPENS_AT")]
    pub campaign_opens_at: Option<DateTime<Utc>>,

    /// Submissions are refused from this instant (RFC 3339); default: never.
    #[arg(long, env = "PGE_CAMPAIGN_CLOSES_AT")]
    pub campaign_closes_at: Option<DateTime<Utc>>,

    /// The one-identifier-per-company rule (the scheme's first month) holds from this
    /// instant (RFC 3339). With neither this nor `PGE_ONE_IDENTIFIER_PER_COMPANY_UNTIL`
    /// set, it never holds; with only one, the other side is open.
    #[arg(long, env = "PGE_ONE_IDENTIFIER_PER_COMPANY_FROM")]
    pub one_identifier_per_company_from: Option<DateTime<Utc>>,

    /// The one-identifier-per-company rule holds until this instant (RFC 3339,
    /// exclusive).
    #[arg(long, env = "PGE_ONE_IDENTIFIER_PER_COMPANY_UNTIL")]
    pub one_identifier_per_company_until: Option<DateTime<Utc>>,

    /// Secret keying the HMAC of pagination cursors; every replica needs the same one.
    /// Default: a random key per process (fine for a single process).
    #[arg(long, env = "PGE_CURSOR_SECRET", hide_env_values = true)]
    pub cursor_secret: Option<Secret>,

    /// Base URL the API is reached at, used in the signed URLs of locally stored
    /// documents (default: `http://` + `PGE_LISTEN_ADDR`).
    #[arg(long, env = "PGE_PUBLIC_BASE_URL")]
    pub public_base_url: Option<String>,

    /// The built web app served at `/` (`npm --prefix web run build` writes it); when
    /// the folder is missing the API runs without it.
    #[arg(long, env = "PGE_WEB_DIR", default_value = "web/dist")]
    pub web_dir: std::path::PathBuf,

    /// Cognito's hosted-UI domain (`auth.pge.example.fr`, no scheme): the web app signs
    /// in and out there. Without it, `/config.json` is not served.
    #[arg(long, env = "PGE_COGNITO_DOMAIN")]
    pub cognito_domain: Option<String>,

    /// Run the outbox worker inside `serve` (default: on in development, off in
    /// production, where `pge worker` runs as its own Deployment).
    #[arg(long, env = "PGE_WORKER_IN_PROCESS")]
    pub worker_in_process: Option<bool>,

    /// Back-pressure of the business routes.
    #[command(flatten)]
    pub back_pressure: BackPressureSettings,
}

/// The back-pressure settings (`ServeSettings::limits`), with their defaults written
/// once: here, for the flags, and for [`Limits::default`].
#[derive(Debug, Clone, clap::Args)]
pub struct BackPressureSettings {
    /// Sustained requests per second per client IP on `/api` (0: no limit).
    #[arg(long, env = "PGE_RATE_LIMIT_PER_IP", default_value_t = Self::RATE_LIMIT_PER_IP)]
    pub rate_limit_per_ip: u32,

    /// Sustained requests per second per principal (bearer token) on `/api` (0: no
    /// limit).
    #[arg(long, env = "PGE_RATE_LIMIT_PER_PRINCIPAL", default_value_t = Self::RATE_LIMIT_PER_PRINCIPAL)]
    pub rate_limit_per_principal: u32,

    /// Public guarantee checks (`POST /api/v1/guarantee-checks`) per minute per client
    /// IP, in bursts of at most that many (0: no limit). A few a minute serve a person;
    /// they make trying identifiers by the million hopeless.
    #[arg(long, env = "PGE_GUARANTEE_CHECKS_PER_MINUTE", default_value_t = Self::GUARANTEE_CHECKS_PER_MINUTE)]
    pub guarantee_checks_per_minute: u32,

    /// Burst above the sustained rates, in seconds' worth of requests.
    #[arg(long, env = "PGE_RATE_LIMIT_BURST_SECONDS", default_value_t = Self::RATE_LIMIT_BURST_SECONDS,
        value_parser = clap::value_parser!(u32).range(1..=60))]
    pub rate_limit_burst_seconds: u32,

    /// Proxies in front of the API appending to `X-Forwarded-For` (CloudFront + ALB:
    /// 2); 0 trusts no header and limits by peer address.
    #[arg(long, env = "PGE_TRUSTED_PROXY_HOPS", default_value_t = Self::TRUSTED_PROXY_HOPS)]
    pub trusted_proxy_hops: usize,

    /// Business requests in flight at once; beyond, 503 + Retry-After at once. 128 is
    /// what one 2-core replica completes within 50 ms at its ceiling (Little's law:
    /// ~2,400 requests/s x 50 ms); more would only queue (docs/PERFORMANCE.md).
    #[arg(long, env = "PGE_MAX_IN_FLIGHT", default_value_t = Self::MAX_IN_FLIGHT,
        value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub max_in_flight: u64,

    /// Longest a business request may take, in milliseconds; beyond, 503.
    #[arg(long, env = "PGE_REQUEST_TIMEOUT_MS", default_value_t = Self::REQUEST_TIMEOUT_MS,
        value_parser = clap::value_parser!(u64).range(10..=600_000))]
    pub request_timeout_ms: u64,

    /// Longest a connection may take to send a request's headers, or stay idle between
    /// requests, in seconds; then it is closed. Keep it above the load balancer's idle
    /// timeout (60 s on an ALB) so the balancer never reuses a connection being closed.
    #[arg(long, env = "PGE_HEADER_READ_TIMEOUT_SECS", default_value_t = Self::HEADER_READ_TIMEOUT_SECS,
        value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub header_read_timeout_secs: u64,

    /// Longest a business request's body may take to arrive, in milliseconds; it is read
    /// before the request takes one of the in-flight slots, so a client trickling its
    /// body holds only its own connection. Then 408 (`body-timeout`).
    #[arg(long, env = "PGE_BODY_READ_TIMEOUT_MS", default_value_t = Self::BODY_READ_TIMEOUT_MS,
        value_parser = clap::value_parser!(u64).range(100..=60_000))]
    pub body_read_timeout_ms: u64,
}

impl BackPressureSettings {
    const RATE_LIMIT_PER_IP: u32 = 300;
    const RATE_LIMIT_PER_PRINCIPAL: u32 = 50;
    const RATE_LIMIT_BURST_SECONDS: u32 = 2;
    const GUARANTEE_CHECKS_PER_MINUTE: u32 = 10;
    const TRUSTED_PROXY_HOPS: usize = 0;
    const MAX_IN_FLIGHT: u64 = 128;
    const REQUEST_TIMEOUT_MS: u64 = 10_000;
    const HEADER_READ_TIMEOUT_SECS: u64 = 65;
    const BODY_READ_TIMEOUT_MS: u64 = 5_000;

    /// The limits these settings give.
    #[must_use]
    pub fn limits(&self) -> Limits {
        Limits {
            per_ip_per_second: self.rate_limit_per_ip,
            per_principal_per_second: self.rate_limit_per_principal,
            burst_seconds: self.rate_limit_burst_seconds,
            guarantee_checks_per_minute: self.guarantee_checks_per_minute,
            trusted_proxy_hops: self.trusted_proxy_hops,
            max_in_flight: usize::try_from(self.max_in_flight).unwrap_or(usize::MAX),
            request_timeout: std::time::Duration::from_millis(self.request_timeout_ms),
            header_read_timeout: std::time::Duration::from_secs(self.header_read_timeout_secs),
            body_read_timeout: std::time::Duration::from_millis(self.body_read_timeout_ms),
        }
    }
}

impl Default for BackPressureSettings {
    fn default() -> Self {
        Self {
            rate_limit_per_ip: Self::RATE_LIMIT_PER_IP,
            rate_limit_per_principal: Self::RATE_LIMIT_PER_PRINCIPAL,
            rate_limit_burst_seconds: Self::RATE_LIMIT_BURST_SECONDS,
            guarantee_checks_per_minute: Self::GUARANTEE_CHECKS_PER_MINUTE,
            trusted_proxy_hops: Self::TRUSTED_PROXY_HOPS,
            max_in_flight: Self::MAX_IN_FLIGHT,
            request_timeout_ms: Self::REQUEST_TIMEOUT_MS,
            header_read_timeout_secs: Self::HEADER_READ_TIMEOUT_SECS,
            body_read_timeout_ms: Self::BODY_READ_TIMEOUT_MS,
        }
    }
}

/// Cognito settings, when configured.
/// Back-pressure of one replica's business routes (`api/src/limits.rs` applies them).
#[derive(Debug, Clone)]
pub struct Limits {
    /// Sustained requests per second per client IP (0: no limit).
    pub per_ip_per_second: u32,
    /// Sustained requests per second per principal (bearer token; the client IP for
    /// anonymous calls) (0: no limit).
    pub per_principal_per_second: u32,
    /// Burst allowed above the sustained rate, as a multiple of one second's worth.
    pub burst_seconds: u32,
    /// Public guarantee checks per minute per client IP (0: no limit).
    pub guarantee_checks_per_minute: u32,
    /// Proxies in front of the API that append to `X-Forwarded-For` (CloudFront and
    /// the load balancer: 2). The client IP is the entry that many hops from the right;
    /// entries further left are the client's own claims and are never trusted.
    pub trusted_proxy_hops: usize,
    /// Business requests in flight at once; beyond, 503 at once.
    pub max_in_flight: usize,
    /// Longest a business request may take; beyond, 503.
    pub request_timeout: std::time::Duration,
    /// Longest a connection may take to send a request's headers, or stay idle between
    /// two requests; then it is closed (slow-loris connections do not pile up).
    pub header_read_timeout: std::time::Duration,
    /// Longest a business request's body may take to arrive, read before the request
    /// takes an in-flight slot; then 408.
    pub body_read_timeout: std::time::Duration,
}

impl Default for Limits {
    fn default() -> Self {
        BackPressureSettings::default().limits()
    }
}

#[derive(Debug, Clone)]
pub struct CognitoSettings {
    pub region: String,
    pub user_pool_id: String,
    pub issuer: String,
    pub jwks_url: String,
    pub client_ids: Vec<String>,
    /// The staff's pool, when staff sign in apart (MFA required there).
    pub staff: Option<CognitoPool>,
}

/// A second user pool of the same region.
#[derive(Debug, Clone)]
pub struct CognitoPool {
    pub user_pool_id: String,
    pub issuer: String,
    pub jwks_url: String,
    pub client_ids: Vec<String>,
    /// Its hosted-UI domain, for the web app's sign-in.
    pub domain: Option<String>,
}

impl ServeSettings {
    /// Back-pressure settings of the business routes.
    #[must_use]
    pub fn limits(&self) -> Limits {
        self.back_pressure.limits()
    }

    /// The Cognito configuration, or `None` for the dev identity provider.
    ///
    /// # Errors
    /// A message naming the missing or invalid variable.
    pub fn cognito(&self, env: Environment) -> Result<Option<CognitoSettings>, String> {
        let any = self.cognito_region.is_some()
            || self.cognito_user_pool_id.is_some()
            || !self.cognito_client_ids.is_empty();
        if !any {
            if env == Environment::Production {
                return Err("PGE_ENV=production requires PGE_COGNITO_REGION, PGE_COGNITO_USER_POOL_ID and PGE_COGNITO_CLIENT_IDS (the dev identity provider is refused)".to_owned());
            }
            return Ok(None);
        }
        let region = self
            .cognito_region
            .clone()
            .ok_or("PGE_COGNITO_REGION is missing")?;
        check_region(&region, "PGE_COGNITO_REGION")?;
        let main = pool_settings(
            &region,
            self.cognito_user_pool_id.as_deref(),
            &self.cognito_client_ids,
            self.cognito_issuer.as_deref(),
            self.cognito_jwks_url.as_deref(),
            "",
        )?;
        let staff_any = self.cognito_staff_user_pool_id.is_some()
            || !self.cognito_staff_client_ids.is_empty()
            || self.cognito_staff_domain.is_some();
        let staff = if staff_any {
            let mut staff = pool_settings(
                &region,
                self.cognito_staff_user_pool_id.as_deref(),
                &self.cognito_staff_client_ids,
                self.cognito_staff_issuer.as_deref(),
                self.cognito_staff_jwks_url.as_deref(),
                "STAFF_",
            )?;
            if staff.user_pool_id == main.user_pool_id
                || staff.client_ids.iter().any(|c| main.client_ids.contains(c))
            {
                return Err("PGE_COGNITO_STAFF_USER_POOL_ID and PGE_COGNITO_STAFF_CLIENT_IDS must name another pool and other clients than PGE_COGNITO_USER_POOL_ID and PGE_COGNITO_CLIENT_IDS".to_owned());
            }
            staff.domain.clone_from(&self.cognito_staff_domain);
            Some(staff)
        } else {
            None
        };
        Ok(Some(CognitoSettings {
            region,
            user_pool_id: main.user_pool_id,
            issuer: main.issuer,
            jwks_url: main.jwks_url,
            client_ids: main.client_ids,
            staff,
        }))
    }
}

/// One pool's settings from its variables (`PGE_COGNITO_{infix}…`).
fn pool_settings(
    region: &str,
    pool: Option<&str>,
    client_ids: &[String],
    issuer: Option<&str>,
    jwks_url: Option<&str>,
    infix: &str,
) -> Result<CognitoPool, String> {
    let pool = pool.ok_or(format!("PGE_COGNITO_{infix}USER_POOL_ID is missing"))?;
    let valid_pool = pool.split_once('_').is_some_and(|(r, id)| {
        r == region && !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric())
    });
    if !valid_pool {
        return Err(format!(
            "PGE_COGNITO_{infix}USER_POOL_ID must look like {region}_XXXXXXXXX"
        ));
    }
    let client_ids: Vec<String> = client_ids
        .iter()
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty())
        .collect();
    if client_ids.is_empty() {
        return Err(format!("PGE_COGNITO_{infix}CLIENT_IDS is missing"));
    }
    let issuer = issuer.map_or_else(
        || format!("https://cognito-idp.{region}.amazonaws.com/{pool}"),
        str::to_owned,
    );
    let jwks_url =
        jwks_url.map_or_else(|| format!("{issuer}/.well-known/jwks.json"), str::to_owned);
    Ok(CognitoPool {
        user_pool_id: pool.to_owned(),
        issuer,
        jwks_url,
        client_ids,
        domain: None,
    })
}

fn parse_ratio(value: &str) -> Result<f64, String> {
    match value.trim().parse::<f64>() {
        Ok(ratio) if (0.0..=1.0).contains(&ratio) => Ok(ratio),
        _ => Err(format!("expected a number from 0 to 1, got {value:?}")),
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::{Environment, ServeSettings};

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        serve: ServeSettings,
    }

    fn serve(args: &[&str]) -> ServeSettings {
        let mut argv = vec!["pge"];
        argv.extend_from_slice(args);
        Cli::try_parse_from(argv).expect("flags").serve
    }

    #[test]
    fn cognito_issuer_and_jwks_url_come_from_region_and_pool() {
        let settings = serve(&[
            "--cognito-region",
            "eu-west-3",
            "--cognito-user-pool-id",
            "eu-west-3_AbC123",
            "--cognito-client-ids",
            "spa, back-office",
        ])
        .cognito(Environment::Production)
        .expect("valid")
        .expect("cognito");
        assert_eq!(
            settings.issuer,
            "https://cognito-idp.eu-west-3.amazonaws.com/eu-west-3_AbC123"
        );
        assert_eq!(
            settings.jwks_url,
            "https://cognito-idp.eu-west-3.amazonaws.com/eu-west-3_AbC123/.well-known/jwks.json"
        );
        assert_eq!(settings.client_ids, ["spa", "back-office"]);
    }

    #[test]
    fn the_jwks_url_can_point_at_an_emulator() {
        let settings = serve(&[
            "--cognito-region",
            "eu-west-3",
            "--cognito-user-pool-id",
            "eu-west-3_AbC123",
            "--cognito-client-ids",
            "spa",
            "--cognito-jwks-url",
            "http://127.0.0.1:5000/eu-west-3_AbC123/.well-known/jwks.json",
        ])
        .cognito(Environment::Production)
        .expect("valid")
        .expect("cognito");
        assert_eq!(
            settings.issuer,
            "https://cognito-idp.eu-west-3.amazonaws.com/eu-west-3_AbC123"
        );
        assert!(settings.jwks_url.starts_with("http://127.0.0.1:5000/"));
    }

    #[test]
    fn development_without_cognito_uses_the_dev_provider_and_production_refuses_it() {
        assert!(
            serve(&[])
                .cognito(Environment::Development)
                .expect("valid")
                .is_none()
        );
        let refusal = serve(&[])
            .cognito(Environment::Production)
            .expect_err("refused");
        assert!(refusal.contains("dev identity provider"), "{refusal}");
    }
}
