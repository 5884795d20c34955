variable "name" {
  description = "Role name, e.g. pge-staging-app."
  type        = string
}

variable "component" {
  description = "The pge component whose ServiceAccount (<service_account>-<component>) assumes the role: api (documents, reviewer accounts) or worker (mail)."
  type        = string
  validation {
    condition     = contains(["api", "worker"], var.component)
    error_message = "component must be api or worker (the migration Job has no AWS role)."
  }
}

variable "oidc_provider_arn" {
  description = "IAM OIDC provider of the EKS cluster."
  type        = string
}

variable "oidc_issuer" {
  description = "OIDC issuer without https://."
  type        = string
}

variable "namespace" {
  description = "Kubernetes namespace of the release."
  type        = string
  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", var.namespace))
    error_message = "namespace must be a DNS label."
  }
}

variable "service_account" {
  description = "The chart's fullname: the component's ServiceAccount is <service_account>-<component>."
  type        = string
}

variable "ses_identity_arn" {
  description = "SES identity the platform sends from (the worker's role only; empty for the other)."
  type        = string
  default     = ""
}

variable "ses_configuration_set_arn" {
  description = "SES configuration set used by the platform (the worker's role only; empty for the other)."
  type        = string
  default     = ""
}

variable "ses_from_address" {
  description = "The only From address the pods may use (the worker's role only; empty for the other)."
  type        = string
  default     = ""
}

variable "documents_bucket_arn" {
  description = "Documents bucket (the api's role only; empty for the other)."
  type        = string
  default     = ""
}

variable "documents_kms_key_arn" {
  description = "KMS key of the documents bucket (the api's role only; empty for the other)."
  type        = string
  default     = ""
}

variable "user_pool_arn" {
  description = "The staff's Cognito user pool, where the API creates reviewer accounts (AdminCreateUser, AdminAddUserToGroup, AdminDeleteUser); never the applicants' pool (the api's role only; empty for the other)."
  type        = string
  default     = ""
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
