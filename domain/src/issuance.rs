//! The State guarantee of one loan (docs/RULES.md §20): issued to the company once its
//! bank has pre-approved the request, confirmed by the bank when it grants, cancelled when
//! the request is withdrawn or rejected. Its identifier's format is
//! [`crate::guarantee::GuaranteeIdentifier`].

use std::fmt;

use chrono::{DateTime, Utc};

use crate::campaign::CampaignWindow;
use crate::company::Siren;
use crate::error::{FieldCode, FieldError};
use crate::guarantee::GuaranteeIdentifier;
use crate::loan_request::{LoanRequest, LoanRequestId};
use crate::money::Cents;
use crate::rules::{AggregateCapExceeded, check_aggregate_cap};
use crate::submission::BankCode;
use crate::workflow::Status;

/// Where a guarantee stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GuaranteeStatus {
    /// Issued to the company, not yet used by its bank: what a public check calls
    /// "valid".
    Issued,
    /// The bank granted the loan on it.
    Used,
    /// The request was withdrawn or rejected after it was issued; it no longer commits
    /// the State.
    Cancelled,
}

impl GuaranteeStatus {
    pub const ALL: [Self; 3] = [Self::Issued, Self::Used, Self::Cancelled];

    /// The stored and wire name: `issued`, `used`, `cancelled`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Issued => "issued",
            Self::Used => "used",
            Self::Cancelled => "cancelled",
        }
    }

    #[must_use]
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// What the public check page says of it, and nothing more: `valid`, `used`,
    /// `cancelled`.
    #[must_use]
    pub fn public_word(self) -> &'static str {
        match self {
            Self::Issued => "valid",
            Self::Used => "used",
            Self::Cancelled => "cancelled",
        }
    }

    /// Whether it counts toward the company's guaranteed commitments (and, while the
    /// rule holds, toward its one identifier): issued or used.
    #[must_use]
    pub fn commits(self) -> bool {
        !matches!(self, Self::Cancelled)
    }
}

impl fmt::Display for GuaranteeStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The guarantee of one loan request: what the company gave (its SIREN, its bank, the
/// loan's amount) when it was issued, and where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guarantee {
    pub identifier: GuaranteeIdentifier,
    pub loan_request_id: LoanRequestId,
    pub siren: Siren,
    pub bank: BankCode,
    /// The loan's amount at issuance: the bank may grant up to it, never above.
    pub amount: Cents,
    pub status: GuaranteeStatus,
    pub issued_at: DateTime<Utc>,
    /// When the bank granted on it, or when it was cancelled.
    pub closed_at: Option<DateTime<Utc>>,
}

impl Guarantee {
    /// The guarantee issued now for a pre-approved request.
    #[must_use]
    pub fn issue(
        identifier: GuaranteeIdentifier,
        request: &LoanRequest,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            identifier,
            loan_request_id: request.id,
            siren: request.company.siren.clone(),
            bank: request.bank.clone(),
            amount: request.amount,
            status: GuaranteeStatus::Issued,
            issued_at: now,
            closed_at: None,
        }
    }

    /// Whether this guarantee is the one the bank may grant `request` on: issued for
    /// this very request, the same SIREN and bank, and the request's amount not above
    /// the identifier's. Every refusal is on the field `guarantee_identifier`; an
    /// identifier of another request (or none at all) gets the same answer as an
    /// unknown one, so that a reviewer learns nothing of other banks' identifiers.
    ///
    /// # Errors
    /// A [`FieldError`] with code `does-not-match`, `already-used` or `cancelled`.
    pub fn confirm_for(this: Option<&Self>, request: &LoanRequest) -> Result<(), FieldError> {
        let mismatch = || {
            FieldError::new(
                FIELD,
                FieldCode::DoesNotMatch,
                "this is not the guarantee identifier issued for this request",
            )
        };
        let guarantee = this.ok_or_else(mismatch)?;
        if guarantee.loan_request_id != request.id
            || guarantee.siren != request.company.siren
            || guarantee.bank != request.bank
        {
            return Err(mismatch());
        }
        match guarantee.status {
            GuaranteeStatus::Used => {
                return Err(FieldError::new(
                    FIELD,
                    FieldCode::AlreadyUsed,
                    "a loan was already granted on this guarantee identifier",
                ));
            }
            GuaranteeStatus::Cancelled => {
                return Err(FieldError::new(
                    FIELD,
                    FieldCode::Cancelled,
                    "this guarantee identifier was cancelled",
                ));
            }
            GuaranteeStatus::Issued => {}
        }
        if request.amount > guarantee.amount {
            return Err(FieldError::new(
                FIELD,
                FieldCode::DoesNotMatch,
                "the loan's amount is above the amount of this guarantee identifier",
            ));
        }
        Ok(())
    }
}

/// The field a reviewer types the identifier in.
pub const FIELD: &str = "guarantee_identifier";

/// The rule of the scheme's first month: while it holds, a company holds one guarantee
/// identifier at a time (issued or used; a cancelled one no longer counts). A setting
/// with its dates (`PGE_ONE_IDENTIFIER_PER_COMPANY_FROM` / `_UNTIL`); with neither set
/// it never holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OneIdentifierPerCompany(Option<CampaignWindow>);

impl OneIdentifierPerCompany {
    /// Never in force.
    pub const NEVER: Self = Self(None);

    /// In force within `window` (from inclusive, until exclusive; a missing bound is no
    /// bound).
    #[must_use]
    pub fn during(window: CampaignWindow) -> Self {
        Self(Some(window))
    }

    #[must_use]
    pub fn in_force(self, now: DateTime<Utc>) -> bool {
        self.0.is_some_and(|window| window.is_open(now))
    }

    /// The window, when the rule was set.
    #[must_use]
    pub fn window(self) -> Option<CampaignWindow> {
        self.0
    }
}

/// What the company holds when it asks for an identifier, as a store reads it under the
/// company's lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompanyGuarantees {
    /// Its other identifiers that still commit (issued or used).
    pub held: u32,
    /// The sum of their amounts.
    pub guaranteed: Cents,
    /// The lowest cap among the company's standing requests (this one's included): the
    /// company's cap as the platform knows it now.
    pub cap: Cents,
}

/// Why an identifier is not issued.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IssueRefusal {
    /// Only a pre-approved request gets one.
    #[error(
        "a guarantee identifier is issued once the bank has pre-approved the request (it is {0})"
    )]
    NotPreApproved(Status),
    /// The first month's rule holds and the company already holds one.
    #[error(
        "while the one-identifier-per-company rule holds, a company holds one identifier at a time"
    )]
    OnePerCompany,
    /// The company's guaranteed loans would go beyond its cap.
    #[error(transparent)]
    AggregateCap(#[from] AggregateCapExceeded),
}

/// Whether `request` may get an identifier now, given what its company holds: the
/// request pre-approved, the first month's rule, and the company's cap across banks
/// (its guaranteed loans plus this one). The campaign window is the caller's to check.
///
/// # Errors
/// [`IssueRefusal`].
pub fn may_issue(
    request: &LoanRequest,
    company: CompanyGuarantees,
    rule: OneIdentifierPerCompany,
    now: DateTime<Utc>,
) -> Result<(), IssueRefusal> {
    if request.status != Status::PreApproved {
        return Err(IssueRefusal::NotPreApproved(request.status));
    }
    if rule.in_force(now) && company.held > 0 {
        return Err(IssueRefusal::OnePerCompany);
    }
    check_aggregate_cap(company.cap, company.guaranteed, request.amount)?;
    Ok(())
}

#[cfg(test)]
#[expect(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::company::tests::raw_company;
    use crate::loan_request::{Actor, Subject};
    use crate::ports::NewLoanRequest;
    use crate::reference::Reference;
    use crate::submission::{RawSubmission, Submission};
    use crate::workflow::Role;

    fn pre_approved_request(amount_cents: i64) -> LoanRequest {
        let raw = RawSubmission {
            bank_id: "30004".into(),
            company: raw_company(),
            requested_amount_cents: amount_cents,
            amortization_years: 4,
            contact_email: "gerant@boulangerie.example".into(),
        };
        let submission =
            Submission::parse(raw, chrono::NaiveDate::from_ymd_opt(2020, 4, 1).unwrap()).unwrap();
        let mut request = NewLoanRequest {
            id: LoanRequestId(uuid::Uuid::from_u128(7)),
            reference: Reference::from_bits(7),
            submission,
            actor: Actor {
                role: Role::Applicant,
                subject: Subject::new("applicant-1"),
            },
            now: at("2020-04-01T09:00:00Z"),
        }
        .stored();
        request.status = Status::PreApproved;
        request
    }

    fn company(held: u32, guaranteed: i64, cap: i64) -> CompanyGuarantees {
        CompanyGuarantees {
            held,
            guaranteed: Cents::new(guaranteed),
            cap: Cents::new(cap),
        }
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn statuses_round_trip_and_say_only_three_words_in_public() {
        for s in GuaranteeStatus::ALL {
            assert_eq!(GuaranteeStatus::parse(s.as_str()), Some(s));
        }
        let words: Vec<_> = GuaranteeStatus::ALL
            .map(GuaranteeStatus::public_word)
            .into();
        assert_eq!(words, ["valid", "used", "cancelled"]);
        assert!(GuaranteeStatus::Used.commits());
        assert!(!GuaranteeStatus::Cancelled.commits());
    }

    #[test]
    fn only_a_pre_approved_request_gets_one() {
        let mut request = pre_approved_request(5_000_000);
        let now = at("2026-12-06T10:00:00Z");
        assert_eq!(
            may_issue(
                &request,
                company(0, 0, 10_000_000),
                OneIdentifierPerCompany::NEVER,
                now
            ),
            Ok(())
        );
        for status in [
            Status::Submitted,
            Status::InReview,
            Status::Granted,
            Status::Withdrawn,
        ] {
            request.status = status;
            assert_eq!(
                may_issue(
                    &request,
                    company(0, 0, 10_000_000),
                    OneIdentifierPerCompany::NEVER,
                    now
                ),
                Err(IssueRefusal::NotPreApproved(status))
            );
        }
    }

    #[test]
    fn one_per_company_holds_only_within_its_dates() {
        let request = pre_approved_request(5_000_000);
        let rule = OneIdentifierPerCompany::during(
            CampaignWindow::new(
                Some(at("2020-03-25T00:00:00Z")),
                Some(at("2020-04-25T00:00:00Z")),
            )
            .unwrap(),
        );
        let holding = company(1, 1_000_000, 20_000_000);
        assert_eq!(
            may_issue(&request, holding, rule, at("2020-04-24T23:59:59Z")),
            Err(IssueRefusal::OnePerCompany)
        );
        assert_eq!(
            may_issue(&request, holding, rule, at("2020-04-25T00:00:00Z")),
            Ok(())
        );
        assert_eq!(
            may_issue(&request, holding, rule, at("2020-03-24T23:59:59Z")),
            Ok(())
        );
        assert_eq!(
            may_issue(
                &request,
                company(0, 0, 20_000_000),
                rule,
                at("2020-04-01T00:00:00Z")
            ),
            Ok(())
        );
        assert!(!OneIdentifierPerCompany::NEVER.in_force(at("2020-04-01T00:00:00Z")));
    }

    #[test]
    fn the_companys_guaranteed_loans_stay_within_its_cap() {
        let request = pre_approved_request(5_000_000);
        let now = at("2026-12-06T10:00:00Z");
        assert_eq!(
            may_issue(
                &request,
                company(1, 5_000_000, 10_000_000),
                OneIdentifierPerCompany::NEVER,
                now
            ),
            Ok(())
        );
        assert!(matches!(
            may_issue(
                &request,
                company(1, 5_000_001, 10_000_000),
                OneIdentifierPerCompany::NEVER,
                now
            ),
            Err(IssueRefusal::AggregateCap(AggregateCapExceeded { .. }))
        ));
    }

    #[test]
    fn a_grant_is_confirmed_only_by_this_requests_issued_identifier() {
        let request = pre_approved_request(5_000_000);
        let now = at("2026-12-06T10:00:00Z");
        let id = GuaranteeIdentifier::from_value(42).unwrap();
        let issued = Guarantee::issue(id, &request, now);
        assert_eq!(Guarantee::confirm_for(Some(&issued), &request), Ok(()));
        let code = |g: Option<&Guarantee>| Guarantee::confirm_for(g, &request).unwrap_err().code;
        assert_eq!(code(None), FieldCode::DoesNotMatch);
        let mut other = issued.clone();
        other.loan_request_id = LoanRequestId(uuid::Uuid::nil());
        assert_eq!(code(Some(&other)), FieldCode::DoesNotMatch);
        let mut other_bank = issued.clone();
        other_bank.bank = BankCode::parse("10278").unwrap();
        assert_eq!(code(Some(&other_bank)), FieldCode::DoesNotMatch);
        let mut lower = issued.clone();
        lower.amount = Cents::new(4_999_999);
        assert_eq!(code(Some(&lower)), FieldCode::DoesNotMatch);
        let mut used = issued.clone();
        used.status = GuaranteeStatus::Used;
        assert_eq!(code(Some(&used)), FieldCode::AlreadyUsed);
        let mut cancelled = issued;
        cancelled.status = GuaranteeStatus::Cancelled;
        assert_eq!(code(Some(&cancelled)), FieldCode::Cancelled);
        let err = Guarantee::confirm_for(Some(&cancelled), &request).unwrap_err();
        assert_eq!(err.field, FIELD);
    }
}
