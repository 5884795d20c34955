# The IRSA role of one pge component, least privilege (issue 29, part 5): the ServiceAccount
# <release>-<component> alone may assume it, and it may do only what that component calls.
#   api     the documents (infra/src/objects.rs: presigned PUT and GET, HeadObject, a
#           ranged GetObject, DeleteObject) and the reviewer accounts
#           (infra/src/identity/admin.rs: AdminCreateUser, AdminAddUserToGroup,
#           AdminDeleteUser); no mail (the chart runs the outbox in the worker only)
#   worker  mail from the platform identity and address only (infra/src/mail.rs:
#           SendEmail); nothing else: the outbox is in the database
# The migration Job has no role at all (the database only).

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${var.oidc_issuer}:sub"
      values   = ["system:serviceaccount:${var.namespace}:${var.service_account}-${var.component}"]
    }
    condition {
      test     = "StringEquals"
      variable = "${var.oidc_issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = var.name
  assume_role_policy   = data.aws_iam_policy_document.assume.json
  max_session_duration = 3600
  tags                 = var.tags
  lifecycle {
    precondition {
      condition     = var.component == "api" ? (var.documents_bucket_arn != "" && var.documents_kms_key_arn != "" && var.user_pool_arn != "" && var.ses_identity_arn == "") : (var.ses_identity_arn != "" && var.ses_configuration_set_arn != "" && var.ses_from_address != "" && var.documents_bucket_arn == "" && var.user_pool_arn == "")
      error_message = "The api role takes the documents and the user pool (no SES); the worker role takes SES (no documents, no pool)."
    }
  }
}

data "aws_iam_policy_document" "worker" {
  statement {
    sid       = "SendMailAsThePlatform"
    actions   = ["ses:SendEmail"]
    resources = [var.ses_identity_arn, var.ses_configuration_set_arn]
    condition {
      test     = "StringEquals"
      variable = "ses:FromAddress"
      values   = [var.ses_from_address]
    }
  }
}

data "aws_iam_policy_document" "api" {
  statement {
    sid       = "Documents"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${var.documents_bucket_arn}/*"]
  }
  # HeadObject of a missing key answers 404 (not 403) only with ListBucket.
  statement {
    sid       = "DocumentsList"
    actions   = ["s3:ListBucket"]
    resources = [var.documents_bucket_arn]
  }
  statement {
    sid       = "DocumentsKey"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.documents_kms_key_arn]
  }
  statement {
    # What the API calls to provision a reviewer (infra/src/identity/admin.rs): create
    # the user, add it to bank-reviewers, delete it again if that fails; in the staff
    # pool (MFA required), the only one the environments pass.
    sid       = "ReviewerAccounts"
    actions   = ["cognito-idp:AdminCreateUser", "cognito-idp:AdminAddUserToGroup", "cognito-idp:AdminDeleteUser"]
    resources = [var.user_pool_arn]
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "pge-${var.component}"
  role   = aws_iam_role.this.id
  policy = var.component == "api" ? data.aws_iam_policy_document.api.json : data.aws_iam_policy_document.worker.json
}
