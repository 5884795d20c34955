//! Supporting documents (docs/RULES.md §15): the applicant announces a document and
//! gets a presigned upload URL, uploads straight to object storage, then confirms it,
//! which checks the stored object against the declaration. The owner and the reviewers
//! of the request's bank list the confirmed documents with short-lived download URLs.

use std::sync::Arc;
use std::time::Duration;

use domain::document::{
    ABANDONED_AFTER, ContentType, Declaration, Document, DocumentId, DocumentStatus,
    MAX_DOCUMENTS_PER_REQUEST, object_key,
};
use domain::loan_request::LoanRequestId;
use domain::ports::{
    AnnounceDocumentError, Clock, DocumentRepository, IdGenerator, LoanRequestRepository,
    ObjectStore, PresignedUrl,
};

use crate::{Applicant, Caller, Error, Platform, Ports};

/// How long an upload URL stays valid.
pub const UPLOAD_URL_VALIDITY: Duration = Duration::from_secs(15 * 60);
/// How long a download URL stays valid.
pub const DOWNLOAD_URL_VALIDITY: Duration = Duration::from_secs(5 * 60);

/// A document the applicant is about to upload, as sent.
#[derive(Debug, Clone)]
pub struct RawDeclaration<'a> {
    pub filename: &'a str,
    pub content_type: &'a str,
    pub size: i64,
}

/// Documents' use cases.
pub struct Documents {
    requests: Arc<dyn LoanRequestRepository>,
    store: Arc<dyn DocumentRepository>,
    objects: Arc<dyn ObjectStore>,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdGenerator>,
    platform: Arc<Platform>,
}

impl Documents {
    #[must_use]
    pub fn new(ports: &Ports, platform: Arc<Platform>) -> Self {
        Self {
            requests: ports.loan_requests.clone(),
            store: ports.documents.clone(),
            objects: ports.objects.clone(),
            clock: ports.clock.clone(),
            ids: ports.ids.clone(),
            platform,
        }
    }

    async fn owned(&self, applicant: &Applicant, id: LoanRequestId) -> Result<(), Error> {
        self.requests
            .get(id, &applicant.scope())
            .await?
            .map(|_| ())
            .ok_or(Error::NotFound)
    }

    async fn owned_document(
        &self,
        applicant: &Applicant,
        id: LoanRequestId,
        document_id: DocumentId,
    ) -> Result<Document, Error> {
        self.owned(applicant, id).await?;
        self.store
            .document(id, document_id)
            .await?
            .ok_or(Error::NotFound)
    }

    /// Records a pending document of the applicant's request and signs its upload URL.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Invalid`] (name, type, size),
    /// [`Error::DocumentsClosed`], [`Error::TooManyDocuments`], object storage.
    pub async fn announce(
        &self,
        applicant: &Applicant,
        id: LoanRequestId,
        raw: RawDeclaration<'_>,
    ) -> Result<(Document, PresignedUrl), Error> {
        self.owned(applicant, id).await?;
        let declaration =
            Declaration::parse(raw.filename, raw.content_type, raw.size).map_err(Error::Invalid)?;
        let document = Document {
            id: self.ids.document_id(),
            loan_request_id: id,
            declaration,
            status: DocumentStatus::Pending,
            created_at: self.clock.now(),
            completed_at: None,
        };
        // Signing is local computation: done first, so that a refusal leaves no record.
        let upload = self
            .objects
            .presign_put(
                &object_key(id, document.id),
                document.declaration.content_type,
                document.declaration.size,
                UPLOAD_URL_VALIDITY,
            )
            .await?;
        self.store
            .announce(&document, MAX_DOCUMENTS_PER_REQUEST)
            .await
            .map_err(|e| match e {
                AnnounceDocumentError::NotFound => Error::NotFound,
                AnnounceDocumentError::Closed(status) => Error::DocumentsClosed(status),
                AnnounceDocumentError::TooMany(count) => Error::TooManyDocuments(count),
                AnnounceDocumentError::Storage(s) => s.into(),
            })?;
        Ok((document, upload))
    }

    /// Confirms an uploaded document: the stored object's size, type and first bytes
    /// must be the declared ones; otherwise the object and the announcement are
    /// deleted. Confirming twice answers the confirmed document.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::DocumentNotUploaded`],
    /// [`Error::DocumentMismatch`], [`Error::DocumentContentMismatch`], storage.
    pub async fn complete(
        &self,
        applicant: &Applicant,
        id: LoanRequestId,
        document_id: DocumentId,
    ) -> Result<Document, Error> {
        let document = self.owned_document(applicant, id, document_id).await?;
        if document.status == DocumentStatus::Available {
            return Ok(document);
        }
        let key = document.key();
        let Some(stored) = self.objects.head(&key).await? else {
            return Err(Error::DocumentNotUploaded);
        };
        let checked = match document.declaration.check(&stored) {
            Ok(()) => {
                let leading = self
                    .objects
                    .read_head(&key, ContentType::SIGNATURE_BYTES)
                    .await?
                    .unwrap_or_default();
                document
                    .declaration
                    .check_content(&leading)
                    .map_err(Error::DocumentContentMismatch)
            }
            Err(mismatch) => Err(Error::DocumentMismatch(mismatch)),
        };
        if let Err(refused) = checked {
            self.objects.delete(&key).await?;
            self.store.forget(id, document_id).await?;
            return Err(refused);
        }
        Ok(self
            .store
            .mark_available(&document, &applicant.actor(), self.clock.now())
            .await?)
    }

    /// Removes a document of the applicant's request that is not confirmed yet (an
    /// upload cancelled or given up): its record, then its object if any was uploaded.
    /// A confirmed document stays.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::DocumentConfirmed`], storage.
    pub async fn remove(
        &self,
        applicant: &Applicant,
        id: LoanRequestId,
        document_id: DocumentId,
    ) -> Result<(), Error> {
        let document = self.owned_document(applicant, id, document_id).await?;
        if document.status == DocumentStatus::Available {
            return Err(Error::DocumentConfirmed);
        }
        // The record first, and only while pending: a confirmation that got there first
        // keeps its document, object included.
        if !self.store.remove_pending(id, document_id).await? {
            return match self.store.document(id, document_id).await? {
                Some(_) => Err(Error::DocumentConfirmed),
                None => Err(Error::NotFound),
            };
        }
        self.objects.delete(&document.key()).await?;
        Ok(())
    }

    /// The documents of a request, oldest first: the confirmed ones, each with its
    /// download URL (the owner and the reviewers of the request's bank; paused in
    /// degraded mode), and for the owner also the pending ones not yet abandoned
    /// (without a URL), so that they can be removed.
    ///
    /// # Errors
    /// [`Error::Forbidden`] for an admin, [`Error::DegradedMode`], [`Error::NotFound`].
    pub async fn list(
        &self,
        caller: &Caller,
        id: LoanRequestId,
    ) -> Result<Vec<(Document, Option<PresignedUrl>)>, Error> {
        if matches!(caller, Caller::Admin(_)) {
            return Err(Error::Forbidden(
                "documents are for the applicant and the reviewers of the request's bank",
            ));
        }
        self.platform.refuse_when_degraded().await?;
        self.requests
            .get(id, &caller.scope())
            .await?
            .ok_or(Error::NotFound)?;
        let documents = self.store.available(id).await?;
        let mut listed = Vec::with_capacity(documents.len());
        for document in documents {
            let link = self
                .objects
                .presign_get(
                    &document.key(),
                    document.declaration.filename.as_str(),
                    DOWNLOAD_URL_VALIDITY,
                )
                .await?;
            listed.push((document, Some(link)));
        }
        if matches!(caller, Caller::Applicant(_)) {
            let since = self.clock.now() - ABANDONED_AFTER;
            for document in self.store.pending(id, since).await? {
                listed.push((document, None));
            }
            listed.sort_by_key(|(a, _)| (a.created_at, a.id.0));
        }
        Ok(listed)
    }
}
