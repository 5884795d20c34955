variable "name" {
  description = "Web ACL name, e.g. pge-staging."
  type        = string
}

variable "api_limits" {
  description = <<-EOT
    What the edge lets through to the API, in 5 minutes (a sliding window) or in bytes:
    anonymous_per_ip, the requests to /api/ without an Authorization header one address may
    send (the public simulation and bank list, the sign-in's first calls); per_credential,
    the requests one credential may send from one address (one user's budget, so that a
    bank's reviewers behind one egress address do not share one); body_bytes, the largest
    request body, the API's own limit (api/src/extract.rs BODY_LIMIT, 64 KiB) so that the
    API's 413 is the answer up to it, not the WAF's 403: at most 65,536, what CloudFront
    forwards to the WAF.
  EOT
  type = object({
    anonymous_per_ip = number
    per_credential   = number
    body_bytes       = number
  })
  default = { anonymous_per_ip = 3000, per_credential = 3000, body_bytes = 65536 }
  validation {
    condition     = alltrue([for n in [var.api_limits.anonymous_per_ip, var.api_limits.per_credential] : n >= 100 && n <= 2000000000]) && var.api_limits.body_bytes >= 8192 && var.api_limits.body_bytes <= 65536
    error_message = "api_limits: rates between 100 and 2,000,000,000 (AWS limits), body_bytes between 8,192 and 65,536 (the most of a body CloudFront forwards to the WAF)."
  }
}

variable "managed_rule_groups_on_trial" {
  description = "AWS managed rule groups deployed in count mode (never blocking) while their counted requests are read in the WAF logs; each moves to a blocking rule of main.tf by a reviewed change. Priorities from 50."
  type = list(object({
    name     = string
    priority = number
  }))
  # Anonymous IP list: VPNs, Tor and hosting providers, where a bank's proxy may live.
  default = [{ name = "AWSManagedRulesAnonymousIpList", priority = 50 }]
  validation {
    condition     = alltrue([for g in var.managed_rule_groups_on_trial : g.priority >= 50 && can(regex("^AWSManagedRules[A-Za-z]+$", g.name))])
    error_message = "managed_rule_groups_on_trial: AWS managed rule group names (AWSManagedRules...) with priorities from 50, after the blocking rules."
  }
}

variable "allowed_country_codes" {
  description = "If non-empty, requests from other countries are blocked (ISO 3166-1 alpha-2); CloudFront's geographic restriction takes the same list (output allowed_country_codes). France is one with its overseas departments and territories, which have codes of their own."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for c in var.allowed_country_codes : can(regex("^[A-Z]{2}$", c))])
    error_message = "allowed_country_codes must be ISO 3166-1 alpha-2 codes such as FR."
  }
  validation {
    condition     = length(var.allowed_country_codes) == 0 || length(setsubtract(["FR", "RE", "GP", "MQ", "GF", "YT", "PM", "BL", "MF", "NC", "PF", "WF"], var.allowed_country_codes)) == 0
    error_message = "allowed_country_codes must be empty (everybody) or hold France with each of its overseas departments and territories: FR, RE, GP, MQ, GF, YT, PM, BL, MF, NC, PF, WF."
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
