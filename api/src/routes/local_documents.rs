//! The embedded default's object storage over HTTP: uploads and downloads through the
//! signed, expiring URLs that [`infra::objects::LocalObjectStore`] hands out, with the
//! same guarantees as S3 presigned URLs (key, content type and length bound; expiry).
//! No bearer token: the signature is the authorization.

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::document::MAX_DOCUMENT_BYTES;
use infra::objects::{SignedUrlError, Stored, content_disposition};
use serde::Deserialize;

use crate::extract::ApiPath;
use crate::problem::openapi::{EmbeddedOnly, problem_answers};
use crate::problem::{Problem, ProblemType};
use crate::state::AppState;

fn refused(err: SignedUrlError) -> Problem {
    match err {
        SignedUrlError::Expired => Problem::new(
            ProblemType::SignedUrlExpired,
            "this link has expired: ask the API for a new one",
        ),
        SignedUrlError::Invalid => Problem::new(
            ProblemType::SignedUrlInvalid,
            "the signature does not match this URL, its content type or its length",
        ),
    }
}

/// Query of an upload URL.
#[derive(Debug, Deserialize)]
pub struct UploadQuery {
    content_type: String,
    size: u64,
    expires: i64,
    signature: String,
}

/// Query of a download URL.
#[derive(Debug, Deserialize)]
pub struct DownloadQuery {
    filename: String,
    expires: i64,
    signature: String,
}

fn query<T: serde::de::DeserializeOwned>(raw: Option<&str>) -> Result<T, Problem> {
    serde_urlencoded::from_str(raw.unwrap_or_default())
        .map_err(|_| refused(SignedUrlError::Invalid))
}

fn local(state: &AppState) -> Result<&infra::objects::LocalObjectStore, Problem> {
    state
        .local_objects
        .as_deref()
        .ok_or_else(Problem::not_found)
}

problem_answers! {
    /// What an upload to a signed URL may be refused for.
    UploadProblems {
        UploadSizeMismatch => "Length differs from the signed one",
        SignedUrlInvalid | SignedUrlExpired => "Signature invalid or expired",
        DocumentAlreadyUploaded => "Already uploaded (`document-already-uploaded`): uploads are write-once",
    }
    /// What a download from a signed URL may be refused for.
    DownloadProblems {
        SignedUrlInvalid | SignedUrlExpired => "Signature invalid or expired",
        NotFound => "No such document, or not the embedded default",
    }
}

/// `PUT /local-documents/loan-requests/{id}/{document_id}`: stores an upload
/// (embedded default only: 404 where documents live in S3).
#[utoipa::path(put, path = "/local-documents/loan-requests/{id}/{document_id}", tag = "documents",
    params(
        ("id" = String, Path, description = "Loan request id"),
        ("document_id" = String, Path, description = "Document id"),
        ("content_type" = String, Query, description = "Signed content type"),
        ("size" = u64, Query, description = "Signed length in bytes"),
        ("expires" = i64, Query, description = "Expiry, Unix seconds"),
        ("signature" = String, Query, description = "HMAC-SHA256 of the grant"),
    ),
    request_body(content = Vec<u8>, description = "The document's bytes, with the signed Content-Type and Content-Length", content_type = "application/octet-stream"),
    responses(
        (status = 200, description = "Stored"),
        UploadProblems,
        EmbeddedOnly,
    ))]
pub async fn upload(
    State(state): State<AppState>,
    ApiPath((request, document)): ApiPath<(String, String)>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<StatusCode, Problem> {
    let store = local(&state)?;
    // The signature binds the whole key the two segments name.
    let key = domain::document::object_key_of(&request, &document);
    let q: UploadQuery = query(raw.as_deref())?;
    let grant = store
        .signed_urls()
        .verify_put(&key, &q.content_type, q.size, q.expires, &q.signature)
        .map_err(refused)?;
    // Like S3, the signed headers must be sent as signed.
    let sent_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !sent_type.eq_ignore_ascii_case(grant.content_type.as_str()) {
        return Err(refused(SignedUrlError::Invalid));
    }
    if let Some(length) = headers.get(header::CONTENT_LENGTH)
        && length.to_str().ok().and_then(|l| l.parse::<u64>().ok()) != Some(grant.size)
    {
        return Err(refused(SignedUrlError::Invalid));
    }
    let limit = usize::try_from(grant.size.min(MAX_DOCUMENT_BYTES)).unwrap_or(0);
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| {
        Problem::new(
            ProblemType::UploadSizeMismatch,
            format!("the upload is longer than the {} bytes signed", grant.size),
        )
    })?;
    if bytes.len() as u64 != grant.size {
        return Err(Problem::new(
            ProblemType::UploadSizeMismatch,
            format!(
                "the upload is {} bytes long, {} were signed",
                bytes.len(),
                grant.size
            ),
        ));
    }
    match store
        .store(&grant.key, grant.content_type.as_str(), &bytes)
        .await?
    {
        Stored::Stored => Ok(StatusCode::OK),
        // As S3 answers a presigned PUT signed with `If-None-Match: *`.
        Stored::AlreadyThere => Err(Problem::new(
            ProblemType::DocumentAlreadyUploaded,
            "this document was already uploaded: announce a new one to send another file",
        )),
    }
}

/// `GET /local-documents/loan-requests/{id}/{document_id}`: serves a stored document
/// as an attachment (embedded default only: 404 where documents live in S3).
#[utoipa::path(get, path = "/local-documents/loan-requests/{id}/{document_id}", tag = "documents",
    params(
        ("id" = String, Path, description = "Loan request id"),
        ("document_id" = String, Path, description = "Document id"),
        ("filename" = String, Query, description = "Signed download file name"),
        ("expires" = i64, Query, description = "Expiry, Unix seconds"),
        ("signature" = String, Query, description = "HMAC-SHA256 of the grant"),
    ),
    responses(
        (status = 200, description = "The document, as an attachment", content_type = "application/octet-stream"),
        DownloadProblems,
    ))]
pub async fn download(
    State(state): State<AppState>,
    ApiPath((request, document)): ApiPath<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    let store = local(&state)?;
    // The signature binds the whole key the two segments name.
    let key = domain::document::object_key_of(&request, &document);
    let q: DownloadQuery = query(raw.as_deref())?;
    store
        .signed_urls()
        .verify_get(&key, &q.filename, q.expires, &q.signature)
        .map_err(refused)?;
    let (bytes, content_type) = store.read(&key).await?.ok_or_else(Problem::not_found)?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_TYPE, content_type),
        (
            header::CONTENT_DISPOSITION,
            content_disposition(&q.filename),
        ),
        (header::CACHE_CONTROL, "private, no-store".to_owned()),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        // Opened in a tab anyway (or framed), a document runs no script and loads nothing.
        (
            header::CONTENT_SECURITY_POLICY,
            "sandbox; default-src 'none'".to_owned(),
        ),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    Ok(response)
}
