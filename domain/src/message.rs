//! Messages between an applicant and the reviewers of their request's bank: a
//! correction asked, a document missing, an answer. The content stays behind sign-in;
//! the other side is only e-mailed that a message is waiting.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::error::FieldError;
use crate::loan_request::{Actor, LoanRequestId, Scope};

/// Which side of a request wrote a message: the applicant, or the bank (any of its
/// reviewers). A message is unread until someone of the other side reads the thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    Applicant,
    Bank,
}

impl Side {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Applicant => "applicant",
            Self::Bank => "bank",
        }
    }

    /// Reads the stored form.
    #[must_use]
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "applicant" => Some(Self::Applicant),
            "bank" => Some(Self::Bank),
            _ => None,
        }
    }

    #[must_use]
    pub fn other(self) -> Self {
        match self {
            Self::Applicant => Self::Bank,
            Self::Bank => Self::Applicant,
        }
    }
}

/// A message's text: trimmed, 1 to 5,000 characters, newlines and tabs allowed, no
/// other control character and no invisible formatting character.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageBody(String);

impl MessageBody {
    pub const MAX_CHARS: usize = 5_000;

    /// # Errors
    /// A [`FieldError`] on field `body`: `required`, `too-long` or `invalid-characters`.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        crate::error::free_text("body", "a message", input, Self::MAX_CHARS).map(Self)
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How many messages one request's thread may hold: a conversation about one loan
/// needs far fewer; the bound keeps a script from filling the database through it.
pub const MAX_MESSAGES_PER_REQUEST: u64 = 500;

/// A message as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: Uuid,
    pub loan_request_id: LoanRequestId,
    pub at: DateTime<Utc>,
    pub from: Side,
    pub body: String,
}

/// A message to post on a request, by someone who may see it (`scope`).
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub loan_request_id: LoanRequestId,
    pub scope: Scope,
    pub author: Actor,
    pub from: Side,
    pub body: MessageBody,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::codes;

    #[test]
    fn a_body_is_one_to_five_thousand_visible_characters() {
        assert_eq!(
            MessageBody::parse("  Merci d'ajouter le bilan 2025.\r\nCordialement\t!  ")
                .map(|b| b.as_str().to_owned()),
            Ok("Merci d'ajouter le bilan 2025.\nCordialement\t!".to_owned())
        );
        assert_eq!(
            MessageBody::parse(&"é".repeat(5_000)).map(|b| b.as_str().chars().count()),
            Ok(5_000)
        );
        for (input, code) in [
            ("", codes::REQUIRED),
            (" \n\t ", codes::REQUIRED),
            (&*"a".repeat(5_001), codes::TOO_LONG),
            ("bell\u{7}", codes::INVALID_CHARACTERS),
            ("nul\u{0}", codes::INVALID_CHARACTERS),
            ("rtl\u{202e}fdp.exe", codes::INVALID_CHARACTERS),
        ] {
            let err = MessageBody::parse(input).expect_err(input);
            assert_eq!((err.field.as_str(), err.code), ("body", code), "{input:?}");
        }
    }

    #[test]
    fn sides_round_trip_and_face_each_other() {
        for side in [Side::Applicant, Side::Bank] {
            assert_eq!(Side::parse(side.as_str()), Some(side));
            assert_eq!(side.other().other(), side);
        }
        assert_eq!(Side::parse("admin"), None);
    }
}
