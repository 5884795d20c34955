//! `POST /api/v1/loan-requests`: an applicant submits a loan request. Validated against
//! the PGE rules, then stored with its audit event, its confirmation e-mail (outbox) and
//! its idempotency record in one transaction. `Idempotency-Key` is honoured.

use app::loan_requests::Submitted;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::company::RawCompany;
use domain::loan_request::{IdempotencyKey, LoanRequest, LoanRequestId};
use domain::ports::Receipt;
use domain::submission::RawSubmission;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Applicant;
use crate::extract::ApiJson;
use crate::problem::Problem;
use crate::problem::openapi::{ApplicantOnly, problem_answers};
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

/// The answer to a submission: 201 with the request's view, its `Location` and its
/// `ETag`. Its body is the receipt saved with an idempotency key, so that a retry gets
/// this very answer again.
fn created(id: LoanRequestId, body: String) -> Response {
    let mut response = (StatusCode::CREATED, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/loan-requests/{id}")) {
        headers.insert(header::LOCATION, location);
    }
    // The first answer is always about the request's first version, replayed or not.
    if let Ok(tag) = HeaderValue::from_str(&etag(LoanRequest::FIRST_VERSION)) {
        headers.insert(header::ETAG, tag);
    }
    response
}

/// The receipt of a submission: the 201's body, the request's view as first stored.
/// The handler renders its answer with it after the service returns; the composition
/// root gives it to the store's writer (`api::build_state`), which keeps that rendering
/// with an idempotency key, so that a replay answers these very bytes.
pub fn receipt(request: &LoanRequest) -> Receipt {
    Receipt(serde_json::to_string(&LoanRequestView::from(request)).unwrap_or_default())
}

/// What became of a submission, for `pge_submissions_total{outcome}`: a closed set (never
/// anything from the input).
fn outcome(submitted: &Result<Submitted, app::Error>) -> &'static str {
    use app::Error as E;
    use domain::ports::SubmitError as S;
    match submitted {
        Ok(Submitted::Created { .. }) => "created",
        Ok(Submitted::Replayed { .. }) => "replayed",
        Err(E::Invalid(_)) => "invalid",
        Err(E::NotEligible(_)) => "not_eligible",
        Err(E::CampaignClosed) => "campaign_closed",
        Err(E::Submit(S::AggregateCapExceeded(_))) => "aggregate_cap_exceeded",
        Err(E::Submit(S::IdempotencyKeyReused)) => "idempotency_key_reused",
        Err(E::Submit(S::UnknownBank(_))) => "unknown_bank",
        Err(E::Submit(S::Storage(_) | S::ReferenceCollision)) => "storage_error",
        Err(_) => "other",
    }
}

problem_answers! {
    /// `submit_loan_request`'s own problem answers (the shared sets are named in its `responses`).
    SubmitLoanRequestProblems {
        MalformedJson | InvalidParameter => "Malformed JSON or header",
        ValidationFailed | NotEligible | AggregateCapExceeded | CampaignClosed | IdempotencyKeyReused => "Invalid data, not eligible, aggregate cap exceeded, campaign closed or idempotency key reused",
    }
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
        ApplicantOnly,
        SubmitLoanRequestProblems,
    ),
    security(("bearer" = []))
)]
pub async fn submit_loan_request(
    State(state): State<AppState>,
    applicant: Applicant,
    headers: HeaderMap,
    ApiJson { value, fingerprint }: ApiJson<SubmissionInput>,
) -> Result<Response, Problem> {
    let idempotency = idempotency_key(&headers)?.map(|key| IdempotencyKey {
        key,
        body_fingerprint: fingerprint,
    });
    let raw = RawSubmission {
        bank_id: value.bank_id,
        company: RawCompany::from(value.company),
        requested_amount_cents: value.requested_amount_cents,
        amortization_years: value.amortization_years,
        contact_email: value.contact_email,
    };
    let submitted = state
        .services
        .loan_requests
        .submit(&applicant, raw, idempotency)
        .await;
    metrics::counter!("pge_submissions_total", "outcome" => outcome(&submitted)).increment(1);
    match submitted? {
        // With a key, the writer rendered the receipt with `receipt` to keep it: those
        // bytes are the answer (rendered once). Without, the handler renders it.
        Submitted::Created {
            request,
            receipt: kept,
        } => Ok(created(
            request.id,
            kept.unwrap_or_else(|| receipt(&request)).0,
        )),
        Submitted::Replayed {
            loan_request_id,
            receipt,
        } => match loan_request_id {
            Some(id) => Ok(created(id, receipt.0)),
            None => Err(Problem::internal(
                "an idempotency record without its request",
            )),
        },
    }
}
