//! The life of a loan request (docs/RULES.md §14): its states, the actions that move it,
//! and who acts.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::FieldError;

/// State of a loan request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Submitted,
    InReview,
    PreApproved,
    Granted,
    Rejected,
    Withdrawn,
}

impl Status {
    pub const ALL: [Self; 6] = [
        Self::Submitted,
        Self::InReview,
        Self::PreApproved,
        Self::Granted,
        Self::Rejected,
        Self::Withdrawn,
    ];

    /// The wire name: `submitted`, `in_review`...
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::InReview => "in_review",
            Self::PreApproved => "pre_approved",
            Self::Granted => "granted",
            Self::Rejected => "rejected",
            Self::Withdrawn => "withdrawn",
        }
    }

    #[must_use]
    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == input)
    }

    /// No action leaves this state.
    #[must_use]
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Granted | Self::Rejected | Self::Withdrawn)
    }

    /// Whether the request's amount counts toward its SIREN's aggregate cap: every
    /// state but `rejected` and `withdrawn`.
    #[must_use]
    pub fn counts_toward_cap(self) -> bool {
        !matches!(self, Self::Rejected | Self::Withdrawn)
    }

    /// The states whose amounts no longer count toward the cap (what a store's query
    /// of the committed sum leaves out): derived from [`Self::counts_toward_cap`].
    pub fn released() -> impl Iterator<Item = Self> {
        Self::ALL.into_iter().filter(|s| !s.counts_toward_cap())
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Something done to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Action {
    #[serde(rename = "review")]
    TakeInReview,
    #[serde(rename = "pre_approve")]
    PreApprove,
    #[serde(rename = "reject")]
    Reject,
    #[serde(rename = "grant")]
    Grant,
    #[serde(rename = "withdraw")]
    Withdraw,
}

impl Action {
    pub const ALL: [Self; 5] = [
        Self::TakeInReview,
        Self::PreApprove,
        Self::Reject,
        Self::Grant,
        Self::Withdraw,
    ];

    /// `review`, `pre_approve`, `reject`, `grant`, `withdraw`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TakeInReview => "review",
            Self::PreApprove => "pre_approve",
            Self::Reject => "reject",
            Self::Grant => "grant",
            Self::Withdraw => "withdraw",
        }
    }

    #[must_use]
    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == input)
    }

    /// Only a rejection must give a reason (docs/RULES.md §14); a pre-approval may.
    #[must_use]
    pub fn requires_reason(self) -> bool {
        matches!(self, Self::Reject)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An action that the request's current state does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action} a request that is {from}")]
pub struct InvalidTransition {
    pub from: Status,
    pub action: Action,
}

/// The state an action leads to from `from`:
/// `submitted → in_review → pre_approved → granted`, and `submitted`/`in_review`/
/// `pre_approved` → `rejected` or `withdrawn` (after the bank's agreement in principle the
/// company may still give up, and the bank may still refuse: either cancels the guarantee
/// identifier issued for it, docs/RULES.md §20). Pre-approving straight from `submitted`
/// is not allowed.
///
/// # Errors
/// [`InvalidTransition`] for any other pair.
pub fn transition(from: Status, action: Action) -> Result<Status, InvalidTransition> {
    use Action as A;
    use Status as S;
    match (from, action) {
        (S::Submitted, A::TakeInReview) => Ok(S::InReview),
        (S::InReview, A::PreApprove) => Ok(S::PreApproved),
        (S::PreApproved, A::Grant) => Ok(S::Granted),
        (S::Submitted | S::InReview | S::PreApproved, A::Reject) => Ok(S::Rejected),
        (S::Submitted | S::InReview | S::PreApproved, A::Withdraw) => Ok(S::Withdrawn),
        _ => Err(InvalidTransition { from, action }),
    }
}

/// Why a decision was taken: trimmed, 1 to 2,000 characters, no control characters
/// other than newline and tab. Windows line ends (`\r\n`) become `\n`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Reason(String);

impl Reason {
    pub const MAX_CHARS: usize = 2_000;

    /// # Errors
    /// A [`FieldError`] on field `reason`: `required`, `too-long` or
    /// `invalid-characters`.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        crate::error::free_text("reason", "a reason", input, Self::MAX_CHARS).map(Self)
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    #[must_use]
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Reason {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Reason> for String {
    fn from(r: Reason) -> Self {
        r.0
    }
}

/// What a person may do (docs/RULES.md §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Applicant,
    Reviewer,
    Admin,
}

impl Role {
    pub const ALL: [Self; 3] = [Self::Applicant, Self::Reviewer, Self::Admin];

    /// `applicant`, `reviewer`, `admin`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Applicant => "applicant",
            Self::Reviewer => "reviewer",
            Self::Admin => "admin",
        }
    }

    #[must_use]
    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == input)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn transition_table_is_exactly_the_spec() {
        use Action as A;
        use Status as S;
        let expected = |from: S, action: A| -> Option<S> {
            match (from, action) {
                (S::Submitted, A::TakeInReview) => Some(S::InReview),
                (S::Submitted, A::Reject)
                | (S::InReview, A::Reject)
                | (S::PreApproved, A::Reject) => Some(S::Rejected),
                (S::Submitted, A::Withdraw)
                | (S::InReview, A::Withdraw)
                | (S::PreApproved, A::Withdraw) => Some(S::Withdrawn),
                (S::InReview, A::PreApprove) => Some(S::PreApproved),
                (S::PreApproved, A::Grant) => Some(S::Granted),
                _ => None,
            }
        };
        let mut allowed = 0;
        for from in Status::ALL {
            for action in Action::ALL {
                let got = transition(from, action);
                match expected(from, action) {
                    Some(to) => {
                        allowed += 1;
                        assert_eq!(got, Ok(to), "{from} {action}");
                    }
                    None => assert_eq!(
                        got,
                        Err(InvalidTransition { from, action }),
                        "{from} {action}"
                    ),
                }
            }
        }
        assert_eq!(allowed, 9);
    }

    #[test]
    fn every_pair_spelled_out() {
        use Action as A;
        use Status as S;
        // All 6 × 5 pairs, written by hand from docs/RULES.md §14.
        let table: [(S, [Option<S>; 5]); 6] = [
            //                review,            pre_approve,         reject,            grant,             withdraw
            (
                S::Submitted,
                [
                    Some(S::InReview),
                    None,
                    Some(S::Rejected),
                    None,
                    Some(S::Withdrawn),
                ],
            ),
            (
                S::InReview,
                [
                    None,
                    Some(S::PreApproved),
                    Some(S::Rejected),
                    None,
                    Some(S::Withdrawn),
                ],
            ),
            (
                S::PreApproved,
                [
                    None,
                    None,
                    Some(S::Rejected),
                    Some(S::Granted),
                    Some(S::Withdrawn),
                ],
            ),
            (S::Granted, [None; 5]),
            (S::Rejected, [None; 5]),
            (S::Withdrawn, [None; 5]),
        ];
        for (from, row) in table {
            for (action, to) in [
                A::TakeInReview,
                A::PreApprove,
                A::Reject,
                A::Grant,
                A::Withdraw,
            ]
            .into_iter()
            .zip(row)
            {
                assert_eq!(transition(from, action).ok(), to, "{from} {action}");
            }
        }
    }

    #[test]
    fn terminal_states_allow_nothing() {
        for from in Status::ALL {
            let any_allowed = Action::ALL.into_iter().any(|a| transition(from, a).is_ok());
            assert_eq!(from.is_terminal(), !any_allowed, "{from}");
        }
    }

    #[test]
    fn cap_counts_all_but_rejected_and_withdrawn() {
        for s in Status::ALL {
            assert_eq!(
                s.counts_toward_cap(),
                !matches!(s, Status::Rejected | Status::Withdrawn)
            );
        }
    }

    #[test]
    fn wire_names_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        for a in Action::ALL {
            assert_eq!(Action::parse(a.as_str()), Some(a));
        }
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Status::InReview.as_str(), "in_review");
        assert_eq!(Action::TakeInReview.as_str(), "review");
        assert_eq!(Status::parse("IN_REVIEW"), None);
    }

    #[test]
    fn invalid_transition_message() {
        let e = transition(Status::Granted, Action::Withdraw).unwrap_err();
        assert_eq!(e.to_string(), "cannot withdraw a request that is granted");
    }

    #[test]
    fn reason_bounds() {
        assert_eq!(
            Reason::parse("  Incomplete file \n").unwrap().as_str(),
            "Incomplete file"
        );
        assert_eq!(Reason::parse(" \n\t ").unwrap_err().code, "required");
        assert_eq!(Reason::parse("").unwrap_err().field, "reason");
        assert!(Reason::parse(&"é".repeat(2_000)).is_ok());
        assert_eq!(
            Reason::parse(&"é".repeat(2_001)).unwrap_err().code,
            "too-long"
        );
        assert_eq!(
            Reason::parse("line one\r\nline two\tend").unwrap().as_str(),
            "line one\nline two\tend"
        );
        assert_eq!(
            Reason::parse("a\0b").unwrap_err().code,
            "invalid-characters"
        );
        assert_eq!(
            Reason::parse("a\rb").unwrap_err().code,
            "invalid-characters"
        );
        assert_eq!(
            Reason::parse("a\u{1b}[31mb").unwrap_err().code,
            "invalid-characters"
        );
    }
}
