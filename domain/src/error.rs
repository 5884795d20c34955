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
    /// A date that has not come yet (a company's creation date).
    pub const FUTURE_DATE: &str = "future-date";
    /// A file name whose extension is not that of its declared type.
    pub const EXTENSION_MISMATCH: &str = "extension-mismatch";
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
