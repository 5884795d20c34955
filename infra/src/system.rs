//! The system's clock and random identifiers, behind the domain's [`Clock`] and
//! [`IdGenerator`] ports.

use chrono::{DateTime, Utc};
use domain::document::DocumentId;
use domain::guarantee::GuaranteeIdentifier;
use domain::loan_request::LoanRequestId;
use domain::ports::{Clock, IdGenerator};
use domain::reference::Reference;
use uuid::Uuid;

/// The current instant at the precision both databases keep (microseconds), so that a
/// value read back equals the value written and keyset cursors stay exact. What
/// [`SystemClock`] answers; the adapters take their time from the caller (the services'
/// [`Clock`]), but the dev identity provider, which has no caller. The object stores are
/// given the services' [`Clock`] for their URLs' expiries; the outbox worker has a
/// [`Clock`] of its own, this one unless given another.
#[must_use]
pub fn now() -> DateTime<Utc> {
    let now = Utc::now();
    let micros = now.timestamp_micros();
    DateTime::from_timestamp_micros(micros).unwrap_or(now)
}

/// The system clock, truncated to microseconds ([`now`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        now()
    }
}

/// UUIDv7 ids and references from the thread-local CSPRNG.
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomIds;

impl IdGenerator for RandomIds {
    fn loan_request_id(&self) -> LoanRequestId {
        LoanRequestId(Uuid::now_v7())
    }

    fn reference(&self) -> Reference {
        Reference::from_bits(rand::random::<u64>())
    }

    fn document_id(&self) -> DocumentId {
        DocumentId(Uuid::now_v7())
    }

    fn guarantee_identifier(&self) -> GuaranteeIdentifier {
        // The operating system's generator: an identifier must be unguessable.
        GuaranteeIdentifier::generate(&mut rand::rngs::OsRng)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_keeps_microseconds_and_ids_are_fresh() {
        let now = SystemClock.now();
        assert_eq!(now.timestamp_subsec_nanos() % 1_000, 0);
        assert_ne!(RandomIds.loan_request_id(), RandomIds.loan_request_id());
        assert_ne!(RandomIds.document_id(), RandomIds.document_id());
    }
}
