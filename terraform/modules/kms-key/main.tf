# A customer-managed KMS key with yearly rotation and an explicit key policy: the
# account administers it through IAM, CloudWatch Logs may use it when asked, and so may
# the AWS services named in service_principals.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

data "aws_iam_policy_document" "this" {
  # In a key policy, "Resource": "*" means "this key" and nothing else, and the account
  # root statement only delegates to IAM policies; these checks target identity policies.
  # checkov:skip=CKV_AWS_109:Key policy: "*" is this key only; the root principal delegates key administration to IAM (AWS default key policy).
  # checkov:skip=CKV_AWS_111:Key policy: "*" is this key only; writes are limited to this key by construction.
  # checkov:skip=CKV_AWS_356:Key policy: "*" is the only valid resource in a key policy and designates this key.
  statement {
    sid       = "AccountAdministration"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }

  dynamic "statement" {
    for_each = var.allow_cloudwatch_logs ? [1] : []
    content {
      sid       = "CloudWatchLogs"
      actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
      resources = ["*"]
      principals {
        type        = "Service"
        identifiers = ["logs.${data.aws_region.current.name}.amazonaws.com"]
      }
      condition {
        test     = "ArnLike"
        variable = "kms:EncryptionContext:aws:logs:arn"
        values   = ["arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:log-group:*"]
      }
    }
  }

  # AWS services that encrypt data with the key on the account's behalf: the publishers of
  # an encrypted SNS topic (CloudWatch alarms, Budgets, Amazon Managed Service for
  # Prometheus' alert manager) need it to write a message the topic encrypts. This is the
  # statement AWS documents for them, without condition (not every one of them passes
  # aws:SourceAccount to KMS); who may publish is the topic policy's to say.
  dynamic "statement" {
    for_each = length(var.service_principals) > 0 ? [1] : []
    content {
      sid       = "AwsServicesPublishing"
      actions   = ["kms:GenerateDataKey*", "kms:Decrypt"]
      resources = ["*"]
      principals {
        type        = "Service"
        identifiers = var.service_principals
      }
    }
  }
}

resource "aws_kms_key" "this" {
  description             = var.description
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.this.json
  tags                    = var.tags
}
