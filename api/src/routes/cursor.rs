//! One keyset-pagination cursor for the whole API: opaque to clients, tamper-evident
//! (HMAC), and bound to the scope and filters it was issued for, so a cursor cannot be
//! forged, replayed by someone else, or reused with another filter set.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::DateTime;
use domain::loan_request::{ListFilter, LoanRequestId, Position, Scope};
use hmac::Mac;
use infra::signing::{HmacSha256, mac as keyed};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::problem::Problem;

/// A digest of what the list was asked for, by whom.
#[must_use]
pub fn fingerprint(scope: &Scope, filter: &ListFilter) -> String {
    let scope = match scope {
        Scope::Applicant(s) => format!("applicant:{}", s.as_str()),
        Scope::Bank(b) => format!("bank:{}", b.as_str()),
        Scope::All => "all".to_owned(),
    };
    let canonical = format!(
        "{scope}|{}|{}|{}|{}|{}|{}",
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
    );
    let digest = Sha256::digest(canonical.as_bytes());
    URL_SAFE_NO_PAD.encode(&digest[..12])
}

fn mac(key: &[u8], payload: &str) -> HmacSha256 {
    keyed(key, &[payload.as_bytes()], b"")
}

/// Encodes the position after the last item of a page.
///
/// # Errors
/// Only if the HMAC key is unusable.
pub fn encode(key: &[u8], position: Position, fingerprint: &str) -> Result<String, Problem> {
    let payload = format!(
        "{}.{}.{fingerprint}",
        position.created_at.timestamp_micros(),
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
/// another caller or filter set.
pub fn decode(key: &[u8], cursor: &str, fingerprint: &str) -> Result<Position, Problem> {
    if cursor.len() > 512 {
        return Err(invalid("the cursor is too long"));
    }
    let raw = URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| invalid("the cursor is not one this API issued"))?;
    let (payload, tag) = raw
        .rsplit_once('.')
        .ok_or_else(|| invalid("the cursor is not one this API issued"))?;
    let tag = URL_SAFE_NO_PAD
        .decode(tag)
        .map_err(|_| invalid("the cursor is not one this API issued"))?;
    if tag.len() != 16 {
        return Err(invalid("the cursor is not one this API issued"));
    }
    mac(key, payload)
        .verify_truncated_left(&tag)
        .map_err(|_| invalid("the cursor is not one this API issued"))?;
    let mut parts = payload.splitn(3, '.');
    let (Some(micros), Some(id), Some(issued_for)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid("the cursor is not one this API issued"));
    };
    if issued_for != fingerprint {
        return Err(invalid(
            "the cursor belongs to another list: repeat the same filters, or start without a cursor",
        ));
    }
    let created_at = micros
        .parse::<i64>()
        .ok()
        .and_then(DateTime::from_timestamp_micros)
        .ok_or_else(|| invalid("the cursor is not one this API issued"))?;
    let id = Uuid::parse_str(id).map_err(|_| invalid("the cursor is not one this API issued"))?;
    Ok(Position {
        created_at,
        id: LoanRequestId(id),
    })
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
