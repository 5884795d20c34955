//! `POST /api/v1/loan-requests`: an applicant submits a loan request. Validated against
//! the PGE rules, then stored with its audit event, its confirmation e-mail (outbox) and
//! its idempotency record in one transaction. `Idempotency-Key` is honoured.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::company::RawCompany;
use domain::loan_request::{Actor, IdempotencyKey, LoanRequest, SavedResponse};
use domain::ports::{NewLoanRequest, SubmitError, SubmitOutcome};
use domain::submission::{RawSubmission, Submission, SubmissionError};
use domain::workflow::Role;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Applicant;
use crate::extract::ApiJson;
use crate::problem::{Problem, ProblemDetails, ProblemType};
use crate::state::AppState;
use crate::views::{CompanyInput, LoanRequestView, etag};

/// A loan request as submitted (docs/RULES.md §10).
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmissionInput {
    /// 5-digit code of the bank the request is addressed to.
    #[schema(example = "30004")]
    pub bank_id: String,
    pub company: CompanyInput,
    /// At least €1,000 (100,000 cents) and at most the company's cap.
    #[schema(example = 5_000_000)]
    pub requested_amount_cents: i64,
    /// Years of amortisation after the first year, 0–5.
    #[schema(example = 4)]
    pub amortization_years: i64,
    #[schema(example = "gerant@boulangerie.example")]
    pub contact_email: String,
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, Problem> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 255 && k.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| {
            Problem::invalid_parameter(
                "Idempotency-Key",
                domain::error::FieldCode::InvalidFormat,
                "1 to 255 visible ASCII characters",
            )
        })?;
    Ok(Some(key.to_owned()))
}

fn render(request: &LoanRequest) -> SavedResponse {
    SavedResponse {
        status: 201,
        body: serde_json::to_string(&LoanRequestView::from(request)).unwrap_or_default(),
        loan_request_id: Some(request.id),
    }
}

fn created(saved: SavedResponse, version_etag: Option<String>) -> Response {
    let status = StatusCode::from_u16(saved.status).unwrap_or(StatusCode::CREATED);
    let mut response = (status, saved.body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Some(id) = saved.loan_request_id
        && let Ok(location) = HeaderValue::from_str(&format!("/api/v1/loan-requests/{id}"))
    {
        headers.insert(header::LOCATION, location);
    }
    if let Some(tag) = version_etag.and_then(|t| HeaderValue::from_str(&t).ok()) {
        headers.insert(header::ETAG, tag);
    }
    response
}

/// Submit a loan request.
#[utoipa::path(
    post,
    path = "/api/v1/loan-requests",
    tag = "loan-requests",
    request_body = SubmissionInput,
    params(("Idempotency-Key" = Option<String>, Header,
        description = "Same key and same body: the first response is replayed; same key, other body: 422")),
    responses(
        (status = 201, description = "Stored", body = LoanRequestView,
            headers(("Location" = String, description = "URL of the new request"),
                    ("ETag" = String, description = "Version, for If-Match"))),
        (status = 400, description = "Malformed JSON or header", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not an applicant", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Invalid data, not eligible, aggregate cap exceeded, campaign closed or idempotency key reused", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn submit_loan_request(
    State(state): State<AppState>,
    Applicant(subject): Applicant,
    headers: HeaderMap,
    ApiJson { value, fingerprint }: ApiJson<SubmissionInput>,
) -> Result<Response, Problem> {
    let key = idempotency_key(&headers)?;
    let now = state.clock.now();
    if !state.campaign.is_open(now) {
        return Err(Problem::new(
            ProblemType::CampaignClosed,
            "loan requests are not accepted at this time",
        ));
    }
    let raw = RawSubmission {
        bank_id: value.bank_id,
        company: RawCompany::from(value.company),
        requested_amount_cents: value.requested_amount_cents,
        amortization_years: value.amortization_years,
        contact_email: value.contact_email,
    };
    let submission = Submission::parse(raw, now.date_naive()).map_err(|e| match e {
        SubmissionError::Invalid(errors) => Problem::validation(errors),
        SubmissionError::NotEligible(reasons) => {
            Problem::not_eligible(reasons.iter().map(|r| r.code().to_owned()).collect())
        }
    })?;
    let idempotency = key.map(|key| IdempotencyKey {
        key,
        body_fingerprint: fingerprint,
    });
    let actor = Actor {
        role: Role::Applicant,
        subject,
    };
    // A random 50-bit reference collides rarely; one retry makes it negligible.
    for _ in 0..3 {
        let new = NewLoanRequest {
            id: state.ids.loan_request_id(),
            reference: state.ids.reference(),
            submission: submission.clone(),
            actor: actor.clone(),
            now,
        };
        match state
            .loan_requests
            .submit(new, idempotency.clone(), render)
            .await
        {
            Ok(SubmitOutcome::Created(request)) => {
                tracing::info!(loan_request_id = %request.id, "loan request submitted");
                return Ok(created(render(&request), Some(etag(request.version))));
            }
            Ok(SubmitOutcome::Replayed(saved)) => {
                // The first answer again, its ETag included (the saved body's version).
                let version_etag = serde_json::from_str::<serde_json::Value>(&saved.body)
                    .ok()
                    .and_then(|body| body["version"].as_i64())
                    .and_then(|version| i32::try_from(version).ok())
                    .map(etag);
                return Ok(created(saved, version_etag));
            }
            Err(SubmitError::ReferenceCollision) => {}
            Err(other) => return Err(other.into()),
        }
    }
    Err(SubmitError::ReferenceCollision.into())
}
