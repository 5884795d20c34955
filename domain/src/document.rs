//! Supporting documents (docs/RULES.md §15): what may be attached, how big, how many,
//! and while the request is in which state.

use std::fmt;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::error::{FieldCode, FieldError};
use crate::loan_request::LoanRequestId;
use crate::workflow::Status;

/// Largest document accepted: 10 MiB.
pub const MAX_DOCUMENT_BYTES: u64 = 10 * 1024 * 1024;
/// Most documents attached to one request (pending uploads included).
pub const MAX_DOCUMENTS_PER_REQUEST: u64 = 20;
/// An announcement not confirmed this long after it was made is abandoned (its upload
/// URL lasted 15 minutes): it no longer counts toward the limit, and the next
/// announcement on the request removes it.
pub const ABANDONED_AFTER: chrono::TimeDelta = chrono::TimeDelta::hours(1);
/// Longest file name kept, in characters.
pub const MAX_FILENAME_CHARS: usize = 255;

/// Identifier of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DocumentId(pub Uuid);

impl fmt::Display for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The accepted media types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContentType {
    Pdf,
    Png,
    Jpeg,
}

impl ContentType {
    pub const ALL: [Self; 3] = [Self::Pdf, Self::Png, Self::Jpeg];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
        }
    }

    /// The file-name extensions of the type (lower case, without the dot).
    #[must_use]
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Self::Pdf => &["pdf"],
            Self::Png => &["png"],
            Self::Jpeg => &["jpg", "jpeg"],
        }
    }

    /// The leading bytes every file of the type starts with: `%PDF-`, the PNG signature,
    /// or a JPEG's start-of-image marker followed by a marker.
    #[must_use]
    pub fn signature(self) -> &'static [u8] {
        match self {
            Self::Pdf => b"%PDF-",
            Self::Png => b"\x89PNG\r\n\x1a\n",
            Self::Jpeg => b"\xff\xd8\xff",
        }
    }

    /// Bytes to read from the start of a stored object to check its signature.
    pub const SIGNATURE_BYTES: usize = 8;

    /// Parses a media type, case-insensitively, without parameters.
    #[must_use]
    pub fn parse(input: &str) -> Option<Self> {
        let lower = input.trim().to_ascii_lowercase();
        Self::ALL.into_iter().find(|t| t.as_str() == lower)
    }
}

impl fmt::Display for ContentType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A file name as the applicant named it: 1–255 characters, no control characters, no
/// path separators. Shown back to reviewers, never used as a storage key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filename(String);

impl Filename {
    /// # Errors
    /// A [`FieldError`] on `field` when blank, too long, or holding a control character
    /// or a path separator.
    pub fn parse(input: &str, field: &str) -> Result<Self, FieldError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(FieldError::new(
                field,
                FieldCode::Required,
                "the file name is empty",
            ));
        }
        if trimmed.chars().count() > MAX_FILENAME_CHARS {
            return Err(FieldError::new(
                field,
                FieldCode::DocumentNameTooLong,
                format!("the file name is longer than {MAX_FILENAME_CHARS} characters"),
            ));
        }
        if crate::error::has_hidden_characters(trimmed) {
            return Err(FieldError::new(
                field,
                crate::error::codes::INVALID_CHARACTERS,
                "the file name holds an invisible formatting or control character",
            ));
        }
        if trimmed.chars().any(|c| c == '/' || c == '\\') || trimmed == "." || trimmed == ".." {
            return Err(FieldError::new(
                field,
                FieldCode::InvalidName,
                "the file name holds a control character or a path separator",
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the name ends with one of the type's extensions (any case): a name such
    /// as `facture.pdf.exe` is not a PDF's.
    #[must_use]
    pub fn has_extension_of(&self, kind: ContentType) -> bool {
        self.0.rsplit_once('.').is_some_and(|(stem, extension)| {
            !stem.is_empty()
                && kind
                    .extensions()
                    .iter()
                    .any(|e| extension.eq_ignore_ascii_case(e))
        })
    }
}

/// What the applicant declares before uploading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration {
    pub filename: Filename,
    pub content_type: ContentType,
    pub size: u64,
}

impl Declaration {
    /// Checks a declaration; every problem is reported, each on its field.
    ///
    /// # Errors
    /// The list of field errors.
    pub fn parse(filename: &str, content_type: &str, size: i64) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let filename = Filename::parse(filename, "filename")
            .map_err(|e| errors.push(e))
            .ok();
        let content_type = ContentType::parse(content_type);
        if content_type.is_none() {
            errors.push(FieldError::new(
                "content_type",
                FieldCode::UnsupportedType,
                "accepted types are application/pdf, image/png and image/jpeg",
            ));
        }
        let size = match u64::try_from(size) {
            Ok(0) | Err(_) => {
                errors.push(FieldError::new(
                    "size",
                    FieldCode::DocumentSizeOutOfRange,
                    "the size must be a positive number of bytes",
                ));
                None
            }
            Ok(s) if s > MAX_DOCUMENT_BYTES => {
                errors.push(FieldError::new(
                    "size",
                    FieldCode::DocumentTooLarge,
                    format!("a document is at most {MAX_DOCUMENT_BYTES} bytes (10 MiB)"),
                ));
                None
            }
            Ok(s) => Some(s),
        };
        if let (Some(name), Some(kind)) = (&filename, content_type)
            && !name.has_extension_of(kind)
        {
            errors.push(FieldError::new(
                "filename",
                crate::error::codes::EXTENSION_MISMATCH,
                format!(
                    "a file of type {kind} must be named .{}",
                    kind.extensions().join(" or .")
                ),
            ));
        }
        match (filename, content_type, size) {
            (Some(filename), Some(content_type), Some(size)) if errors.is_empty() => Ok(Self {
                filename,
                content_type,
                size,
            }),
            _ => Err(errors),
        }
    }
}

/// Whether documents may be attached in this state (docs/RULES.md §15).
#[must_use]
pub fn accepts_documents(status: Status) -> bool {
    matches!(status, Status::Submitted | Status::InReview)
}

/// Where a document lives in object storage.
#[must_use]
pub fn object_key(request: LoanRequestId, document: DocumentId) -> String {
    object_key_of(&request.0.to_string(), &document.0.to_string())
}

/// The object key two path segments name, as given (a URL's segments, before they are
/// known to be ids): the one place that writes the key's format.
#[must_use]
pub fn object_key_of(request: &str, document: &str) -> String {
    format!("loan-requests/{request}/{document}")
}

/// Upload state of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentStatus {
    /// Announced; the upload URL was handed out, the object not yet confirmed.
    Pending,
    /// Confirmed against the stored object; listed and downloadable.
    Available,
}

impl DocumentStatus {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Available => "available",
        }
    }

    #[must_use]
    pub fn parse(input: &str) -> Option<Self> {
        match input {
            "pending" => Some(Self::Pending),
            "available" => Some(Self::Available),
            _ => None,
        }
    }
}

/// A document attached to a loan request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub id: DocumentId,
    pub loan_request_id: LoanRequestId,
    pub declaration: Declaration,
    pub status: DocumentStatus,
    pub created_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
}

impl Document {
    #[must_use]
    pub fn key(&self) -> String {
        object_key(self.loan_request_id, self.id)
    }
}

/// What object storage says about a stored object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    pub size: u64,
    pub content_type: Option<String>,
}

/// Why a stored object does not match its declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    Size {
        declared: u64,
        stored: u64,
    },
    ContentType {
        declared: ContentType,
        stored: Option<String>,
    },
    /// The object's first bytes are not its declared type's signature (an executable
    /// announced as a PDF).
    Content {
        declared: ContentType,
    },
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Size { declared, stored } => write!(
                f,
                "the uploaded object is {stored} bytes long, {declared} were declared"
            ),
            Self::ContentType { declared, stored } => write!(
                f,
                "the uploaded object is of type {}, {declared} was declared",
                stored.as_deref().unwrap_or("(none)")
            ),
            Self::Content { declared } => write!(
                f,
                "the uploaded file is not a {declared} file (its content does not start as one does)"
            ),
        }
    }
}

impl Declaration {
    /// Compares the stored object with what was declared.
    ///
    /// # Errors
    /// The first [`Mismatch`] found.
    pub fn check(&self, stored: &ObjectInfo) -> Result<(), Mismatch> {
        if stored.size != self.size {
            return Err(Mismatch::Size {
                declared: self.size,
                stored: stored.size,
            });
        }
        let stored_type = stored
            .content_type
            .as_deref()
            .map(|t| t.split(';').next().unwrap_or(t))
            .and_then(ContentType::parse);
        if stored_type != Some(self.content_type) {
            return Err(Mismatch::ContentType {
                declared: self.content_type,
                stored: stored.content_type.clone(),
            });
        }
        Ok(())
    }

    /// Compares the first bytes of the stored object with the declared type's signature.
    ///
    /// # Errors
    /// [`Mismatch::Content`] when they differ.
    pub fn check_content(&self, leading: &[u8]) -> Result<(), Mismatch> {
        if leading.starts_with(self.content_type.signature()) {
            Ok(())
        } else {
            Err(Mismatch::Content {
                declared: self.content_type,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_must_match_the_type() {
        assert!(Declaration::parse("Kbis.PDF", "application/pdf", 1).is_ok());
        assert!(Declaration::parse("photo.jpeg", "image/jpeg", 1).is_ok());
        assert!(Declaration::parse("photo.JPG", "image/jpeg", 1).is_ok());
        assert!(Declaration::parse("plan.png", "image/png", 1).is_ok());
        for (name, kind) in [
            ("facture.pdf.exe", "application/pdf"),
            ("facture", "application/pdf"),
            (".pdf", "application/pdf"),
            ("photo.png", "image/jpeg"),
            ("plan.pdf", "image/png"),
        ] {
            let errors = Declaration::parse(name, kind, 1).expect_err(name);
            assert_eq!(errors[0].field, "filename", "{name}");
            assert_eq!(errors[0].code, "extension-mismatch", "{name}");
        }
    }

    #[test]
    fn format_characters_are_refused_in_file_names() {
        let errors = Declaration::parse("facture\u{202e}fdp.exe", "application/pdf", 1)
            .expect_err("bidi override");
        assert_eq!(errors[0].code, "invalid-characters");
        assert!(Declaration::parse("a\u{200b}.pdf", "application/pdf", 1).is_err());
    }

    #[test]
    fn content_must_start_with_the_signature() {
        let declared = |kind| Declaration::parse("x.pdf", kind, 10).ok();
        let pdf = declared("application/pdf").expect("pdf");
        assert_eq!(pdf.check_content(b"%PDF-1.7\n"), Ok(()));
        assert!(matches!(
            pdf.check_content(b"MZ\x90\x00\x03"),
            Err(Mismatch::Content { .. })
        ));
        assert!(pdf.check_content(b"").is_err());
        let png = Declaration::parse("x.png", "image/png", 10).expect("png");
        assert_eq!(png.check_content(b"\x89PNG\r\n\x1a\n"), Ok(()));
        assert!(png.check_content(b"%PDF-1.7").is_err());
        let jpeg = Declaration::parse("x.jpg", "image/jpeg", 10).expect("jpeg");
        assert_eq!(jpeg.check_content(b"\xff\xd8\xff\xe0\x00\x10JF"), Ok(()));
        assert!(jpeg.check_content(b"\xff\xd8").is_err());
    }

    #[test]
    fn size_edges() {
        assert!(Declaration::parse("a.pdf", "application/pdf", 1).is_ok());
        assert!(
            Declaration::parse(
                "a.pdf",
                "application/pdf",
                i64::try_from(MAX_DOCUMENT_BYTES).unwrap_or(0)
            )
            .is_ok()
        );
        let too_big = i64::try_from(MAX_DOCUMENT_BYTES + 1).unwrap_or(i64::MAX);
        let errors = Declaration::parse("a.pdf", "application/pdf", too_big).expect_err("refused");
        assert_eq!(errors[0].code, "too_large");
        assert_eq!(
            Declaration::parse("a.pdf", "application/pdf", 0).expect_err("refused")[0].code,
            "out_of_range"
        );
        assert_eq!(
            Declaration::parse("a.pdf", "application/pdf", -5).expect_err("refused")[0].code,
            "out_of_range"
        );
    }

    #[test]
    fn types_and_names() {
        assert_eq!(ContentType::parse("IMAGE/PNG"), Some(ContentType::Png));
        assert_eq!(ContentType::parse("image/gif"), None);
        let errors = Declaration::parse("../etc/passwd", "text/html", 10).expect_err("refused");
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["filename", "content_type"]);
        assert!(Filename::parse("  ", "f").is_err());
        assert!(Filename::parse("a\u{0}b.pdf", "f").is_err());
        assert!(Filename::parse(&"x".repeat(256), "f").is_err());
        assert_eq!(
            Filename::parse(" Kbis 2020.pdf ", "f").map(|f| f.0),
            Ok("Kbis 2020.pdf".to_owned())
        );
    }

    #[test]
    fn check_against_stored_object() {
        let declared =
            Declaration::parse("a.pdf", "application/pdf", 100).unwrap_or_else(|_| unreachable!());
        let ok = ObjectInfo {
            size: 100,
            content_type: Some("application/pdf".into()),
        };
        assert_eq!(declared.check(&ok), Ok(()));
        let params = ObjectInfo {
            size: 100,
            content_type: Some("application/pdf; charset=binary".into()),
        };
        assert_eq!(declared.check(&params), Ok(()));
        let short = ObjectInfo { size: 99, ..ok };
        assert!(matches!(declared.check(&short), Err(Mismatch::Size { .. })));
        let png = ObjectInfo {
            size: 100,
            content_type: Some("image/png".into()),
        };
        assert!(matches!(
            declared.check(&png),
            Err(Mismatch::ContentType { .. })
        ));
    }

    #[test]
    fn documents_only_while_open() {
        assert!(accepts_documents(Status::Submitted));
        assert!(accepts_documents(Status::InReview));
        for s in [
            Status::PreApproved,
            Status::Granted,
            Status::Rejected,
            Status::Withdrawn,
        ] {
            assert!(!accepts_documents(s));
        }
    }
}
