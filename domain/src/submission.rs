//! A loan request as an applicant submits it, parsed whole: every field error at once,
//! then eligibility, then the computed terms.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use validator::ValidateEmail;

use crate::company::{Company, RawCompany};
use crate::error::{FieldError, codes};
use crate::money::Cents;
use crate::rules::{self, AmortizationYears, Ineligibility, LoanTerms, MIN_AMOUNT};

/// Why a bank code was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BankCodeError {
    #[error("a bank code is required")]
    Empty,
    #[error("a bank code is 5 digits")]
    InvalidFormat,
}

impl BankCodeError {
    #[must_use]
    pub fn code(self) -> crate::error::FieldCode {
        match self {
            Self::Empty => codes::REQUIRED,
            Self::InvalidFormat => codes::INVALID_FORMAT,
        }
    }
}

/// A French interbank code (code banque): exactly 5 ASCII digits, e.g. `30004`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BankCode(String);

impl BankCode {
    /// # Errors
    /// [`BankCodeError`] unless the input is exactly 5 ASCII digits (no whitespace).
    pub fn parse(input: &str) -> Result<Self, BankCodeError> {
        if input.is_empty() {
            return Err(BankCodeError::Empty);
        }
        if input.len() == 5 && input.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(input.to_owned()))
        } else {
            Err(BankCodeError::InvalidFormat)
        }
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BankCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for BankCode {
    type Err = BankCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for BankCode {
    type Error = BankCodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<BankCode> for String {
    fn from(b: BankCode) -> Self {
        b.0
    }
}

/// Why an e-mail address was refused. The messages never repeat the address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("an e-mail address is required")]
    Empty,
    #[error("an e-mail address is at most 254 characters")]
    TooLong,
    #[error("this is not a valid e-mail address")]
    Invalid,
}

impl EmailError {
    /// `required` when blank, `invalid-email` otherwise (too long included).
    #[must_use]
    pub fn code(self) -> crate::error::FieldCode {
        match self {
            Self::Empty => codes::REQUIRED,
            Self::TooLong | Self::Invalid => codes::INVALID_EMAIL,
        }
    }
}

/// A contact e-mail address: trimmed, at most 254 characters, syntactically valid, no
/// control characters, and one that Amazon SES accepts as a recipient: 7-bit ASCII (SES
/// does not take UTF-8 local parts, and wants internationalised domains in Punycode), a
/// local part of at most 64 characters, and a DNS domain name (at least two labels of
/// letters, digits and inner hyphens, a non-numeric top level; no IP literal).
/// Personal data: `Debug` does not print it; keep it out of logs.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

impl EmailAddress {
    pub const MAX_CHARS: usize = 254;

    /// # Errors
    /// [`EmailError`] when blank, too long or not a valid address.
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let trimmed = input.trim();
        Self::check_length(trimmed)?;
        if trimmed.chars().any(char::is_control)
            || !trimmed.is_ascii()
            || !trimmed.validate_email()
            || !deliverable(trimmed)
        {
            return Err(EmailError::Invalid);
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// An address read back from storage: it was checked when accepted, perhaps under
    /// older rules, and a stricter rule today must not make the stored request
    /// unreadable. Only the basic form is checked again.
    ///
    /// # Errors
    /// [`EmailError`] when the stored value is blank, too long or has no `@`.
    pub fn stored(value: &str) -> Result<Self, EmailError> {
        Self::check_length(value.trim())?;
        if !value.contains('@') {
            return Err(EmailError::Invalid);
        }
        Ok(Self(value.to_owned()))
    }

    /// Not blank, not over [`Self::MAX_CHARS`].
    fn check_length(value: &str) -> Result<(), EmailError> {
        if value.is_empty() {
            return Err(EmailError::Empty);
        }
        if value.chars().count() > Self::MAX_CHARS {
            return Err(EmailError::TooLong);
        }
        Ok(())
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The rules SES adds to RFC 5322's syntax (on an ASCII, syntactically valid address).
fn deliverable(address: &str) -> bool {
    let Some((local, domain)) = address.rsplit_once('@') else {
        return false;
    };
    let labels: Vec<&str> = domain.split('.').collect();
    local.len() <= 64
        && !local.contains('"')
        && labels.len() >= 2
        && labels.iter().all(|label| {
            (1..=63).contains(&label.len())
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        && labels
            .last()
            .is_some_and(|tld| !tld.bytes().all(|b| b.is_ascii_digit()))
}

impl fmt::Debug for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EmailAddress(<redacted>)")
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = EmailError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<EmailAddress> for String {
    fn from(e: EmailAddress) -> Self {
        e.0
    }
}

/// A submission as the HTTP layer deserialised it: plain data, nothing checked yet.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawSubmission {
    pub bank_id: String,
    pub company: RawCompany,
    pub requested_amount_cents: i64,
    pub amortization_years: i64,
    pub contact_email: String,
}

/// Leaves the contact address out: it is personal data.
impl fmt::Debug for RawSubmission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawSubmission")
            .field("bank_id", &self.bank_id)
            .field("company", &self.company)
            .field("requested_amount_cents", &self.requested_amount_cents)
            .field("amortization_years", &self.amortization_years)
            .field("contact_email", &"<redacted>")
            .finish()
    }
}

/// A valid submission of an eligible company, with the terms it gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub bank: BankCode,
    pub company: Company,
    pub amount: Cents,
    pub amortization: AmortizationYears,
    pub contact_email: EmailAddress,
    pub terms: LoanTerms,
}

/// Why a submission was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubmissionError {
    /// At least one field is invalid: all of them, in field order.
    #[error("invalid submission ({} field errors)", .0.len())]
    Invalid(Vec<FieldError>),
    /// Every field is valid but the company is not eligible.
    #[error("the company is not eligible")]
    NotEligible(Vec<Ineligibility>),
}

impl Submission {
    /// Parses every field, collecting all field errors (the amount is checked against
    /// the minimum always, against the cap once the company parsed); then checks
    /// eligibility; then computes the terms.
    ///
    /// The aggregate cap across a SIREN's requests and the campaign window need the
    /// store and the clock: the caller checks them.
    ///
    /// # Errors
    /// [`SubmissionError::Invalid`] with every field error, else
    /// [`SubmissionError::NotEligible`] with every reason.
    pub fn parse(raw: RawSubmission, today: NaiveDate) -> Result<Self, SubmissionError> {
        let RawSubmission {
            bank_id,
            company,
            requested_amount_cents,
            amortization_years,
            contact_email,
        } = raw;
        let mut errors = Vec::new();

        let bank = BankCode::parse(&bank_id)
            .map_err(|e| errors.push(FieldError::new("bank_id", e.code(), e.to_string())))
            .ok();
        let company = Company::parse_declared(company, "company", today)
            .map_err(|company_errors| errors.extend(company_errors))
            .ok();
        let amount = Cents::new(requested_amount_cents);
        let amount_check = match &company {
            Some(c) => rules::check_amount(c, amount),
            None if amount < MIN_AMOUNT => Err(FieldError::new(
                "requested_amount_cents",
                codes::AMOUNT_BELOW_MINIMUM,
                format!("the minimum amount is {MIN_AMOUNT} €"),
            )),
            None => Ok(()),
        };
        if let Err(e) = amount_check {
            errors.push(e);
        }
        let amortization = AmortizationYears::new(amortization_years);
        if amortization.is_none() {
            errors.push(FieldError::new(
                "amortization_years",
                codes::OUT_OF_RANGE,
                "the amortisation period is 0 to 5 years",
            ));
        }
        let contact_email = EmailAddress::parse(&contact_email)
            .map_err(|e| errors.push(FieldError::new("contact_email", e.code(), e.to_string())))
            .ok();

        let (Some(bank), Some(company), Some(amortization), Some(contact_email), true) = (
            bank,
            company,
            amortization,
            contact_email,
            errors.is_empty(),
        ) else {
            return Err(SubmissionError::Invalid(errors));
        };
        let reasons = rules::eligibility(&company);
        if !reasons.is_empty() {
            return Err(SubmissionError::NotEligible(reasons));
        }
        let terms = rules::loan_terms(&company, amount, amortization);
        Ok(Self {
            bank,
            company,
            amount,
            amortization,
            contact_email,
            terms,
        })
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::company::tests::raw_company;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2020, 4, 1).unwrap()
    }

    fn raw() -> RawSubmission {
        RawSubmission {
            bank_id: "30004".into(),
            company: raw_company(),
            requested_amount_cents: 5_000_000,
            amortization_years: 4,
            contact_email: "gerant@boulangerie.example".into(),
        }
    }

    fn field_codes(err: SubmissionError) -> Vec<(String, &'static str)> {
        match err {
            SubmissionError::Invalid(errors) => errors
                .into_iter()
                .map(|e| (e.field, e.code.as_str()))
                .collect(),
            SubmissionError::NotEligible(r) => panic!("expected field errors, got {r:?}"),
        }
    }

    #[test]
    fn bank_code_is_five_ascii_digits() {
        assert_eq!(BankCode::parse("30004").unwrap().as_str(), "30004");
        assert_eq!(BankCode::parse("").unwrap_err().code(), "required");
        for bad in ["3000", "300040", "3000A", " 30004", "３０００４"] {
            assert_eq!(
                BankCode::parse(bad).unwrap_err().code(),
                "invalid-format",
                "{bad}"
            );
        }
    }

    #[test]
    fn email_is_trimmed_and_checked() {
        let e = EmailAddress::parse("  gerant@boulangerie.example ").unwrap();
        assert_eq!(e.as_str(), "gerant@boulangerie.example");
        assert_eq!(EmailAddress::parse(" ").unwrap_err().code(), "required");
        for bad in [
            "gerant",
            "gerant@",
            "@boulangerie.example",
            "a b@example.com",
            "a@b@example.com",
            "gerant@boulangerie.example\u{0}",
            "ger\nant@boulangerie.example",
            // What SES refuses: UTF-8, IP literals, single-label or numeric domains,
            // over-long local parts, quoted local parts, malformed labels.
            "gérant@boulangerie.example",
            "gerant@boulangerie-façon.fr",
            "gerant@[10.0.0.1]",
            "gerant@localhost",
            "gerant@10.0.0.1",
            "\"ger ant\"@boulangerie.example",
            "gerant@-boulangerie.example",
            "gerant@boulangerie..example",
        ] {
            assert_eq!(
                EmailAddress::parse(bad).unwrap_err().code(),
                "invalid-email",
                "{bad:?}"
            );
        }
        assert_eq!(
            EmailAddress::parse(&format!("{}@boulangerie.example", "a".repeat(65)))
                .unwrap_err()
                .code(),
            "invalid-email"
        );
        assert!(EmailAddress::parse("gerant@xn--boulangerie-faon-lsb.fr").is_ok());
        assert!(EmailAddress::parse("g.e+pge@sub.boulangerie-exemple.fr").is_ok());
        let long = format!("{}@{}.example", "a".repeat(64), "b".repeat(190));
        assert!(long.len() > 254);
        assert_eq!(EmailAddress::parse(&long).unwrap_err(), EmailError::TooLong);
        assert_eq!(EmailError::TooLong.code(), "invalid-email");
    }

    #[test]
    fn email_debug_is_redacted() {
        let e = EmailAddress::parse("gerant@boulangerie.example").unwrap();
        assert_eq!(format!("{e:?}"), "EmailAddress(<redacted>)");
        let submission = Submission::parse(raw(), today()).unwrap();
        assert!(!format!("{submission:?}").contains("gerant"));
        assert!(!format!("{:?}", raw()).contains("gerant"));
    }

    #[test]
    fn valid_submission_gets_its_terms() {
        let s = Submission::parse(raw(), today()).unwrap();
        assert_eq!(s.bank.as_str(), "30004");
        assert_eq!(s.amount, Cents::euros(50_000));
        assert_eq!(s.amortization.get(), 4);
        assert_eq!(s.terms.total_fee, Cents::new(84_375));
        assert_eq!(s.terms.fee_schedule.len(), 5);
    }

    #[test]
    fn all_field_errors_are_collected() {
        let mut r = raw();
        r.bank_id = "3000".into();
        r.company.siren = "732829321".into();
        r.requested_amount_cents = 99_999;
        r.amortization_years = 6;
        r.contact_email = "nope".into();
        assert_eq!(
            field_codes(Submission::parse(r, today()).unwrap_err()),
            vec![
                ("bank_id".into(), "invalid-format"),
                ("company.siren".into(), "invalid-checksum"),
                // SIRET 73282932000074 is valid; its SIREN is not compared with an
                // invalid one.
                ("requested_amount_cents".into(), "amount-below-minimum"),
                ("amortization_years".into(), "out-of-range"),
                ("contact_email".into(), "invalid-email"),
            ]
        );
    }

    #[test]
    fn amount_above_cap_is_a_field_error_once_the_company_parsed() {
        let mut r = raw();
        r.requested_amount_cents = 25_000_001;
        assert_eq!(
            field_codes(Submission::parse(r.clone(), today()).unwrap_err()),
            vec![("requested_amount_cents".into(), "amount-above-cap")]
        );
        r.requested_amount_cents = 25_000_000;
        assert!(Submission::parse(r.clone(), today()).is_ok());
        // Without a valid company the cap is unknown: only the minimum is checked.
        r.requested_amount_cents = i64::MAX;
        r.company.revenue_cents = -1;
        assert_eq!(
            field_codes(Submission::parse(r, today()).unwrap_err()),
            vec![("company.revenue_cents".into(), "negative")]
        );
    }

    #[test]
    fn negative_amortisation_is_out_of_range() {
        let mut r = raw();
        r.amortization_years = -1;
        assert_eq!(
            field_codes(Submission::parse(r, today()).unwrap_err()),
            vec![("amortization_years".into(), "out-of-range")]
        );
    }

    #[test]
    fn ineligible_company_with_valid_fields() {
        let mut r = raw();
        r.company.legal_form = "SCI".into();
        r.company.collective_proceedings = true;
        assert_eq!(
            Submission::parse(r, today()).unwrap_err(),
            SubmissionError::NotEligible(vec![
                Ineligibility::ExcludedLegalForm,
                Ineligibility::CollectiveProceedings
            ])
        );
    }

    #[test]
    fn field_errors_win_over_ineligibility() {
        let mut r = raw();
        r.company.legal_form = "SCI".into();
        r.bank_id = String::new();
        assert_eq!(
            field_codes(Submission::parse(r, today()).unwrap_err()),
            vec![("bank_id".into(), "required")]
        );
    }
}
