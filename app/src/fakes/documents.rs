//! Documents: the store's `DocumentRepository` and the object storage fake.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use domain::document::{
    ABANDONED_AFTER, ContentType, Document, DocumentId, DocumentStatus, ObjectInfo,
    accepts_documents,
};
use domain::loan_request::{Actor, LoanRequestId};
use domain::ports::{
    AnnounceDocumentError, Clock, DocumentRepository, ObjectStore, ObjectStoreError, PresignedUrl,
    StorageError,
};

use super::*;

#[async_trait]
impl DocumentRepository for InMemoryStore {
    async fn announce(&self, document: &Document, limit: u64) -> Result<(), AnnounceDocumentError> {
        let mut data = self.data()?;
        let status = data
            .requests
            .iter()
            .find(|r| r.id == document.loan_request_id)
            .ok_or(AnnounceDocumentError::NotFound)?
            .status;
        if !accepts_documents(status) {
            return Err(AnnounceDocumentError::Closed(status));
        }
        let abandoned_before = document.created_at - ABANDONED_AFTER;
        data.documents
            .retain(|d| d.status == DocumentStatus::Available || d.created_at >= abandoned_before);
        let count = data
            .documents
            .iter()
            .filter(|d| d.loan_request_id == document.loan_request_id)
            .count() as u64;
        if count >= limit {
            return Err(AnnounceDocumentError::TooMany(count));
        }
        data.documents.push(document.clone());
        Ok(())
    }

    async fn document(
        &self,
        request: LoanRequestId,
        document: DocumentId,
    ) -> Result<Option<Document>, StorageError> {
        Ok(self
            .data()?
            .documents
            .iter()
            .find(|d| d.loan_request_id == request && d.id == document)
            .cloned())
    }

    async fn mark_available(
        &self,
        document: &Document,
        _actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Document, StorageError> {
        let mut data = self.data()?;
        let stored = data
            .documents
            .iter_mut()
            .find(|d| d.id == document.id)
            .ok_or_else(|| StorageError::other("no such document"))?;
        if stored.status == DocumentStatus::Pending {
            stored.status = DocumentStatus::Available;
            stored.completed_at = Some(now);
        }
        Ok(stored.clone())
    }

    async fn forget(
        &self,
        request: LoanRequestId,
        document: DocumentId,
    ) -> Result<(), StorageError> {
        self.data()?
            .documents
            .retain(|d| !(d.loan_request_id == request && d.id == document));
        Ok(())
    }

    async fn pending(
        &self,
        request: LoanRequestId,
        since: DateTime<Utc>,
    ) -> Result<Vec<Document>, StorageError> {
        let mut found: Vec<Document> = self
            .data()?
            .documents
            .iter()
            .filter(|d| {
                d.loan_request_id == request
                    && d.status == DocumentStatus::Pending
                    && d.created_at >= since
            })
            .cloned()
            .collect();
        found.sort_by_key(|d| d.created_at);
        Ok(found)
    }

    async fn remove_pending(
        &self,
        request: LoanRequestId,
        document: DocumentId,
    ) -> Result<bool, StorageError> {
        let mut data = self.data()?;
        let before = data.documents.len();
        data.documents.retain(|d| {
            !(d.loan_request_id == request
                && d.id == document
                && d.status == DocumentStatus::Pending)
        });
        Ok(data.documents.len() < before)
    }

    async fn available(&self, request: LoanRequestId) -> Result<Vec<Document>, StorageError> {
        let mut found: Vec<Document> = self
            .data()?
            .documents
            .iter()
            .filter(|d| d.loan_request_id == request && d.status == DocumentStatus::Available)
            .cloned()
            .collect();
        found.sort_by_key(|d| d.created_at);
        Ok(found)
    }
}

/// A stored object: its content type, as uploaded, and its bytes.
type StoredObject = (Option<String>, Vec<u8>);

/// Object storage: the objects a test "uploads" with [`Self::put`].
#[derive(Default)]
pub struct InMemoryObjects {
    objects: Mutex<HashMap<String, StoredObject>>,
    /// Keys deleted so far.
    pub deleted: Mutex<Vec<String>>,
}

impl InMemoryObjects {
    /// What a browser's upload to a presigned URL does.
    pub fn put(&self, key: &str, content_type: Option<&str>, bytes: &[u8]) {
        lock(&self.objects).insert(
            key.to_owned(),
            (content_type.map(str::to_owned), bytes.to_vec()),
        );
    }

    #[must_use]
    pub fn contains(&self, key: &str) -> bool {
        lock(&self.objects).contains_key(key)
    }
}

fn expiry(valid_for: Duration) -> DateTime<Utc> {
    FixedClock::new().now() + TimeDelta::from_std(valid_for).unwrap_or_default()
}

#[async_trait]
impl ObjectStore for InMemoryObjects {
    async fn presign_put(
        &self,
        key: &str,
        content_type: ContentType,
        size: u64,
        valid_for: Duration,
    ) -> Result<PresignedUrl, ObjectStoreError> {
        Ok(PresignedUrl {
            url: format!("memory://put/{key}"),
            method: "PUT",
            headers: vec![
                ("content-type".to_owned(), content_type.as_str().to_owned()),
                ("content-length".to_owned(), size.to_string()),
            ],
            expires_at: expiry(valid_for),
        })
    }

    async fn presign_get(
        &self,
        key: &str,
        _filename: &str,
        valid_for: Duration,
    ) -> Result<PresignedUrl, ObjectStoreError> {
        Ok(PresignedUrl {
            url: format!("memory://get/{key}"),
            method: "GET",
            headers: Vec::new(),
            expires_at: expiry(valid_for),
        })
    }

    async fn head(&self, key: &str) -> Result<Option<ObjectInfo>, ObjectStoreError> {
        Ok(lock(&self.objects)
            .get(key)
            .map(|(content_type, bytes)| ObjectInfo {
                size: bytes.len() as u64,
                content_type: content_type.clone(),
            }))
    }

    async fn read_head(&self, key: &str, len: usize) -> Result<Option<Vec<u8>>, ObjectStoreError> {
        Ok(lock(&self.objects)
            .get(key)
            .map(|(_, bytes)| bytes.iter().copied().take(len).collect()))
    }

    async fn delete(&self, key: &str) -> Result<(), ObjectStoreError> {
        lock(&self.objects).remove(key);
        lock(&self.deleted).push(key.to_owned());
        Ok(())
    }
}
