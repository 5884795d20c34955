//! Supporting documents (docs/RULES.md §15). The applicant announces a document and gets a
//! presigned upload URL (type and length bound, 15 minutes); uploads straight to object
//! storage; then asks the API to confirm it, which checks the stored object's size and
//! type. The owner and the reviewers of the request's bank list the confirmed
//! documents with 5-minute download URLs.

use std::collections::BTreeMap;

use app::documents::RawDeclaration;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use domain::document::{Document, DocumentId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::parse_id;
use crate::auth::{Applicant, Caller};
use crate::extract::{ApiJson, ApiPath};
use crate::problem::Problem;
use crate::problem::openapi::{ApplicantOnly, NotVisible, Pausable, problem_answers};
use crate::state::AppState;

pub use app::documents::{DOWNLOAD_URL_VALIDITY, UPLOAD_URL_VALIDITY};

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

/// A document id from the path: one that cannot be read names no document (404).
fn parse_document_id(raw: &str) -> Result<DocumentId, Problem> {
    Uuid::parse_str(raw)
        .map(DocumentId)
        .map_err(|_| Problem::not_found())
}

problem_answers! {
    /// `announce_document`'s own problem answers (the shared sets are named in its `responses`).
    AnnounceDocumentProblems {
        NotFound => "No such request of the caller's",
        DocumentsClosed | TooManyDocuments => "Request closed to documents, or 20 documents already",
        ValidationFailed => "Unsupported type, size over 10 MiB, bad file name",
    }
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
        ApplicantOnly,
        AnnounceDocumentProblems,
    ),
    security(("bearer" = []))
)]
pub async fn announce_document(
    State(state): State<AppState>,
    applicant: Applicant,
    ApiPath(id): ApiPath<String>,
    ApiJson { value, .. }: ApiJson<NewDocumentInput>,
) -> Result<(StatusCode, Json<UploadView>), Problem> {
    let id = parse_id(&id)?;
    let (document, upload) = state
        .services
        .documents
        .announce(
            &applicant,
            id,
            RawDeclaration {
                filename: &value.filename,
                content_type: &value.content_type,
                size: value.size,
            },
        )
        .await?;
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

problem_answers! {
    /// `complete_document`'s own problem answers (the shared sets are named in its `responses`).
    CompleteDocumentProblems {
        NotFound => "No such request or document of the caller's",
        DocumentNotUploaded | DocumentMismatch | DocumentContentMismatch => "Nothing uploaded yet (`document-not-uploaded`), the object's size or type does not match the declaration (`document-mismatch`), or its first bytes are not its type's signature — `%PDF-`, the PNG signature, a JPEG's FF D8 FF — (`document-content-mismatch`); on a mismatch the object and the announcement are deleted",
    }
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
        ApplicantOnly,
        CompleteDocumentProblems,
    ),
    security(("bearer" = []))
)]
pub async fn complete_document(
    State(state): State<AppState>,
    applicant: Applicant,
    ApiPath((id, document_id)): ApiPath<(String, String)>,
) -> Result<Json<DocumentView>, Problem> {
    let id = parse_id(&id)?;
    let document_id = parse_document_id(&document_id)?;
    let document = state
        .services
        .documents
        .complete(&applicant, id, document_id)
        .await?;
    Ok(Json(DocumentView::from(&document)))
}

problem_answers! {
    /// `remove_document`'s own problem answers (the shared sets are named in its `responses`).
    RemoveDocumentProblems {
        NotFound => "No such request or document of the caller's",
        DocumentConfirmed => "The document is confirmed (`document-confirmed`): it stays",
    }
}

/// Remove a document not confirmed yet (an upload cancelled or given up): its record and
/// its object, if anything was uploaded. A confirmed document cannot be removed.
#[utoipa::path(
    delete,
    path = "/api/v1/loan-requests/{id}/documents/{document_id}",
    tag = "documents",
    params(
        ("id" = Uuid, Path, description = "Loan request id"),
        ("document_id" = Uuid, Path, description = "Document id"),
    ),
    responses(
        (status = 204, description = "Removed"),
        ApplicantOnly,
        RemoveDocumentProblems,
    ),
    security(("bearer" = []))
)]
pub async fn remove_document(
    State(state): State<AppState>,
    applicant: Applicant,
    ApiPath((id, document_id)): ApiPath<(String, String)>,
) -> Result<StatusCode, Problem> {
    let id = parse_id(&id)?;
    let document_id = parse_document_id(&document_id)?;
    state
        .services
        .documents
        .remove(&applicant, id, document_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

problem_answers! {
    /// `list_documents`'s own problem answers (the shared sets are named in its `responses`).
    ListDocumentsProblems {
        Unauthorized => "Not authenticated",
        Forbidden => "Neither an applicant nor a reviewer",
    }
}

/// List a request's documents (owner and reviewers of the request's bank): the confirmed
/// ones with download URLs, and for the owner also the pending ones of the last hour
/// (`status` `pending`, no URL), which the owner may remove. Refused in degraded mode.
#[utoipa::path(
    get,
    path = "/api/v1/loan-requests/{id}/documents",
    tag = "documents",
    params(("id" = Uuid, Path, description = "Loan request id")),
    responses(
        (status = 200, description = "Documents, oldest first, confirmed ones with 5-minute download URLs; for the owner, pending ones too", body = DocumentList),
        NotVisible,
        Pausable,
        ListDocumentsProblems,
    ),
    security(("bearer" = []))
)]
pub async fn list_documents(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<DocumentList>, Problem> {
    let id = parse_id(&id)?;
    let listed = state.services.documents.list(&caller, id).await?;
    let items = listed
        .into_iter()
        .map(|(document, link)| {
            let mut view = DocumentView::from(&document);
            if let Some(link) = link {
                view.download_url = Some(link.url);
                view.download_expires_at = Some(link.expires_at);
            }
            view
        })
        .collect();
    Ok(Json(DocumentList { items }))
}
