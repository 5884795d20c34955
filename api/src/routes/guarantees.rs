//! The State guarantee's identifier (docs/RULES.md §20):
//!
//! - `POST /api/v1/loan-requests/{id}/guarantee`: the owner of a pre-approved request
//!   obtains its identifier (201 when issued now, 200 when it was issued before);
//! - `GET /api/v1/loan-requests/{id}/guarantee`: where it stands, for whoever sees the
//!   request (the bank's reviewers without the identifier itself: the company hands it
//!   over);
//! - `GET /api/v1/loan-requests/{id}/guarantee/attestation`: the attestation (PDF), for
//!   the owner and the admins;
//! - `GET /api/v1/guarantees/{identifier}`: a reviewer verifies an identifier of their
//!   bank (another bank's is not found), an admin any;
//! - `POST /api/v1/guarantee-checks`: anyone holding an identifier and the company's
//!   SIREN learns only whether it is valid, used or cancelled (rate-limited per client
//!   address, `crate::limits::apply_checks`).
//!
//! The grant on an identifier is `loan_requests::grant`.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use domain::issuance::{Guarantee, GuaranteeStatus};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::loan_requests::parse_id;
use crate::auth::{Applicant, BackOffice, Caller};
use crate::extract::{ApiJson, ApiPath};
use crate::problem::openapi::{
    AnyRole, ApplicantOnly, BackOfficeOnly, NotVisible, problem_answers,
};
use crate::problem::{Problem, ProblemType};
use crate::state::AppState;

/// Where a guarantee stands: `issued` (valid, not used yet), `used` (the bank granted
/// the loan on it), `cancelled` (the request was withdrawn or rejected). Documentation
/// only: statuses travel as these strings.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)] // never built: it describes the strings in the OpenAPI document
pub enum GuaranteeState {
    Issued,
    Used,
    Cancelled,
}

/// A loan's State guarantee.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GuaranteeView {
    /// `PGE-XXXX-XXXX-XXXX-C`; absent for the bank's reviewers reading their request's
    /// guarantee (the company hands it to them).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "PGE-7K3M-Q9TX-2HBW-D")]
    pub identifier: Option<String>,
    #[schema(value_type = GuaranteeState)]
    pub status: String,
    pub loan_request_id: Uuid,
    pub siren: String,
    pub bank_id: String,
    /// The loan's amount when the identifier was issued: the bank may grant up to it.
    pub amount_cents: i64,
    pub issued_at: DateTime<Utc>,
    /// When the bank granted on it, or when it was cancelled.
    pub closed_at: Option<DateTime<Utc>>,
}

impl GuaranteeView {
    fn of(guarantee: &Guarantee, identifier_visible: bool) -> Self {
        Self {
            identifier: identifier_visible.then(|| guarantee.identifier.as_string()),
            status: guarantee.status.as_str().to_owned(),
            loan_request_id: guarantee.loan_request_id.0,
            siren: guarantee.siren.as_str().to_owned(),
            bank_id: guarantee.bank.as_str().to_owned(),
            amount_cents: guarantee.amount.get(),
            issued_at: guarantee.issued_at,
            closed_at: guarantee.closed_at,
        }
    }
}

problem_answers! {
    /// What an issue may be refused for.
    IssueProblems {
        GuaranteeUnavailable | OneIdentifierPerCompany => "The request is not pre-approved (guarantee-unavailable), or the company already holds an identifier while the one-identifier-per-company rule holds",
        AggregateCapExceeded | CampaignClosed => "The company's guaranteed loans would exceed its cap, or a new identifier is asked outside the campaign window",
    }
}

/// Obtain the guarantee identifier of a pre-approved request (asking again gives the
/// same one). The attestation is also e-mailed to the request's contact address.
#[utoipa::path(
    post,
    path = "/api/v1/loan-requests/{id}/guarantee",
    tag = "guarantees",
    params(("id" = Uuid, Path, description = "Loan request id")),
    responses(
        (status = 201, description = "Issued now", body = GuaranteeView,
            headers(("ETag" = String, description = "The request's new version"))),
        (status = 200, description = "Issued before: the same identifier", body = GuaranteeView),
        ApplicantOnly,
        NotVisible,
        IssueProblems,
    ),
    security(("bearer" = []))
)]
pub async fn issue_guarantee(
    State(state): State<AppState>,
    applicant: Applicant,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let issued = state.services.guarantees.issue(&applicant, id).await?;
    let body = Json(GuaranteeView::of(&issued.guarantee, true));
    if issued.new {
        metrics::counter!("pge_guarantees_issued_total").increment(1);
        let mut response = (StatusCode::CREATED, body).into_response();
        if let Ok(value) = HeaderValue::from_str(&crate::views::etag(issued.request.version)) {
            response.headers_mut().insert(header::ETAG, value);
        }
        Ok(response)
    } else {
        Ok(body.into_response())
    }
}

/// Read a request's guarantee (the bank's reviewers see where it stands, not the
/// identifier).
#[utoipa::path(
    get,
    path = "/api/v1/loan-requests/{id}/guarantee",
    tag = "guarantees",
    params(("id" = Uuid, Path, description = "Loan request id")),
    responses(
        (status = 200, description = "The guarantee", body = GuaranteeView),
        AnyRole,
        (status = 404, description = "No such request visible to the caller, or no identifier issued yet", body = crate::problem::ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get_guarantee(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<GuaranteeView>, Problem> {
    let id = parse_id(&id)?;
    let reading = state.services.guarantees.of_request(&caller, id).await?;
    Ok(Json(GuaranteeView::of(
        &reading.guarantee,
        reading.identifier_visible,
    )))
}

/// Download the guarantee's attestation (PDF/UA: tagged, fonts embedded): the company's
/// and the admins'.
#[utoipa::path(
    get,
    path = "/api/v1/loan-requests/{id}/guarantee/attestation",
    tag = "guarantees",
    params(("id" = Uuid, Path, description = "Loan request id")),
    responses(
        (status = 200, description = "The attestation", content_type = "application/pdf", body = Vec<u8>),
        AnyRole,
        (status = 404, description = "No such request visible to the caller, or no identifier issued yet", body = crate::problem::ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn download_attestation(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let data = state.services.guarantees.attestation(&caller, id).await?;
    let identifier = data.guarantee.identifier.as_string();
    let attestation = infra::attestation::Attestation::of(
        &data.guarantee,
        &data.request,
        data.bank_name,
        state.frontend.verification_url(),
    );
    // Font subsetting and compression: a few milliseconds of CPU, off the runtime's
    // threads.
    let pdf = tokio::task::spawn_blocking(move || infra::attestation::render(&attestation))
        .await
        .map_err(|e| Problem::internal(format!("attestation task: {e}")))?
        .map_err(|e| Problem::internal(format!("attestation: {e}")))?;
    metrics::counter!("pge_attestations_rendered_total", "channel" => "download").increment(1);
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"attestation-{identifier}.pdf\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        pdf,
    )
        .into_response())
}

problem_answers! {
    /// What a verification may be refused for.
    VerifyProblems {
        InvalidParameter => "Not a guarantee identifier",
        NotFound => "No guarantee with this identifier at the caller's bank",
    }
}

/// Verify a guarantee identifier: a reviewer sees their bank's, an admin any.
#[utoipa::path(
    get,
    path = "/api/v1/guarantees/{identifier}",
    tag = "guarantees",
    params(("identifier" = String, Path, description = "Guarantee identifier, PGE-XXXX-XXXX-XXXX-C (spaces, hyphens and case are forgiven)")),
    responses(
        (status = 200, description = "The guarantee", body = GuaranteeView),
        BackOfficeOnly,
        VerifyProblems,
    ),
    security(("bearer" = []))
)]
pub async fn verify_guarantee(
    State(state): State<AppState>,
    back_office: BackOffice,
    ApiPath(identifier): ApiPath<String>,
) -> Result<Json<GuaranteeView>, Problem> {
    let guarantee = state
        .services
        .guarantees
        .verify(&back_office, &identifier)
        .await
        .map_err(|e| match e {
            app::Error::Invalid(mut errors) if !errors.is_empty() => {
                let error = errors.remove(0);
                Problem::invalid_parameter("identifier", error.code, error.message)
            }
            other => other.into(),
        })?;
    Ok(Json(GuaranteeView::of(&guarantee, true)))
}

/// A public check: an identifier and its company's SIREN.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GuaranteeCheckInput {
    #[schema(example = "PGE-7K3M-Q9TX-2HBW-D")]
    pub identifier: String,
    #[schema(example = "732829320")]
    pub siren: String,
}

/// What a public check says: only where the guarantee stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct GuaranteeCheckView {
    /// `valid` (issued, not used yet), `used` or `cancelled`.
    #[schema(example = "valid")]
    pub status: String,
}

problem_answers! {
    /// What a public check may answer besides its result.
    CheckProblems {
        ValidationFailed => "Not an identifier or not a SIREN",
        NotFound => "No guarantee with this identifier for this SIREN",
        RateLimited => "Too many checks from this address",
    }
}

/// Check a guarantee identifier with its company's SIREN: anyone, no sign-in, a few
/// checks a minute per address. An unknown identifier and a SIREN that is not its
/// company's get the same answer.
#[utoipa::path(
    post,
    path = "/api/v1/guarantee-checks",
    tag = "guarantees",
    request_body = GuaranteeCheckInput,
    responses(
        (status = 200, description = "Where the guarantee stands", body = GuaranteeCheckView),
        CheckProblems,
    ),
)]
pub async fn check_guarantee(
    State(state): State<AppState>,
    ApiJson { value, .. }: ApiJson<GuaranteeCheckInput>,
) -> Result<Response, Problem> {
    let outcome = state
        .services
        .guarantees
        .check(&value.identifier, &value.siren)
        .await;
    let result = match &outcome {
        Ok(_) => "found",
        Err(app::Error::NotFound) => "not_found",
        Err(app::Error::Invalid(_)) => "invalid",
        Err(_) => "error",
    };
    metrics::counter!("pge_guarantee_checks_total", "result" => result).increment(1);
    let status: GuaranteeStatus = outcome?;
    let mut response = Json(GuaranteeCheckView {
        status: status.public_word().to_owned(),
    })
    .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// The problem a public check answers when an address checks too often.
#[must_use]
pub fn too_many_checks(retry_after_secs: u64) -> Response {
    Problem::new(
        ProblemType::RateLimited,
        "too many guarantee checks from this address; wait before checking again",
    )
    .retry_after(u32::try_from(retry_after_secs).unwrap_or(u32::MAX))
    .into_response()
}
