//! Document keys (`loan-requests/{request}/{document}`) read back into their ids: the
//! only keys either store accepts, so no URL or path can name anything else.

use uuid::Uuid;

/// Splits a document key `loan-requests/{uuid}/{uuid}` into its two ids; anything else
/// (traversal, other prefixes) is refused.
#[must_use]
pub fn parse_key(key: &str) -> Option<(Uuid, Uuid)> {
    let mut parts = key.split('/');
    let (Some("loan-requests"), Some(request), Some(document), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let request = Uuid::parse_str(request).ok()?;
    let document = Uuid::parse_str(document).ok()?;
    // Only the canonical hyphenated lowercase form maps to a file name.
    (key == domain::document::object_key(
        domain::loan_request::LoanRequestId(request),
        domain::document::DocumentId(document),
    ))
    .then_some((request, document))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_strict() {
        let (r, d) = (Uuid::new_v4(), Uuid::new_v4());
        assert_eq!(parse_key(&format!("loan-requests/{r}/{d}")), Some((r, d)));
        assert_eq!(parse_key(&format!("loan-requests/{r}/../{d}")), None);
        assert_eq!(parse_key(&format!("other/{r}/{d}")), None);
        assert_eq!(
            parse_key(&format!("loan-requests/{r}/{}", d.simple())),
            None
        );
        assert_eq!(parse_key(&format!("loan-requests/{r}/{d}/x")), None);
    }
}
