//! Four eyes on large grants (docs/RULES.md §21): each bank sets an amount above which a
//! grant needs two reviewers of the bank. The first one's grant records a pending grant
//! (the request stays `pre_approved`, visibly awaiting a second approval); a second
//! reviewer, never the first, confirms it (the request is granted) or sends it back with
//! a reason.

use chrono::{DateTime, Utc};

use crate::error::{FieldCode, FieldError};
use crate::guarantee::GuaranteeIdentifier;
use crate::loan_request::Subject;
use crate::money::Cents;

/// The largest threshold a bank may set: €1 billion (any loan above it is beyond a
/// company's cap anyway, `rules::company_cap`'s bound).
pub const MAX_THRESHOLD: Cents = Cents::new(100_000_000_000);

/// A bank's four-eyes threshold: a grant of a loan strictly above it needs a second
/// reviewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct GrantThreshold(Cents);

impl GrantThreshold {
    /// # Errors
    /// A [`FieldError`] on `threshold_cents`: `negative` below 0, `out-of-range` above
    /// [`MAX_THRESHOLD`].
    pub fn new(cents: i64) -> Result<Self, FieldError> {
        if cents < 0 {
            return Err(FieldError::new(
                "threshold_cents",
                FieldCode::Negative,
                "a threshold is 0 or more cents",
            ));
        }
        if cents > MAX_THRESHOLD.get() {
            return Err(FieldError::new(
                "threshold_cents",
                FieldCode::OutOfRange,
                "a threshold is at most €1,000,000,000",
            ));
        }
        Ok(Self(Cents::new(cents)))
    }

    #[must_use]
    pub fn cents(self) -> Cents {
        self.0
    }

    /// Whether a grant of `amount` needs a second reviewer.
    #[must_use]
    pub fn needs_second_reviewer(self, amount: Cents) -> bool {
        amount > self.0
    }
}

/// A grant asked by a first reviewer, awaiting a second one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingGrant {
    pub requested_by: Subject,
    pub requested_at: DateTime<Utc>,
    /// The guarantee identifier the first reviewer confirmed.
    pub identifier: GuaranteeIdentifier,
}

/// What a grant does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantStep {
    /// The loan is granted now.
    Grant,
    /// The first approval of a grant above the threshold: recorded, awaiting a second.
    AwaitSecondReviewer,
}

/// The first reviewer tried to confirm their own grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "a grant above the bank's threshold is confirmed by another reviewer than the one who asked for it"
)]
pub struct SameReviewer;

/// What a grant of `amount` by `reviewer` does, given the bank's threshold (none: no
/// four eyes) and the grant pending on the request, if any.
///
/// # Errors
/// [`SameReviewer`] when the reviewer who asked for the pending grant confirms it.
pub fn grant_step(
    threshold: Option<GrantThreshold>,
    amount: Cents,
    pending: Option<&PendingGrant>,
    reviewer: &Subject,
) -> Result<GrantStep, SameReviewer> {
    match (threshold, pending) {
        (Some(threshold), None) if threshold.needs_second_reviewer(amount) => {
            Ok(GrantStep::AwaitSecondReviewer)
        }
        (Some(threshold), Some(pending)) if threshold.needs_second_reviewer(amount) => {
            if &pending.requested_by == reviewer {
                Err(SameReviewer)
            } else {
                Ok(GrantStep::Grant)
            }
        }
        // No threshold (or no longer one), or an amount at or below it: granted at once,
        // a grant still pending included.
        _ => Ok(GrantStep::Grant),
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn pending(by: &str) -> PendingGrant {
        PendingGrant {
            requested_by: Subject::new(by),
            requested_at: "2026-12-06T10:00:00Z".parse().unwrap(),
            identifier: GuaranteeIdentifier::from_value(1).unwrap(),
        }
    }

    #[test]
    fn thresholds_are_bounded() {
        assert_eq!(GrantThreshold::new(0).unwrap().cents(), Cents::ZERO);
        assert_eq!(
            GrantThreshold::new(-1).unwrap_err().code,
            FieldCode::Negative
        );
        assert!(GrantThreshold::new(MAX_THRESHOLD.get()).is_ok());
        assert_eq!(
            GrantThreshold::new(MAX_THRESHOLD.get() + 1)
                .unwrap_err()
                .code,
            FieldCode::OutOfRange
        );
    }

    #[test]
    fn above_the_threshold_two_reviewers_at_or_below_one() {
        let threshold = Some(GrantThreshold::new(10_000_000).unwrap());
        let alice = Subject::new("alice");
        let bob = Subject::new("bob");
        let at = Cents::new(10_000_000);
        let above = Cents::new(10_000_001);
        assert_eq!(
            grant_step(threshold, at, None, &alice),
            Ok(GrantStep::Grant)
        );
        assert_eq!(grant_step(None, above, None, &alice), Ok(GrantStep::Grant));
        assert_eq!(
            grant_step(threshold, above, None, &alice),
            Ok(GrantStep::AwaitSecondReviewer)
        );
        assert_eq!(
            grant_step(threshold, above, Some(&pending("alice")), &alice),
            Err(SameReviewer)
        );
        assert_eq!(
            grant_step(threshold, above, Some(&pending("alice")), &bob),
            Ok(GrantStep::Grant)
        );
        // The threshold raised (or removed) since: the pending grant goes through.
        assert_eq!(
            grant_step(None, above, Some(&pending("alice")), &alice),
            Ok(GrantStep::Grant)
        );
    }
}
