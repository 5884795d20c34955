//! The HTTP client of the AWS SDK clients (Cognito, SES v2, S3): hyper with rustls on
//! `ring`, the crypto library the rest of the binary already uses (sqlx, reqwest,
//! jsonwebtoken), trusting the system's root certificates. The SDK's own default client
//! would bring `aws-lc` as a second one: a larger image and a slower build.

use aws_sdk_s3::config::SharedHttpClient;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};

/// A new HTTP client for an `SdkConfig` (`ConfigLoader::http_client`,
/// `SdkConfig::builder().http_client`); it keeps a connection pool, so build one per
/// configuration, not one per call.
#[must_use]
pub fn http_client() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .build_https()
}
