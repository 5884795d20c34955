variable "name" {
  description = "Web ACL name, e.g. pge-staging."
  type        = string
}

variable "rate_limit_per_5_minutes" {
  description = "Requests one IP may send in 5 minutes before being blocked (AWS evaluates over a sliding 5-minute window)."
  type        = number
  default     = 3000
  validation {
    condition     = var.rate_limit_per_5_minutes >= 100 && var.rate_limit_per_5_minutes <= 2000000000
    error_message = "rate_limit_per_5_minutes must be between 100 and 2,000,000,000 (AWS limits)."
  }
}

variable "allowed_country_codes" {
  description = "If non-empty, requests from other countries are blocked (ISO 3166-1 alpha-2, e.g. [\"FR\"])."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for c in var.allowed_country_codes : can(regex("^[A-Z]{2}$", c))])
    error_message = "allowed_country_codes must be ISO 3166-1 alpha-2 codes such as FR."
  }
}

variable "log_retention_days" {
  description = "Retention of the WAF logs (blocked and counted requests only, in us-east-1): a year, to investigate an attack after the fact."
  type        = number
  default     = 365
  validation {
    condition     = contains([365, 400, 545, 731], var.log_retention_days)
    error_message = "log_retention_days must be one of CloudWatch's retention values from one to two years: long enough to investigate an attack, no longer since the logs are outside France."
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
