//! Public references of loan requests (docs/RULES.md §13): `PGE-` + 10 Crockford
//! base32 symbols (50 bits) + 1 check symbol (the value mod 37), read over the phone and
//! typed back.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::codes;

/// Crockford base32 symbols, by value. Check symbols 32 to 36 follow.
pub(crate) const SYMBOLS: &[u8; 37] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ*~$=U";
const DATA_SYMBOLS: usize = 10;
const BITS: u32 = 50;
const MASK: u64 = (1 << BITS) - 1;
/// The prefix of references and of guarantee identifiers (`crate::guarantee`).
pub(crate) const PREFIX: &str = "PGE";

/// Value of a symbol after Crockford's normalisation (case-insensitive, I and L read as
/// 1, O as 0); `None` for anything else. Values 32 to 36 are check symbols only.
pub(crate) fn symbol_value(c: char) -> Option<u8> {
    let c = c.to_ascii_uppercase();
    let c = match c {
        'I' | 'L' => '1',
        'O' => '0',
        other => other,
    };
    SYMBOLS
        .iter()
        .position(|&s| char::from(s) == c)
        .and_then(|v| u8::try_from(v).ok())
}

/// What a person typed, without its dashes and whitespace (anywhere) and without the
/// `PGE` prefix (any case) when there are more than `body_len` characters: a body that
/// itself starts with `PGE` is never taken for a prefix. Empty when nothing is left.
pub(crate) fn typed_symbols(input: &str, body_len: usize) -> Vec<char> {
    let mut compact: Vec<char> = input
        .chars()
        .filter(|c| *c != '-' && !c.is_whitespace())
        .collect();
    let has_prefix = compact.len() > body_len
        && compact
            .iter()
            .zip(PREFIX.chars())
            .all(|(c, p)| c.eq_ignore_ascii_case(&p));
    if has_prefix {
        compact.drain(..PREFIX.len());
    }
    compact
}

/// Why a reference was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    #[error("a reference is required")]
    Empty,
    #[error("a reference is PGE- followed by 11 characters")]
    WrongLength,
    #[error("a reference contains a character that is not allowed")]
    InvalidCharacter,
    #[error("this reference has a mistyped character")]
    CheckMismatch,
}

impl ReferenceError {
    /// `required`, `invalid-format` (length), `invalid-characters`, `invalid-checksum`.
    #[must_use]
    pub fn code(self) -> crate::error::FieldCode {
        match self {
            Self::Empty => codes::REQUIRED,
            Self::WrongLength => codes::INVALID_FORMAT,
            Self::InvalidCharacter => codes::INVALID_CHARACTERS,
            Self::CheckMismatch => codes::INVALID_CHECKSUM,
        }
    }
}

/// A public reference: a 50-bit value, written `PGE-` + 10 Crockford symbols + check.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Reference(u64);

impl Reference {
    /// The reference of the low 50 bits of `bits`; the caller supplies the randomness.
    #[must_use]
    pub const fn from_bits(bits: u64) -> Self {
        Self(bits & MASK)
    }

    /// The reference of `value`, or `None` when it does not fit in 50 bits (e.g. a
    /// corrupt stored value).
    #[must_use]
    pub const fn from_value(value: u64) -> Option<Self> {
        if value <= MASK {
            Some(Self(value))
        } else {
            None
        }
    }

    #[must_use]
    pub const fn value(self) -> u64 {
        self.0
    }

    /// The canonical form, `PGE-` + 11 upper-case symbols.
    #[must_use]
    pub fn as_string(self) -> String {
        self.to_string()
    }

    /// Parses what a person typed: case-insensitive, `PGE` prefix optional, dashes and
    /// whitespace anywhere ignored, I and L read as 1 and O as 0.
    ///
    /// # Errors
    /// [`ReferenceError`] when empty, not 11 symbols, containing another character, or
    /// when the check symbol does not match.
    pub fn parse(input: &str) -> Result<Self, ReferenceError> {
        let compact = typed_symbols(input, DATA_SYMBOLS + 1);
        if compact.is_empty() {
            return Err(ReferenceError::Empty);
        }
        let [data @ .., check] = compact.as_slice() else {
            return Err(ReferenceError::Empty);
        };
        if data.len() != DATA_SYMBOLS {
            return Err(ReferenceError::WrongLength);
        }
        let mut value = 0u64;
        for &c in data {
            let v = symbol_value(c)
                .filter(|v| *v < 32)
                .ok_or(ReferenceError::InvalidCharacter)?;
            value = (value << 5) | u64::from(v);
        }
        let check = symbol_value(*check).ok_or(ReferenceError::InvalidCharacter)?;
        if u64::from(check) != value % 37 {
            return Err(ReferenceError::CheckMismatch);
        }
        Ok(Self(value))
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = [0u8; DATA_SYMBOLS + 1];
        for (i, slot) in out[..DATA_SYMBOLS].iter_mut().enumerate() {
            let shift = 5 * (DATA_SYMBOLS - 1 - i);
            *slot = SYMBOLS[usize::try_from((self.0 >> shift) & 31).unwrap_or(0)];
        }
        out[DATA_SYMBOLS] = SYMBOLS[usize::try_from(self.0 % 37).unwrap_or(0)];
        f.write_str(PREFIX)?;
        f.write_str("-")?;
        for b in out {
            fmt::Write::write_char(f, char::from(b))?;
        }
        Ok(())
    }
}

impl fmt::Debug for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Reference({self})")
    }
}

impl std::str::FromStr for Reference {
    type Err = ReferenceError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Reference {
    type Error = ReferenceError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Reference> for String {
    fn from(r: Reference) -> Self {
        r.to_string()
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_values() {
        assert_eq!(Reference::from_bits(0).to_string(), "PGE-00000000000");
        // 2^50 - 1: ten Z; (2^50 - 1) mod 37 = 29, symbol X.
        assert_eq!(MASK % 37, 29);
        assert_eq!(Reference::from_bits(MASK).to_string(), "PGE-ZZZZZZZZZZX");
        // 36 → check symbol U; 32 → '*'.
        assert_eq!(Reference::from_bits(36).to_string(), "PGE-0000000014U");
        assert_eq!(Reference::from_bits(32).to_string(), "PGE-0000000010*");
        assert_eq!(Reference::parse("PGE-0000000014U").unwrap().value(), 36);
        assert_eq!(Reference::parse("pge-0000000014u").unwrap().value(), 36);
    }

    #[test]
    fn from_bits_masks_to_50_bits() {
        assert_eq!(Reference::from_bits(u64::MAX).value(), MASK);
        assert_eq!(Reference::from_bits(1 << 50).value(), 0);
        assert_eq!(Reference::from_value(1 << 50), None);
        assert_eq!(
            Reference::from_value(MASK).map(Reference::value),
            Some(MASK)
        );
    }

    #[test]
    fn crockford_normalisation() {
        let r = Reference::from_bits(1);
        let canonical = r.as_string();
        assert_eq!(canonical, "PGE-00000000011");
        for typed in [
            "PGE-OOOOOOOOO11",
            "pge-ooooooooo1l",
            "PGE-0000000001I",
            "00000000011",
            "0000 0000 011",
            "PGE 00000-00001-1",
            "\tpge0000000001i\u{a0}",
        ] {
            assert_eq!(Reference::parse(typed), Ok(r), "{typed:?}");
        }
    }

    #[test]
    fn refusals_with_codes() {
        assert_eq!(Reference::parse(" - ").unwrap_err().code(), "required");
        assert_eq!(
            Reference::parse("PGE-0000000001").unwrap_err().code(),
            "invalid-format"
        );
        assert_eq!(
            Reference::parse("PGE-000000000111").unwrap_err().code(),
            "invalid-format"
        );
        assert_eq!(
            Reference::parse("PGE-0000000U011").unwrap_err().code(),
            "invalid-characters"
        );
        assert_eq!(
            Reference::parse("PGE-0000000*011").unwrap_err().code(),
            "invalid-characters"
        );
        assert_eq!(
            Reference::parse("PGE-0000000001!").unwrap_err().code(),
            "invalid-characters"
        );
        assert_eq!(
            Reference::parse("PGE-00000000012").unwrap_err(),
            ReferenceError::CheckMismatch
        );
        assert_eq!(ReferenceError::CheckMismatch.code(), "invalid-checksum");
        // A prefix other than PGE makes it too long.
        assert_eq!(
            Reference::parse("XYZ-00000000011").unwrap_err().code(),
            "invalid-format"
        );
    }

    #[test]
    fn a_body_starting_with_pge_without_prefix_is_data() {
        // P=22, G=16, E=14: eleven symbols are never mistaken for a prefix.
        let body = Reference::from_bits((22 << 45) | (16 << 40) | (14 << 35));
        let canonical = body.as_string();
        assert!(canonical.starts_with("PGE-PGE"));
        assert_eq!(Reference::parse(&canonical[4..]), Ok(body));
        assert_eq!(Reference::parse(&canonical), Ok(body));
    }

    #[test]
    fn debug_shows_the_canonical_form() {
        assert_eq!(
            format!("{:?}", Reference::from_bits(1)),
            "Reference(PGE-00000000011)"
        );
    }

    /// Inserts a dash or a space after some symbols.
    fn sprinkle(s: &str, seps: &[u8]) -> String {
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            out.push(c);
            match seps.get(i).copied().unwrap_or(0) % 4 {
                1 => out.push('-'),
                2 => out.push(' '),
                _ => {}
            }
        }
        out
    }

    proptest! {
        #[test]
        fn round_trips_through_display_and_parse(
            bits in any::<u64>(),
            seps in proptest::collection::vec(any::<u8>(), 15),
        ) {
            let r = Reference::from_bits(bits);
            let s = r.to_string();
            prop_assert_eq!(s.len(), 15);
            prop_assert!(s.starts_with("PGE-"));
            prop_assert_eq!(Reference::parse(&s), Ok(r));
            prop_assert_eq!(Reference::parse(&s.to_lowercase()), Ok(r));
            prop_assert_eq!(Reference::parse(&s[4..]), Ok(r));
            prop_assert_eq!(Reference::parse(&sprinkle(&s, &seps)), Ok(r));
            prop_assert_eq!(Reference::parse(&sprinkle(&s.to_lowercase(), &seps)), Ok(r));
        }

        /// The check symbol catches every single-character substitution by a symbol of a
        /// DIFFERENT value (after Crockford normalisation: typing I for 1 or O for 0 is
        /// not an error, it is the same value). Mod 37 is prime and 32^k is never a
        /// multiple of 37, so any change of one data symbol changes the value mod 37.
        #[test]
        fn check_catches_every_single_substitution(
            bits in any::<u64>(),
            position in 0usize..11,
            replacement in 0usize..37,
        ) {
            let r = Reference::from_bits(bits);
            let canonical = r.to_string();
            let mut symbols: Vec<char> = canonical[4..].chars().collect();
            let original = symbol_value(symbols[position]).unwrap();
            prop_assume!(usize::from(original) != replacement);
            symbols[position] = char::from(SYMBOLS[replacement]);
            let typed: String = symbols.into_iter().collect();
            let result = Reference::parse(&typed);
            if position < 10 && replacement >= 32 {
                // A check-only symbol among the data symbols is refused outright.
                prop_assert_eq!(result, Err(ReferenceError::InvalidCharacter));
            } else {
                prop_assert_eq!(result, Err(ReferenceError::CheckMismatch));
            }
        }

        /// Same with the substitute typed in lower case or as its Crockford alias.
        #[test]
        fn check_catches_substitutions_written_as_aliases(
            bits in any::<u64>(),
            position in 0usize..11,
            alias in prop::sample::select(vec!['i', 'I', 'l', 'L', 'o', 'O']),
        ) {
            let r = Reference::from_bits(bits);
            let canonical = r.to_string();
            let mut symbols: Vec<char> = canonical[4..].chars().collect();
            prop_assume!(symbol_value(symbols[position]) != symbol_value(alias));
            symbols[position] = alias;
            let typed: String = symbols.into_iter().collect();
            prop_assert_eq!(Reference::parse(&typed), Err(ReferenceError::CheckMismatch));
        }
    }
}
