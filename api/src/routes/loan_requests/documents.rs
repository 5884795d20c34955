//! Supporting documents (docs/RULES.md §15). The applicant announces a document and gets a
//! presigned upload URL (type and length bound, 15 minutes); uploads straight to object
//! storage; then asks the API to confirm it, which checks the stored object's size and
//! type. The owner and the reviewers of the request's bank list the confirmed
//! documents with 5-minute download URLs.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use domain::document::{
    ContentType, Declaration, Document, DocumentId, DocumentStatus, MAX_DOCUMENTS_PER_REQUEST,
    object_key,
};
use domain::loan_request::{LoanRequestId, Scope};
use domain::ports::AnnounceDocumentError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::parse_id;
use crate::auth::{Applicant, Caller};
use crate::extract::{ApiJson, ApiPath};
use crate::problem::{Problem, ProblemDetails, ProblemType};
use crate::state::AppState;

/// How long an upload URL stays valid.
pub const UPLOAD_URL_VALIDITY: Duration = Duration::from_secs(15 * 60);
/// How long a download URL stays valid.
pub const DOWNLOAD_URL_VALIDITY: Duration = Duration::from_secs(5 * 60);

/// A document the applicant is about to upload.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDocumentInput {
    /// File name shown to reviewers (1–255 characters, no path separators, no control or
    /// invisible formatting characters), with the extension of its type: `.pdf`, `.png`,
    /// `.jpg` or `.jpeg`.
    #[schema(example = "kbis-2020.pdf")]
    pub filename: String,
    /// `application/pdf`, `image/png` or `image/jpeg`.
    #[schema(example = "application/pdf")]
    pub content_type: String,
    /// Exact size in bytes (at most 10 MiB).
    #[schema(example = 183_406)]
    pub size: i64,
}

/// Where and how to upload.
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadView {
    pub document_id: Uuid,
    /// Send the file's bytes there, with `upload_method` and `upload_headers`.
    pub upload_url: String,
    #[schema(example = "PUT")]
    pub upload_method: String,
    /// Headers the upload must carry exactly (content type and length are bound).
    pub upload_headers: BTreeMap<String, String>,
    pub expires_at: DateTime<Utc>,
}

/// A document.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentView {
    pub id: Uuid,
    pub filename: String,
    pub content_type: String,
    pub size: u64,
    /// `pending` (announced, not confirmed) or `available`.
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    /// Download link (in listings only), valid until `download_expires_at`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub download_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub download_expires_at: Option<DateTime<Utc>>,
}

impl From<&Document> for DocumentView {
    fn from(d: &Document) -> Self {
        Self {
            id: d.id.0,
            filename: d.declaration.filename.as_str().to_owned(),
            content_type: d.declaration.content_type.as_str().to_owned(),
            size: d.declaration.size,
            status: d.status.as_str().to_owned(),
            created_at: d.created_at,
            completed_at: d.completed_at,
            download_url: None,
            download_expires_at: None,
        }
    }
}

/// The documents of a request.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentList {
    pub items: Vec<DocumentView>,
}

async fn owned_request(
    state: &AppState,
    applicant: &Applicant,
    id: &str,
) -> Result<LoanRequestId, Problem> {
    let id = parse_id(id)?;
    state
        .loan_requests
        .get(id, &Scope::Applicant(applicant.0.clone()))
        .await?
        .ok_or_else(Problem::not_found)?;
    Ok(id)
}

/// Announce a document and get its upload URL.
#[utoipa::path(
    post,
    path = "/api/v1/loan-requests/{id}/documents",
    tag = "documents",
    params(("id" = Uuid, Path, description = "Loan request id")),
    request_body = NewDocumentInput,
    responses(
        (status = 201, description = "Upload URL, valid 15 minutes", body = UploadView),
        (status = 401, description = "Not authenticated", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not an applicant", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such request of the caller's", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "Request closed to documents, or 20 documents already", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Unsupported type, size over 10 MiB, bad file name", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn announce_document(
    State(state): State<AppState>,
    applicant: Applicant,
    ApiPath(id): ApiPath<String>,
    ApiJson { value, .. }: ApiJson<NewDocumentInput>,
) -> Result<(StatusCode, Json<UploadView>), Problem> {
    let request = owned_request(&state, &applicant, &id).await?;
    let declaration = Declaration::parse(&value.filename, &value.content_type, value.size)
        .map_err(Problem::validation)?;
    let document = Document {
        id: state.ids.document_id(),
        loan_request_id: request,
        declaration,
        status: DocumentStatus::Pending,
        created_at: state.clock.now(),
        completed_at: None,
    };
    // Signing is local computation: do it first so a refusal leaves no record.
    let upload = state
        .objects
        .presign_put(
            &object_key(request, document.id),
            document.declaration.content_type,
            document.declaration.size,
            UPLOAD_URL_VALIDITY,
        )
        .await?;
    state
        .documents
        .announce(&document, MAX_DOCUMENTS_PER_REQUEST)
        .await
        .map_err(|e| match e {
            AnnounceDocumentError::NotFound => Problem::not_found(),
            AnnounceDocumentError::Closed(status) => Problem::new(ProblemType::DocumentsClosed, format!(
                    "the request is {}: documents can be attached only while it is submitted or in review",
                    status.as_str()
                ),
            ),
            AnnounceDocumentError::TooMany(count) => Problem::new(ProblemType::TooManyDocuments, format!(
                    "the request already holds {count} documents, the most allowed is {MAX_DOCUMENTS_PER_REQUEST}"
                ),
            ),
            AnnounceDocumentError::Storage(s) => s.into(),
        })?;
    Ok((
        StatusCode::CREATED,
        Json(UploadView {
            document_id: document.id.0,
            upload_url: upload.url,
            upload_method: upload.method.to_owned(),
            upload_headers: upload.headers.into_iter().collect(),
            expires_at: upload.expires_at,
        }),
    ))
}

/// Confirm an uploaded document: the stored object must match the declaration.
#[utoipa::path(
    post,
    path = "/api/v1/loan-requests/{id}/documents/{document_id}/complete",
    tag = "documents",
    params(
        ("id" = Uuid, Path, description = "Loan request id"),
        ("document_id" = Uuid, Path, description = "Document id"),
    ),
    responses(
        (status = 200, description = "Confirmed (also when it already was)", body = DocumentView),
        (status = 401, description = "Not authenticated", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not an applicant", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such request or document of the caller's", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Nothing uploaded yet (`document-not-uploaded`), the object's size or type does not match the declaration (`document-mismatch`), or its first bytes are not its type's signature — `%PDF-`, the PNG signature, a JPEG's FF D8 FF — (`document-content-mismatch`); on a mismatch the object and the announcement are deleted", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn complete_document(
    State(state): State<AppState>,
    applicant: Applicant,
    ApiPath((id, document_id)): ApiPath<(String, String)>,
) -> Result<Json<DocumentView>, Problem> {
    let request = owned_request(&state, &applicant, &id).await?;
    let document_id = Uuid::parse_str(&document_id)
        .map(DocumentId)
        .map_err(|_| Problem::not_found())?;
    let document = state
        .documents
        .document(request, document_id)
        .await?
        .ok_or_else(Problem::not_found)?;
    if document.status == DocumentStatus::Available {
        return Ok(Json(DocumentView::from(&document)));
    }
    let key = document.key();
    let Some(stored) = state.objects.head(&key).await? else {
        return Err(Problem::new(
            ProblemType::DocumentNotUploaded,
            "no file was uploaded for this document: upload it to its upload URL first",
        ));
    };
    let checked = match document.declaration.check(&stored) {
        Ok(()) => {
            let leading = state
                .objects
                .read_head(&key, ContentType::SIGNATURE_BYTES)
                .await?
                .unwrap_or_default();
            document
                .declaration
                .check_content(&leading)
                .map_err(|m| (m, ProblemType::DocumentContentMismatch))
        }
        Err(mismatch) => Err((mismatch, ProblemType::DocumentMismatch)),
    };
    if let Err((mismatch, problem_type)) = checked {
        state.objects.delete(&key).await?;
        state.documents.forget(request, document_id).await?;
        return Err(Problem::new(
            problem_type,
            format!("{mismatch}; the upload was deleted, announce the document again"),
        ));
    }
    let actor = domain::loan_request::Actor {
        role: domain::workflow::Role::Applicant,
        subject: applicant.0,
    };
    let document = state
        .documents
        .mark_available(&document, &actor, state.clock.now())
        .await?;
    Ok(Json(DocumentView::from(&document)))
}

/// List a request's confirmed documents with download URLs (owner and reviewers of the
/// request's bank). Refused in degraded mode.
#[utoipa::path(
    get,
    path = "/api/v1/loan-requests/{id}/documents",
    tag = "documents",
    params(("id" = Uuid, Path, description = "Loan request id")),
    responses(
        (status = 200, description = "Documents, oldest first, with 5-minute download URLs", body = DocumentList),
        (status = 401, description = "Not authenticated", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Neither an applicant nor a reviewer", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such request visible to the caller", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, description = "Degraded mode", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list_documents(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<DocumentList>, Problem> {
    if matches!(caller, Caller::Admin(_)) {
        return Err(Problem::forbidden(
            "documents are for the applicant and the reviewers of the request's bank",
        ));
    }
    state.refuse_when_degraded().await?;
    let id = parse_id(&id)?;
    state
        .loan_requests
        .get(id, &caller.scope())
        .await?
        .ok_or_else(Problem::not_found)?;
    let documents = state.documents.available(id).await?;
    let mut items = Vec::with_capacity(documents.len());
    for document in &documents {
        let link = state
            .objects
            .presign_get(
                &document.key(),
                document.declaration.filename.as_str(),
                DOWNLOAD_URL_VALIDITY,
            )
            .await?;
        let mut view = DocumentView::from(document);
        view.download_url = Some(link.url);
        view.download_expires_at = Some(link.expires_at);
        items.push(view);
    }
    Ok(Json(DocumentList { items }))
}
