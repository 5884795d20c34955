variable "name" {
  description = "Role name, e.g. pge-staging-app."
  type        = string
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
  description = "ServiceAccount of the API and worker pods (the chart's fullname)."
  type        = string
}

variable "ses_identity_arn" {
  description = "SES identity the platform sends from."
  type        = string
}

variable "ses_configuration_set_arn" {
  description = "SES configuration set used by the platform."
  type        = string
}

variable "ses_from_address" {
  description = "The only From address the pods may use."
  type        = string
}

variable "documents_bucket_arn" {
  description = "Documents bucket."
  type        = string
}

variable "documents_kms_key_arn" {
  description = "KMS key of the documents bucket."
  type        = string
}

variable "user_pool_arn" {
  description = "Cognito user pool the API administers (reviewer accounts)."
  type        = string
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
