# AWS Backup of the data pge keeps (issue 29, part 6): the database and the documents
# bucket, in a vault of this account locked in compliance mode, copied to a vault of a
# second account, also in eu-west-3 (the data stays in France), also locked. Nobody, not
# even this account's root, can delete a recovery point before its retention ends once the
# lock's grace period has passed; a compromised or deleted production account leaves the
# copies intact. docs/RELIABILITY.md gives the RPO and RTO, docs/DEPLOYMENT.md how to
# restore.
#
#   continuous   RDS and S3 point-in-time restore over daily_retention_days (35 days)
#   daily        01:00 Paris time, kept daily_retention_days, in this account only
#   monthly      the 1st at 02:00 Paris time, kept monthly_retention_days (ten years),
#                here and in the copy account

data "aws_caller_identity" "current" {}
data "aws_caller_identity" "copy" {
  provider = aws.backup_copy
}
data "aws_region" "copy" {
  provider = aws.backup_copy
}

locals {
  copy_region_ok = data.aws_region.copy.name == "eu-west-3"
}

module "vault_key" {
  source      = "../kms-key"
  description = "${var.name} AWS Backup vault (database and documents recovery points)"
  tags        = var.tags
}

resource "aws_backup_vault" "this" {
  name        = "${var.name}-backup"
  kms_key_arn = module.vault_key.arn
  tags        = var.tags
}

# Compliance mode: after changeable_for_days the lock can no longer be removed or
# shortened, and recovery points cannot be deleted before min_retention_days.
resource "aws_backup_vault_lock_configuration" "this" {
  backup_vault_name   = aws_backup_vault.this.name
  changeable_for_days = 3
  min_retention_days  = 7
  max_retention_days  = var.monthly_retention_days
}

# --- the copy account's vault (eu-west-3) ---------------------------------------------

data "aws_iam_policy_document" "copy_key" {
  # checkov:skip=CKV_AWS_109:Key policy: "*" is this key only; the copy account's root delegates the key's administration to its IAM (AWS default key policy).
  # checkov:skip=CKV_AWS_111:Key policy: "*" is this key only; AWS Backup's use is limited to backup.eu-west-3 by kms:ViaService.
  # checkov:skip=CKV_AWS_356:Key policy: "*" is the only valid resource in a key policy and designates this key.
  provider = aws.backup_copy
  statement {
    sid       = "CopyAccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.copy.account_id}:root"]
    }
  }
  statement {
    sid       = "BackupUsesTheKey"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey", "kms:CreateGrant"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.copy.account_id}:root"]
    }
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["backup.eu-west-3.amazonaws.com"]
    }
  }
}

resource "aws_kms_key" "copy" {
  provider                = aws.backup_copy
  description             = "${var.name} AWS Backup copy vault"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.copy_key.json
  tags                    = var.tags
}

resource "aws_backup_vault" "copy" {
  provider    = aws.backup_copy
  name        = "${var.name}-backup-copy"
  kms_key_arn = aws_kms_key.copy.arn
  tags        = var.tags
  lifecycle {
    precondition {
      condition     = local.copy_region_ok
      error_message = "The copy vault must be in eu-west-3: the data stays in France."
    }
    precondition {
      condition     = data.aws_caller_identity.copy.account_id == var.copy_account_id && var.copy_account_id != data.aws_caller_identity.current.account_id
      error_message = "The copy vault must be in the copy account (copy_account_id), not in the account it protects."
    }
  }
}

resource "aws_backup_vault_lock_configuration" "copy" {
  provider            = aws.backup_copy
  backup_vault_name   = aws_backup_vault.copy.name
  changeable_for_days = 3
  min_retention_days  = 7
  max_retention_days  = var.monthly_retention_days
}

# The production account may copy into the vault; nothing else may write to it.
data "aws_iam_policy_document" "copy_vault" {
  # checkov:skip=CKV_AWS_111:Vault access policy: "*" designates this vault only; the one action is copying into it, from the production account.
  # checkov:skip=CKV_AWS_356:Vault access policy: "*" is this vault (a vault policy applies to its own vault), for the production account's copies only.
  provider = aws.backup_copy
  statement {
    sid       = "CopyFromTheSourceAccount"
    actions   = ["backup:CopyIntoBackupVault"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
}

resource "aws_backup_vault_policy" "copy" {
  provider          = aws.backup_copy
  backup_vault_name = aws_backup_vault.copy.name
  policy            = data.aws_iam_policy_document.copy_vault.json
}

# --- the plan --------------------------------------------------------------------------

resource "aws_backup_plan" "this" {
  name = "${var.name}-backup"

  rule {
    rule_name                    = "continuous"
    target_vault_name            = aws_backup_vault.this.name
    schedule                     = "cron(0 * * * ? *)"
    schedule_expression_timezone = "Europe/Paris"
    enable_continuous_backup     = true
    lifecycle {
      delete_after = var.daily_retention_days
    }
  }

  rule {
    rule_name                    = "daily"
    target_vault_name            = aws_backup_vault.this.name
    schedule                     = "cron(0 1 * * ? *)"
    schedule_expression_timezone = "Europe/Paris"
    start_window                 = 60
    completion_window            = 360
    lifecycle {
      delete_after = var.daily_retention_days
    }
  }

  rule {
    rule_name                    = "monthly"
    target_vault_name            = aws_backup_vault.this.name
    schedule                     = "cron(0 2 1 * ? *)"
    schedule_expression_timezone = "Europe/Paris"
    start_window                 = 60
    completion_window            = 720
    lifecycle {
      delete_after = var.monthly_retention_days
    }
    copy_action {
      destination_vault_arn = aws_backup_vault.copy.arn
      lifecycle {
        delete_after = var.monthly_retention_days
      }
    }
  }

  tags = var.tags
}

data "aws_iam_policy_document" "backup_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["backup.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "backup" {
  name               = "${var.name}-backup"
  assume_role_policy = data.aws_iam_policy_document.backup_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "backup" {
  for_each = toset([
    "service-role/AWSBackupServiceRolePolicyForBackup",
    "service-role/AWSBackupServiceRolePolicyForRestores",
    "AWSBackupServiceRolePolicyForS3Backup",
    "AWSBackupServiceRolePolicyForS3Restore",
  ])
  role       = aws_iam_role.backup.name
  policy_arn = "arn:aws:iam::aws:policy/${each.key}"
}

resource "aws_backup_selection" "this" {
  name         = "${var.name}-data"
  plan_id      = aws_backup_plan.this.id
  iam_role_arn = aws_iam_role.backup.arn
  resources    = [var.database_arn, var.documents_bucket_arn]
}
