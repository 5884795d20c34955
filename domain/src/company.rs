//! The company asking for a guarantee: its identifiers (SIREN, SIRET) and what it
//! declares about itself, parsed once into types that can only hold valid values.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{FieldError, codes, field_path, strip_whitespace};
use crate::money::Cents;

/// Luhn check over ASCII digits (the `luhn` crate; callers pass digits only).
fn luhn_valid(digits: &[u8]) -> bool {
    std::str::from_utf8(digits).is_ok_and(luhn::valid)
}

/// `body` (ASCII digits) followed by the Luhn check digit that makes it valid: how test
/// and load data make SIRENs and SIRETs.
#[must_use]
pub fn luhn_complete(body: &str) -> String {
    format!("{body}{}", char::from(luhn::checksum(body.as_bytes())))
}

/// Whitespace removed; `Some` when what is left is exactly `len` ASCII digits.
fn digits_of_len(input: &str, len: usize) -> Option<String> {
    let compact = strip_whitespace(input);
    (compact.len() == len && compact.bytes().all(|b| b.is_ascii_digit())).then_some(compact)
}

/// Why a SIREN was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SirenError {
    #[error("a SIREN is required")]
    Empty,
    #[error("a SIREN is 9 digits")]
    InvalidFormat,
    #[error("this SIREN has an invalid check digit")]
    InvalidChecksum,
}

impl SirenError {
    /// `required` (empty or blank), `invalid-format` (length or non-digits),
    /// `invalid-checksum` (Luhn).
    #[must_use]
    pub fn code(self) -> crate::error::FieldCode {
        match self {
            Self::Empty => codes::REQUIRED,
            Self::InvalidFormat => codes::INVALID_FORMAT,
            Self::InvalidChecksum => codes::INVALID_CHECKSUM,
        }
    }
}

/// A French company identifier: 9 digits with a valid Luhn checksum, stored without
/// whitespace.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Siren(String);

impl Siren {
    /// Parses a SIREN, tolerating whitespace anywhere (`"732 829 320"`).
    ///
    /// # Errors
    /// [`SirenError`] when blank, not 9 digits, or the Luhn checksum fails.
    pub fn parse(input: &str) -> Result<Self, SirenError> {
        if input.trim().is_empty() {
            return Err(SirenError::Empty);
        }
        let digits = digits_of_len(input, 9).ok_or(SirenError::InvalidFormat)?;
        if !luhn_valid(digits.as_bytes()) {
            return Err(SirenError::InvalidChecksum);
        }
        Ok(Self(digits))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Siren {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for Siren {
    type Err = SirenError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Siren {
    type Error = SirenError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Siren> for String {
    fn from(s: Siren) -> Self {
        s.0
    }
}

/// Why a SIRET was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SiretError {
    #[error("a SIRET is required")]
    Empty,
    #[error("a SIRET is 14 digits")]
    InvalidFormat,
    #[error("this SIRET has an invalid check digit")]
    InvalidChecksum,
    /// Its 14 digits pass, but its first 9 are not a valid SIREN.
    #[error("the first 9 digits of this SIRET are not a valid SIREN")]
    InvalidSiren,
}

impl SiretError {
    /// `required`, `invalid-format`, or `invalid-checksum` (for both checksum variants).
    #[must_use]
    pub fn code(self) -> crate::error::FieldCode {
        match self {
            Self::Empty => codes::REQUIRED,
            Self::InvalidFormat => codes::INVALID_FORMAT,
            Self::InvalidChecksum | Self::InvalidSiren => codes::INVALID_CHECKSUM,
        }
    }
}

/// The SIREN of La Poste, whose establishments are numbered beyond what Luhn allows.
const LA_POSTE_SIREN: &str = "356000000";
/// La Poste's head office keeps a Luhn-valid SIRET (its digit sum, 26, is not a multiple
/// of 5): INSEE and every reference validator accept it, and the SIRET asked for here is
/// the head office's, so refusing it would lock La Poste itself out.
const LA_POSTE_HEAD_OFFICE_SIRET: &str = "35600000000048";

/// An establishment identifier: 14 digits, the first 9 being the company's SIREN.
///
/// Valid when Luhn-valid, except for La Poste (SIREN 356000000), whose SIRETs are valid
/// when the sum of their 14 digits is a multiple of 5 (and its head office,
/// 35600000000048, which is Luhn-valid).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Siret(String);

impl Siret {
    /// Parses a SIRET, tolerating whitespace anywhere (`"732 829 320 00074"`).
    ///
    /// # Errors
    /// [`SiretError`] when blank, not 14 digits, or failing its checksum.
    pub fn parse(input: &str) -> Result<Self, SiretError> {
        if input.trim().is_empty() {
            return Err(SiretError::Empty);
        }
        let digits = digits_of_len(input, 14).ok_or(SiretError::InvalidFormat)?;
        let valid = if digits.starts_with(LA_POSTE_SIREN) {
            let sum: u32 = digits.bytes().map(|b| u32::from(b - b'0')).sum();
            sum.is_multiple_of(5) || digits == LA_POSTE_HEAD_OFFICE_SIRET
        } else {
            luhn_valid(digits.as_bytes())
        };
        if !valid {
            return Err(SiretError::InvalidChecksum);
        }
        if Siren::parse(&digits[..9]).is_err() {
            return Err(SiretError::InvalidSiren);
        }
        Ok(Self(digits))
    }

    /// The SIREN of the company the establishment belongs to (its first 9 digits).
    #[must_use]
    pub fn siren(&self) -> Siren {
        // Checked valid by `parse`; no need to run Luhn again.
        Siren(self.0[..9].to_owned())
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Siret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for Siret {
    type Err = SiretError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Siret {
    type Error = SiretError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Siret> for String {
    fn from(s: Siret) -> Self {
        s.0
    }
}

/// Legal form of the company, as enumerated in docs/RULES.md §2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LegalForm {
    Sa,
    Sas,
    Sasu,
    Sarl,
    Eurl,
    Snc,
    Ei,
    Micro,
    Association,
    Sci,
    CreditInstitution,
    FinancingCompany,
    Other,
}

impl LegalForm {
    pub const ALL: [Self; 13] = [
        Self::Sa,
        Self::Sas,
        Self::Sasu,
        Self::Sarl,
        Self::Eurl,
        Self::Snc,
        Self::Ei,
        Self::Micro,
        Self::Association,
        Self::Sci,
        Self::CreditInstitution,
        Self::FinancingCompany,
        Self::Other,
    ];

    /// The wire name: `SA`, `CREDIT_INSTITUTION`...
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sa => "SA",
            Self::Sas => "SAS",
            Self::Sasu => "SASU",
            Self::Sarl => "SARL",
            Self::Eurl => "EURL",
            Self::Snc => "SNC",
            Self::Ei => "EI",
            Self::Micro => "MICRO",
            Self::Association => "ASSOCIATION",
            Self::Sci => "SCI",
            Self::CreditInstitution => "CREDIT_INSTITUTION",
            Self::FinancingCompany => "FINANCING_COMPANY",
            Self::Other => "OTHER",
        }
    }

    /// The form with this wire name, exactly as [`LegalForm::as_str`] writes it.
    #[must_use]
    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == input)
    }

    /// Forms the scheme excludes (docs/RULES.md §3): real-estate companies and financial
    /// institutions.
    #[must_use]
    pub fn is_excluded(self) -> bool {
        matches!(
            self,
            Self::Sci | Self::CreditInstitution | Self::FinancingCompany
        )
    }
}

impl fmt::Display for LegalForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a legal name was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LegalNameError {
    #[error("a legal name is required")]
    Empty,
    #[error("a legal name is at most 200 characters")]
    TooLong,
    #[error("a legal name cannot contain control or invisible formatting characters")]
    ControlCharacter,
}

impl LegalNameError {
    #[must_use]
    pub fn code(self) -> crate::error::FieldCode {
        match self {
            Self::Empty => codes::REQUIRED,
            Self::TooLong => codes::TOO_LONG,
            Self::ControlCharacter => codes::INVALID_CHARACTERS,
        }
    }
}

/// The registered name of the company: trimmed, 1 to 200 characters (Unicode scalar
/// values, not bytes), no control or format characters (see
/// [`crate::error::has_hidden_characters`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LegalName(String);

impl LegalName {
    pub const MAX_CHARS: usize = 200;

    /// # Errors
    /// [`LegalNameError`] when blank, too long or containing a control character.
    pub fn parse(input: &str) -> Result<Self, LegalNameError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(LegalNameError::Empty);
        }
        if trimmed.chars().count() > Self::MAX_CHARS {
            return Err(LegalNameError::TooLong);
        }
        if crate::error::has_hidden_characters(trimmed) {
            return Err(LegalNameError::ControlCharacter);
        }
        Ok(Self(trimmed.to_owned()))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LegalName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for LegalName {
    type Error = LegalNameError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<LegalName> for String {
    fn from(n: LegalName) -> Self {
        n.0
    }
}

/// Number of employees, 0 to 10,000,000 (no company comes near the upper bound; it
/// only keeps absurd input out).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(try_from = "i64", into = "u32")]
pub struct Headcount(u32);

/// A headcount below 0 or above [`Headcount::MAX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a headcount is between 0 and 10,000,000")]
pub struct HeadcountOutOfRange;

impl Headcount {
    pub const MAX: u32 = 10_000_000;

    /// `None` when below 0 or above [`Headcount::MAX`].
    #[must_use]
    pub fn new(value: i64) -> Option<Self> {
        u32::try_from(value)
            .ok()
            .filter(|v| *v <= Self::MAX)
            .map(Self)
    }

    #[must_use]
    pub const fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<i64> for Headcount {
    type Error = HeadcountOutOfRange;
    fn try_from(value: i64) -> Result<Self, Self::Error> {
        Self::new(value).ok_or(HeadcountOutOfRange)
    }
}

impl From<Headcount> for u32 {
    fn from(h: Headcount) -> Self {
        h.0
    }
}

/// The company as the HTTP layer deserialised it: plain data, nothing checked yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawCompany {
    pub siren: String,
    pub siret: Option<String>,
    pub legal_name: String,
    pub legal_form: String,
    pub creation_date: NaiveDate,
    pub headcount: i64,
    pub revenue_cents: i64,
    pub payroll_cents: Option<i64>,
    pub balance_sheet_cents: Option<i64>,
    pub innovative: bool,
    pub collective_proceedings: bool,
}

/// A company whose declared data are all valid (docs/RULES.md §2). Whether it is
/// eligible is another question: see [`crate::rules::eligibility`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Company {
    pub siren: Siren,
    pub siret: Option<Siret>,
    pub legal_name: LegalName,
    pub legal_form: LegalForm,
    pub creation_date: NaiveDate,
    pub headcount: Headcount,
    pub revenue: Cents,
    pub payroll: Option<Cents>,
    pub balance_sheet: Option<Cents>,
    pub innovative: bool,
    pub collective_proceedings: bool,
}

/// The largest revenue, payroll or balance-sheet total a company may declare: €1,000
/// billion (10^14 cents). France's largest companies declare revenues in the hundreds of
/// billions of euros; anything beyond is a typing error or an attack. With it, a cap is
/// at most 2 × 10^14 cents, and 46,000 such caps still sum within an `i64`; the API's
/// sums are computed wider anyway.
pub const MAX_DECLARED: Cents = Cents::euros(1_000_000_000_000);

/// A declared amount: not negative, at most [`MAX_DECLARED`].
fn declared_amount(value: i64, field: String, errors: &mut Vec<FieldError>) -> Option<Cents> {
    if value < 0 {
        errors.push(FieldError::new(
            field,
            codes::NEGATIVE,
            "must not be negative",
        ));
        None
    } else if value > MAX_DECLARED.get() {
        errors.push(FieldError::new(
            field,
            codes::OUT_OF_RANGE,
            "must be at most 1,000 billion euros (100,000,000,000,000 cents)",
        ));
        None
    } else {
        Some(Cents::new(value))
    }
}

impl Company {
    /// Parses every field, collecting all the errors rather than stopping at the first.
    /// Field paths are `"{prefix}.siren"` and so on (`prefix` is `"company"` in the
    /// API; an empty prefix gives bare field names).
    ///
    /// Whether the creation date lies in the future is not checked: the domain has no
    /// clock ([`Company::parse_declared`] is given the date).
    ///
    /// # Errors
    /// Every [`FieldError`] found, in field order.
    pub fn parse(raw: RawCompany, prefix: &str) -> Result<Self, Vec<FieldError>> {
        Self::parse_on(raw, prefix, None)
    }

    /// Parses a company declared now, on `today`: [`Company::parse`], and a creation
    /// date that is not in the future (such a date would earn the young-company cap).
    ///
    /// # Errors
    /// Every [`FieldError`] found, in field order.
    pub fn parse_declared(
        raw: RawCompany,
        prefix: &str,
        today: NaiveDate,
    ) -> Result<Self, Vec<FieldError>> {
        Self::parse_on(raw, prefix, Some(today))
    }

    fn parse_on(
        raw: RawCompany,
        prefix: &str,
        today: Option<NaiveDate>,
    ) -> Result<Self, Vec<FieldError>> {
        let RawCompany {
            siren,
            siret,
            legal_name,
            legal_form,
            creation_date,
            headcount,
            revenue_cents,
            payroll_cents,
            balance_sheet_cents,
            innovative,
            collective_proceedings,
        } = raw;
        let path = |field: &str| field_path(prefix, field);
        let mut errors = Vec::new();

        let siren = Siren::parse(&siren)
            .map_err(|e| errors.push(FieldError::new(path("siren"), e.code(), e.to_string())))
            .ok();
        // A blank optional SIRET is an absent one, as forms send it.
        let siret = match siret.as_deref().filter(|s| !s.trim().is_empty()) {
            None => Ok(None),
            Some(s) => Siret::parse(s).map(Some),
        }
        .map_err(|e| errors.push(FieldError::new(path("siret"), e.code(), e.to_string())))
        .ok()
        .flatten();
        if let (Some(siren), Some(siret)) = (&siren, &siret)
            && siret.siren() != *siren
        {
            errors.push(FieldError::new(
                path("siret"),
                codes::SIRET_SIREN_MISMATCH,
                "the first 9 digits of the SIRET must be the SIREN",
            ));
        }
        let legal_name = LegalName::parse(&legal_name)
            .map_err(|e| {
                errors.push(FieldError::new(path("legal_name"), e.code(), e.to_string()));
            })
            .ok();
        let legal_form = if legal_form.trim().is_empty() {
            errors.push(FieldError::new(
                path("legal_form"),
                codes::REQUIRED,
                "a legal form is required",
            ));
            None
        } else {
            let parsed = LegalForm::parse(&legal_form);
            if parsed.is_none() {
                errors.push(FieldError::new(
                    path("legal_form"),
                    codes::UNKNOWN_VALUE,
                    "unknown legal form",
                ));
            }
            parsed
        };
        if today.is_some_and(|today| creation_date > today) {
            errors.push(FieldError::new(
                path("creation_date"),
                codes::FUTURE_DATE,
                "the creation date is in the future",
            ));
        }
        let headcount = Headcount::new(headcount);
        if headcount.is_none() {
            errors.push(FieldError::new(
                path("headcount"),
                codes::OUT_OF_RANGE,
                HeadcountOutOfRange.to_string(),
            ));
        }
        let revenue = declared_amount(revenue_cents, path("revenue_cents"), &mut errors);
        let payroll = payroll_cents
            .map(|p| declared_amount(p, path("payroll_cents"), &mut errors).ok_or(()))
            .transpose();
        let balance_sheet = balance_sheet_cents
            .map(|b| declared_amount(b, path("balance_sheet_cents"), &mut errors).ok_or(()))
            .transpose();

        match (
            siren,
            legal_name,
            legal_form,
            headcount,
            revenue,
            payroll,
            balance_sheet,
        ) {
            (
                Some(siren),
                Some(legal_name),
                Some(legal_form),
                Some(headcount),
                Some(revenue),
                Ok(payroll),
                Ok(balance_sheet),
            ) if errors.is_empty() => Ok(Self {
                siren,
                siret,
                legal_name,
                legal_form,
                creation_date,
                headcount,
                revenue,
                payroll,
                balance_sheet,
                innovative,
                collective_proceedings,
            }),
            _ => Err(errors),
        }
    }

    /// Back to plain data, e.g. to store it or to echo it in a response.
    /// `Company::parse(c.to_raw(), p)` gives `c` back.
    #[must_use]
    pub fn to_raw(&self) -> RawCompany {
        RawCompany {
            siren: self.siren.as_str().to_owned(),
            siret: self.siret.as_ref().map(|s| s.as_str().to_owned()),
            legal_name: self.legal_name.as_str().to_owned(),
            legal_form: self.legal_form.as_str().to_owned(),
            creation_date: self.creation_date,
            headcount: i64::from(self.headcount.get()),
            revenue_cents: self.revenue.get(),
            payroll_cents: self.payroll.map(Cents::get),
            balance_sheet_cents: self.balance_sheet.map(Cents::get),
            innovative: self.innovative,
            collective_proceedings: self.collective_proceedings,
        }
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A valid company to vary in tests: a small SAS (the README's example).
    pub(crate) fn raw_company() -> RawCompany {
        RawCompany {
            siren: "732829320".into(),
            siret: Some("73282932000074".into()),
            legal_name: "Boulangerie Exemple".into(),
            legal_form: "SAS".into(),
            creation_date: NaiveDate::from_ymd_opt(2012, 5, 4).unwrap(),
            headcount: 12,
            revenue_cents: 100_000_000,
            payroll_cents: Some(40_000_000),
            balance_sheet_cents: None,
            innovative: false,
            collective_proceedings: false,
        }
    }

    pub(crate) fn company() -> Company {
        Company::parse(raw_company(), "company").unwrap()
    }

    #[test]
    fn declared_figures_are_bounded() {
        let at = |revenue: i64, payroll: Option<i64>, balance: Option<i64>| {
            let raw = RawCompany {
                revenue_cents: revenue,
                payroll_cents: payroll,
                balance_sheet_cents: balance,
                ..raw_company()
            };
            Company::parse(raw, "company").map(|_| ()).map_err(|e| {
                codes_of(&e)
                    .iter()
                    .map(|(f, c)| format!("{f}:{c}"))
                    .collect::<Vec<_>>()
            })
        };
        let max = MAX_DECLARED.get();
        assert_eq!(at(max, Some(max), Some(max)), Ok(()));
        assert_eq!(
            at(max + 1, Some(i64::MAX), Some(max + 1)),
            Err(vec![
                "company.revenue_cents:out-of-range".to_owned(),
                "company.payroll_cents:out-of-range".to_owned(),
                "company.balance_sheet_cents:out-of-range".to_owned(),
            ])
        );
    }

    #[test]
    fn a_creation_date_in_the_future_is_refused() {
        let today = NaiveDate::from_ymd_opt(2020, 4, 1).unwrap();
        let raw = |date| RawCompany {
            creation_date: date,
            ..raw_company()
        };
        assert!(Company::parse_declared(raw(today), "company", today).is_ok());
        let tomorrow = today.succ_opt().unwrap();
        let errors = Company::parse_declared(raw(tomorrow), "company", today).unwrap_err();
        assert_eq!(
            codes_of(&errors),
            vec![("company.creation_date", "future-date")]
        );
        let both = RawCompany {
            siren: "1".into(),
            revenue_cents: -1,
            ..raw(tomorrow)
        };
        let errors = Company::parse_declared(both, "company", today).unwrap_err();
        assert_eq!(
            codes_of(&errors),
            vec![
                ("company.siren", "invalid-format"),
                ("company.creation_date", "future-date"),
                ("company.revenue_cents", "negative"),
            ]
        );
    }

    fn codes_of(errors: &[FieldError]) -> Vec<(&str, &str)> {
        errors
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect()
    }

    /// Appends the Luhn check digit to `body`.
    fn with_luhn_digit(body: &str) -> String {
        format!("{body}{}", char::from(luhn::checksum(body.as_bytes())))
    }

    #[test]
    fn siren_accepts_a_valid_number_and_whitespace() {
        for input in [
            "732829320",
            "732 829 320",
            " 732829320\t",
            "732\u{a0}829\u{a0}320",
            "732\u{202f}829\u{202f}320",
        ] {
            assert_eq!(Siren::parse(input).unwrap().as_str(), "732829320");
        }
        assert_eq!(Siren::parse("732829320").unwrap().to_string(), "732829320");
    }

    #[test]
    fn siren_refuses_bad_input_with_codes() {
        assert_eq!(Siren::parse("").unwrap_err().code(), "required");
        assert_eq!(Siren::parse("   ").unwrap_err().code(), "required");
        assert_eq!(
            Siren::parse("73282932").unwrap_err().code(),
            "invalid-format"
        );
        assert_eq!(
            Siren::parse("7328293200").unwrap_err().code(),
            "invalid-format"
        );
        assert_eq!(
            Siren::parse("73282932A").unwrap_err().code(),
            "invalid-format"
        );
        assert_eq!(
            Siren::parse("732-829-320").unwrap_err().code(),
            "invalid-format"
        );
        // Non-ASCII digits (Arabic-Indic) are not digits here.
        assert_eq!(
            Siren::parse("٧٣٢٨٢٩٣٢٠").unwrap_err().code(),
            "invalid-format"
        );
        assert_eq!(
            Siren::parse("732829321").unwrap_err().code(),
            "invalid-checksum"
        );
    }

    #[test]
    fn siret_accepts_luhn_valid_numbers() {
        let siret = Siret::parse("732 829 320 00074").unwrap();
        assert_eq!(siret.as_str(), "73282932000074");
        assert_eq!(siret.siren(), Siren::parse("732829320").unwrap());
        assert_eq!(
            Siret::parse("73282932000075").unwrap_err().code(),
            "invalid-checksum"
        );
        assert_eq!(
            Siret::parse("7328293200007").unwrap_err().code(),
            "invalid-format"
        );
        assert_eq!(Siret::parse("").unwrap_err().code(), "required");
    }

    #[test]
    fn siret_refuses_a_luhn_valid_number_whose_siren_is_not() {
        // 123456789 fails Luhn; pick a NIC that makes the 14 digits pass.
        assert!(Siren::parse("123456789").is_err());
        let siret = with_luhn_digit("1234567890000");
        assert_eq!(Siret::parse(&siret).unwrap_err(), SiretError::InvalidSiren);
        assert_eq!(SiretError::InvalidSiren.code(), "invalid-checksum");
    }

    #[test]
    fn la_poste_sirets_use_the_sum_of_digits_rule() {
        // 3+5+6 = 14, so the NIC digits must add up to 1, 6, 11...
        // 35600000000001: sum 15, a multiple of 5, although Luhn-invalid.
        assert!(!luhn_valid(b"35600000000001"));
        assert_eq!(
            Siret::parse("35600000000001").unwrap().siren().as_str(),
            "356000000"
        );
        assert!(Siret::parse("356 000 000 00047").is_ok()); // sum 25, Luhn-invalid
        // 35600000000014 is Luhn-valid but its digit sum is 19: refused.
        assert!(luhn_valid(b"35600000000014"));
        assert_eq!(
            Siret::parse("35600000000014").unwrap_err(),
            SiretError::InvalidChecksum
        );
        // Neither rule: sum 16, Luhn-invalid.
        assert_eq!(
            Siret::parse("35600000000002").unwrap_err(),
            SiretError::InvalidChecksum
        );
    }

    #[test]
    fn la_poste_head_office_keeps_its_luhn_siret() {
        // Digit sum 26, yet INSEE's register lists it: the one Luhn-valid exception.
        assert!(luhn_valid(b"35600000000048"));
        assert_eq!(
            Siret::parse("35600000000048").unwrap().as_str(),
            "35600000000048"
        );
        // Other Luhn-valid La Poste numbers whose digit sum is not a multiple of 5 stay refused.
        assert!(luhn_valid(b"35600000000022"));
        assert!(Siret::parse("35600000000022").is_err());
    }

    #[test]
    fn siret_siren_extraction() {
        let s = Siret::parse("73282932000074").unwrap();
        assert_eq!(s.siren().to_string(), "732829320");
    }

    #[test]
    fn legal_form_round_trips_its_wire_name() {
        for form in LegalForm::ALL {
            assert_eq!(LegalForm::parse(form.as_str()), Some(form));
        }
        assert_eq!(LegalForm::CreditInstitution.as_str(), "CREDIT_INSTITUTION");
        assert_eq!(LegalForm::parse("sas"), None);
        assert_eq!(LegalForm::parse("GIE"), None);
    }

    #[test]
    fn legal_name_is_trimmed_and_bounded_in_characters() {
        assert_eq!(LegalName::parse("  Café Ça  ").unwrap().as_str(), "Café Ça");
        assert_eq!(LegalName::parse(" \t ").unwrap_err().code(), "required");
        // 200 two-byte characters are 400 bytes but allowed.
        assert!(LegalName::parse(&"é".repeat(200)).is_ok());
        assert_eq!(
            LegalName::parse(&"é".repeat(201)).unwrap_err().code(),
            "too-long"
        );
        assert_eq!(
            LegalName::parse("A\0B").unwrap_err().code(),
            "invalid-characters"
        );
        assert_eq!(
            LegalName::parse("A\nB").unwrap_err().code(),
            "invalid-characters"
        );
        assert_eq!(
            LegalName::parse("A\u{7f}B").unwrap_err().code(),
            "invalid-characters"
        );
    }

    #[test]
    fn headcount_bounds() {
        assert_eq!(Headcount::new(-1), None);
        assert_eq!(Headcount::new(0).unwrap().get(), 0);
        assert_eq!(Headcount::new(10_000_000).unwrap().get(), 10_000_000);
        assert_eq!(Headcount::new(10_000_001), None);
        assert_eq!(Headcount::new(i64::MAX), None);
    }

    #[test]
    fn company_parses_and_round_trips_through_raw() {
        let c = company();
        assert_eq!(c.siren.as_str(), "732829320");
        assert_eq!(c.revenue, Cents::new(100_000_000));
        assert_eq!(c.balance_sheet, None);
        assert_eq!(Company::parse(c.to_raw(), "company").unwrap(), c);
        assert_eq!(c.to_raw(), raw_company());
    }

    #[test]
    fn company_without_siret_is_fine() {
        let raw = RawCompany {
            siret: None,
            ..raw_company()
        };
        assert_eq!(Company::parse(raw, "company").unwrap().siret, None);
        let blank = RawCompany {
            siret: Some(" ".into()),
            ..raw_company()
        };
        assert_eq!(Company::parse(blank, "company").unwrap().siret, None);
    }

    #[test]
    fn company_collects_every_field_error_with_its_path() {
        let raw = RawCompany {
            siren: "123".into(),
            siret: Some("73282932000075".into()),
            legal_name: String::new(),
            legal_form: "GIE".into(),
            headcount: -1,
            revenue_cents: -1,
            payroll_cents: Some(-1),
            balance_sheet_cents: Some(-1),
            ..raw_company()
        };
        let errors = Company::parse(raw, "company").unwrap_err();
        assert_eq!(
            codes_of(&errors),
            vec![
                ("company.siren", "invalid-format"),
                ("company.siret", "invalid-checksum"),
                ("company.legal_name", "required"),
                ("company.legal_form", "unknown-value"),
                ("company.headcount", "out-of-range"),
                ("company.revenue_cents", "negative"),
                ("company.payroll_cents", "negative"),
                ("company.balance_sheet_cents", "negative"),
            ]
        );
    }

    #[test]
    fn company_refuses_a_siret_of_another_siren() {
        let raw = RawCompany {
            // La Poste's head office: a valid SIRET, but not of 732829320.
            siret: Some("35600000000048".into()),
            ..raw_company()
        };
        let errors = Company::parse(raw, "company").unwrap_err();
        assert_eq!(
            codes_of(&errors),
            vec![("company.siret", "siret-siren-mismatch")]
        );
    }

    #[test]
    fn company_headcount_above_ten_million_and_blank_legal_form() {
        let raw = RawCompany {
            headcount: 10_000_001,
            legal_form: " ".into(),
            ..raw_company()
        };
        let errors = Company::parse(raw, "").unwrap_err();
        assert_eq!(
            codes_of(&errors),
            vec![("legal_form", "required"), ("headcount", "out-of-range")]
        );
    }

    #[test]
    fn zero_money_is_accepted() {
        let raw = RawCompany {
            revenue_cents: 0,
            payroll_cents: Some(0),
            balance_sheet_cents: Some(0),
            headcount: 0,
            ..raw_company()
        };
        assert!(Company::parse(raw, "company").is_ok());
    }

    fn valid_siren() -> impl Strategy<Value = String> {
        "[0-9]{8}".prop_map(|body| with_luhn_digit(&body))
    }

    proptest! {
        #[test]
        fn luhn_valid_sirens_round_trip(siren in valid_siren()) {
            let parsed = Siren::parse(&siren).unwrap();
            prop_assert_eq!(parsed.as_str(), siren.as_str());
            let spaced = format!("{} {} {}", &siren[..3], &siren[3..6], &siren[6..]);
            let reparsed = Siren::parse(&spaced).unwrap();
            prop_assert_eq!(&reparsed, &parsed);
            prop_assert_eq!(Siren::parse(&parsed.to_string()).unwrap(), parsed);
        }

        #[test]
        fn every_single_digit_change_of_a_siren_is_rejected(
            siren in valid_siren(),
            position in 0usize..9,
            shift in 1u8..10,
        ) {
            let mut bytes = siren.into_bytes();
            bytes[position] = b'0' + (bytes[position] - b'0' + shift) % 10;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert_eq!(Siren::parse(&changed), Err(SirenError::InvalidChecksum));
        }

        #[test]
        fn luhn_valid_sirets_round_trip(siren in valid_siren(), nic in "[0-9]{4}") {
            prop_assume!(siren != LA_POSTE_SIREN);
            let siret = with_luhn_digit(&format!("{siren}{nic}"));
            let parsed = Siret::parse(&siret).unwrap();
            prop_assert_eq!(parsed.as_str(), siret.as_str());
            prop_assert_eq!(parsed.siren().to_string(), siren);
        }

        #[test]
        fn la_poste_sirets_are_valid_iff_their_digit_sum_is_a_multiple_of_five(nic in "[0-9]{5}") {
            let siret = format!("{LA_POSTE_SIREN}{nic}");
            let sum: u32 = siret.bytes().map(|b| u32::from(b - b'0')).sum();
            let expected = sum.is_multiple_of(5) || siret == LA_POSTE_HEAD_OFFICE_SIRET;
            prop_assert_eq!(Siret::parse(&siret).is_ok(), expected);
        }
    }
}
