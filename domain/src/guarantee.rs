//! The State guarantee's unique identifier (docs/RULES.md §20, issue 32): what a company
//! obtains once its bank has pre-approved the loan, reads to its bank over the phone, and
//! what the bank's reviewer types back to grant.
//!
//! Written `PGE-XXXX-XXXX-XXXX-C`: the prefix, 12 Crockford base32 symbols in groups of
//! four (a 60-bit value, most significant symbol first) and 1 check symbol, from the same
//! alphabet as the loan request's [`Reference`](crate::reference::Reference)
//! (`0123456789ABCDEFGHJKMNPQRSTVWXYZ`: no I, L, O, U). Unlike the reference's, the check
//! symbol is one of those 32 too (no `*~$=U`), so every character of an identifier is a
//! digit or a letter one can spell on the phone.
//!
//! What this module guarantees:
//! - **Every mistyped symbol is caught.** The check symbol is computed with Damm's
//!   algorithm over a totally anti-symmetric quasigroup of order 32 (below): it detects
//!   every single-symbol substitution and every transposition of two adjacent symbols,
//!   the check symbol included (and also every jump transposition `abc`→`cba`, twin error
//!   `aa`→`bb` and jump twin error `aca`→`bcb`). A wrong symbol is
//!   [`GuaranteeIdentifierError::CheckMismatch`], never another valid identifier.
//!   Property tests check each of these on random identifiers; the quasigroup's
//!   properties are checked exhaustively.
//! - **Unguessable.** [`GuaranteeIdentifier::generate`] takes 60 bits from a
//!   cryptographically secure generator that the caller passes (the type requires
//!   [`rand_core::CryptoRng`]): guessing the identifier of a given loan succeeds with
//!   probability 2⁻⁶⁰ per try, and with a million identifiers issued a random guess hits
//!   one of them with probability under 10⁻¹². Uniqueness is the store's business (a
//!   unique index, retry on collision: at a million identifiers, the chance that a new
//!   one collides with an existing one is under 10⁻¹²).
//! - **Forgiving input, strict meaning.** [`GuaranteeIdentifier::parse`] ignores case,
//!   dashes and whitespace anywhere and the optional `PGE` prefix, and reads `I` and `L`
//!   as `1` and `O` as `0` (Crockford's normalisation, as for references); anything else
//!   is refused with a typed error whose [`code`](GuaranteeIdentifierError::code) is a
//!   field code. The display form parses back to the same identifier.
//! - **Not confused with a reference.** An identifier has 13 symbols, a reference 11:
//!   either typed where the other is expected is `invalid-format`.
//!
//! # The check symbol: Damm's algorithm over GF(32)
//! With the symbols' values in the field GF(2⁵) = GF(2)\[x\]/(x⁵ + x² + 1) and α the class
//! of x (a primitive element: its powers are the 31 non-zero elements), the operation
//! `a ∗ b = α·a + b` (+ is XOR) is a quasigroup (each row and column of its table is a
//! permutation of the 32 values) and is totally anti-symmetric: `(c ∗ a) ∗ b = (c ∗ b) ∗ a`
//! means `(α + 1)·(a + b) = 0`, so `a = b` since `α ≠ 1`. Damm's algorithm runs the
//! interim `r = 0`, `r ← r ∗ d` over the 12 data symbols and appends the check symbol `c`
//! with `r ∗ c = 0`, that is `c = α·r`; an identifier is valid when running over all 13
//! symbols ends at 0. Unrolled, the 13 symbols `d₁…d₁₃` must satisfy
//! `Σ α^(13−i)·dᵢ = 0`, so an error changing the sum by
//! - `α^k·e` (one symbol changed by `e ≠ 0`),
//! - `α^k·(a + b)·(α + 1)` (adjacent `ab` → `ba`, or twin `aa` → `bb`, with `a ≠ b`),
//! - `α^k·(a + b)·(α + 1)²` (jump `a?b` → `b?a`, or jump twin `a?a` → `b?b`)
//!
//! is never missed: a product of non-zero elements of a field is non-zero. No maintained
//! crate gives Damm's algorithm over this alphabet (the `iso-7064` crate's MOD 37,36 reads
//! `0-9A-Z`, where `I`, `L`, `O` and `U` are symbols of their own, which clashes with the
//! reference's Crockford reading), so the 15 lines below are ours.

use std::fmt;

use rand_core::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};

use crate::error::codes;
use crate::reference::{PREFIX, SYMBOLS, symbol_value, typed_symbols};

/// Data symbols, each carrying 5 random bits.
const DATA_SYMBOLS: usize = 12;
const BITS: u32 = 60;
const MASK: u64 = (1 << BITS) - 1;
/// Data symbols are shown in groups of this many.
const GROUP: usize = 4;
/// The reduction of x⁵ in GF(2⁵): x⁵ = x² + 1, i.e. the polynomial x⁵ + x² + 1 as bits.
const MODULUS: u8 = 0b10_0101;

/// `α·a` in GF(2⁵): a shift, reduced by the modulus when it overflows 5 bits.
const fn times_alpha(a: u8) -> u8 {
    let shifted = a << 1;
    if shifted & 0b10_0000 == 0 {
        shifted
    } else {
        shifted ^ MODULUS
    }
}

/// Damm's quasigroup operation `interim ∗ symbol = α·interim + symbol`.
const fn damm(interim: u8, symbol: u8) -> u8 {
    times_alpha(interim) ^ symbol
}

/// The symbol values (0 to 31) of the 60-bit `value`, most significant first.
fn data_symbols(value: u64) -> impl Iterator<Item = u8> {
    (0..DATA_SYMBOLS).rev().map(move |i| {
        // Masked to 5 bits: the conversion cannot fail.
        u8::try_from((value >> (5 * i)) & 31).unwrap_or(0)
    })
}

/// The check symbol's value of the 60-bit `value`: the `c` with `r ∗ c = 0`.
fn check_value(value: u64) -> u8 {
    times_alpha(data_symbols(value).fold(0, damm))
}

/// Why what was typed is not a guarantee identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum GuaranteeIdentifierError {
    #[error("a guarantee identifier is required")]
    Empty,
    #[error("a guarantee identifier is PGE- followed by 13 characters")]
    WrongLength,
    #[error("a guarantee identifier contains a character that is not allowed")]
    InvalidCharacter,
    #[error("this guarantee identifier has a mistyped character")]
    CheckMismatch,
}

impl GuaranteeIdentifierError {
    /// `required`, `invalid-format` (length), `invalid-characters`, `invalid-checksum`:
    /// the same codes as a reference's.
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

/// A guarantee identifier: a 60-bit value, written `PGE-XXXX-XXXX-XXXX-C`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct GuaranteeIdentifier(u64);

impl GuaranteeIdentifier {
    /// A new identifier from 60 bits of `rng`, which must be cryptographically secure
    /// (e.g. `rand::thread_rng()` or `rand::rngs::OsRng`): the identifier's only secret is
    /// that nobody can predict it.
    pub fn generate<R: RngCore + CryptoRng + ?Sized>(rng: &mut R) -> Self {
        Self(rng.next_u64() & MASK)
    }

    /// The identifier of a stored `value`, or `None` when it does not fit in 60 bits
    /// (a corrupt stored value).
    #[must_use]
    pub const fn from_value(value: u64) -> Option<Self> {
        if value <= MASK {
            Some(Self(value))
        } else {
            None
        }
    }

    /// The 60-bit value, for storage (it fits in a signed 64-bit column).
    #[must_use]
    pub const fn value(self) -> u64 {
        self.0
    }

    /// The canonical form, `PGE-XXXX-XXXX-XXXX-C` in upper case.
    #[must_use]
    pub fn as_string(self) -> String {
        self.to_string()
    }

    /// Parses what a person typed: case-insensitive, the `PGE` prefix optional, dashes and
    /// whitespace anywhere ignored, I and L read as 1 and O as 0.
    ///
    /// # Errors
    /// [`GuaranteeIdentifierError`] when nothing is left, when there are not 13 symbols,
    /// when a character is not a Crockford symbol, or when the check symbol does not
    /// match (a mistyped symbol).
    pub fn parse(input: &str) -> Result<Self, GuaranteeIdentifierError> {
        let symbols = typed_symbols(input, DATA_SYMBOLS + 1);
        if symbols.is_empty() {
            return Err(GuaranteeIdentifierError::Empty);
        }
        if symbols.len() != DATA_SYMBOLS + 1 {
            return Err(GuaranteeIdentifierError::WrongLength);
        }
        let mut value = 0u64;
        let mut interim = 0u8;
        for (i, &c) in symbols.iter().enumerate() {
            // Values 32 to 36 are the reference's check-only symbols: not ours.
            let v = symbol_value(c)
                .filter(|v| *v < 32)
                .ok_or(GuaranteeIdentifierError::InvalidCharacter)?;
            interim = damm(interim, v);
            if i < DATA_SYMBOLS {
                value = (value << 5) | u64::from(v);
            }
        }
        if interim != 0 {
            return Err(GuaranteeIdentifierError::CheckMismatch);
        }
        Ok(Self(value))
    }
}

impl fmt::Display for GuaranteeIdentifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(PREFIX)?;
        for (i, v) in data_symbols(self.0).enumerate() {
            if i % GROUP == 0 {
                f.write_str("-")?;
            }
            fmt::Write::write_char(f, char::from(SYMBOLS[usize::from(v)]))?;
        }
        f.write_str("-")?;
        fmt::Write::write_char(f, char::from(SYMBOLS[usize::from(check_value(self.0))]))
    }
}

impl fmt::Debug for GuaranteeIdentifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GuaranteeIdentifier({self})")
    }
}

impl std::str::FromStr for GuaranteeIdentifier {
    type Err = GuaranteeIdentifierError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for GuaranteeIdentifier {
    type Error = GuaranteeIdentifierError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<GuaranteeIdentifier> for String {
    fn from(id: GuaranteeIdentifier) -> Self {
        id.to_string()
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::reference::Reference;
    use proptest::prelude::*;
    use rand::SeedableRng;

    const ALPHABET: &str = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    /// The oracle: the check symbol by the unrolled formula `c = Σ α^(13−i)·dᵢ` with a
    /// textbook GF(2⁵) multiplication (shift-and-add, then reduction of the 9-bit
    /// product), independent of `times_alpha` and of the Damm fold.
    fn oracle_check(value: u64) -> u8 {
        fn gf_mul(a: u8, b: u8) -> u8 {
            let mut product: u16 = 0;
            for bit in 0..5 {
                if b & (1 << bit) != 0 {
                    product ^= u16::from(a) << bit;
                }
            }
            for bit in (5..=8).rev() {
                if product & (1 << bit) != 0 {
                    product ^= 0b10_0101 << (bit - 5);
                }
            }
            u8::try_from(product).unwrap()
        }
        fn gf_pow_alpha(k: usize) -> u8 {
            (0..k).fold(1, |acc, _| gf_mul(acc, 2))
        }
        (0..12).fold(0, |acc, i| {
            let d = u8::try_from((value >> (5 * (11 - i))) & 31).unwrap();
            acc ^ gf_mul(gf_pow_alpha(13 - (i + 1)), d)
        })
    }

    /// The 13 symbols of an identifier, without prefix and dashes.
    fn body(id: GuaranteeIdentifier) -> Vec<char> {
        id.to_string()[4..].chars().filter(|c| *c != '-').collect()
    }

    fn value_of(c: char) -> u8 {
        symbol_value(c).unwrap()
    }

    #[test]
    fn alphabet_is_the_references() {
        assert_eq!(&SYMBOLS[..32], ALPHABET.as_bytes());
    }

    #[test]
    fn alpha_is_primitive() {
        // α's powers run through all 31 non-zero elements before coming back to 1.
        let mut seen = std::collections::BTreeSet::new();
        let mut power = 1u8;
        for _ in 0..31 {
            assert!(seen.insert(power), "α has an order below 31");
            power = times_alpha(power);
        }
        assert_eq!(power, 1);
        assert_eq!(seen.len(), 31);
        assert!(!seen.contains(&0));
    }

    #[test]
    fn damm_operation_is_a_totally_anti_symmetric_quasigroup() {
        for a in 0..32u8 {
            let row: std::collections::BTreeSet<u8> = (0..32).map(|b| damm(a, b)).collect();
            let column: std::collections::BTreeSet<u8> = (0..32).map(|b| damm(b, a)).collect();
            assert_eq!(row.len(), 32, "row {a} is not a permutation");
            assert_eq!(column.len(), 32, "column {a} is not a permutation");
            assert!(row.iter().chain(&column).all(|v| *v < 32));
        }
        for c in 0..32u8 {
            for x in 0..32u8 {
                for y in 0..32u8 {
                    if damm(damm(c, x), y) == damm(damm(c, y), x) {
                        assert_eq!(x, y, "({c}∗{x})∗{y} = ({c}∗{y})∗{x}");
                    }
                }
            }
        }
    }

    #[test]
    fn known_values() {
        let zero = GuaranteeIdentifier::from_value(0).unwrap();
        assert_eq!(zero.to_string(), "PGE-0000-0000-0000-0");
        // Value 1: the last data symbol is 1, r = 1, c = α = 2.
        let one = GuaranteeIdentifier::from_value(1).unwrap();
        assert_eq!(one.to_string(), "PGE-0000-0000-0001-2");
        // Value 16 (symbol G): c = α·16 = x⁵ = x² + 1 = 5.
        let g = GuaranteeIdentifier::from_value(16).unwrap();
        assert_eq!(g.to_string(), "PGE-0000-0000-000G-5");
        // 1 in the second-to-last place: r = α, c = α² = 4.
        assert_eq!(
            GuaranteeIdentifier::from_value(32).unwrap().to_string(),
            "PGE-0000-0000-0010-4"
        );
        let max = GuaranteeIdentifier::from_value(MASK).unwrap();
        assert_eq!(max.to_string(), "PGE-ZZZZ-ZZZZ-ZZZZ-R");
        assert_eq!(SYMBOLS[usize::from(oracle_check(MASK))], b'R');
        assert_eq!(
            GuaranteeIdentifier::from_value(0x0ABC_DEF0_1234_5678)
                .unwrap()
                .to_string(),
            "PGE-NF6Y-Y093-8NKR-E"
        );
        assert_eq!(GuaranteeIdentifier::parse("PGE-0000-0000-0001-2"), Ok(one));
        assert_eq!(GuaranteeIdentifier::parse("pge 0000 0000 000g 5"), Ok(g));
        // The example of the OpenAPI document and the web app's hints.
        assert!(GuaranteeIdentifier::parse("PGE-7K3M-Q9TX-2HBW-D").is_ok());
        assert_eq!(
            GuaranteeIdentifier::parse("PGE-7K3M-Q9TX-2HBW-V"),
            Err(GuaranteeIdentifierError::CheckMismatch)
        );
    }

    #[test]
    fn from_value_refuses_more_than_60_bits() {
        assert_eq!(GuaranteeIdentifier::from_value(1 << 60), None);
        assert_eq!(GuaranteeIdentifier::from_value(u64::MAX), None);
        assert_eq!(
            GuaranteeIdentifier::from_value(MASK).map(GuaranteeIdentifier::value),
            Some(MASK)
        );
    }

    #[test]
    fn generate_keeps_60_random_bits() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let ids: Vec<GuaranteeIdentifier> = (0..2_000)
            .map(|_| GuaranteeIdentifier::generate(&mut rng))
            .collect();
        assert!(ids.iter().all(|id| id.value() <= MASK));
        let distinct: std::collections::BTreeSet<_> = ids.iter().collect();
        assert_eq!(distinct.len(), ids.len());
        // Every one of the 60 bits is set in some identifier and clear in another.
        let any_set = ids.iter().fold(0, |acc, id| acc | id.value());
        let any_clear = ids.iter().fold(0, |acc, id| acc | (!id.value() & MASK));
        assert_eq!(any_set, MASK);
        assert_eq!(any_clear, MASK);
    }

    #[test]
    fn refusals_with_codes() {
        let e = |s: &str| GuaranteeIdentifier::parse(s).unwrap_err();
        assert_eq!(e("").code(), "required");
        assert_eq!(e(" - - ").code(), "required");
        assert_eq!(e("PGE-0000-0000-0001").code(), "invalid-format");
        assert_eq!(e("PGE-0000-0000-0001-2-3").code(), "invalid-format");
        assert_eq!(e("PGE").code(), "invalid-format");
        assert_eq!(e("PGE-0000-0000-000U-2").code(), "invalid-characters");
        assert_eq!(e("PGE-0000-0000-0001-*").code(), "invalid-characters");
        assert_eq!(e("PGE-0000-0000-0001-é").code(), "invalid-characters");
        assert_eq!(
            e("PGE-0000-0000-0001-3"),
            GuaranteeIdentifierError::CheckMismatch
        );
        assert_eq!(e("PGE-0000-0000-0001-3").code(), "invalid-checksum");
        // Another prefix makes it too long.
        assert_eq!(e("ABC-0000-0000-0001-2").code(), "invalid-format");
    }

    #[test]
    fn a_body_starting_with_pge_without_prefix_is_data() {
        // P=22, G=16, E=14 as the first three data symbols.
        let id = GuaranteeIdentifier::from_value((22 << 55) | (16 << 50) | (14 << 45)).unwrap();
        let canonical = id.to_string();
        assert!(canonical.starts_with("PGE-PGE0"), "{canonical}");
        assert_eq!(GuaranteeIdentifier::parse(&canonical[4..]), Ok(id));
        assert_eq!(GuaranteeIdentifier::parse(&canonical), Ok(id));
    }

    #[test]
    fn references_and_identifiers_are_not_confused() {
        let reference = Reference::from_bits(0x2_0000_0000_1234).to_string();
        assert_eq!(
            GuaranteeIdentifier::parse(&reference),
            Err(GuaranteeIdentifierError::WrongLength)
        );
        let id = GuaranteeIdentifier::from_value(0x0123_4567_89AB_CDEF & MASK).unwrap();
        assert_eq!(
            Reference::parse(&id.to_string()).unwrap_err().code(),
            "invalid-format"
        );
    }

    #[test]
    fn serde_uses_the_canonical_form() {
        let id = GuaranteeIdentifier::from_value(1).unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"PGE-0000-0000-0001-2\"");
        assert_eq!(
            serde_json::from_str::<GuaranteeIdentifier>("\"pge000000000001 2\"").unwrap(),
            id
        );
        assert!(serde_json::from_str::<GuaranteeIdentifier>("\"PGE-0000-0000-0001-3\"").is_err());
        assert_eq!(
            format!("{id:?}"),
            "GuaranteeIdentifier(PGE-0000-0000-0001-2)"
        );
    }

    /// Writes `s` the way a person might: each symbol in either case, `0` as `O`/`o` and
    /// `1` as `I`/`i`/`L`/`l` on some draws, and a dash, a space or nothing after it.
    fn retype(s: &str, choices: &[u8]) -> String {
        let mut out = String::new();
        for (i, c) in s.chars().filter(|c| *c != '-').enumerate() {
            let choice = choices.get(i).copied().unwrap_or(0);
            let c = match (c, choice % 5) {
                ('0', 1) => 'O',
                ('1', 1) => 'I',
                ('1', 2) => 'L',
                _ => c,
            };
            out.push(if choice & 8 == 0 {
                c
            } else {
                c.to_ascii_lowercase()
            });
            match (choice >> 4) % 4 {
                1 => out.push('-'),
                2 => out.push(' '),
                _ => {}
            }
        }
        out
    }

    fn any_identifier() -> impl Strategy<Value = GuaranteeIdentifier> {
        (0..=MASK).prop_map(|v| GuaranteeIdentifier::from_value(v).unwrap())
    }

    proptest! {
        /// The display form is `PGE-XXXX-XXXX-XXXX-C` over the alphabet, its check symbol
        /// is the oracle's, and it parses back to the same identifier.
        #[test]
        fn every_identifier_displays_and_parses_back(id in any_identifier()) {
            let s = id.to_string();
            prop_assert_eq!(s.len(), 20);
            let groups: Vec<&str> = s.split('-').collect();
            prop_assert_eq!(groups.iter().map(|g| g.len()).collect::<Vec<_>>(), vec![3, 4, 4, 4, 1]);
            prop_assert_eq!(groups[0], "PGE");
            prop_assert!(s[4..].chars().all(|c| c == '-' || ALPHABET.contains(c)));
            let check = s.chars().last().unwrap();
            prop_assert_eq!(value_of(check), oracle_check(id.value()));
            prop_assert_eq!(GuaranteeIdentifier::parse(&s), Ok(id));
            prop_assert_eq!(s.parse::<GuaranteeIdentifier>(), Ok(id));
        }

        /// Generated identifiers (from a seeded CSPRNG) parse back too.
        #[test]
        fn generated_identifiers_parse_back(seed in any::<u64>()) {
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
            let id = GuaranteeIdentifier::generate(&mut rng);
            prop_assert_eq!(GuaranteeIdentifier::parse(&id.as_string()), Ok(id));
        }

        /// Case, dashes, spaces, the prefix and Crockford's aliases do not matter, and
        /// what parses displays as the canonical form again.
        #[test]
        fn normalisation_round_trips(
            id in any_identifier(),
            choices in proptest::collection::vec(any::<u8>(), 16),
            prefixed in any::<bool>(),
        ) {
            let canonical = id.to_string();
            let typed = retype(if prefixed { &canonical } else { &canonical[4..] }, &choices);
            let parsed = GuaranteeIdentifier::parse(&typed);
            prop_assert_eq!(parsed, Ok(id), "typed {:?}", typed);
            prop_assert_eq!(parsed.unwrap().to_string(), canonical);
            prop_assert_eq!(GuaranteeIdentifier::parse(&format!("  {typed}\t")), Ok(id));
        }

        /// Any one symbol (the check symbol included) replaced by another symbol of a
        /// different value is refused as a mistyped character, in either case.
        #[test]
        fn every_single_substitution_is_caught(
            id in any_identifier(),
            position in 0usize..13,
            replacement in 0usize..32,
            lower in any::<bool>(),
        ) {
            let mut symbols = body(id);
            prop_assume!(usize::from(value_of(symbols[position])) != replacement);
            symbols[position] = char::from(SYMBOLS[replacement]);
            let mut typed: String = symbols.into_iter().collect();
            if lower {
                typed = typed.to_lowercase();
            }
            prop_assert_eq!(
                GuaranteeIdentifier::parse(&typed),
                Err(GuaranteeIdentifierError::CheckMismatch)
            );
        }

        /// The same with the wrong symbol typed as a Crockford alias (I, L, O).
        #[test]
        fn substitutions_written_as_aliases_are_caught(
            id in any_identifier(),
            position in 0usize..13,
            alias in prop::sample::select(vec!['i', 'I', 'l', 'L', 'o', 'O']),
        ) {
            let mut symbols = body(id);
            prop_assume!(value_of(symbols[position]) != value_of(alias));
            symbols[position] = alias;
            let typed: String = symbols.into_iter().collect();
            prop_assert_eq!(
                GuaranteeIdentifier::parse(&typed),
                Err(GuaranteeIdentifierError::CheckMismatch)
            );
        }

        /// Any two different adjacent symbols swapped (the last data symbol and the check
        /// symbol included), with the identifier's dashes where they were, are caught.
        #[test]
        fn every_adjacent_transposition_is_caught(id in any_identifier(), position in 0usize..12) {
            let mut symbols = body(id);
            prop_assume!(symbols[position] != symbols[position + 1]);
            symbols.swap(position, position + 1);
            let swapped: String = symbols.into_iter().collect();
            let typed = format!(
                "PGE-{}-{}-{}-{}",
                &swapped[0..4], &swapped[4..8], &swapped[8..12], &swapped[12..]
            );
            prop_assert_eq!(
                GuaranteeIdentifier::parse(&typed),
                Err(GuaranteeIdentifierError::CheckMismatch)
            );
        }

        /// Beyond what was asked: jump transpositions (`abc` → `cba`), twin errors
        /// (`aa` → `bb`) and jump twin errors (`aca` → `bcb`) are caught too.
        #[test]
        fn jump_transpositions_and_twin_errors_are_caught(
            id in any_identifier(),
            position in 0usize..11,
            replacement in 0usize..32,
        ) {
            let symbols = body(id);
            if symbols[position] != symbols[position + 2] {
                let mut jumped = symbols.clone();
                jumped.swap(position, position + 2);
                let typed: String = jumped.into_iter().collect();
                prop_assert_eq!(
                    GuaranteeIdentifier::parse(&typed),
                    Err(GuaranteeIdentifierError::CheckMismatch)
                );
            }
            let twin = char::from(SYMBOLS[replacement]);
            for gap in [1, 2] {
                if symbols[position] == symbols[position + gap] && symbols[position] != twin {
                    let mut twins = symbols.clone();
                    twins[position] = twin;
                    twins[position + gap] = twin;
                    let typed: String = twins.into_iter().collect();
                    prop_assert_eq!(
                        GuaranteeIdentifier::parse(&typed),
                        Err(GuaranteeIdentifierError::CheckMismatch)
                    );
                }
            }
        }
    }

    /// Twin errors are rare among random identifiers: each pair of equal neighbours is
    /// checked exhaustively on a fixed set of identifiers instead.
    #[test]
    fn twin_errors_are_caught_exhaustively() {
        for a in 0..32u64 {
            for position in 0..10 {
                // Symbols `a` at `position` and `position + 1` and `position + 2`.
                let shift = |p: usize| 5 * (11 - p);
                let value = (a << shift(position))
                    | (a << shift(position + 1))
                    | (a << shift(position + 2));
                let id = GuaranteeIdentifier::from_value(value).unwrap();
                let symbols = body(id);
                for twin in ALPHABET.chars() {
                    if twin == symbols[position] {
                        continue;
                    }
                    for gap in [1, 2] {
                        let mut twins = symbols.clone();
                        twins[position] = twin;
                        twins[position + gap] = twin;
                        let typed: String = twins.into_iter().collect();
                        assert_eq!(
                            GuaranteeIdentifier::parse(&typed),
                            Err(GuaranteeIdentifierError::CheckMismatch),
                            "{id} typed {typed}"
                        );
                    }
                }
            }
        }
    }
}
