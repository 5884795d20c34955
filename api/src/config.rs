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

    /// Largest number of pooled database connections (PostgreSQL).
    #[arg(long, env = "PGE_DATABASE_MAX_CONNECTIONS", default_value_t = 16,
        value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub database_max_connections: u32,

    /// Log format: `json`, `pretty`, or `auto` (pretty on a terminal).
    #[arg(long, env = "PGE_LOG_FORMAT", default_value = "auto",
        value_parser = ["json", "pretty", "auto"])]
    pub log_format: String,
}

impl Settings {
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

    /// Accepted app client ids (token `aud`), comma-separated.
    #[arg(long, env = "PGE_COGNITO_CLIENT_IDS", value_delimiter = ',')]
    pub cognito_client_ids: Vec<String>,

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

    /// Secret keying the HMAC of pagination cursors; every replica needs the same one.
    /// Default: a random key per process (fine for a single process).
    #[arg(long, env = "PGE_CURSOR_SECRET", hide_env_values = true)]
    pub cursor_secret: Option<Secret>,
}

/// Cognito settings, when configured.
#[derive(Debug, Clone)]
pub struct CognitoSettings {
    pub issuer: String,
    pub jwks_url: String,
    pub client_ids: Vec<String>,
}

impl ServeSettings {
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
        if region.is_empty()
            || !region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err("PGE_COGNITO_REGION is not an AWS region name".to_owned());
        }
        let pool = self
            .cognito_user_pool_id
            .clone()
            .ok_or("PGE_COGNITO_USER_POOL_ID is missing")?;
        let valid_pool = pool.split_once('_').is_some_and(|(r, id)| {
            r == region && !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric())
        });
        if !valid_pool {
            return Err(format!(
                "PGE_COGNITO_USER_POOL_ID must look like {region}_XXXXXXXXX"
            ));
        }
        let client_ids: Vec<String> = self
            .cognito_client_ids
            .iter()
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty())
            .collect();
        if client_ids.is_empty() {
            return Err("PGE_COGNITO_CLIENT_IDS is missing".to_owned());
        }
        let issuer = self
            .cognito_issuer
            .clone()
            .unwrap_or_else(|| format!("https://cognito-idp.{region}.amazonaws.com/{pool}"));
        let jwks_url = self
            .cognito_jwks_url
            .clone()
            .unwrap_or_else(|| format!("{issuer}/.well-known/jwks.json"));
        Ok(Some(CognitoSettings {
            issuer,
            jwks_url,
            client_ids,
        }))
    }
}
