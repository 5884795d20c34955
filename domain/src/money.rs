//! Money and rates as integers: euro cents and basis points. No floats anywhere.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An amount of money in euro cents.
///
/// Any `i64` is representable: whether a negative amount makes sense is for the parser
/// of each field to decide (declared revenue, payroll and requested amounts refuse it).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Cents(i64);

impl Cents {
    pub const ZERO: Self = Self(0);
    pub const MAX: Self = Self(i64::MAX);

    #[must_use]
    pub const fn new(cents: i64) -> Self {
        Self(cents)
    }

    /// Whole euros.
    ///
    /// # Panics
    /// When `euros × 100` does not fit in an `i64` (beyond ±92 quadrillion euros); meant
    /// for constants and tests, where that is a programming error.
    #[must_use]
    pub const fn euros(euros: i64) -> Self {
        match euros.checked_mul(100) {
            Some(cents) => Self(cents),
            None => panic!("Cents::euros overflows i64"),
        }
    }

    #[must_use]
    pub const fn get(self) -> i64 {
        self.0
    }

    #[must_use]
    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    #[must_use]
    pub const fn checked_add(self, other: Self) -> Option<Self> {
        match self.0.checked_add(other.0) {
            Some(sum) => Some(Self(sum)),
            None => None,
        }
    }

    #[must_use]
    pub const fn checked_sub(self, other: Self) -> Option<Self> {
        match self.0.checked_sub(other.0) {
            Some(diff) => Some(Self(diff)),
            None => None,
        }
    }

    #[must_use]
    pub const fn saturating_add(self, other: Self) -> Self {
        Self(self.0.saturating_add(other.0))
    }
}

/// Euros with two decimals and no grouping or currency sign: `1234.50`, `-0.05`.
impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

/// A rate in basis points: 1 bp = 0.01 %, 10,000 bp = 100 %.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct BasisPoints(u32);

impl BasisPoints {
    /// 100 %.
    pub const ONE: Self = Self(10_000);

    #[must_use]
    pub const fn new(bp: u32) -> Self {
        Self(bp)
    }

    #[must_use]
    pub const fn get(self) -> u32 {
        self.0
    }
}

/// A percentage with two decimals: `90.00%`, `0.25%`.
impl fmt::Display for BasisPoints {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}%", self.0 / 100, self.0 % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cents_display_as_euros_with_two_decimals() {
        assert_eq!(Cents::new(123_450).to_string(), "1234.50");
        assert_eq!(Cents::new(0).to_string(), "0.00");
        assert_eq!(Cents::new(7).to_string(), "0.07");
        assert_eq!(Cents::new(-5).to_string(), "-0.05");
        assert_eq!(Cents::new(-123_456).to_string(), "-1234.56");
        assert_eq!(Cents::new(i64::MIN).to_string(), "-92233720368547758.08");
        assert_eq!(Cents::new(i64::MAX).to_string(), "92233720368547758.07");
    }

    #[test]
    fn euros_are_hundred_cents() {
        assert_eq!(Cents::euros(1_000), Cents::new(100_000));
        assert_eq!(Cents::euros(-3).get(), -300);
    }

    #[test]
    fn checked_arithmetic_reports_overflow() {
        assert_eq!(Cents::MAX.checked_add(Cents::new(1)), None);
        assert_eq!(
            Cents::new(1).checked_add(Cents::new(2)),
            Some(Cents::new(3))
        );
        assert_eq!(Cents::new(i64::MIN).checked_sub(Cents::new(1)), None);
    }

    #[test]
    fn basis_points_display_as_percent() {
        assert_eq!(BasisPoints::new(9_000).get(), 9_000);
        assert_eq!(BasisPoints::new(25).to_string(), "0.25%");
        assert_eq!(BasisPoints::new(9_000).to_string(), "90.00%");
    }
}
