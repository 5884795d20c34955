//! Field errors: what a client needs to fix its input, one per offending field.

use serde::Serialize;

/// The code of a field error (`errors[].code` of a problem): the closed list of what a
/// client may have to fix. Clients match on them: never change one, only add. Most are
/// kebab-case; the document codes keep the snake_case they were first published with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldCode {
    Required,
    InvalidFormat,
    InvalidChecksum,
    TooLong,
    OutOfRange,
    Negative,
    InvalidCharacters,
    AmountBelowMinimum,
    AmountAboveCap,
    SiretSirenMismatch,
    InvalidEmail,
    UnknownValue,
    /// A date that has not come yet (a company's creation date).
    FutureDate,
    /// A file name whose extension is not that of its declared type.
    ExtensionMismatch,
    /// A bank code that names no participating bank.
    UnknownBank,
    /// A document's file name is too long (`too_long`).
    DocumentNameTooLong,
    /// A document over the size limit (`too_large`).
    DocumentTooLarge,
    /// A document size that is not a positive number (`out_of_range`).
    DocumentSizeOutOfRange,
    /// A document type the platform does not take (`unsupported`).
    UnsupportedType,
    /// A document file name that cannot be one (`invalid`).
    InvalidName,
    /// A JSON value of the wrong type (a string for a number…).
    InvalidType,
    /// A JSON member the operation does not know.
    UnknownField,
    /// A query string that cannot be read.
    InvalidParameter,
    /// A path segment that cannot be decoded.
    InvalidPathParameter,
    /// An `If-Match` that is not an ETag.
    InvalidEtag,
    /// A list cursor that is not one this API gave for these filters.
    InvalidCursor,
    /// A parameter this caller may not use.
    NotAllowed,
    /// A range whose end comes before its start.
    ReversedRange,
    /// The same item twice in a list.
    Duplicate,
    /// A value the identity provider refused.
    Refused,
    /// A guarantee identifier that is not the one issued for this request.
    DoesNotMatch,
    /// A guarantee identifier a loan was already granted on.
    AlreadyUsed,
    /// A guarantee identifier that was cancelled.
    Cancelled,
}

impl FieldCode {
    /// Every code, in the order of the OpenAPI document's `FieldCode` enum.
    pub const ALL: [Self; 33] = [
        Self::Required,
        Self::InvalidFormat,
        Self::InvalidChecksum,
        Self::TooLong,
        Self::OutOfRange,
        Self::Negative,
        Self::InvalidCharacters,
        Self::AmountBelowMinimum,
        Self::AmountAboveCap,
        Self::SiretSirenMismatch,
        Self::InvalidEmail,
        Self::UnknownValue,
        Self::FutureDate,
        Self::ExtensionMismatch,
        Self::UnknownBank,
        Self::DocumentNameTooLong,
        Self::DocumentTooLarge,
        Self::DocumentSizeOutOfRange,
        Self::UnsupportedType,
        Self::InvalidName,
        Self::InvalidType,
        Self::UnknownField,
        Self::InvalidParameter,
        Self::InvalidPathParameter,
        Self::InvalidEtag,
        Self::InvalidCursor,
        Self::NotAllowed,
        Self::ReversedRange,
        Self::Duplicate,
        Self::Refused,
        Self::DoesNotMatch,
        Self::AlreadyUsed,
        Self::Cancelled,
    ];

    /// The code as clients read it.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::InvalidFormat => "invalid-format",
            Self::InvalidChecksum => "invalid-checksum",
            Self::TooLong => "too-long",
            Self::OutOfRange => "out-of-range",
            Self::Negative => "negative",
            Self::InvalidCharacters => "invalid-characters",
            Self::AmountBelowMinimum => "amount-below-minimum",
            Self::AmountAboveCap => "amount-above-cap",
            Self::SiretSirenMismatch => "siret-siren-mismatch",
            Self::InvalidEmail => "invalid-email",
            Self::UnknownValue => "unknown-value",
            Self::FutureDate => "future-date",
            Self::ExtensionMismatch => "extension-mismatch",
            Self::UnknownBank => "unknown-bank",
            Self::DocumentNameTooLong => "too_long",
            Self::DocumentTooLarge => "too_large",
            Self::DocumentSizeOutOfRange => "out_of_range",
            Self::UnsupportedType => "unsupported",
            Self::InvalidName => "invalid",
            Self::InvalidType => "invalid-type",
            Self::UnknownField => "unknown-field",
            Self::InvalidParameter => "invalid-parameter",
            Self::InvalidPathParameter => "invalid-path-parameter",
            Self::InvalidEtag => "invalid-etag",
            Self::InvalidCursor => "invalid-cursor",
            Self::NotAllowed => "not-allowed",
            Self::ReversedRange => "reversed-range",
            Self::Duplicate => "duplicate",
            Self::Refused => "refused",
            Self::DoesNotMatch => "does-not-match",
            Self::AlreadyUsed => "already-used",
            Self::Cancelled => "cancelled",
        }
    }
}

impl std::fmt::Display for FieldCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for FieldCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl PartialEq<&str> for FieldCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// The codes by their historical constant names.
pub mod codes {
    use super::FieldCode;

    pub const REQUIRED: FieldCode = FieldCode::Required;
    pub const INVALID_FORMAT: FieldCode = FieldCode::InvalidFormat;
    pub const INVALID_CHECKSUM: FieldCode = FieldCode::InvalidChecksum;
    pub const TOO_LONG: FieldCode = FieldCode::TooLong;
    pub const OUT_OF_RANGE: FieldCode = FieldCode::OutOfRange;
    pub const NEGATIVE: FieldCode = FieldCode::Negative;
    pub const INVALID_CHARACTERS: FieldCode = FieldCode::InvalidCharacters;
    pub const AMOUNT_BELOW_MINIMUM: FieldCode = FieldCode::AmountBelowMinimum;
    pub const AMOUNT_ABOVE_CAP: FieldCode = FieldCode::AmountAboveCap;
    pub const SIRET_SIREN_MISMATCH: FieldCode = FieldCode::SiretSirenMismatch;
    pub const INVALID_EMAIL: FieldCode = FieldCode::InvalidEmail;
    pub const UNKNOWN_VALUE: FieldCode = FieldCode::UnknownValue;
    pub const FUTURE_DATE: FieldCode = FieldCode::FutureDate;
    pub const EXTENSION_MISMATCH: FieldCode = FieldCode::ExtensionMismatch;
}

/// One invalid field of a request.
///
/// `field` is the JSON path as the API client sees it (`company.siren`,
/// `requested_amount_cents`); `code` is one of [`codes`]; `message` is a human-readable
/// explanation in English that never echoes personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: FieldCode,
    pub message: String,
}

impl FieldError {
    #[must_use]
    pub fn new(field: impl Into<String>, code: FieldCode, message: impl Into<String>) -> Self {
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

/// Whether free text holds a character that is not meant to be seen: a control
/// character (Cc) or a format character (Cf: the bidirectional overrides and isolates
/// U+202A–U+202E and U+2066–U+2069, zero-width characters, the soft hyphen, U+FEFF…).
/// A format character makes `facture\u{202e}fdp.exe` display as `factureexe.pdf`: every
/// free-text field refuses both kinds.
#[must_use]
pub fn has_hidden_characters(input: &str) -> bool {
    input.chars().any(is_hidden)
}

/// Whether one character is a control (Cc) or format (Cf) character.
#[must_use]
pub fn is_hidden(c: char) -> bool {
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
    c.is_control() || c.general_category() == GeneralCategory::Format
}

/// Free text typed by a person (a decision's reason, a message): newlines normalised to
/// `\n`, trimmed, 1 to `max_chars` characters, no control character other than newline
/// and tab, no format character.
///
/// # Errors
/// A [`FieldError`] on `field`: `required`, `too-long` or `invalid-characters`.
pub fn free_text(
    field: &str,
    noun: &str,
    input: &str,
    max_chars: usize,
) -> Result<String, FieldError> {
    let normalised = input.replace("\r\n", "\n");
    let trimmed = normalised.trim();
    if trimmed.is_empty() {
        return Err(FieldError::new(
            field,
            codes::REQUIRED,
            format!("{noun} is required"),
        ));
    }
    if trimmed.chars().count() > max_chars {
        return Err(FieldError::new(
            field,
            codes::TOO_LONG,
            format!("{noun} is at most {max_chars} characters"),
        ));
    }
    if trimmed
        .chars()
        .any(|c| c != '\n' && c != '\t' && is_hidden(c))
    {
        return Err(FieldError::new(
            field,
            codes::INVALID_CHARACTERS,
            format!(
                "{noun} cannot contain invisible formatting characters, nor control characters other than newlines and tabs"
            ),
        ));
    }
    Ok(trimmed.to_owned())
}

/// Strips every whitespace character (Unicode `White_Space`: spaces, tabs, NBSP U+00A0,
/// narrow NBSP U+202F...), which people and spreadsheets put inside identifiers.
pub(crate) fn strip_whitespace(input: &str) -> String {
    input.chars().filter(|c| !c.is_whitespace()).collect()
}

#[cfg(test)]
mod tests {
    use super::has_hidden_characters;

    #[test]
    fn control_and_format_characters_are_hidden_ones() {
        for hidden in [
            "facture\u{202e}fdp.exe",
            "a\u{2066}b",
            "zero\u{200b}width",
            "joiner\u{200d}",
            "bom\u{feff}",
            "soft\u{ad}hyphen",
            "nul\u{0}",
            "tab\there",
        ] {
            assert!(has_hidden_characters(hidden), "{hidden:?}");
        }
        for visible in [
            "Boulangerie Exemple",
            "Société à responsabilité",
            "Kbis 2019.pdf",
            "日本",
        ] {
            assert!(!has_hidden_characters(visible), "{visible:?}");
        }
    }
}
