//! Object storage for documents: Amazon S3 in production ([`s3`]), a local folder
//! behind HMAC-signed, expiring URLs on the embedded default ([`local`], its URLs
//! [`signed`]). Both name an object by its document key ([`key`]) and offer its download
//! under its original name ([`disposition`]).

pub mod disposition;
pub mod key;
pub mod local;
pub mod s3;
pub mod signed;

pub use disposition::content_disposition;
pub use key::parse_key;
pub use local::{LocalObjectStore, Stored};
pub use s3::S3ObjectStore;
pub use signed::{LOCAL_DOCUMENTS_PATH, SignedUrlError, SignedUrls, UploadGrant};
