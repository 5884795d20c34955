//! The local store's signed URLs: what S3's presigned URLs are to a bucket, for the
//! folder the API serves itself at [`LOCAL_DOCUMENTS_PATH`]. An upload URL binds the
//! key, the content type, the length and the expiry; a download URL the key, the name
//! it is saved under and the expiry. The signature is an HMAC-SHA256 under the
//! platform's key (`crate::signing`).

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use domain::document::ContentType;
use domain::ports::{Clock, PresignedUrl};
use hmac::Mac;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::key::parse_key;

/// Path of the local document routes.
pub const LOCAL_DOCUMENTS_PATH: &str = "/local-documents";

/// Characters escaped in a query-string value.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Why a signed local URL is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignedUrlError {
    #[error("the signed URL has expired")]
    Expired,
    #[error("the signature does not match this URL")]
    Invalid,
}

/// What a signed upload URL allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadGrant {
    pub key: String,
    pub content_type: ContentType,
    pub size: u64,
}

/// When a URL valid for `valid_for` from `now` expires.
pub(super) fn expiry(now: DateTime<Utc>, valid_for: Duration) -> DateTime<Utc> {
    now + chrono::Duration::from_std(valid_for).unwrap_or_default()
}

fn check_expiry(expires: i64, now: DateTime<Utc>) -> Result<(), SignedUrlError> {
    if now.timestamp() > expires {
        Err(SignedUrlError::Expired)
    } else {
        Ok(())
    }
}

/// Signs and checks the local store's URLs ([`super::LocalObjectStore::signed_urls`]).
/// URLs expire and are checked by the [`Clock`] the store was given.
pub struct SignedUrls {
    public_base_url: String,
    secret: Vec<u8>,
    clock: Arc<dyn Clock>,
}

impl SignedUrls {
    pub(super) fn new(public_base_url: &str, secret: Vec<u8>, clock: Arc<dyn Clock>) -> Self {
        Self {
            public_base_url: public_base_url.trim_end_matches('/').to_owned(),
            secret,
            clock,
        }
    }

    fn sign(&self, parts: &[&str]) -> String {
        let parts: Vec<&[u8]> = parts.iter().map(|p| p.as_bytes()).collect();
        URL_SAFE_NO_PAD.encode(
            crate::signing::mac(&self.secret, &parts, b"\n")
                .finalize()
                .into_bytes(),
        )
    }

    fn verify(&self, parts: &[&str], signature: &str) -> Result<(), SignedUrlError> {
        let given = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| SignedUrlError::Invalid)?;
        let parts: Vec<&[u8]> = parts.iter().map(|p| p.as_bytes()).collect();
        crate::signing::mac(&self.secret, &parts, b"\n")
            .verify_slice(&given)
            .map_err(|_| SignedUrlError::Invalid)
    }

    /// A URL that uploads `size` bytes of `content_type` under `key`, once.
    pub(super) fn put_url(
        &self,
        key: &str,
        content_type: ContentType,
        size: u64,
        valid_for: Duration,
    ) -> PresignedUrl {
        let expires_at = expiry(self.clock.now(), valid_for);
        let expires = expires_at.timestamp();
        let ct = content_type.as_str();
        let signature = self.sign(&["PUT", key, ct, &size.to_string(), &expires.to_string()]);
        PresignedUrl {
            url: format!(
                "{}{LOCAL_DOCUMENTS_PATH}/{key}?content_type={}&size={size}&expires={expires}&signature={signature}",
                self.public_base_url,
                utf8_percent_encode(ct, QUERY_VALUE),
            ),
            method: "PUT",
            headers: vec![
                ("content-type".to_owned(), ct.to_owned()),
                ("content-length".to_owned(), size.to_string()),
                ("if-none-match".to_owned(), "*".to_owned()),
            ],
            expires_at,
        }
    }

    /// A URL that downloads `key` saved as `filename`.
    pub(super) fn get_url(&self, key: &str, filename: &str, valid_for: Duration) -> PresignedUrl {
        let expires_at = expiry(self.clock.now(), valid_for);
        let expires = expires_at.timestamp();
        let signature = self.sign(&["GET", key, filename, &expires.to_string()]);
        PresignedUrl {
            url: format!(
                "{}{LOCAL_DOCUMENTS_PATH}/{key}?filename={}&expires={expires}&signature={signature}",
                self.public_base_url,
                utf8_percent_encode(filename, QUERY_VALUE),
            ),
            method: "GET",
            headers: Vec::new(),
            expires_at,
        }
    }

    /// Checks an upload URL's signature and expiry (against the clock's now).
    ///
    /// # Errors
    /// [`SignedUrlError`].
    pub fn verify_put(
        &self,
        key: &str,
        content_type: &str,
        size: u64,
        expires: i64,
        signature: &str,
    ) -> Result<UploadGrant, SignedUrlError> {
        self.verify(
            &[
                "PUT",
                key,
                content_type,
                &size.to_string(),
                &expires.to_string(),
            ],
            signature,
        )?;
        check_expiry(expires, self.clock.now())?;
        let content_type = ContentType::parse(content_type).ok_or(SignedUrlError::Invalid)?;
        parse_key(key).ok_or(SignedUrlError::Invalid)?;
        Ok(UploadGrant {
            key: key.to_owned(),
            content_type,
            size,
        })
    }

    /// Checks a download URL's signature and expiry (against the clock's now).
    ///
    /// # Errors
    /// [`SignedUrlError`].
    pub fn verify_get(
        &self,
        key: &str,
        filename: &str,
        expires: i64,
        signature: &str,
    ) -> Result<(), SignedUrlError> {
        self.verify(&["GET", key, filename, &expires.to_string()], signature)?;
        check_expiry(expires, self.clock.now())?;
        parse_key(key).ok_or(SignedUrlError::Invalid)?;
        Ok(())
    }
}
