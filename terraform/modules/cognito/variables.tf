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
  description = "ON: TOTP MFA for every user (the only way Cognito alone enforces it for reviewers and admins); OPTIONAL: each user chooses."
  type        = string
  default     = "ON"
  validation {
    condition     = contains(["ON", "OPTIONAL"], var.mfa_configuration)
    error_message = "mfa_configuration must be ON or OPTIONAL."
  }
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
