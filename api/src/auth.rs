//! Typed principals. A handler's signature says who may call it: `Applicant`,
//! `Reviewer`, `Admin`, or `Caller` (any of the three). Authentication failures are 401
//! with `WWW-Authenticate: Bearer`; a valid token without the right group is 403.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use domain::loan_request::Subject;
use domain::submission::BankCode;
use infra::identity::{AuthError, TokenClaims, groups};

use crate::problem::Problem;
use crate::state::AppState;

pub use app::Caller;

/// The bearer token of a request: scheme in any case, token trimmed.
pub(crate) fn bearer(headers: &HeaderMap) -> Result<&str, AuthError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .ok_or(AuthError::Missing)?
        .to_str()
        .map_err(|_| AuthError::Malformed)?;
    let (scheme, token) = value.split_once(' ').ok_or(AuthError::Malformed)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AuthError::Malformed);
    }
    let token = token.trim();
    if token.is_empty() {
        return Err(AuthError::Malformed);
    }
    Ok(token)
}

/// The outcome of verifying a request's bearer token, kept in the request's extensions
/// by whoever verified it first (the per-principal rate limit, which keys its budget on
/// the verified subject), so that it is done once per request.
#[derive(Debug, Clone)]
pub(crate) struct Verified(pub Result<TokenClaims, AuthError>);

/// Verifies the request's bearer token.
pub(crate) async fn verify(headers: &HeaderMap, state: &AppState) -> Verified {
    let claims = match bearer(headers) {
        Ok(token) => state.verifier.verify(token).await,
        Err(e) => Err(e),
    };
    Verified(claims)
}

async fn claims(parts: &Parts, state: &AppState) -> Result<TokenClaims, Problem> {
    let verified = match parts.extensions.get::<Verified>() {
        Some(verified) => verified.clone(),
        None => verify(&parts.headers, state).await,
    };
    verified.0.map_err(|e| Problem::unauthorized(&e))
}

async fn caller_from(claims: TokenClaims, state: &AppState) -> Result<Caller, Problem> {
    let subject = Subject::new(claims.sub);
    let has = |group: &str| claims.groups.iter().any(|g| g == group);
    if has(groups::ADMINS) {
        return Ok(Caller::Admin(subject));
    }
    if has(groups::BANK_REVIEWERS) {
        let bank = claims
            .bank_id
            .as_deref()
            .and_then(|code| BankCode::parse(code).ok())
            .ok_or_else(|| {
                Problem::forbidden("the reviewer's token carries no valid custom:bank_id")
            })?;
        if !state.services.platform.bank_exists(&bank).await? {
            return Err(Problem::forbidden(
                "the reviewer's custom:bank_id names no participating bank",
            ));
        }
        return Ok(Caller::Reviewer { subject, bank });
    }
    if has(groups::APPLICANTS) {
        return Ok(Caller::Applicant(subject));
    }
    Err(Problem::forbidden("the token carries no known group"))
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        if let Some(caller) = parts.extensions.get::<Self>() {
            return Ok(caller.clone());
        }
        let claims = claims(parts, state).await?;
        let caller = caller_from(claims, state).await?;
        parts.extensions.insert(caller.clone());
        Ok(caller)
    }
}

/// A business owner (group `applicants`).
#[derive(Debug, Clone)]
pub struct Applicant(pub Subject);

impl FromRequestParts<AppState> for Applicant {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        match Caller::from_request_parts(parts, state).await? {
            Caller::Applicant(subject) => Ok(Self(subject)),
            _ => Err(Problem::forbidden("only applicants may do this")),
        }
    }
}

/// A bank reviewer, bound to their bank (group `bank-reviewers`, `custom:bank_id`).
#[derive(Debug, Clone)]
pub struct Reviewer {
    pub subject: Subject,
    pub bank: BankCode,
}

impl FromRequestParts<AppState> for Reviewer {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        match Caller::from_request_parts(parts, state).await? {
            Caller::Reviewer { subject, bank } => Ok(Self { subject, bank }),
            _ => Err(Problem::forbidden("only bank reviewers may do this")),
        }
    }
}

/// The back office: a bank reviewer (their bank's data) or an admin (all of it); never an
/// applicant.
#[derive(Debug, Clone)]
pub struct BackOffice(pub Caller);

impl FromRequestParts<AppState> for BackOffice {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        match Caller::from_request_parts(parts, state).await? {
            caller @ (Caller::Reviewer { .. } | Caller::Admin(_)) => Ok(Self(caller)),
            Caller::Applicant(_) => Err(Problem::forbidden(
                "only bank reviewers and admins may do this",
            )),
        }
    }
}

/// A platform admin (group `admins`).
#[derive(Debug, Clone)]
pub struct Admin(pub Subject);

impl FromRequestParts<AppState> for Admin {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        match Caller::from_request_parts(parts, state).await? {
            Caller::Admin(subject) => Ok(Self(subject)),
            _ => Err(Problem::forbidden("only admins may do this")),
        }
    }
}
