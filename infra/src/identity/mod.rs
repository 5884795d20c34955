//! Identity: verifying Cognito-style ID tokens against a JWKS, and the dev identity
//! provider of the embedded default (a local RSA key whose JWKS goes through the very
//! same verifier).

mod admin;
mod dev;
mod verifier;

pub use admin::{CognitoIdentityAdmin, DevIdentityAdmin};
pub use dev::{
    DEV_AUDIENCE, DEV_ISSUER, DevIdentityProvider, DevTokenRequest, KEY_FILE as DEV_KEY_FILE,
};
pub use verifier::{AuthError, JwksSource, JwtVerifier, TokenClaims, VerifierSettings};

/// Group names carried in `cognito:groups` (docs/RULES.md §1).
pub mod groups {
    pub const APPLICANTS: &str = "applicants";
    pub const BANK_REVIEWERS: &str = "bank-reviewers";
    pub const ADMINS: &str = "admins";
}
