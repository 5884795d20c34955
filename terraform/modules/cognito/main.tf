# Cognito user pool: e-mail sign-in, `custom:bank_id` for reviewers, the three groups
# of docs/RULES.md §1, TOTP MFA, threat protection (advanced security) enforced, and a
# public SPA client (authorization code + PKCE, no secret).
#
# Cognito cannot require MFA for some groups only: MFA is a setting of the whole pool.
# With mfa_configuration = "ON" (the default) every user, reviewers and admins
# included, enrolls a TOTP app at first sign-in and uses it at every sign-in. "OPTIONAL"
# leaves enrolment to each user: reviewers and admins would then be held to MFA only by
# a check in the API, which does not exist yet. Adaptive authentication (threat
# protection) additionally blocks or challenges risky sign-ins.

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

  admin_create_user_config {
    allow_admin_create_user_only = false
  }

  email_configuration {
    email_sending_account = "DEVELOPER"
    from_email_address    = var.ses_from_address
    source_arn            = var.ses_identity_arn
  }

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

  tags = var.tags
}

resource "aws_cognito_user_group" "this" {
  for_each = {
    applicants     = { precedence = 30, description = "Companies applying for a guaranteed loan" }
    bank-reviewers = { precedence = 20, description = "Bank staff reviewing the requests of their bank (custom:bank_id); MFA required" }
    admins         = { precedence = 10, description = "Platform administrators; MFA required" }
  }
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

  # The API takes the ID token as bearer: 15 minutes bound what a leaked one is worth;
  # the app renews it with the refresh token (a working day), which sign-out revokes.
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

resource "aws_cognito_risk_configuration" "this" {
  user_pool_id = aws_cognito_user_pool.this.id

  account_takeover_risk_configuration {
    actions {
      low_action {
        event_action = "MFA_IF_CONFIGURED"
        notify       = false
      }
      medium_action {
        event_action = "MFA_REQUIRED"
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
