//! HMAC-SHA256, the platform's one keyed hash: signed document URLs (`objects`), list
//! cursors and keys derived from the platform secret (`api::routes::cursor`).

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// HMAC-SHA256, to finalise or to verify (`verify_slice`, `verify_truncated_left`:
/// constant-time).
pub type HmacSha256 = Hmac<Sha256>;

/// The MAC of `parts` under `key`, each part followed by `separator`.
#[must_use]
pub fn mac(key: &[u8], parts: &[&[u8]], separator: &[u8]) -> HmacSha256 {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    for part in parts {
        mac.update(part);
        mac.update(separator);
    }
    mac
}

#[cfg(test)]
mod tests {
    use hmac::Mac;

    use super::mac;

    #[test]
    fn parts_and_separators_are_what_is_signed() {
        let whole = mac(b"k", &[b"a\nb\n"], b"").finalize().into_bytes();
        let parts = mac(b"k", &[b"a", b"b"], b"\n").finalize().into_bytes();
        assert_eq!(whole, parts);
        let other_key = mac(b"l", &[b"a", b"b"], b"\n").finalize().into_bytes();
        assert_ne!(parts, other_key);
    }
}
