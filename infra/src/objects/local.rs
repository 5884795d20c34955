//! Documents in a folder (`PGE_DATA_DIR/documents`) on the embedded default, reached
//! through the URLs the API signs ([`super::signed`]) and serves itself
//! (`api::routes::local_documents`). Uploads are write-once, as on S3.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use domain::document::{ContentType, ObjectInfo};
use domain::ports::{Clock, ObjectStore, ObjectStoreError, PresignedUrl};
use uuid::Uuid;

use super::key::parse_key;
use super::signed::SignedUrls;

/// Outcome of a local upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    Stored,
    /// An object is already stored under the key: uploads are write-once.
    AlreadyThere,
}

/// Documents in a folder (`PGE_DATA_DIR/documents`), reached through URLs the API signs
/// and serves itself.
pub struct LocalObjectStore {
    root: PathBuf,
    urls: SignedUrls,
}

impl LocalObjectStore {
    /// URLs signed under `secret`, expiring and checked by `clock`.
    ///
    /// # Errors
    /// When the folder cannot be created.
    pub fn new(
        root: PathBuf,
        public_base_url: &str,
        secret: Vec<u8>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, String> {
        std::fs::create_dir_all(&root)
            .map_err(|e| format!("cannot create the documents folder {}: {e}", root.display()))?;
        Ok(Self {
            root,
            urls: SignedUrls::new(public_base_url, secret, clock),
        })
    }

    /// The URLs this store hands out, to check those presented to the API.
    #[must_use]
    pub fn signed_urls(&self) -> &SignedUrls {
        &self.urls
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
        Ok(self.urls.put_url(key, content_type, size, valid_for))
    }

    async fn presign_get(
        &self,
        key: &str,
        filename: &str,
        valid_for: Duration,
    ) -> Result<PresignedUrl, ObjectStoreError> {
        Ok(self.urls.get_url(key, filename, valid_for))
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

#[cfg(test)]
mod tests {
    use app::fakes::FixedClock;
    use chrono::TimeDelta;

    use super::*;
    use crate::objects::{SignedUrlError, UploadGrant};

    /// A store whose URLs expire by `clock`, which the test moves.
    fn store() -> (LocalObjectStore, Arc<FixedClock>, PathBuf) {
        let dir = std::env::temp_dir().join(format!("pge-docs-{}", Uuid::new_v4()));
        let clock = Arc::new(FixedClock::new());
        let store = LocalObjectStore::new(
            dir.clone(),
            "http://127.0.0.1:1/",
            b"k".to_vec(),
            clock.clone(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        (store, clock, dir)
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

    #[tokio::test]
    async fn upload_urls_bind_key_type_size_and_expiry() {
        let (store, clock, dir) = store();
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
        assert!(
            store
                .signed_urls()
                .verify_put(&key, "application/pdf", 1234, expires, &sig)
                .is_ok()
        );
        let other = format!("loan-requests/{}/{}", Uuid::new_v4(), Uuid::new_v4());
        let refused = |r: Result<UploadGrant, SignedUrlError>| r.err();
        assert_eq!(
            refused(
                store
                    .signed_urls()
                    .verify_put(&other, "application/pdf", 1234, expires, &sig)
            ),
            Some(SignedUrlError::Invalid)
        );
        assert_eq!(
            refused(
                store
                    .signed_urls()
                    .verify_put(&key, "image/png", 1234, expires, &sig)
            ),
            Some(SignedUrlError::Invalid)
        );
        assert_eq!(
            refused(
                store
                    .signed_urls()
                    .verify_put(&key, "application/pdf", 1235, expires, &sig)
            ),
            Some(SignedUrlError::Invalid)
        );
        assert_eq!(
            refused(store.signed_urls().verify_put(
                &key,
                "application/pdf",
                1234,
                expires + 1,
                &sig
            )),
            Some(SignedUrlError::Invalid)
        );
        // Valid for its 900 seconds, to the second; refused after them.
        clock.advance(TimeDelta::seconds(900));
        assert!(
            store
                .signed_urls()
                .verify_put(&key, "application/pdf", 1234, expires, &sig)
                .is_ok()
        );
        clock.advance(TimeDelta::seconds(1));
        assert_eq!(
            refused(
                store
                    .signed_urls()
                    .verify_put(&key, "application/pdf", 1234, expires, &sig)
            ),
            Some(SignedUrlError::Expired)
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn store_head_read_delete() {
        let (store, clock, dir) = store();
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
                .signed_urls()
                .verify_get(&key, "scan été.png", expires, &sig)
                .is_ok()
        );
        assert!(
            store
                .signed_urls()
                .verify_get(&key, "other.png", expires, &sig)
                .is_err()
        );
        let other_key = format!("loan-requests/{}/{}", Uuid::new_v4(), Uuid::new_v4());
        assert_eq!(
            store
                .signed_urls()
                .verify_get(&other_key, "scan été.png", expires, &sig)
                .err(),
            Some(SignedUrlError::Invalid),
            "a download link opens its own object only"
        );
        clock.advance(TimeDelta::seconds(301));
        assert_eq!(
            store
                .signed_urls()
                .verify_get(&key, "scan été.png", expires, &sig)
                .err(),
            Some(SignedUrlError::Expired),
            "a download link lapses after its five minutes"
        );
        store.delete(&key).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(store.head(&key).await.ok().flatten(), None);
        assert!(store.delete(&key).await.is_ok(), "deleting twice is fine");
        let _ = std::fs::remove_dir_all(dir);
    }
}
