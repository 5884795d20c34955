//! The catalogue of problem types: every kind of problem the API answers with, written
//! once, one line each — its variant, the slug of its `type` (`/problems/{slug}`), its
//! HTTP status and its title. The enum, [`ProblemType::ALL`] (the OpenAPI document's
//! `ProblemType` enum) and the three lookups are generated from that table; the OpenAPI
//! responses name kinds from it (`super::openapi`), so a response's status is always its
//! kind's.

use axum::http::StatusCode;

/// Generates [`ProblemType`] from the table below.
macro_rules! catalogue {
    ($($variant:ident: $slug:literal, $status:ident, $title:literal;)+) => {
        /// Every kind of problem the API answers with: its `type` is `/problems/{slug}`.
        /// The list is closed: a new kind of problem is a new line of the catalogue, and
        /// the OpenAPI document lists them all (schema `ProblemType`;
        /// `tests/tests/openapi.rs` checks both agree).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ProblemType {
            $($variant,)+
        }

        impl ProblemType {
            /// Every kind, in the order of the OpenAPI document's `ProblemType` enum.
            pub const ALL: [Self; [$($slug),+].len()] = [$(Self::$variant,)+];

            /// The last segment of the `type` URI.
            #[must_use]
            pub fn slug(self) -> &'static str {
                match self {
                    $(Self::$variant => $slug,)+
                }
            }

            /// The HTTP status this kind of problem is always answered with.
            #[must_use]
            pub fn status(self) -> StatusCode {
                match self {
                    $(Self::$variant => StatusCode::$status,)+
                }
            }

            /// Short summary of the kind of problem (`title`).
            #[must_use]
            pub fn title(self) -> &'static str {
                match self {
                    $(Self::$variant => $title,)+
                }
            }
        }
    };
}

catalogue! {
    AccountExists: "account-exists", CONFLICT, "Account exists";
    AggregateCapExceeded: "aggregate-cap-exceeded", UNPROCESSABLE_ENTITY, "Aggregate cap exceeded";
    BankExists: "bank-exists", CONFLICT, "Bank exists";
    BodyTimeout: "body-timeout", REQUEST_TIMEOUT, "Request body too slow";
    CampaignClosed: "campaign-closed", UNPROCESSABLE_ENTITY, "Campaign closed";
    DatabaseUnavailable: "database-unavailable", SERVICE_UNAVAILABLE, "Service unavailable";
    DegradedMode: "degraded-mode", SERVICE_UNAVAILABLE, "Service unavailable";
    DocumentAlreadyUploaded: "document-already-uploaded", PRECONDITION_FAILED, "Already uploaded";
    DocumentConfirmed: "document-confirmed", CONFLICT, "Document confirmed";
    DocumentContentMismatch: "document-content-mismatch", UNPROCESSABLE_ENTITY, "Document does not match its declaration";
    DocumentMismatch: "document-mismatch", UNPROCESSABLE_ENTITY, "Document does not match its declaration";
    DocumentNotUploaded: "document-not-uploaded", UNPROCESSABLE_ENTITY, "Document not uploaded";
    DocumentsClosed: "documents-closed", CONFLICT, "Documents closed";
    Forbidden: "forbidden", FORBIDDEN, "Forbidden";
    GuaranteeUnavailable: "guarantee-unavailable", CONFLICT, "No guarantee identifier yet";
    IdempotencyKeyReused: "idempotency-key-reused", UNPROCESSABLE_ENTITY, "Idempotency key reused";
    IdentityProviderUnavailable: "identity-provider-unavailable", SERVICE_UNAVAILABLE, "Service unavailable";
    Internal: "internal", INTERNAL_SERVER_ERROR, "Internal error";
    InvalidParameter: "invalid-parameter", BAD_REQUEST, "Invalid parameter";
    InvalidTransition: "invalid-transition", CONFLICT, "Invalid transition";
    MalformedJson: "malformed-json", BAD_REQUEST, "Malformed JSON";
    MethodNotAllowed: "method-not-allowed", METHOD_NOT_ALLOWED, "Method not allowed";
    NoPendingGrant: "no-pending-grant", CONFLICT, "No grant awaits a second approval";
    NotEligible: "not-eligible", UNPROCESSABLE_ENTITY, "Company not eligible";
    NotFound: "not-found", NOT_FOUND, "Not found";
    NotReady: "not-ready", SERVICE_UNAVAILABLE, "Service unavailable";
    ObjectStorageUnavailable: "object-storage-unavailable", SERVICE_UNAVAILABLE, "Service unavailable";
    OneIdentifierPerCompany: "one-identifier-per-company", CONFLICT, "Company already holds an identifier";
    Overloaded: "overloaded", SERVICE_UNAVAILABLE, "Service unavailable";
    PayloadTooLarge: "payload-too-large", PAYLOAD_TOO_LARGE, "Payload too large";
    PreconditionFailed: "precondition-failed", PRECONDITION_FAILED, "Stale version";
    PreconditionRequired: "precondition-required", PRECONDITION_REQUIRED, "If-Match required";
    RateLimited: "rate-limited", TOO_MANY_REQUESTS, "Too many requests";
    RequestTimeout: "request-timeout", SERVICE_UNAVAILABLE, "Service unavailable";
    SecondReviewerRequired: "second-reviewer-required", CONFLICT, "Second reviewer required";
    SignedUrlExpired: "signed-url-expired", FORBIDDEN, "Link expired";
    SignedUrlInvalid: "signed-url-invalid", FORBIDDEN, "Invalid link";
    ThreadFull: "thread-full", CONFLICT, "Thread full";
    TooManyDocuments: "too-many-documents", CONFLICT, "Too many documents";
    Unauthorized: "unauthorized", UNAUTHORIZED, "Authentication required";
    UnsupportedMediaType: "unsupported-media-type", UNSUPPORTED_MEDIA_TYPE, "Unsupported media type";
    UploadSizeMismatch: "upload-size-mismatch", BAD_REQUEST, "Upload size mismatch";
    ValidationFailed: "validation-failed", UNPROCESSABLE_ENTITY, "Invalid request content";
}
