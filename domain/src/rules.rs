//! The PGE rules of docs/RULES.md §3–§8: eligibility, size category, cap, guarantee
//! share, loan terms and fees. Integer arithmetic only; products are computed in `i128`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::company::Company;
use crate::error::{FieldError, codes};
use crate::money::{BasisPoints, Cents};

/// Why a company cannot have a guaranteed loan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ineligibility {
    /// `SCI`, `CREDIT_INSTITUTION` or `FINANCING_COMPANY`.
    ExcludedLegalForm,
    /// Safeguard, receivership or liquidation opened.
    CollectiveProceedings,
    /// The company's cap (a quarter of its revenue, or twice its payroll) is under the
    /// €1,000 minimum loan: no revenue and no payroll, say. It could not borrow anything.
    CapBelowMinimum,
}

impl Ineligibility {
    /// Stable reason code.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::ExcludedLegalForm => "excluded-legal-form",
            Self::CollectiveProceedings => "collective-proceedings",
            Self::CapBelowMinimum => "cap-below-minimum",
        }
    }

    #[must_use]
    pub fn message(self) -> &'static str {
        match self {
            Self::ExcludedLegalForm => {
                "real-estate companies (SCI), credit institutions and financing companies \
                 are excluded from the scheme"
            }
            Self::CollectiveProceedings => {
                "companies under safeguard, receivership or liquidation are excluded from \
                 the scheme"
            }
            Self::CapBelowMinimum => {
                "the company's cap (a quarter of its revenue, or twice its payroll for young \
                 or innovative companies) is under the minimum loan of 1,000 euros"
            }
        }
    }
}

impl std::fmt::Display for Ineligibility {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

/// Every reason the company is not eligible, in a fixed order; empty when eligible.
#[must_use]
pub fn eligibility(c: &Company) -> Vec<Ineligibility> {
    let mut reasons = Vec::new();
    if c.legal_form.is_excluded() {
        reasons.push(Ineligibility::ExcludedLegalForm);
    }
    if c.collective_proceedings {
        reasons.push(Ineligibility::CollectiveProceedings);
    }
    if cap(c) < MIN_AMOUNT {
        reasons.push(Ineligibility::CapBelowMinimum);
    }
    reasons
}

/// Company size, EU/French definition (docs/RULES.md §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SizeCategory {
    /// Small and medium-sized enterprise.
    Pme,
    /// Intermediate-sized enterprise.
    Eti,
    /// Large enterprise.
    Ge,
}

impl SizeCategory {
    pub const ALL: [Self; 3] = [Self::Pme, Self::Eti, Self::Ge];

    /// `PME`, `ETI` or `GE`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pme => "PME",
            Self::Eti => "ETI",
            Self::Ge => "GE",
        }
    }

    #[must_use]
    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == input)
    }
}

impl std::fmt::Display for SizeCategory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

pub const PME_HEADCOUNT_BELOW: u32 = 250;
pub const PME_REVENUE_MAX: Cents = Cents::euros(50_000_000);
pub const PME_BALANCE_SHEET_MAX: Cents = Cents::euros(43_000_000);
pub const ETI_HEADCOUNT_BELOW: u32 = 5_000;
pub const ETI_REVENUE_MAX: Cents = Cents::euros(1_500_000_000);
pub const ETI_BALANCE_SHEET_MAX: Cents = Cents::euros(2_000_000_000);

/// `PME` when headcount < 250 and (revenue ≤ €50M or balance sheet ≤ €43M); `ETI` when
/// headcount < 5,000 and (revenue ≤ €1.5bn or balance sheet ≤ €2bn); otherwise `GE`.
/// A missing balance sheet does not meet its alternative.
#[must_use]
pub fn size_category(c: &Company) -> SizeCategory {
    let headcount = c.headcount.get();
    let balance_sheet_at_most = |max: Cents| c.balance_sheet.is_some_and(|b| b <= max);
    if headcount < PME_HEADCOUNT_BELOW
        && (c.revenue <= PME_REVENUE_MAX || balance_sheet_at_most(PME_BALANCE_SHEET_MAX))
    {
        SizeCategory::Pme
    } else if headcount < ETI_HEADCOUNT_BELOW
        && (c.revenue <= ETI_REVENUE_MAX || balance_sheet_at_most(ETI_BALANCE_SHEET_MAX))
    {
        SizeCategory::Eti
    } else {
        SizeCategory::Ge
    }
}

/// Companies created on or after this day may use twice their payroll as their cap.
pub const YOUNG_COMPANY_SINCE: NaiveDate = match NaiveDate::from_ymd_opt(2019, 1, 1) {
    Some(d) => d,
    None => panic!("invalid date"),
};

/// The maximum loan: 25 % of revenue (rounded down to the cent); for an innovative
/// company or one created on or after 2019-01-01, the greater of that and twice the
/// declared payroll.
#[must_use]
pub fn cap(c: &Company) -> Cents {
    let quarter_of_revenue = Cents::new(c.revenue.get().div_euclid(4));
    let payroll_alternative = (c.innovative || c.creation_date >= YOUNG_COMPANY_SINCE)
        .then_some(c.payroll)
        .flatten()
        .map(|p| Cents::new(p.get().saturating_mul(2)));
    match payroll_alternative {
        Some(twice_payroll) => quarter_of_revenue.max(twice_payroll),
        None => quarter_of_revenue,
    }
}

pub const SHARE_HIGH: BasisPoints = BasisPoints::new(9_000);
pub const SHARE_MID: BasisPoints = BasisPoints::new(8_000);
pub const SHARE_LOW: BasisPoints = BasisPoints::new(7_000);
pub const SHARE_MID_REVENUE_BELOW: Cents = Cents::euros(5_000_000_000);

/// The State's share of the loan (quotité): 90 % when headcount < 5,000 and revenue <
/// €1.5bn; else 80 % when revenue < €5bn; else 70 %.
#[must_use]
pub fn guarantee_share(c: &Company) -> BasisPoints {
    if c.headcount.get() < ETI_HEADCOUNT_BELOW && c.revenue < ETI_REVENUE_MAX {
        SHARE_HIGH
    } else if c.revenue < SHARE_MID_REVENUE_BELOW {
        SHARE_MID
    } else {
        SHARE_LOW
    }
}

/// The smallest loan the scheme guarantees: €1,000.
pub const MIN_AMOUNT: Cents = Cents::euros(1_000);

/// Number of yearly principal instalments after the first (repayment-free) year: 0 to 5,
/// so the loan runs 1 to 6 years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "u8")]
pub struct AmortizationYears(u8);

/// An amortisation period outside 0..=5 years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the amortisation period is 0 to 5 years")]
pub struct AmortizationOutOfRange;

impl AmortizationYears {
    pub const MAX: u8 = 5;

    /// `None` outside 0..=5.
    #[must_use]
    pub fn new(years: i64) -> Option<Self> {
        u8::try_from(years)
            .ok()
            .filter(|y| *y <= Self::MAX)
            .map(Self)
    }

    #[must_use]
    pub const fn get(self) -> u8 {
        self.0
    }
}

impl Default for AmortizationYears {
    /// The longest period, 5 years: what a simulation assumes when none is given.
    fn default() -> Self {
        Self(Self::MAX)
    }
}

impl TryFrom<i64> for AmortizationYears {
    type Error = AmortizationOutOfRange;
    fn try_from(years: i64) -> Result<Self, Self::Error> {
        Self::new(years).ok_or(AmortizationOutOfRange)
    }
}

impl From<AmortizationYears> for u8 {
    fn from(y: AmortizationYears) -> Self {
        y.0
    }
}

/// One year of the guarantee fee schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeYear {
    /// Loan year, from 1.
    pub year: u8,
    pub rate_bp: BasisPoints,
    /// Principal outstanding at the start of the year.
    pub outstanding: Cents,
    pub fee: Cents,
}

/// What a guaranteed loan of a given amount and period costs and covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoanTerms {
    pub size_category: SizeCategory,
    pub cap: Cents,
    pub guarantee_share: BasisPoints,
    /// `amount × share`, rounded to the cent half away from zero.
    pub guaranteed: Cents,
    pub fee_schedule: Vec<FeeYear>,
    pub total_fee: Cents,
}

/// Yearly fee rate by size and loan year (docs/RULES.md §8 table).
#[must_use]
pub fn fee_rate(size: SizeCategory, year: u8) -> BasisPoints {
    let (first, second_third, later) = match size {
        SizeCategory::Pme => (25, 50, 100),
        SizeCategory::Eti | SizeCategory::Ge => (50, 100, 200),
    };
    BasisPoints::new(match year {
        0 | 1 => first,
        2 | 3 => second_third,
        _ => later,
    })
}

/// `numerator / denominator` rounded half away from zero; `denominator > 0`.
fn div_round_half_away(numerator: i128, denominator: i128) -> i128 {
    let quotient = numerator / denominator;
    let remainder = numerator % denominator;
    if 2 * remainder.abs() >= denominator {
        quotient + numerator.signum()
    } else {
        quotient
    }
}

/// An `i128` result that fits in cents by construction (a fraction of an `i64` amount).
fn to_cents(value: i128) -> Cents {
    Cents::new(i64::try_from(value).unwrap_or(if value < 0 { i64::MIN } else { i64::MAX }))
}

/// Principal outstanding at the start of each loan year: the full amount in year 1 and
/// year 2, then reduced by `amount / n` each year (the last instalment takes the
/// remainder of the division).
fn outstanding_by_year(amount: Cents, amortization: AmortizationYears) -> Vec<Cents> {
    let n = i64::from(amortization.get());
    if n == 0 {
        return vec![amount];
    }
    let instalment = amount.get() / n;
    std::iter::once(amount)
        .chain((0..n).map(|repaid| Cents::new(amount.get() - repaid * instalment)))
        .collect()
}

/// Terms of a loan of `amount` repaid over `amortization` years after the first. The
/// amount is not checked here (see [`check_amount`]).
#[must_use]
pub fn loan_terms(c: &Company, amount: Cents, amortization: AmortizationYears) -> LoanTerms {
    let size = size_category(c);
    let share = guarantee_share(c);
    let share_bp = i128::from(share.get());
    let fee_schedule: Vec<FeeYear> = outstanding_by_year(amount, amortization)
        .into_iter()
        .zip(1u8..)
        .map(|(outstanding, year)| {
            let rate_bp = fee_rate(size, year);
            let exact = i128::from(outstanding.get()) * share_bp * i128::from(rate_bp.get());
            FeeYear {
                year,
                rate_bp,
                outstanding,
                fee: to_cents(div_round_half_away(exact, 100_000_000)),
            }
        })
        .collect();
    let total_fee = to_cents(fee_schedule.iter().map(|y| i128::from(y.fee.get())).sum());
    LoanTerms {
        size_category: size,
        cap: cap(c),
        guarantee_share: share,
        guaranteed: to_cents(div_round_half_away(
            i128::from(amount.get()) * share_bp,
            10_000,
        )),
        fee_schedule,
        total_fee,
    }
}

/// Checks a requested amount against the minimum and the company's cap; the error is
/// on field `requested_amount_cents`.
///
/// # Errors
/// `amount-below-minimum` under €1,000, `amount-above-cap` above [`cap`].
pub fn check_amount(c: &Company, amount: Cents) -> Result<(), FieldError> {
    if amount < MIN_AMOUNT {
        return Err(FieldError::new(
            "requested_amount_cents",
            codes::AMOUNT_BELOW_MINIMUM,
            format!("the minimum amount is {MIN_AMOUNT} €"),
        ));
    }
    let cap = cap(c);
    if amount > cap {
        return Err(FieldError::new(
            "requested_amount_cents",
            codes::AMOUNT_ABOVE_CAP,
            format!("the amount exceeds the company's cap of {cap} €"),
        ));
    }
    Ok(())
}

/// A new request would take a SIREN's requests beyond its cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "the requests of this company would exceed its cap: {already_committed} € already \
     requested, {requested} € more asked, cap {cap} €"
)]
pub struct AggregateCapExceeded {
    pub cap: Cents,
    pub already_committed: Cents,
    pub requested: Cents,
}

/// The company's cap for the aggregate check: the cap its new declaration gives, but
/// never above the lowest cap of its requests already standing (not rejected or
/// withdrawn). A later request that declares more revenue or payroll cannot lift the
/// ceiling over amounts committed on earlier declarations; the smallest declaration in
/// force binds until its request is rejected or withdrawn.
#[must_use]
pub fn company_cap(declared: Cents, lowest_standing: Option<Cents>) -> Cents {
    lowest_standing.map_or(declared, |standing| declared.min(standing))
}

/// What a company's standing requests commit, as a store reads it under the company's
/// lock: the sum of their amounts and the lowest of their caps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Commitments {
    pub committed: Cents,
    pub lowest_cap: Option<Cents>,
}

impl Commitments {
    /// The aggregate-cap decision for a new request declaring `declared_cap` and asking
    /// `requested`: [`check_aggregate_cap`] under [`company_cap`].
    ///
    /// # Errors
    /// [`AggregateCapExceeded`] when the request would take the company beyond its cap.
    pub fn admit(self, declared_cap: Cents, requested: Cents) -> Result<(), AggregateCapExceeded> {
        check_aggregate_cap(
            company_cap(declared_cap, self.lowest_cap),
            self.committed,
            requested,
        )
    }

    /// The refusal of a request whose decision was taken where the sum was read (the
    /// PostgreSQL store decides in the statement that reads it): built from that one
    /// decision's figures, not decided again.
    #[must_use]
    pub fn refusal(self, declared_cap: Cents, requested: Cents) -> AggregateCapExceeded {
        AggregateCapExceeded {
            cap: company_cap(declared_cap, self.lowest_cap),
            already_committed: self.committed,
            requested,
        }
    }
}

/// The sum of a SIREN's requests that are not rejected or withdrawn may never exceed
/// its cap (reaching it exactly is allowed). An overflowing sum counts as exceeding.
///
/// # Errors
/// [`AggregateCapExceeded`] when `already_committed + requested > cap`.
pub fn check_aggregate_cap(
    cap: Cents,
    already_committed: Cents,
    requested: Cents,
) -> Result<(), AggregateCapExceeded> {
    match already_committed.checked_add(requested) {
        Some(total) if total <= cap => Ok(()),
        _ => Err(AggregateCapExceeded {
            cap,
            already_committed,
            requested,
        }),
    }
}

/// Answer of a simulation: eligibility and the terms, computed even when not eligible
/// so that the company sees what it would get.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Simulation {
    pub eligible: bool,
    pub reasons: Vec<Ineligibility>,
    pub terms: LoanTerms,
}

/// Simulates a loan; the amount defaults to the cap and the amortisation to 5 years.
/// The amount is not checked (the API checks a given one with [`check_amount`]).
#[must_use]
pub fn simulate(
    c: &Company,
    amount: Option<Cents>,
    amortization: Option<AmortizationYears>,
) -> Simulation {
    let reasons = eligibility(c);
    let amount = amount.unwrap_or_else(|| cap(c));
    let mut terms = loan_terms(c, amount, amortization.unwrap_or_default());
    if reasons.contains(&Ineligibility::CapBelowMinimum) {
        // No loan is possible: no schedule for an amount the company could never borrow.
        terms.fee_schedule.clear();
        terms.total_fee = Cents::ZERO;
        terms.guaranteed = Cents::ZERO;
    }
    Simulation {
        eligible: reasons.is_empty(),
        reasons,
        terms,
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::company::tests::company;
    use crate::company::{Headcount, LegalForm};
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn sized(headcount: u32, revenue: Cents, balance_sheet: Option<Cents>) -> Company {
        Company {
            headcount: Headcount::new(i64::from(headcount)).unwrap(),
            revenue,
            balance_sheet,
            ..company()
        }
    }

    const CENT: Cents = Cents::new(1);

    fn plus(a: Cents, b: Cents) -> Cents {
        a.checked_add(b).unwrap()
    }

    fn minus(a: Cents, b: Cents) -> Cents {
        a.checked_sub(b).unwrap()
    }

    fn amortization(years: i64) -> AmortizationYears {
        AmortizationYears::new(years).unwrap()
    }

    #[test]
    fn eligible_company_has_no_reasons() {
        assert!(eligibility(&company()).is_empty());
    }

    #[test]
    fn excluded_legal_forms_and_collective_proceedings_are_refused() {
        for form in LegalForm::ALL {
            let c = Company {
                legal_form: form,
                ..company()
            };
            let excluded = matches!(
                form,
                LegalForm::Sci | LegalForm::CreditInstitution | LegalForm::FinancingCompany
            );
            assert_eq!(
                eligibility(&c) == vec![Ineligibility::ExcludedLegalForm],
                excluded,
                "{form}"
            );
        }
        let both = Company {
            legal_form: LegalForm::Sci,
            collective_proceedings: true,
            ..company()
        };
        assert_eq!(
            eligibility(&both),
            vec![
                Ineligibility::ExcludedLegalForm,
                Ineligibility::CollectiveProceedings
            ]
        );
        assert_eq!(
            Ineligibility::ExcludedLegalForm.code(),
            "excluded-legal-form"
        );
        assert_eq!(
            Ineligibility::CollectiveProceedings.code(),
            "collective-proceedings"
        );
    }

    #[test]
    fn pme_headcount_edge_249_vs_250() {
        assert_eq!(
            size_category(&sized(249, Cents::ZERO, None)),
            SizeCategory::Pme
        );
        assert_eq!(
            size_category(&sized(250, Cents::ZERO, None)),
            SizeCategory::Eti
        );
    }

    #[test]
    fn pme_revenue_edge_is_50_million_inclusive() {
        let at = PME_REVENUE_MAX;
        assert_eq!(at, Cents::new(5_000_000_000));
        assert_eq!(
            size_category(&sized(249, minus(at, CENT), None)),
            SizeCategory::Pme
        );
        assert_eq!(size_category(&sized(249, at, None)), SizeCategory::Pme);
        assert_eq!(
            size_category(&sized(249, plus(at, CENT), None)),
            SizeCategory::Eti
        );
    }

    #[test]
    fn pme_balance_sheet_alternative_is_43_million_inclusive() {
        let revenue = plus(PME_REVENUE_MAX, CENT);
        let at = PME_BALANCE_SHEET_MAX;
        assert_eq!(at, Cents::new(4_300_000_000));
        assert_eq!(
            size_category(&sized(249, revenue, Some(at))),
            SizeCategory::Pme
        );
        assert_eq!(
            size_category(&sized(249, revenue, Some(plus(at, CENT)))),
            SizeCategory::Eti
        );
        // The alternative does not lift the headcount limit.
        assert_eq!(
            size_category(&sized(250, revenue, Some(at))),
            SizeCategory::Eti
        );
    }

    #[test]
    fn eti_headcount_edge_4999_vs_5000() {
        assert_eq!(
            size_category(&sized(4_999, Cents::ZERO, None)),
            SizeCategory::Eti
        );
        assert_eq!(
            size_category(&sized(5_000, Cents::ZERO, None)),
            SizeCategory::Ge
        );
    }

    #[test]
    fn eti_revenue_edge_is_1_5_billion_inclusive() {
        let at = ETI_REVENUE_MAX;
        assert_eq!(at, Cents::new(150_000_000_000));
        assert_eq!(size_category(&sized(4_999, at, None)), SizeCategory::Eti);
        assert_eq!(
            size_category(&sized(4_999, minus(at, CENT), None)),
            SizeCategory::Eti
        );
        assert_eq!(
            size_category(&sized(4_999, plus(at, CENT), None)),
            SizeCategory::Ge
        );
    }

    #[test]
    fn eti_balance_sheet_alternative_is_2_billion_inclusive() {
        let revenue = plus(ETI_REVENUE_MAX, CENT);
        let at = ETI_BALANCE_SHEET_MAX;
        assert_eq!(at, Cents::new(200_000_000_000));
        assert_eq!(
            size_category(&sized(4_999, revenue, Some(at))),
            SizeCategory::Eti
        );
        assert_eq!(
            size_category(&sized(4_999, revenue, Some(plus(at, CENT)))),
            SizeCategory::Ge
        );
        // A small balance sheet meets the ETI alternative but, above 249 people, not PME.
        assert_eq!(
            size_category(&sized(300, revenue, Some(Cents::ZERO))),
            SizeCategory::Eti
        );
    }

    #[test]
    fn missing_balance_sheet_does_not_meet_its_alternative() {
        let revenue = plus(PME_REVENUE_MAX, CENT);
        assert_eq!(size_category(&sized(10, revenue, None)), SizeCategory::Eti);
        assert_eq!(
            size_category(&sized(10, revenue, Some(Cents::ZERO))),
            SizeCategory::Pme
        );
    }

    #[test]
    fn size_category_wire_names() {
        for s in SizeCategory::ALL {
            assert_eq!(SizeCategory::parse(s.as_str()), Some(s));
        }
        assert_eq!(SizeCategory::Pme.as_str(), "PME");
        assert_eq!(SizeCategory::parse("pme"), None);
    }

    #[test]
    fn guarantee_share_edges() {
        let b15 = ETI_REVENUE_MAX;
        let b5 = SHARE_MID_REVENUE_BELOW;
        assert_eq!(b5, Cents::new(500_000_000_000));
        let share = |h, r| guarantee_share(&sized(h, r, None)).get();
        assert_eq!(share(4_999, minus(b15, CENT)), 9_000);
        assert_eq!(share(4_999, b15), 8_000);
        assert_eq!(share(4_999, plus(b15, CENT)), 8_000);
        assert_eq!(share(5_000, Cents::ZERO), 8_000);
        assert_eq!(share(5_000, minus(b5, CENT)), 8_000);
        assert_eq!(share(5_000, b5), 7_000);
        assert_eq!(share(4_999, b5), 7_000);
        assert_eq!(share(0, plus(b5, CENT)), 7_000);
    }

    #[test]
    fn cap_is_a_quarter_of_revenue_rounded_down() {
        let c = Company {
            revenue: Cents::new(1_000_003),
            payroll: None,
            ..company()
        };
        assert_eq!(cap(&c), Cents::new(250_000));
    }

    #[test]
    fn payroll_alternative_starts_on_2019_01_01() {
        let young = |d: NaiveDate| Company {
            creation_date: d,
            revenue: Cents::euros(100_000),
            payroll: Some(Cents::euros(40_000)),
            innovative: false,
            ..company()
        };
        assert_eq!(cap(&young(date(2018, 12, 31))), Cents::euros(25_000));
        assert_eq!(cap(&young(date(2019, 1, 1))), Cents::euros(80_000));
    }

    #[test]
    fn innovative_companies_use_payroll_whatever_their_age() {
        let c = Company {
            creation_date: date(1990, 1, 1),
            revenue: Cents::euros(100_000),
            payroll: Some(Cents::euros(40_000)),
            innovative: true,
            ..company()
        };
        assert_eq!(cap(&c), Cents::euros(80_000));
        // The greater of the two: a small payroll leaves 25 % of revenue.
        let small_payroll = Company {
            payroll: Some(Cents::euros(1_000)),
            ..c.clone()
        };
        assert_eq!(cap(&small_payroll), Cents::euros(25_000));
        let no_payroll = Company { payroll: None, ..c };
        assert_eq!(cap(&no_payroll), Cents::euros(25_000));
    }

    #[test]
    fn huge_payroll_saturates_instead_of_overflowing() {
        let c = Company {
            innovative: true,
            payroll: Some(Cents::MAX),
            ..company()
        };
        assert_eq!(cap(&c), Cents::MAX);
    }

    #[test]
    fn amount_edges_minimum_and_cap() {
        let c = company();
        let cap = cap(&c);
        assert_eq!(cap, Cents::new(25_000_000));
        let code = |a: Cents| check_amount(&c, a).map_err(|e| (e.field, e.code.as_str()));
        assert_eq!(
            code(Cents::new(99_999)),
            Err(("requested_amount_cents".into(), "amount-below-minimum"))
        );
        assert_eq!(code(Cents::new(100_000)), Ok(()));
        assert_eq!(code(cap), Ok(()));
        assert_eq!(
            code(plus(cap, CENT)),
            Err(("requested_amount_cents".into(), "amount-above-cap"))
        );
        assert_eq!(
            code(Cents::new(-1)),
            Err(("requested_amount_cents".into(), "amount-below-minimum"))
        );
    }

    #[test]
    fn amount_above_a_cap_below_the_minimum() {
        let c = Company {
            revenue: Cents::euros(3_000),
            payroll: None,
            ..company()
        };
        assert_eq!(cap(&c), Cents::euros(750));
        assert_eq!(
            check_amount(&c, MIN_AMOUNT).unwrap_err().code,
            "amount-above-cap"
        );
    }

    #[test]
    fn a_cap_below_the_minimum_is_not_eligible() {
        let nothing = Company {
            revenue: Cents::ZERO,
            payroll: None,
            ..company()
        };
        let sim = simulate(&nothing, None, None);
        assert!(!sim.eligible);
        assert_eq!(sim.reasons, vec![Ineligibility::CapBelowMinimum]);
        assert_eq!(Ineligibility::CapBelowMinimum.code(), "cap-below-minimum");
        assert!(sim.terms.fee_schedule.is_empty());
        assert_eq!(sim.terms.total_fee, Cents::ZERO);
        let just_under = Company {
            revenue: Cents::new(MIN_AMOUNT.get() * 4 - 4),
            ..nothing.clone()
        };
        assert_eq!(
            eligibility(&just_under),
            vec![Ineligibility::CapBelowMinimum]
        );
        let exactly = Company {
            revenue: Cents::new(MIN_AMOUNT.get() * 4),
            ..nothing
        };
        assert!(eligibility(&exactly).is_empty());
    }

    #[test]
    fn aggregate_cap_allows_equal_and_refuses_one_cent_more() {
        let cap = Cents::euros(100_000);
        assert_eq!(
            check_aggregate_cap(cap, Cents::euros(60_000), Cents::euros(40_000)),
            Ok(())
        );
        assert_eq!(
            check_aggregate_cap(cap, Cents::euros(60_000), plus(Cents::euros(40_000), CENT)),
            Err(AggregateCapExceeded {
                cap,
                already_committed: Cents::euros(60_000),
                requested: Cents::new(4_000_001),
            })
        );
        assert_eq!(check_aggregate_cap(cap, Cents::ZERO, cap), Ok(()));
        assert!(check_aggregate_cap(Cents::MAX, Cents::MAX, CENT).is_err());
    }

    #[test]
    fn a_later_declaration_cannot_raise_the_company_cap() {
        let low = Cents::euros(100_000);
        let high = Cents::euros(400_000);
        assert_eq!(company_cap(high, None), high);
        assert_eq!(company_cap(high, Some(low)), low);
        assert_eq!(company_cap(low, Some(high)), low);
    }

    #[test]
    fn fee_schedule_worked_example_pme_50k_four_years() {
        // €50,000, PME, 90 %, 4 years of amortisation after the first year.
        let c = company();
        assert_eq!(size_category(&c), SizeCategory::Pme);
        let terms = loan_terms(&c, Cents::euros(50_000), amortization(4));
        assert_eq!(terms.guarantee_share, BasisPoints::new(9_000));
        assert_eq!(terms.guaranteed, Cents::euros(45_000));
        let rows: Vec<(u8, u32, i64, i64)> = terms
            .fee_schedule
            .iter()
            .map(|y| (y.year, y.rate_bp.get(), y.outstanding.get(), y.fee.get()))
            .collect();
        assert_eq!(
            rows,
            vec![
                // 0.25 % × 90 % × €50,000 = €112.50
                (1, 25, 5_000_000, 11_250),
                // 0.50 % × 90 % × €50,000 = €225.00
                (2, 50, 5_000_000, 22_500),
                // 0.50 % × 90 % × €37,500 = €168.75
                (3, 50, 3_750_000, 16_875),
                // 1.00 % × 90 % × €25,000 = €225.00
                (4, 100, 2_500_000, 22_500),
                // 1.00 % × 90 % × €12,500 = €112.50
                (5, 100, 1_250_000, 11_250),
            ]
        );
        assert_eq!(terms.total_fee, Cents::new(84_375));
        assert_eq!(terms.cap, Cents::new(25_000_000));
        assert_eq!(terms.size_category, SizeCategory::Pme);
    }

    #[test]
    fn fee_schedule_worked_example_uneven_instalments() {
        // €1,000.01 over 3 years: instalments of 33,333 c, the last one 33,335 c.
        let terms = loan_terms(&company(), Cents::new(100_001), amortization(3));
        let rows: Vec<(i64, i64)> = terms
            .fee_schedule
            .iter()
            .map(|y| (y.outstanding.get(), y.fee.get()))
            .collect();
        assert_eq!(
            rows,
            vec![
                (100_001, 225), // 225.00225 c
                (100_001, 450), // 450.0045 c
                (66_668, 300),  // 300.006 c
                (33_335, 300),  // 300.015 c
            ]
        );
        assert_eq!(terms.total_fee, Cents::new(1_275));
        // 90,000.9 c rounds up.
        assert_eq!(terms.guaranteed, Cents::new(90_001));
    }

    #[test]
    fn fee_schedule_eti_rates_over_six_years() {
        let c = sized(300, Cents::euros(10_000_000), None);
        assert_eq!(size_category(&c), SizeCategory::Eti);
        let terms = loan_terms(&c, Cents::euros(1_000_000), amortization(5));
        let rows: Vec<(u8, u32, i64, i64)> = terms
            .fee_schedule
            .iter()
            .map(|y| (y.year, y.rate_bp.get(), y.outstanding.get(), y.fee.get()))
            .collect();
        assert_eq!(
            rows,
            vec![
                (1, 50, 100_000_000, 450_000),   // 0.5 % × 90 % × €1M = €4,500
                (2, 100, 100_000_000, 900_000),  // 1 % × 90 % × €1M
                (3, 100, 80_000_000, 720_000),   // 1 % × 90 % × €800k
                (4, 200, 60_000_000, 1_080_000), // 2 % × 90 % × €600k
                (5, 200, 40_000_000, 720_000),
                (6, 200, 20_000_000, 360_000),
            ]
        );
        assert_eq!(terms.total_fee, Cents::new(4_230_000));
    }

    #[test]
    fn no_amortisation_means_one_year() {
        let terms = loan_terms(&company(), Cents::euros(10_000), amortization(0));
        assert_eq!(terms.fee_schedule.len(), 1);
        assert_eq!(terms.fee_schedule[0].outstanding, Cents::euros(10_000));
        // 0.25 % × 90 % × €10,000 = €22.50
        assert_eq!(terms.total_fee, Cents::new(2_250));
    }

    #[test]
    fn fees_round_half_away_from_zero() {
        // GE with 80 %: year 1 is 0.5 % × 80 % = 0.4 %; 375 c → 1.5 c → 2 c; 374 c → 1 c.
        let ge = sized(6_000, Cents::euros(2_000_000_000), None);
        assert_eq!(size_category(&ge), SizeCategory::Ge);
        assert_eq!(guarantee_share(&ge).get(), 8_000);
        let fee = |a| {
            loan_terms(&ge, Cents::new(a), amortization(0))
                .total_fee
                .get()
        };
        assert_eq!(fee(375), 2);
        assert_eq!(fee(374), 1);
        assert_eq!(fee(125), 1); // 0.5 c
        assert_eq!(fee(124), 0);
        // Guaranteed: 5 c × 90 % = 4.5 c → 5 c.
        assert_eq!(
            loan_terms(&company(), Cents::new(5), amortization(0)).guaranteed,
            Cents::new(5)
        );
        assert_eq!(div_round_half_away(-15, 10), -2);
        assert_eq!(div_round_half_away(-14, 10), -1);
        assert_eq!(div_round_half_away(15, 10), 2);
        assert_eq!(div_round_half_away(14, 10), 1);
    }

    #[test]
    fn fee_rates_by_size_and_year() {
        let rates = |s| (1..=6).map(|y| fee_rate(s, y).get()).collect::<Vec<_>>();
        assert_eq!(rates(SizeCategory::Pme), vec![25, 50, 50, 100, 100, 100]);
        assert_eq!(rates(SizeCategory::Eti), vec![50, 100, 100, 200, 200, 200]);
        assert_eq!(rates(SizeCategory::Ge), vec![50, 100, 100, 200, 200, 200]);
    }

    #[test]
    fn amortization_years_range() {
        assert_eq!(AmortizationYears::new(-1), None);
        assert_eq!(AmortizationYears::new(0).unwrap().get(), 0);
        assert_eq!(AmortizationYears::new(5).unwrap().get(), 5);
        assert_eq!(AmortizationYears::new(6), None);
        assert_eq!(AmortizationYears::new(256), None);
        assert_eq!(AmortizationYears::default().get(), 5);
    }

    #[test]
    fn simulation_defaults_to_the_cap_over_five_years() {
        let c = company();
        let sim = simulate(&c, None, None);
        assert!(sim.eligible);
        assert!(sim.reasons.is_empty());
        assert_eq!(sim.terms.fee_schedule.len(), 6);
        assert_eq!(sim.terms.fee_schedule[0].outstanding, cap(&c));
        assert_eq!(sim.terms, loan_terms(&c, cap(&c), amortization(5)));
    }

    #[test]
    fn simulation_of_an_ineligible_company_still_has_terms() {
        let c = Company {
            collective_proceedings: true,
            ..company()
        };
        let sim = simulate(&c, Some(Cents::euros(5_000)), Some(amortization(2)));
        assert!(!sim.eligible);
        assert_eq!(sim.reasons, vec![Ineligibility::CollectiveProceedings]);
        assert_eq!(sim.terms.fee_schedule.len(), 3);
        assert_eq!(sim.terms.guaranteed, Cents::euros(4_500));
    }

    fn any_company() -> impl Strategy<Value = Company> {
        (
            0u32..=10_000_000,
            0i64..=i64::MAX,
            proptest::option::of(0i64..=i64::MAX),
        )
            .prop_map(|(headcount, revenue, balance_sheet)| {
                sized(
                    headcount,
                    Cents::new(revenue),
                    balance_sheet.map(Cents::new),
                )
            })
    }

    proptest! {
        #[test]
        fn fee_schedule_is_consistent(
            c in any_company(),
            amount in prop_oneof![0i64..=10_000_000_000, 0i64..=i64::MAX],
            years in 0i64..=5,
        ) {
            let amount = Cents::new(amount);
            let terms = loan_terms(&c, amount, amortization(years));
            let schedule = &terms.fee_schedule;
            prop_assert_eq!(schedule.len(), usize::try_from(years).unwrap() + 1);
            let mut total = 0i128;
            for (i, y) in schedule.iter().enumerate() {
                prop_assert_eq!(usize::from(y.year), i + 1);
                prop_assert!(y.fee >= Cents::ZERO);
                prop_assert!(y.outstanding >= Cents::ZERO);
                prop_assert!(y.outstanding <= amount);
                total += i128::from(y.fee.get());
            }
            prop_assert_eq!(total, i128::from(terms.total_fee.get()));
            for pair in schedule.windows(2) {
                prop_assert!(pair[1].outstanding <= pair[0].outstanding);
            }
            prop_assert_eq!(schedule[0].outstanding, amount);
            // The instalments repay exactly the amount: the last one is what is left.
            if years > 0 {
                let instalment = amount.get() / years;
                let last = schedule[schedule.len() - 1].outstanding.get();
                prop_assert_eq!(last, amount.get() - (years - 1) * instalment);
                prop_assert!(last >= instalment);
            }
            prop_assert!(terms.guaranteed <= amount);
            prop_assert!(terms.guaranteed >= Cents::ZERO);
        }

        #[test]
        fn aggregate_cap_matches_exact_arithmetic(
            cap in 0i64..=i64::MAX,
            committed in 0i64..=i64::MAX,
            requested in 0i64..=i64::MAX,
        ) {
            let ok = i128::from(committed) + i128::from(requested) <= i128::from(cap);
            prop_assert_eq!(
                check_aggregate_cap(Cents::new(cap), Cents::new(committed), Cents::new(requested)).is_ok(),
                ok
            );
        }
    }
}
