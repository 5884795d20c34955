//! Field errors: what a client needs to fix its input, one per offending field.

use serde::Serialize;

/// Stable, kebab-case error codes carried by [`FieldError::code`]. Clients match on them;
/// never change one, only add.
pub mod codes {
    pub const REQUIRED: &str = "required";
    pub const INVALID_FORMAT: &str = "invalid-format";
    pub const INVALID_CHECKSUM: &str = "invalid-checksum";
    pub const TOO_LONG: &str = "too-long";
    pub const TOO_SHORT: &str = "too-short";
    pub const OUT_OF_RANGE: &str = "out-of-range";
    pub const NEGATIVE: &str = "negative";
    pub const INVALID_CHARACTERS: &str = "invalid-characters";
    pub const AMOUNT_BELOW_MINIMUM: &str = "amount-below-minimum";
    pub const AMOUNT_ABOVE_CAP: &str = "amount-above-cap";
    pub const SIRET_SIREN_MISMATCH: &str = "siret-siren-mismatch";
    pub const INVALID_EMAIL: &str = "invalid-email";
    pub const UNKNOWN_VALUE: &str = "unknown-value";
}

/// One invalid field of a request.
///
/// `field` is the JSON path as the API client sees it (`company.siren`,
/// `requested_amount_cents`); `code` is one of [`codes`]; `message` is a human-readable
/// explanation in English that never echoes personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
    pub message: String,
}

impl FieldError {
    #[must_use]
    pub fn new(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} ({})", self.field, self.message, self.code)
    }
}

impl std::error::Error for FieldError {}

/// `prefix.field`, or `field` alone when the prefix is empty.
pub(crate) fn field_path(prefix: &str, field: &str) -> String {
    if prefix.is_empty() {
        field.to_owned()
    } else {
        format!("{prefix}.{field}")
    }
}

/// Strips every whitespace character (Unicode `White_Space`: spaces, tabs, NBSP U+00A0,
/// narrow NBSP U+202F...), which people and spreadsheets put inside identifiers.
pub(crate) fn strip_whitespace(input: &str) -> String {
    input.chars().filter(|c| !c.is_whitespace()).collect()
}
