variable "name" {
  description = "User pool name, e.g. pge-staging."
  type        = string
}

variable "domain_prefix" {
  description = "Prefix of the Cognito hosted UI domain (<prefix>.auth.<region>.amazoncognito.com)."
  type        = string
  validation {
    condition     = can(regex("^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$", var.domain_prefix))
    error_message = "domain_prefix must be lowercase letters, digits and hyphens (max 63)."
  }
}

variable "callback_urls" {
  description = "OAuth redirect URLs of the SPA."
  type        = list(string)
  validation {
    condition     = length(var.callback_urls) > 0 && alltrue([for u in var.callback_urls : can(regex("^https://", u))])
    error_message = "callback_urls must be https URLs."
  }
}

variable "logout_urls" {
  description = "Sign-out URLs of the SPA."
  type        = list(string)
  validation {
    condition     = alltrue([for u in var.logout_urls : can(regex("^https://", u))])
    error_message = "logout_urls must be https URLs."
  }
}

variable "ses_from_address" {
  description = "Verified SES address Cognito sends its e-mails from."
  type        = string
}

variable "ses_identity_arn" {
  description = "ARN of the verified SES identity of that address."
  type        = string
}

variable "mfa_configuration" {
  description = "ON: every user enrols a TOTP app at first sign-in and uses it at every sign-in (the staff pool: Cognito requires MFA per pool, never per group); OPTIONAL: a TOTP for those who enrol one, adaptive authentication challenging them (the applicants' pool)."
  type        = string
  validation {
    condition     = contains(["ON", "OPTIONAL"], var.mfa_configuration)
    error_message = "mfa_configuration must be ON or OPTIONAL."
  }
}

variable "admin_create_user_only" {
  description = "true: nobody signs up, an admin (the API's AdminCreateUser, or an operator) creates each user (the staff pool); false: self sign-up by e-mail (the applicants' pool)."
  type        = bool
}

variable "groups" {
  description = "The groups of the pool (docs/RULES.md §1): [\"applicants\"] in the applicants' pool, [\"bank-reviewers\", \"admins\"] in the staff pool (a precondition refuses staff groups in a pool without MFA ON and admin-only creation)."
  type        = list(string)
  validation {
    condition     = length(var.groups) > 0 && alltrue([for g in var.groups : contains(["applicants", "bank-reviewers", "admins"], g)])
    error_message = "groups must be some of applicants, bank-reviewers, admins."
  }
}

variable "pre_token_generation" {
  description = "Attach the pre-token-generation trigger that copies custom:bank_id into access tokens (the staff pool, where reviewers are)."
  type        = bool
  default     = false
}

variable "deletion_protection" {
  description = "Protect the user pool from deletion."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

variable "logs_kms_key_arn" {
  description = "KMS key of the environment's CloudWatch log groups (the trigger's logs)."
  type        = string
}

variable "trigger_log_retention_days" {
  description = "Retention of the pre-token-generation trigger's logs."
  type        = number
  default     = 365
  validation {
    condition     = contains([365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.trigger_log_retention_days)
    error_message = "trigger_log_retention_days must be one of CloudWatch's retention values of at least one year."
  }
}

variable "trigger_reserved_concurrency" {
  description = "Concurrent executions reserved for the trigger (one per sign-in or renewal in flight): a floor under the launch-day peak, and a ceiling that keeps it from taking the account's whole Lambda concurrency."
  type        = number
  default     = 100
}
