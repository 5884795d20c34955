//! Documents in an S3 bucket (production): uploads and downloads through presigned
//! URLs, so the bytes never pass through the API; the API itself only checks what was
//! uploaded (`HeadObject`, the first bytes) and deletes.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_s3::presigning::PresigningConfig;
use chrono::{DateTime, Utc};
use domain::document::{ContentType, ObjectInfo};
use domain::ports::{Clock, ObjectStore, ObjectStoreError, PresignedUrl};

use super::disposition::content_disposition;
use super::signed::expiry;

/// Documents in an S3 bucket, through presigned URLs signed at the [`Clock`]'s now.
pub struct S3ObjectStore {
    client: aws_sdk_s3::Client,
    bucket: String,
    clock: Arc<dyn Clock>,
}

impl S3ObjectStore {
    /// `force_path_style` for S3-compatible endpoints (tests); real S3 takes
    /// virtual-hosted URLs.
    #[must_use]
    pub fn new(
        config: &aws_config::SdkConfig,
        bucket: String,
        force_path_style: bool,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let s3 = aws_sdk_s3::config::Builder::from(config)
            .force_path_style(force_path_style)
            .build();
        Self {
            client: aws_sdk_s3::Client::from_conf(s3),
            bucket,
            clock,
        }
    }
}

fn failed(err: impl std::fmt::Display) -> ObjectStoreError {
    ObjectStoreError(err.to_string())
}

/// How to presign a URL valid for `valid_for` from `now`, and when that URL expires.
fn presigning(
    now: DateTime<Utc>,
    valid_for: Duration,
) -> Result<(PresigningConfig, DateTime<Utc>), ObjectStoreError> {
    Ok((
        PresigningConfig::builder()
            .start_time(now.into())
            .expires_in(valid_for)
            .build()
            .map_err(failed)?,
        expiry(now, valid_for),
    ))
}

fn presigned(
    request: &aws_sdk_s3::presigning::PresignedRequest,
    method: &'static str,
    expires_at: DateTime<Utc>,
) -> PresignedUrl {
    PresignedUrl {
        url: request.uri().to_owned(),
        method,
        headers: request
            .headers()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.to_owned()))
            .collect(),
        expires_at,
    }
}

#[async_trait]
impl ObjectStore for S3ObjectStore {
    async fn presign_put(
        &self,
        key: &str,
        content_type: ContentType,
        size: u64,
        valid_for: Duration,
    ) -> Result<PresignedUrl, ObjectStoreError> {
        let (config, expires_at) = presigning(self.clock.now(), valid_for)?;
        // Content type and length are signed: S3 refuses an upload that differs. So is
        // `If-None-Match: *`: the URL creates the object once and cannot replace a
        // document once uploaded (and confirmed), for the 15 minutes it lasts.
        let request = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type.as_str())
            .content_length(i64::try_from(size).unwrap_or(i64::MAX))
            .if_none_match("*")
            .presigned(config)
            .await
            .map_err(failed)?;
        Ok(presigned(&request, "PUT", expires_at))
    }

    async fn presign_get(
        &self,
        key: &str,
        filename: &str,
        valid_for: Duration,
    ) -> Result<PresignedUrl, ObjectStoreError> {
        let (config, expires_at) = presigning(self.clock.now(), valid_for)?;
        let request = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .response_content_disposition(content_disposition(filename))
            .presigned(config)
            .await
            .map_err(failed)?;
        Ok(presigned(&request, "GET", expires_at))
    }

    #[tracing::instrument(name = "S3.HeadObject", skip_all, fields(otel.kind = "client", rpc.system = "aws-api", rpc.service = "S3", rpc.method = "HeadObject"))]
    async fn head(&self, key: &str) -> Result<Option<ObjectInfo>, ObjectStoreError> {
        match self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(output) => Ok(Some(ObjectInfo {
                size: output
                    .content_length()
                    .and_then(|l| u64::try_from(l).ok())
                    .unwrap_or_default(),
                content_type: output.content_type().map(str::to_owned),
            })),
            Err(err) => {
                let not_found = err
                    .as_service_error()
                    .is_some_and(aws_sdk_s3::operation::head_object::HeadObjectError::is_not_found)
                    || err
                        .raw_response()
                        .is_some_and(|r| r.status().as_u16() == 404);
                if not_found {
                    Ok(None)
                } else {
                    Err(failed(err))
                }
            }
        }
    }

    #[tracing::instrument(name = "S3.GetObject", skip_all, fields(otel.kind = "client", rpc.system = "aws-api", rpc.service = "S3", rpc.method = "GetObject"))]
    async fn read_head(&self, key: &str, len: usize) -> Result<Option<Vec<u8>>, ObjectStoreError> {
        if len == 0 {
            return Ok(Some(Vec::new()));
        }
        let output = match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .range(format!("bytes=0-{}", len - 1))
            .send()
            .await
        {
            Ok(output) => output,
            Err(err) => {
                let not_found = err
                    .as_service_error()
                    .is_some_and(aws_sdk_s3::operation::get_object::GetObjectError::is_no_such_key)
                    || err
                        .raw_response()
                        .is_some_and(|r| r.status().as_u16() == 404);
                return if not_found {
                    Ok(None)
                } else {
                    Err(failed(err))
                };
            }
        };
        let bytes = output.body.collect().await.map_err(failed)?.into_bytes();
        // A server that ignores the range sends the whole object: keep the head only.
        Ok(Some(bytes.slice(..bytes.len().min(len)).to_vec()))
    }

    #[tracing::instrument(name = "S3.DeleteObject", skip_all, fields(otel.kind = "client", rpc.system = "aws-api", rpc.service = "S3", rpc.method = "DeleteObject"))]
    async fn delete(&self, key: &str) -> Result<(), ObjectStoreError> {
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(failed)?;
        Ok(())
    }
}
