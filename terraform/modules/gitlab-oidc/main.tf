# GitLab CI gets short-lived AWS credentials from its OIDC ID token (no stored keys):
# the push role may only push to the pge repository, from the main branch.
#
# The provider accepts the push role's audience (sts.amazonaws.com) and one audience per
# environment (pge-staging, pge-production), which only that environment's web deploy
# role trusts (terraform/modules/gitlab-web-deploy). IAM matches a GitLab token's `aud`
# and `sub` only: the claims `environment` and `ref_protected` cannot be conditions of a
# trust policy (STS validates provider-specific claims for GitHub, Google, CircleCI and
# OCI, not GitLab), and GitLab's `sub` can carry project_path, ref_type and ref only
# (ci_id_token_sub_claim_components). So `sub` pins the main branch exactly, the audience
# the environment, and GitLab holds the rest: main protected, the production environment
# protected, and only the jobs of .gitlab-ci.yml's environment ask for its audience
# (scripts/check-deploy.sh checks that).

locals {
  issuer_host = replace(var.gitlab_url, "https://", "")
}

resource "aws_iam_openid_connect_provider" "gitlab" {
  count          = var.create_oidc_provider ? 1 : 0
  url            = var.gitlab_url
  client_id_list = concat(["sts.amazonaws.com"], var.environment_audiences)
  tags           = var.tags
}

data "aws_caller_identity" "current" {}

locals {
  provider_arn = var.create_oidc_provider ? aws_iam_openid_connect_provider.gitlab[0].arn : "arn:aws:iam::${data.aws_caller_identity.current.account_id}:oidc-provider/${local.issuer_host}"
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
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.issuer_host}:sub"
      values   = ["project_path:${var.project_path}:ref_type:branch:ref:main"]
    }
  }
}

resource "aws_iam_role" "push" {
  name                 = "${var.name}-ci-image-push"
  assume_role_policy   = data.aws_iam_policy_document.assume.json
  max_session_duration = 3600
  tags                 = var.tags
}

data "aws_iam_policy_document" "push" {
  statement {
    sid       = "Login"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"] # GetAuthorizationToken has no resource-level permissions.
  }
  statement {
    sid = "PushPull"
    actions = [
      "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:CompleteLayerUpload",
      "ecr:GetDownloadUrlForLayer", "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart",
      "ecr:DescribeImages",
    ]
    resources = [var.ecr_repository_arn]
  }
  statement {
    sid       = "EncryptLayers"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.ecr_kms_key_arn]
  }
}

resource "aws_iam_role_policy" "push" {
  name   = "ecr-push"
  role   = aws_iam_role.push.id
  policy = data.aws_iam_policy_document.push.json
}
