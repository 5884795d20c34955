# The IRSA role of the pge pods, least privilege: send mail from the platform identity
# and address only, read/write the documents bucket only, administer this pool only.

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
      values   = ["system:serviceaccount:${var.namespace}:${var.service_account}"]
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
}

data "aws_iam_policy_document" "app" {
  statement {
    sid       = "SendMailAsThePlatform"
    actions   = ["ses:SendEmail", "ses:SendRawEmail"]
    resources = [var.ses_identity_arn, var.ses_configuration_set_arn]
    condition {
      test     = "StringEquals"
      variable = "ses:FromAddress"
      values   = [var.ses_from_address]
    }
  }
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
    # the user, add it to bank-reviewers, delete it again if that fails.
    sid       = "ReviewerAccounts"
    actions   = ["cognito-idp:AdminCreateUser", "cognito-idp:AdminAddUserToGroup", "cognito-idp:AdminDeleteUser"]
    resources = [var.user_pool_arn]
  }
}

resource "aws_iam_role_policy" "app" {
  name   = "pge-app"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.app.json
}
