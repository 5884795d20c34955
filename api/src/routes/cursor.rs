//! One keyset-pagination cursor for the whole API: opaque to clients, tamper-evident
//! (HMAC), and bound to the scope and filters it was issued for, so a cursor cannot be
//! forged, replayed by someone else, or reused with another filter set.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::loan_request::{Direction, ListFilter, ListOrder, LoanRequestId, Position, Scope};
use hmac::Mac;
use infra::signing::{HmacSha256, mac as keyed};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::problem::Problem;

/// A digest of what the list was asked for, by whom, in which order.
#[must_use]
pub fn fingerprint(scope: &Scope, filter: &ListFilter, order: ListOrder) -> String {
    let scope = match scope {
        Scope::Applicant(s) => format!("applicant:{}", s.as_str()),
        Scope::Bank(b) => format!("bank:{}", b.as_str()),
        Scope::All => "all".to_owned(),
    };
    let canonical = format!(
        "{scope}|{}|{}|{}|{}|{}|{}|{}|{}|{}",
        filter.status.map(|s| s.as_str()).unwrap_or_default(),
        filter
            .siren
            .as_ref()
            .map(|s| s.as_str())
            .unwrap_or_default(),
        filter
            .reference
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        filter
            .created_from
            .map(|t| t.timestamp_micros())
            .unwrap_or_default(),
        filter
            .created_to
            .map(|t| t.timestamp_micros())
            .unwrap_or_default(),
        filter.bank.as_ref().map(|b| b.as_str()).unwrap_or_default(),
        // The name is the one free-text part: its length first, so that no name can
        // pass for another name followed by the next fields.
        filter
            .name
            .as_ref()
            .map(|n| format!("{}:{}", n.as_str().len(), n.as_str()))
            .unwrap_or_default(),
        filter.unread_from.map(|s| s.as_str()).unwrap_or_default(),
        order.as_str(),
    );
    let digest = Sha256::digest(canonical.as_bytes());
    URL_SAFE_NO_PAD.encode(&digest[..12])
}

fn mac(key: &[u8], payload: &str) -> HmacSha256 {
    keyed(key, &[payload.as_bytes()], b"")
}

/// Encodes where the next page starts (`After` the last item of a page) or where the
/// previous one ends (`Before` its first item).
///
/// # Errors
/// Only if the HMAC key is unusable.
pub fn encode(
    key: &[u8],
    position: Position,
    direction: Direction,
    fingerprint: &str,
) -> Result<String, Problem> {
    let way = match direction {
        Direction::After => 'a',
        Direction::Before => 'b',
    };
    let payload = format!(
        "{way}{}.{}.{fingerprint}",
        position.key,
        position.id.0.simple()
    );
    let tag = mac(key, &payload).finalize().into_bytes();
    Ok(URL_SAFE_NO_PAD.encode(format!("{payload}.{}", URL_SAFE_NO_PAD.encode(&tag[..16]))))
}

fn invalid(message: &str) -> Problem {
    Problem::invalid_parameter("cursor", domain::error::FieldCode::InvalidCursor, message)
}

/// Decodes a cursor issued by [`encode`] for the same fingerprint.
///
/// # Errors
/// 400 `invalid-parameter` naming `cursor` when it is garbled, forged, or was issued for
/// another caller, filter set or order.
pub fn decode(
    key: &[u8],
    cursor: &str,
    fingerprint: &str,
) -> Result<(Position, Direction), Problem> {
    let unknown = || invalid("the cursor is not one this API issued");
    if cursor.len() > 512 {
        return Err(invalid("the cursor is too long"));
    }
    let raw = URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(unknown)?;
    let (payload, tag) = raw.rsplit_once('.').ok_or_else(unknown)?;
    let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| unknown())?;
    if tag.len() != 16 {
        return Err(unknown());
    }
    mac(key, payload)
        .verify_truncated_left(&tag)
        .map_err(|_| unknown())?;
    let mut parts = payload.splitn(3, '.');
    let (Some(key_part), Some(id), Some(issued_for)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(unknown());
    };
    if issued_for != fingerprint {
        return Err(invalid(
            "the cursor belongs to another list: repeat the same filters and order, or start without a cursor",
        ));
    }
    let (direction, sort_key) = match key_part.split_at_checked(1) {
        Some(("a", rest)) => (Direction::After, rest),
        Some(("b", rest)) => (Direction::Before, rest),
        _ => return Err(unknown()),
    };
    let sort_key = sort_key.parse::<i64>().map_err(|_| unknown())?;
    let id = Uuid::parse_str(id).map_err(|_| unknown())?;
    Ok((
        Position {
            key: sort_key,
            id: LoanRequestId(id),
        },
        direction,
    ))
}

/// A key for another purpose, derived from the platform secret:
/// HMAC-SHA256(secret, label). One secret to manage, keys that never overlap.
#[must_use]
pub fn derive_key(secret: &[u8], label: &[u8]) -> Vec<u8> {
    keyed(secret, &[label], b"")
        .finalize()
        .into_bytes()
        .to_vec()
}
