variable "description" {
  description = "What the key encrypts."
  type        = string
}

variable "allow_cloudwatch_logs" {
  description = "Let CloudWatch Logs of this account and region use the key (encrypted log groups)."
  type        = bool
  default     = false
}

variable "service_principals" {
  description = "AWS service principals that may use the key (kms:GenerateDataKey*, kms:Decrypt), e.g. cloudwatch.amazonaws.com publishing to an encrypted SNS topic whose policy admits it."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for s in var.service_principals : can(regex("^[a-z0-9.-]+\\.amazonaws\\.com$", s))])
    error_message = "service_principals must be service principals such as cloudwatch.amazonaws.com."
  }
}

variable "tags" {
  description = "Tags added to the key."
  type        = map(string)
  default     = {}
}
