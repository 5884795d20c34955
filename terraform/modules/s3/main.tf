# Buckets: `documents` (applicants' uploads: private, KMS, versioned, TLS only, logged,
# lifecycle), `frontend` (the SPA, read by CloudFront through origin access control,
# see the cloudfront module for its policy) and `logs` (S3 and CloudFront access logs).

data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

locals {
  suffix = data.aws_caller_identity.current.account_id
}

# --- logs ----------------------------------------------------------------------------

module "documents_key" {
  source                = "../kms-key"
  description           = "${var.name} documents bucket"
  allow_cloudwatch_logs = false
  tags                  = var.tags
}

resource "aws_s3_bucket" "logs" {
  # checkov:skip=CKV_AWS_18:This is the access-log sink itself; logging it into itself would loop.
  # checkov:skip=CKV_AWS_144:Data must stay in France and eu-west-3 is the only French region; versioning plus lifecycle protect the logs.
  # checkov:skip=CKV_AWS_145:S3 server access log delivery only supports SSE-S3 on the target bucket.
  # checkov:skip=CKV2_AWS_62:Nothing reacts to new log objects; they are read on demand (Athena).
  bucket = "${var.name}-logs-${local.suffix}"
  tags   = var.tags
}

resource "aws_s3_bucket_ownership_controls" "logs" {
  # checkov:skip=CKV2_AWS_65:CloudFront standard logging delivers with an ACL grant to this bucket and requires ACLs to be enabled; the public access block still forbids public ACLs.
  bucket = aws_s3_bucket.logs.id
  rule {
    # CloudFront standard logs are delivered with an ACL grant.
    object_ownership = "BucketOwnerPreferred"
  }
}

resource "aws_s3_bucket_public_access_block" "logs" {
  bucket                  = aws_s3_bucket.logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "logs" {
  bucket = aws_s3_bucket.logs.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id
  rule {
    id     = "expire-logs"
    status = "Enabled"
    filter {}
    expiration {
      days = var.log_retention_days
    }
    noncurrent_version_expiration {
      noncurrent_days = 30
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

data "aws_iam_policy_document" "logs" {
  statement {
    sid       = "S3ServerAccessLogs"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.logs.arn}/s3/*"]
    principals {
      type        = "Service"
      identifiers = ["logging.s3.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
  statement {
    sid       = "TLSOnly"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.logs.arn, "${aws_s3_bucket.logs.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "logs" {
  bucket = aws_s3_bucket.logs.id
  policy = data.aws_iam_policy_document.logs.json
}

# --- documents -----------------------------------------------------------------------

resource "aws_s3_bucket" "documents" {
  # checkov:skip=CKV_AWS_144:Data must stay in France and eu-west-3 is the only French region; versioning, KMS and deletion protection by lifecycle cover recovery.
  # checkov:skip=CKV2_AWS_62:Upload completion is reported by the client to the API (POST .../complete), which verifies the object; no event consumer exists.
  bucket = "${var.name}-documents-${local.suffix}"
  tags   = var.tags
}

resource "aws_s3_bucket_ownership_controls" "documents" {
  bucket = aws_s3_bucket.documents.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "documents" {
  bucket                  = aws_s3_bucket.documents.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "documents" {
  bucket = aws_s3_bucket.documents.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "documents" {
  bucket = aws_s3_bucket.documents.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = module.documents_key.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_logging" "documents" {
  bucket        = aws_s3_bucket.documents.id
  target_bucket = aws_s3_bucket.logs.id
  target_prefix = "s3/documents/"
}

resource "aws_s3_bucket_lifecycle_configuration" "documents" {
  bucket = aws_s3_bucket.documents.id
  rule {
    id     = "documents"
    status = "Enabled"
    filter {}
    transition {
      days          = 90
      storage_class = "STANDARD_IA"
    }
    noncurrent_version_expiration {
      noncurrent_days = var.documents_noncurrent_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

# The web app uploads and previews documents straight from the browser, with the URLs the
# API presigns (virtual-hosted style, `https://<bucket>.s3.<region>.amazonaws.com`, the
# origin the CloudFront CSP's connect-src names: output documents_origin). The PUT carries
# the headers the API signed: Content-Type, Content-Length, `If-None-Match: *` (an
# upload creates the object once) and any x-amz-* the SDK adds; the GET (preview,
# download) none. Only the site's own origin.
resource "aws_s3_bucket_cors_configuration" "documents" {
  bucket = aws_s3_bucket.documents.id
  cors_rule {
    allowed_methods = ["PUT", "GET"]
    allowed_origins = var.cors_allowed_origins
    allowed_headers = ["content-type", "content-length", "if-none-match", "x-amz-*"]
    expose_headers  = ["ETag"]
    max_age_seconds = 3000
  }
}

data "aws_iam_policy_document" "documents" {
  statement {
    sid       = "TLSOnly"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.documents.arn, "${aws_s3_bucket.documents.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
  statement {
    sid       = "KMSOnly"
    effect    = "Deny"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.documents.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    # Only an upload that asks for another encryption is refused: one without the
    # header (the API's presigned PUTs) gets the bucket's default, KMS.
    condition {
      test     = "Null"
      variable = "s3:x-amz-server-side-encryption"
      values   = ["false"]
    }
    condition {
      test     = "StringNotEquals"
      variable = "s3:x-amz-server-side-encryption"
      values   = ["aws:kms"]
    }
  }
}

resource "aws_s3_bucket_policy" "documents" {
  bucket     = aws_s3_bucket.documents.id
  policy     = data.aws_iam_policy_document.documents.json
  depends_on = [aws_s3_bucket_public_access_block.documents]
}

# --- frontend ------------------------------------------------------------------------

resource "aws_s3_bucket" "frontend" {
  # checkov:skip=CKV_AWS_144:The SPA is rebuilt from Git by CI; a replica would add nothing and data stays in eu-west-3.
  # checkov:skip=CKV_AWS_145:Public static assets served by CloudFront; SSE-S3 avoids a KMS key policy for CloudFront and a KMS call per cache miss.
  # checkov:skip=CKV2_AWS_62:Deploys invalidate CloudFront from CI; no event consumer exists.
  bucket = "${var.name}-frontend-${local.suffix}"
  tags   = var.tags
}

resource "aws_s3_bucket_ownership_controls" "frontend" {
  bucket = aws_s3_bucket.frontend.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "frontend" {
  bucket                  = aws_s3_bucket.frontend.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "frontend" {
  bucket = aws_s3_bucket.frontend.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "frontend" {
  bucket = aws_s3_bucket.frontend.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_logging" "frontend" {
  bucket        = aws_s3_bucket.frontend.id
  target_bucket = aws_s3_bucket.logs.id
  target_prefix = "s3/frontend/"
}

resource "aws_s3_bucket_lifecycle_configuration" "frontend" {
  bucket = aws_s3_bucket.frontend.id
  rule {
    id     = "old-builds"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = 30
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
  # The builds scripts/deploy-web.sh keeps for a rollback (releases/<sha>.tar.gz): as
  # long as the build-web job's artifacts, which "Re-deploy" uses.
  rule {
    id     = "releases"
    status = "Enabled"
    filter {
      prefix = "releases/"
    }
    expiration {
      days = 180
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}
