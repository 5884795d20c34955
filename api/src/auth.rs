//! Typed principals. A handler's signature says who may call it: `Applicant`,
//! `Reviewer`, `BackOffice` (a reviewer or an admin), `Admin`, or `Caller` (any of the
//! three); each is the `app` type its service takes, checked here once. Authentication
//! failures are 401 with `WWW-Authenticate: Bearer`; a valid token without the right
//! group is 403.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use domain::loan_request::Subject;
use domain::submission::BankCode;
use infra::identity::{AuthError, JwtVerifier, TokenClaims, groups};

use crate::problem::Problem;
use crate::state::AppState;

pub use app::{Admin, Applicant, BackOffice, Caller, Reviewer};

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

/// The token verifiers: the applicants' identity provider's and, when bank staff and
/// admins sign in to a pool of their own (TOTP MFA required there, not of business
/// owners), the staff's. A token goes to the verifier of its issuer.
pub struct Verifiers {
    public: JwtVerifier,
    staff: Option<JwtVerifier>,
    /// The clients whose tokens may carry a staff group (reviewers, admins); empty: any
    /// client (one pool for all).
    staff_clients: Vec<String>,
}

impl Verifiers {
    /// One provider for everyone; with `staff_clients`, only those clients' tokens
    /// carry staff groups (the dev provider's staff client); empty: any client.
    #[must_use]
    pub fn with_staff_clients(verifier: JwtVerifier, staff_clients: Vec<String>) -> Self {
        Self {
            public: verifier,
            staff: None,
            staff_clients,
        }
    }

    /// The applicants' provider and the staff's, whose clients alone grant staff groups.
    #[must_use]
    pub fn split(public: JwtVerifier, staff: JwtVerifier, staff_clients: Vec<String>) -> Self {
        Self {
            public,
            staff: Some(staff),
            staff_clients,
        }
    }

    /// Verifies a token with its issuer's verifier.
    ///
    /// # Errors
    /// [`AuthError`] saying why the token is refused.
    pub async fn verify(&self, token: &str) -> Result<TokenClaims, AuthError> {
        match &self.staff {
            Some(staff) if unverified_issuer(token).as_deref() == Some(staff.issuer()) => {
                staff.verify(token).await
            }
            _ => self.public.verify(token).await,
        }
    }

    /// Fetches the signing keys of every provider.
    ///
    /// # Errors
    /// The first fetch that failed.
    pub async fn warm_up(&self) -> Result<(), String> {
        self.public.warm_up().await?;
        if let Some(staff) = &self.staff {
            staff.warm_up().await?;
        }
        Ok(())
    }

    /// Whether a token of this client may carry a staff group.
    fn staff_client(&self, claims: &TokenClaims) -> bool {
        self.staff_clients.is_empty()
            || claims
                .client_id
                .as_ref()
                .is_some_and(|c| self.staff_clients.contains(c))
    }

    /// Whether a token of this client may be an applicant's: with a staff pool, the
    /// staff's clients are for staff only.
    fn public_client(&self, claims: &TokenClaims) -> bool {
        self.staff_clients.is_empty() || !self.staff_client(claims)
    }
}

/// The `iss` claim read without checking anything (to choose the verifier, which then
/// checks everything, the issuer included).
fn unverified_issuer(token: &str) -> Option<String> {
    use base64::Engine as _;
    #[derive(serde::Deserialize)]
    struct Iss {
        iss: String,
    }
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    serde_json::from_slice::<Iss>(&bytes).ok().map(|c| c.iss)
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
    let has = |group: &str| claims.groups.iter().any(|g| g == group);
    let (admin, reviewer, applicant) = (
        has(groups::ADMINS),
        has(groups::BANK_REVIEWERS),
        has(groups::APPLICANTS),
    );
    let staff = admin || reviewer;
    // With a staff pool, a staff group counts only in a token of the staff's clients
    // (where TOTP MFA is required), and the staff's clients serve no applicant.
    if staff && !state.verifier.staff_client(&claims) {
        return Err(Problem::forbidden(
            "bank staff and admins sign in to the staff's identity provider",
        ));
    }
    if !staff && !state.verifier.public_client(&claims) {
        return Err(Problem::forbidden(
            "the staff's identity provider signs in bank staff and admins only",
        ));
    }
    let subject = Subject::new(claims.sub);
    if admin {
        return Ok(Caller::Admin(subject));
    }
    if reviewer {
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
    if applicant {
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

/// The typed principals: a handler's signature names the role it serves, and the
/// extractor checks it, once (`TryFrom<Caller>`, with the role's forbidden message),
/// yielding what the service takes.
macro_rules! role_extractors {
    ($($role:ty),+) => {$(
        impl FromRequestParts<AppState> for $role {
            type Rejection = Problem;

            async fn from_request_parts(
                parts: &mut Parts,
                state: &AppState,
            ) -> Result<Self, Problem> {
                Ok(Self::try_from(Caller::from_request_parts(parts, state).await?)?)
            }
        }
    )+};
}

role_extractors!(Applicant, Reviewer, BackOffice, Admin);
