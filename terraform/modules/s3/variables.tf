variable "name" {
  description = "Prefix of the bucket names, e.g. pge-staging (the account id is appended for global uniqueness)."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,30}$", var.name))
    error_message = "name must be 3-31 lowercase letters, digits or hyphens."
  }
}

variable "cors_allowed_origins" {
  description = "Origins (the SPA) allowed to PUT documents with presigned URLs."
  type        = list(string)
  validation {
    condition     = alltrue([for o in var.cors_allowed_origins : can(regex("^https://[a-z0-9.-]+$", o))])
    error_message = "cors_allowed_origins must be https origins without a path."
  }
}

variable "documents_noncurrent_days" {
  description = "Days a replaced or deleted document version is kept."
  type        = number
  default     = 90
}

variable "log_retention_days" {
  description = "Days access logs are kept."
  type        = number
  default     = 400
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
