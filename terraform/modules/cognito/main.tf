# A Cognito user pool: e-mail sign-in, `custom:bank_id` for reviewers, some of the groups
# of docs/RULES.md §1, TOTP MFA, threat protection (advanced security) enforced, and a
# public SPA client (authorization code + PKCE, no secret).
#
# Each environment makes two (docs/SECURITY.md, "MFA: two user pools"), because Cognito's
# MFA is a setting of the whole pool, not of a group:
#   - the applicants' pool: self sign-up, MFA OPTIONAL (a TOTP for those who enrol one;
#     adaptive authentication challenges them, and blocks high-risk sign-ins of anyone),
#     group applicants only;
#   - the staff pool: users created by an admin only (the API's AdminCreateUser, or the
#     console), MFA ON (every user enrols a TOTP app at first sign-in through the hosted UI
#     and uses it at every sign-in), groups bank-reviewers and admins, the
#     pre-token-generation trigger that puts custom:bank_id into access tokens.
# The API honours reviewer and admin groups only in tokens of the staff pool's clients, so
# an account of the applicants' pool that somehow got a staff group is worth nothing. A
# precondition keeps staff groups out of a pool that does not require MFA or lets anyone
# sign up.

data "aws_region" "current" {}

resource "aws_cognito_user_pool" "this" {
  name                     = var.name
  username_attributes      = ["email"]
  auto_verified_attributes = ["email"]
  deletion_protection      = var.deletion_protection ? "ACTIVE" : "INACTIVE"
  mfa_configuration        = var.mfa_configuration

  software_token_mfa_configuration {
    enabled = true
  }

  password_policy {
    minimum_length                   = 12
    require_lowercase                = true
    require_uppercase                = true
    require_numbers                  = true
    require_symbols                  = false
    temporary_password_validity_days = 3
    password_history_size            = 5
  }

  # Threat protection (advanced security) needs the Plus feature plan; a new pool
  # otherwise gets Essentials and the API refuses ENFORCED.
  user_pool_tier = "PLUS"
  user_pool_add_ons {
    advanced_security_mode = "ENFORCED"
  }

  account_recovery_setting {
    recovery_mechanism {
      name     = "verified_email"
      priority = 1
    }
  }

  # The staff pool: nobody signs up; the API (reviewers) or an operator (admins) creates
  # the user, who gets a temporary password by e-mail and enrols a TOTP at first sign-in.
  admin_create_user_config {
    allow_admin_create_user_only = var.admin_create_user_only
  }

  email_configuration {
    email_sending_account = "DEVELOPER"
    from_email_address    = var.ses_from_address
    source_arn            = var.ses_identity_arn
  }

  # In both pools: a custom attribute cannot be removed from a pool, and the applicants'
  # pool is the one pool of before. Nobody writes it there (the client's write_attributes
  # exclude it) and the API reads the bank from the staff pool's tokens only.
  schema {
    name                     = "bank_id"
    attribute_data_type      = "String"
    mutable                  = true
    developer_only_attribute = false
    required                 = false
    string_attribute_constraints {
      min_length = 1
      max_length = 32
    }
  }

  username_configuration {
    case_sensitive = false
  }

  # Access tokens get the reviewer's custom:bank_id (below), in the staff pool only.
  # Beware: the AWS provider does not detach a trigger when this block goes away
  # (hashicorp/terraform-provider-aws#45529, #38617): detach it in the console first
  # (docs/DEPLOYMENT.md, "Two user pools").
  dynamic "lambda_config" {
    for_each = var.pre_token_generation ? [1] : []
    content {
      pre_token_generation_config {
        lambda_arn     = aws_lambda_function.pre_token_generation[0].arn
        lambda_version = "V2_0"
      }
    }
  }

  lifecycle {
    precondition {
      condition     = length(setintersection(var.groups, ["bank-reviewers", "admins"])) == 0 || (var.mfa_configuration == "ON" && var.admin_create_user_only && !contains(var.groups, "applicants"))
      error_message = "A pool with the bank-reviewers or admins group must require MFA (mfa_configuration = \"ON\"), create its users by admin only (admin_create_user_only = true) and hold no applicants."
    }
    precondition {
      condition     = !var.pre_token_generation || contains(var.groups, "bank-reviewers")
      error_message = "The pre-token-generation trigger (custom:bank_id into access tokens) belongs to the staff pool, the one with bank-reviewers."
    }
  }

  tags = var.tags
}

locals {
  groups = {
    applicants     = { precedence = 30, description = "Companies applying for a guaranteed loan" }
    bank-reviewers = { precedence = 20, description = "Bank staff reviewing the requests of their bank (custom:bank_id); MFA required" }
    admins         = { precedence = 10, description = "Platform administrators; MFA required" }
  }
}

resource "aws_cognito_user_group" "this" {
  for_each     = { for g in var.groups : g => local.groups[g] }
  user_pool_id = aws_cognito_user_pool.this.id
  name         = each.key
  description  = each.value.description
  precedence   = each.value.precedence
}

resource "aws_cognito_user_pool_domain" "this" {
  domain       = var.domain_prefix
  user_pool_id = aws_cognito_user_pool.this.id
}

# The web app (web/): a browser application cannot keep a secret, so a public client
# with the authorization code flow, which the app (oidc-client-ts) always runs with PKCE
# (S256): a stolen code is useless without the verifier that only the page holds. No
# implicit flow, no client credentials. Callback https://<domain>/auth/callback, sign-out
# back to https://<domain>/ (the environments pass both). Its id is the first of the
# API's accepted client ids (PGE_COGNITO_CLIENT_IDS) and goes into config.json.
resource "aws_cognito_user_pool_client" "spa" {
  name         = "${var.name}-spa"
  user_pool_id = aws_cognito_user_pool.this.id

  generate_secret                      = false
  allowed_oauth_flows_user_pool_client = true
  allowed_oauth_flows                  = ["code"]
  allowed_oauth_scopes                 = ["openid", "email"]
  supported_identity_providers         = ["COGNITO"]
  callback_urls                        = var.callback_urls
  logout_urls                          = var.logout_urls
  explicit_auth_flows                  = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
  prevent_user_existence_errors        = "ENABLED"
  enable_token_revocation              = true

  # The API takes the access token as bearer (never the ID token): 15 minutes bound what
  # a leaked one is worth; the app renews both with the refresh token (a working day),
  # which sign-out revokes at /oauth2/revoke (enable_token_revocation).
  access_token_validity  = 15
  id_token_validity      = 15
  refresh_token_validity = 12
  token_validity_units {
    access_token  = "minutes"
    id_token      = "minutes"
    refresh_token = "hours"
  }

  read_attributes  = ["email", "email_verified", "custom:bank_id"]
  write_attributes = ["email"]
}

# Adaptive authentication. A risky sign-in is challenged for the TOTP of a user who has
# one (in the staff pool, every user), a high-risk one is blocked in both pools. Medium
# risk is MFA_IF_CONFIGURED rather than MFA_REQUIRED: in the applicants' pool (MFA
# OPTIONAL, TOTP the only factor) MFA_REQUIRED would block every applicant without a TOTP
# at medium risk; in the staff pool (MFA ON) both are the same challenge.
resource "aws_cognito_risk_configuration" "this" {
  user_pool_id = aws_cognito_user_pool.this.id

  account_takeover_risk_configuration {
    actions {
      low_action {
        event_action = "MFA_IF_CONFIGURED"
        notify       = false
      }
      medium_action {
        event_action = "MFA_IF_CONFIGURED"
        notify       = true
      }
      high_action {
        event_action = "BLOCK"
        notify       = true
      }
    }
    notify_configuration {
      source_arn = var.ses_identity_arn
      from       = var.ses_from_address
    }
  }

  compromised_credentials_risk_configuration {
    actions {
      event_action = "BLOCK"
    }
  }
}

# --- Access tokens carry the reviewer's bank ------------------------------------------
# The API takes access tokens; Cognito writes custom attributes into ID tokens only. The
# pre-token-generation trigger (V2_0 event: access token customization, in the Plus plan
# the pool already has) copies custom:bank_id into the access token
# (trigger/pre_token_generation.py, unit-tested by scripts/test-check-deploy.sh). Made
# for the staff pool only (pre_token_generation): applicants have no bank.

data "archive_file" "pre_token_generation" {
  count = var.pre_token_generation ? 1 : 0

  type        = "zip"
  source_file = "${path.module}/trigger/pre_token_generation.py"
  output_path = "${path.module}/.build/pre_token_generation.zip"
}

data "aws_iam_policy_document" "trigger_assume" {
  count = var.pre_token_generation ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "pre_token_generation" {
  count = var.pre_token_generation ? 1 : 0

  name               = "${var.name}-cognito-pre-token-generation"
  assume_role_policy = data.aws_iam_policy_document.trigger_assume[0].json
  tags               = var.tags
}

resource "aws_cloudwatch_log_group" "pre_token_generation" {
  count = var.pre_token_generation ? 1 : 0

  name              = "/aws/lambda/${var.name}-pre-token-generation"
  retention_in_days = var.trigger_log_retention_days
  kms_key_id        = var.logs_kms_key_arn
  tags              = var.tags
}

# Its own log group only: the function reads nothing and calls no AWS API.
data "aws_iam_policy_document" "pre_token_generation" {
  count = var.pre_token_generation ? 1 : 0

  statement {
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.pre_token_generation[0].arn}:*"]
  }
}

resource "aws_iam_role_policy" "pre_token_generation" {
  count = var.pre_token_generation ? 1 : 0

  name   = "write-own-logs"
  role   = aws_iam_role.pre_token_generation[0].id
  policy = data.aws_iam_policy_document.pre_token_generation[0].json
}

resource "aws_lambda_function" "pre_token_generation" {
  count = var.pre_token_generation ? 1 : 0

  # checkov:skip=CKV_AWS_117:The function makes no network call; outside a VPC it needs no NAT and no endpoint.
  # checkov:skip=CKV_AWS_116:Cognito invokes it synchronously at each sign-in and renewal: there is no asynchronous event to dead-letter.
  # checkov:skip=CKV_AWS_272:The code is this repository's one file, packaged by Terraform from the reviewed commit; no artifact passes outside the pipeline to be signed.
  # checkov:skip=CKV_AWS_173:No environment variable is set.
  function_name                  = "${var.name}-pre-token-generation"
  role                           = aws_iam_role.pre_token_generation[0].arn
  runtime                        = "python3.12"
  handler                        = "pre_token_generation.handler"
  filename                       = data.archive_file.pre_token_generation[0].output_path
  source_code_hash               = data.archive_file.pre_token_generation[0].output_base64sha256
  timeout                        = 3
  memory_size                    = 128
  reserved_concurrent_executions = var.trigger_reserved_concurrency
  tracing_config {
    mode = "Active"
  }
  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.pre_token_generation[0].name
  }
  depends_on = [aws_iam_role_policy.pre_token_generation]
  tags       = var.tags
}

resource "aws_lambda_permission" "cognito" {
  count = var.pre_token_generation ? 1 : 0

  statement_id  = "AllowCognitoPreTokenGeneration"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.pre_token_generation[0].function_name
  principal     = "cognito-idp.amazonaws.com"
  source_arn    = aws_cognito_user_pool.this.arn
}
