//! Object storage for documents: Amazon S3 in production, a local folder behind
//! HMAC-signed, expiring URLs on the embedded default.

use std::path::PathBuf;
use std::time::Duration;

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use domain::document::{ContentType, ObjectInfo};
use domain::ports::{ObjectStore, ObjectStoreError, PresignedUrl};
use hmac::Mac;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use uuid::Uuid;

/// Characters kept as they are in an RFC 8187 `filename*` value (attr-char).
const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// Characters escaped in a query-string value.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `Content-Disposition` for a download named `filename`: an ASCII fallback and the
/// exact name in RFC 8187 form.
#[must_use]
pub fn content_disposition(filename: &str) -> String {
    let fallback: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "attachment; filename=\"{fallback}\"; filename*=UTF-8''{}",
        utf8_percent_encode(filename, ATTR_CHAR)
    )
}

/// Splits a document key `loan-requests/{uuid}/{uuid}` into its two ids; anything else
/// (traversal, other prefixes) is refused.
#[must_use]
pub fn parse_key(key: &str) -> Option<(Uuid, Uuid)> {
    let mut parts = key.split('/');
    let (Some("loan-requests"), Some(request), Some(document), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let request = Uuid::parse_str(request).ok()?;
    let document = Uuid::parse_str(document).ok()?;
    // Only the canonical hyphenated lowercase form maps to a file name.
    (key == domain::document::object_key(
        domain::loan_request::LoanRequestId(request),
        domain::document::DocumentId(document),
    ))
    .then_some((request, document))
}

/// Outcome of a local upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    Stored,
    /// An object is already stored under the key: uploads are write-once.
    AlreadyThere,
}

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

/// Documents in a folder (`PGE_DATA_DIR/documents`), reached through URLs the API signs
/// and serves itself.
pub struct LocalObjectStore {
    root: PathBuf,
    public_base_url: String,
    secret: Vec<u8>,
}

/// Path of the local document routes.
pub const LOCAL_DOCUMENTS_PATH: &str = "/local-documents";

impl LocalObjectStore {
    /// # Errors
    /// When the folder cannot be created.
    pub fn new(root: PathBuf, public_base_url: &str, secret: Vec<u8>) -> Result<Self, String> {
        std::fs::create_dir_all(&root)
            .map_err(|e| format!("cannot create the documents folder {}: {e}", root.display()))?;
        Ok(Self {
            root,
            public_base_url: public_base_url.trim_end_matches('/').to_owned(),
            secret,
        })
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

    fn check_expiry(expires: i64, now: DateTime<Utc>) -> Result<(), SignedUrlError> {
        if now.timestamp() > expires {
            Err(SignedUrlError::Expired)
        } else {
            Ok(())
        }
    }

    /// Checks an upload URL's signature and expiry.
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
        now: DateTime<Utc>,
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
        Self::check_expiry(expires, now)?;
        let content_type = ContentType::parse(content_type).ok_or(SignedUrlError::Invalid)?;
        parse_key(key).ok_or(SignedUrlError::Invalid)?;
        Ok(UploadGrant {
            key: key.to_owned(),
            content_type,
            size,
        })
    }

    /// Checks a download URL's signature and expiry.
    ///
    /// # Errors
    /// [`SignedUrlError`].
    pub fn verify_get(
        &self,
        key: &str,
        filename: &str,
        expires: i64,
        signature: &str,
        now: DateTime<Utc>,
    ) -> Result<(), SignedUrlError> {
        self.verify(&["GET", key, filename, &expires.to_string()], signature)?;
        Self::check_expiry(expires, now)?;
        parse_key(key).ok_or(SignedUrlError::Invalid)?;
        Ok(())
    }

    fn path(&self, key: &str) -> Option<PathBuf> {
        let (request, document) = parse_key(key)?;
        Some(
            self.root
                .join("loan-requests")
                .join(request.to_string())
                .join(document.to_string()),
        )
    }

    fn meta_path(path: &std::path::Path) -> PathBuf {
        path.with_extension("content-type")
    }

    /// Stores an uploaded object (write then rename, so a reader never sees half of it).
    ///
    /// # Errors
    /// When the key is not a document key or the disk fails.
    pub async fn store(
        &self,
        key: &str,
        content_type: &str,
        bytes: &[u8],
    ) -> Result<Stored, ObjectStoreError> {
        let path = self
            .path(key)
            .ok_or_else(|| ObjectStoreError("not a document key".to_owned()))?;
        let io = |e: std::io::Error| ObjectStoreError(e.to_string());
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir).await.map_err(io)?;
        }
        if tokio::fs::try_exists(&path).await.map_err(io)? {
            return Ok(Stored::AlreadyThere);
        }
        let tmp = path.with_extension(format!("upload-{}", Uuid::new_v4().simple()));
        tokio::fs::write(&tmp, bytes).await.map_err(io)?;
        // Write once, like S3 with `If-None-Match: *`: a link cannot replace a file, so
        // of two uploads racing for one key exactly one lands.
        let linked = tokio::fs::hard_link(&tmp, &path).await;
        let _ = tokio::fs::remove_file(&tmp).await;
        match linked {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Ok(Stored::AlreadyThere);
            }
            Err(e) => return Err(io(e)),
        }
        tokio::fs::write(Self::meta_path(&path), content_type)
            .await
            .map_err(io)?;
        Ok(Stored::Stored)
    }

    /// Reads a stored object and its content type.
    ///
    /// # Errors
    /// When the disk fails.
    pub async fn read(&self, key: &str) -> Result<Option<(Vec<u8>, String)>, ObjectStoreError> {
        let Some(path) = self.path(key) else {
            return Ok(None);
        };
        match tokio::fs::read(&path).await {
            Ok(bytes) => {
                let content_type = tokio::fs::read_to_string(Self::meta_path(&path))
                    .await
                    .unwrap_or_else(|_| "application/octet-stream".to_owned());
                Ok(Some((bytes, content_type)))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(ObjectStoreError(e.to_string())),
        }
    }

    fn expiry(valid_for: Duration) -> DateTime<Utc> {
        Utc::now() + chrono::Duration::from_std(valid_for).unwrap_or_default()
    }
}

#[async_trait]
impl ObjectStore for LocalObjectStore {
    async fn presign_put(
        &self,
        key: &str,
        content_type: ContentType,
        size: u64,
        valid_for: Duration,
    ) -> Result<PresignedUrl, ObjectStoreError> {
        let expires_at = Self::expiry(valid_for);
        let expires = expires_at.timestamp();
        let ct = content_type.as_str();
        let signature = self.sign(&["PUT", key, ct, &size.to_string(), &expires.to_string()]);
        Ok(PresignedUrl {
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
        })
    }

    async fn presign_get(
        &self,
        key: &str,
        filename: &str,
        valid_for: Duration,
    ) -> Result<PresignedUrl, ObjectStoreError> {
        let expires_at = Self::expiry(valid_for);
        let expires = expires_at.timestamp();
        let signature = self.sign(&["GET", key, filename, &expires.to_string()]);
        Ok(PresignedUrl {
            url: format!(
                "{}{LOCAL_DOCUMENTS_PATH}/{key}?filename={}&expires={expires}&signature={signature}",
                self.public_base_url,
                utf8_percent_encode(filename, QUERY_VALUE),
            ),
            method: "GET",
            headers: Vec::new(),
            expires_at,
        })
    }

    async fn head(&self, key: &str) -> Result<Option<ObjectInfo>, ObjectStoreError> {
        let Some(path) = self.path(key) else {
            return Ok(None);
        };
        match tokio::fs::metadata(&path).await {
            Ok(meta) => Ok(Some(ObjectInfo {
                size: meta.len(),
                content_type: tokio::fs::read_to_string(Self::meta_path(&path)).await.ok(),
            })),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(ObjectStoreError(e.to_string())),
        }
    }

    async fn read_head(&self, key: &str, len: usize) -> Result<Option<Vec<u8>>, ObjectStoreError> {
        use tokio::io::AsyncReadExt as _;
        let Some(path) = self.path(key) else {
            return Ok(None);
        };
        let file = match tokio::fs::File::open(&path).await {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(ObjectStoreError(e.to_string())),
        };
        let mut leading = Vec::with_capacity(len);
        file.take(len as u64)
            .read_to_end(&mut leading)
            .await
            .map_err(|e| ObjectStoreError(e.to_string()))?;
        Ok(Some(leading))
    }

    async fn delete(&self, key: &str) -> Result<(), ObjectStoreError> {
        let Some(path) = self.path(key) else {
            return Ok(());
        };
        for p in [Self::meta_path(&path), path] {
            match tokio::fs::remove_file(&p).await {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(ObjectStoreError(e.to_string())),
            }
        }
        Ok(())
    }
}

/// Documents in an S3 bucket, through presigned URLs.
pub struct S3ObjectStore {
    client: aws_sdk_s3::Client,
    bucket: String,
}

impl S3ObjectStore {
    /// `force_path_style` for S3-compatible endpoints (tests); real S3 takes
    /// virtual-hosted URLs.
    #[must_use]
    pub fn new(config: &aws_config::SdkConfig, bucket: String, force_path_style: bool) -> Self {
        let s3 = aws_sdk_s3::config::Builder::from(config)
            .force_path_style(force_path_style)
            .build();
        Self {
            client: aws_sdk_s3::Client::from_conf(s3),
            bucket,
        }
    }
}

fn presigned(
    request: &aws_sdk_s3::presigning::PresignedRequest,
    method: &'static str,
    expires_at: DateTime<Utc>,
) -> PresignedUrl {
    PresignedUrl {
        url: request.uri().to_owned(),
        method,
        headers: request
            .headers()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.to_owned()))
            .collect(),
        expires_at,
    }
}

#[async_trait]
impl ObjectStore for S3ObjectStore {
    async fn presign_put(
        &self,
        key: &str,
        content_type: ContentType,
        size: u64,
        valid_for: Duration,
    ) -> Result<PresignedUrl, ObjectStoreError> {
        let config = aws_sdk_s3::presigning::PresigningConfig::expires_in(valid_for)
            .map_err(|e| ObjectStoreError(e.to_string()))?;
        let expires_at = LocalObjectStore::expiry(valid_for);
        // Content type and length are signed: S3 refuses an upload that differs. So is
        // `If-None-Match: *`: the URL creates the object once and cannot replace a
        // document once uploaded (and confirmed), for the 15 minutes it lasts.
        let request = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type.as_str())
            .content_length(i64::try_from(size).unwrap_or(i64::MAX))
            .if_none_match("*")
            .presigned(config)
            .await
            .map_err(|e| ObjectStoreError(e.to_string()))?;
        Ok(presigned(&request, "PUT", expires_at))
    }

    async fn presign_get(
        &self,
        key: &str,
        filename: &str,
        valid_for: Duration,
    ) -> Result<PresignedUrl, ObjectStoreError> {
        let config = aws_sdk_s3::presigning::PresigningConfig::expires_in(valid_for)
            .map_err(|e| ObjectStoreError(e.to_string()))?;
        let expires_at = LocalObjectStore::expiry(valid_for);
        let request = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .response_content_disposition(content_disposition(filename))
            .presigned(config)
            .await
            .map_err(|e| ObjectStoreError(e.to_string()))?;
        Ok(presigned(&request, "GET", expires_at))
    }

    #[tracing::instrument(name = "S3.HeadObject", skip_all, fields(otel.kind = "client", rpc.system = "aws-api", rpc.service = "S3", rpc.method = "HeadObject"))]
    async fn head(&self, key: &str) -> Result<Option<ObjectInfo>, ObjectStoreError> {
        match self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(output) => Ok(Some(ObjectInfo {
                size: output
                    .content_length()
                    .and_then(|l| u64::try_from(l).ok())
                    .unwrap_or_default(),
                content_type: output.content_type().map(str::to_owned),
            })),
            Err(err) => {
                let not_found = err
                    .as_service_error()
                    .is_some_and(aws_sdk_s3::operation::head_object::HeadObjectError::is_not_found)
                    || err
                        .raw_response()
                        .is_some_and(|r| r.status().as_u16() == 404);
                if not_found {
                    Ok(None)
                } else {
                    Err(ObjectStoreError(err.to_string()))
                }
            }
        }
    }

    #[tracing::instrument(name = "S3.GetObject", skip_all, fields(otel.kind = "client", rpc.system = "aws-api", rpc.service = "S3", rpc.method = "GetObject"))]
    async fn read_head(&self, key: &str, len: usize) -> Result<Option<Vec<u8>>, ObjectStoreError> {
        if len == 0 {
            return Ok(Some(Vec::new()));
        }
        let output = match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .range(format!("bytes=0-{}", len - 1))
            .send()
            .await
        {
            Ok(output) => output,
            Err(err) => {
                let not_found = err
                    .as_service_error()
                    .is_some_and(aws_sdk_s3::operation::get_object::GetObjectError::is_no_such_key)
                    || err
                        .raw_response()
                        .is_some_and(|r| r.status().as_u16() == 404);
                return if not_found {
                    Ok(None)
                } else {
                    Err(ObjectStoreError(err.to_string()))
                };
            }
        };
        let bytes = output
            .body
            .collect()
            .await
            .map_err(|e| ObjectStoreError(e.to_string()))?
            .into_bytes();
        // A server that ignores the range sends the whole object: keep the head only.
        Ok(Some(bytes.slice(..bytes.len().min(len)).to_vec()))
    }

    #[tracing::instrument(name = "S3.DeleteObject", skip_all, fields(otel.kind = "client", rpc.system = "aws-api", rpc.service = "S3", rpc.method = "DeleteObject"))]
    async fn delete(&self, key: &str) -> Result<(), ObjectStoreError> {
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| ObjectStoreError(e.to_string()))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (LocalObjectStore, PathBuf) {
        let dir = std::env::temp_dir().join(format!("pge-docs-{}", Uuid::new_v4()));
        let store = LocalObjectStore::new(dir.clone(), "http://127.0.0.1:1/", b"k".to_vec())
            .unwrap_or_else(|e| panic!("{e}"));
        (store, dir)
    }

    fn query(url: &str, name: &str) -> String {
        url.split_once('?')
            .map(|(_, q)| q)
            .unwrap_or_default()
            .split('&')
            .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
            .unwrap_or_default()
            .to_owned()
    }

    #[test]
    fn keys_are_strict() {
        let (r, d) = (Uuid::new_v4(), Uuid::new_v4());
        assert_eq!(parse_key(&format!("loan-requests/{r}/{d}")), Some((r, d)));
        assert_eq!(parse_key(&format!("loan-requests/{r}/../{d}")), None);
        assert_eq!(parse_key(&format!("other/{r}/{d}")), None);
        assert_eq!(
            parse_key(&format!("loan-requests/{r}/{}", d.simple())),
            None
        );
        assert_eq!(parse_key(&format!("loan-requests/{r}/{d}/x")), None);
    }

    #[tokio::test]
    async fn upload_urls_bind_key_type_size_and_expiry() {
        let (store, dir) = store();
        let key = format!("loan-requests/{}/{}", Uuid::new_v4(), Uuid::new_v4());
        let url = store
            .presign_put(&key, ContentType::Pdf, 1234, Duration::from_secs(900))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            url.url
                .starts_with("http://127.0.0.1:1/local-documents/loan-requests/")
        );
        let expires: i64 = query(&url.url, "expires").parse().unwrap_or_default();
        let sig = query(&url.url, "signature");
        let now = Utc::now();
        assert!(
            store
                .verify_put(&key, "application/pdf", 1234, expires, &sig, now)
                .is_ok()
        );
        let other = format!("loan-requests/{}/{}", Uuid::new_v4(), Uuid::new_v4());
        let refused = |r: Result<UploadGrant, SignedUrlError>| r.err();
        assert_eq!(
            refused(store.verify_put(&other, "application/pdf", 1234, expires, &sig, now)),
            Some(SignedUrlError::Invalid)
        );
        assert_eq!(
            refused(store.verify_put(&key, "image/png", 1234, expires, &sig, now)),
            Some(SignedUrlError::Invalid)
        );
        assert_eq!(
            refused(store.verify_put(&key, "application/pdf", 1235, expires, &sig, now)),
            Some(SignedUrlError::Invalid)
        );
        assert_eq!(
            refused(store.verify_put(&key, "application/pdf", 1234, expires + 1, &sig, now)),
            Some(SignedUrlError::Invalid)
        );
        let later = now + chrono::Duration::seconds(901);
        assert_eq!(
            refused(store.verify_put(&key, "application/pdf", 1234, expires, &sig, later)),
            Some(SignedUrlError::Expired)
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn store_head_read_delete() {
        let (store, dir) = store();
        let key = format!("loan-requests/{}/{}", Uuid::new_v4(), Uuid::new_v4());
        assert_eq!(store.head(&key).await.ok().flatten(), None);
        assert_eq!(
            store
                .store(&key, "image/png", b"\x89PNG....")
                .await
                .unwrap_or_else(|e| panic!("{e}")),
            Stored::Stored
        );
        // Write-once: a second upload to the key changes nothing.
        assert_eq!(
            store
                .store(&key, "image/png", b"\x89PNG-other-bytes")
                .await
                .unwrap_or_else(|e| panic!("{e}")),
            Stored::AlreadyThere
        );
        let info = store.head(&key).await.ok().flatten();
        assert_eq!(
            info,
            Some(ObjectInfo {
                size: 8,
                content_type: Some("image/png".into())
            })
        );
        let download = store
            .presign_get(&key, "scan été.png", Duration::from_secs(300))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let expires: i64 = query(&download.url, "expires").parse().unwrap_or_default();
        let sig = query(&download.url, "signature");
        assert!(
            store
                .verify_get(&key, "scan été.png", expires, &sig, Utc::now())
                .is_ok()
        );
        assert!(
            store
                .verify_get(&key, "other.png", expires, &sig, Utc::now())
                .is_err()
        );
        let other_key = format!("loan-requests/{}/{}", Uuid::new_v4(), Uuid::new_v4());
        assert_eq!(
            store
                .verify_get(&other_key, "scan été.png", expires, &sig, Utc::now())
                .err(),
            Some(SignedUrlError::Invalid),
            "a download link opens its own object only"
        );
        let later = Utc::now() + chrono::Duration::seconds(301);
        assert_eq!(
            store
                .verify_get(&key, "scan été.png", expires, &sig, later)
                .err(),
            Some(SignedUrlError::Expired),
            "a download link lapses after its five minutes"
        );
        store.delete(&key).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(store.head(&key).await.ok().flatten(), None);
        assert!(store.delete(&key).await.is_ok(), "deleting twice is fine");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn dispositions_are_safe() {
        assert_eq!(
            content_disposition("a\"b\\c été.pdf"),
            "attachment; filename=\"a_b_c _t_.pdf\"; filename*=UTF-8''a%22b%5Cc%20%C3%A9t%C3%A9.pdf"
        );
    }
}
