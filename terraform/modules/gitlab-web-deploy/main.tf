# The role of an environment's deploy jobs for the web app (scripts/deploy-web.sh): GitLab's
# OIDC ID token is exchanged for a one-hour session (no stored keys), from the main branch
# only, that may write the environment's frontend bucket, read back the builds it kept
# there (releases/, for the rollback job) and invalidate the environment's distribution.
# It may also mint a short-lived token of the environment's Grafana workspace, to provision
# the dashboards. Nothing else: not the documents, not another environment's bucket.
#
# IAM can only match a GitLab token's `aud` and `sub` claims, not its `environment` or
# `ref_protected`: the subject is the main branch exactly, and the audience is this
# environment's own (pge-<environment>), which only the jobs of that environment request
# (.gitlab-ci.yml, checked by scripts/check-deploy.sh). A staging job's token cannot
# assume production's role, nor the reverse. GitLab holds the rest: main and the
# production environment protected, the environment-scoped File variable PGE_WEB_DEPLOY.

data "aws_caller_identity" "current" {}

locals {
  issuer_host = replace(var.gitlab_url, "https://", "")
  # The account's provider for the GitLab instance (the gitlab-oidc module creates it).
  provider_arn = var.oidc_provider_arn != "" ? var.oidc_provider_arn : "arn:aws:iam::${data.aws_caller_identity.current.account_id}:oidc-provider/${local.issuer_host}"
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [local.provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.issuer_host}:aud"
      values   = ["pge-${var.environment}"]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.issuer_host}:sub"
      values   = ["project_path:${var.project_path}:ref_type:branch:ref:main"]
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = "${var.name}-ci-web-deploy"
  assume_role_policy   = data.aws_iam_policy_document.assume.json
  max_session_duration = 3600
  tags                 = var.tags
}

data "aws_iam_policy_document" "deploy" {
  statement {
    sid       = "Upload"
    actions   = ["s3:PutObject"]
    resources = ["${var.frontend_bucket_arn}/*"]
  }
  statement {
    sid       = "ReadKeptBuilds"
    actions   = ["s3:GetObject"]
    resources = ["${var.frontend_bucket_arn}/releases/*"]
  }
  statement {
    sid       = "Invalidate"
    actions   = ["cloudfront:CreateInvalidation", "cloudfront:GetInvalidation"]
    resources = [var.distribution_arn]
  }
  # The dashboards (scripts/provision-dashboards.sh, after the web app): a short-lived token
  # of the Grafana workspace's CI service account, deleted at the end of the job.
  dynamic "statement" {
    for_each = var.grafana_workspace_arn == "" ? [] : [1]
    content {
      sid       = "GrafanaToken"
      actions   = ["grafana:CreateWorkspaceServiceAccountToken", "grafana:DeleteWorkspaceServiceAccountToken"]
      resources = [var.grafana_workspace_arn]
    }
  }
}

resource "aws_iam_role_policy" "deploy" {
  name   = "web-deploy"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.deploy.json
}
