//! The campaign window: when submissions are accepted (docs/RULES.md §11).

use chrono::{DateTime, Utc};

/// Submissions are accepted from `opens_at` (inclusive) until `closes_at` (exclusive);
/// a missing bound is no bound. The default is always open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CampaignWindow {
    pub opens_at: Option<DateTime<Utc>>,
    pub closes_at: Option<DateTime<Utc>>,
}

/// A window that closes before, or when, it opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the campaign must close after it opens")]
pub struct EmptyCampaignWindow;

impl CampaignWindow {
    /// A window checked to be non-empty when both bounds are set: use it when reading
    /// configuration so that a swapped pair is refused at start-up.
    ///
    /// # Errors
    /// [`EmptyCampaignWindow`] when `closes_at <= opens_at`.
    pub fn new(
        opens_at: Option<DateTime<Utc>>,
        closes_at: Option<DateTime<Utc>>,
    ) -> Result<Self, EmptyCampaignWindow> {
        match (opens_at, closes_at) {
            (Some(open), Some(close)) if close <= open => Err(EmptyCampaignWindow),
            _ => Ok(Self {
                opens_at,
                closes_at,
            }),
        }
    }

    #[must_use]
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        self.opens_at.is_none_or(|open| now >= open)
            && self.closes_at.is_none_or(|close| now < close)
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn default_is_always_open() {
        let w = CampaignWindow::default();
        assert!(w.is_open(DateTime::<Utc>::MIN_UTC));
        assert!(w.is_open(DateTime::<Utc>::MAX_UTC));
    }

    #[test]
    fn opens_inclusive_and_closes_exclusive() {
        let open = at("2020-03-25T00:00:00Z");
        let close = at("2021-06-30T22:00:00Z");
        let w = CampaignWindow::new(Some(open), Some(close)).unwrap();
        let ns = TimeDelta::nanoseconds(1);
        assert!(!w.is_open(open - ns));
        assert!(w.is_open(open));
        assert!(w.is_open(close - ns));
        assert!(!w.is_open(close));
        assert!(!w.is_open(close + ns));
    }

    #[test]
    fn one_sided_windows() {
        let t = at("2020-03-25T00:00:00Z");
        let ns = TimeDelta::nanoseconds(1);
        let opens = CampaignWindow {
            opens_at: Some(t),
            closes_at: None,
        };
        assert!(!opens.is_open(t - ns));
        assert!(opens.is_open(DateTime::<Utc>::MAX_UTC));
        let closes = CampaignWindow {
            opens_at: None,
            closes_at: Some(t),
        };
        assert!(closes.is_open(t - ns));
        assert!(!closes.is_open(t));
    }

    #[test]
    fn empty_windows_are_refused() {
        let t = at("2020-03-25T00:00:00Z");
        assert_eq!(
            CampaignWindow::new(Some(t), Some(t)),
            Err(EmptyCampaignWindow)
        );
        assert!(CampaignWindow::new(Some(t), None).is_ok());
    }
}
