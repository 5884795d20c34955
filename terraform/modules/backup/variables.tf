variable "name" {
  description = "Prefix of the vaults, plan and role, e.g. pge-production."
  type        = string
}

variable "database_arn" {
  description = "The RDS instance backed up (continuous backup: point-in-time restore; daily and monthly snapshots)."
  type        = string
  validation {
    condition     = can(regex("^arn:aws:rds:eu-west-3:[0-9]{12}:db:", var.database_arn))
    error_message = "database_arn must be an RDS instance of eu-west-3."
  }
}

variable "documents_bucket_arn" {
  description = "The documents bucket backed up (versioned: continuous backup and daily recovery points)."
  type        = string
  validation {
    condition     = can(regex("^arn:aws:s3:::[a-z0-9.-]+$", var.documents_bucket_arn))
    error_message = "documents_bucket_arn must be an S3 bucket ARN."
  }
}

variable "copy_account_id" {
  description = "The second AWS account whose vault, in eu-west-3, holds a copy of every recovery point kept long (the same AWS Organization, cross-account backup enabled)."
  type        = string
  validation {
    condition     = can(regex("^[0-9]{12}$", var.copy_account_id))
    error_message = "copy_account_id must be a 12-digit account id."
  }
}

variable "daily_retention_days" {
  description = "How long the daily recovery points are kept (and the continuous backup's window, at most 35 days)."
  type        = number
  default     = 35
  validation {
    condition     = var.daily_retention_days >= 7 && var.daily_retention_days <= 35
    error_message = "daily_retention_days must be between 7 (the vault lock's minimum) and 35 (continuous backup's maximum)."
  }
}

variable "monthly_retention_days" {
  description = "How long the monthly recovery points are kept, here and in the copy account: 10 years and a day (Code de commerce, art. L123-22: accounting records and their supporting documents are kept ten years; a guaranteed loan's request, decision and documents are such records)."
  type        = number
  default     = 3653
  validation {
    condition     = var.monthly_retention_days >= 3653
    error_message = "monthly_retention_days must be at least 3653 (ten years: Code de commerce, art. L123-22)."
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
