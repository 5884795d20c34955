variable "account_id" {
  description = "AWS account of this environment (guards against applying to the wrong account)."
  type        = string
  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be 12 digits."
  }
}

variable "region" {
  description = "Region of the data: eu-west-3 (Paris), the only AWS region in France, so that the data stays in France."
  type        = string
  default     = "eu-west-3"
  validation {
    condition     = var.region == "eu-west-3"
    error_message = "region must be eu-west-3 (Paris): the platform's data must stay in France and eu-west-3 is the only AWS region there (another EU region would move the database, documents and logs out of France)."
  }
}

variable "vpc_cidr" {
  description = "CIDR of the VPC."
  type        = string
  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && can(regex("^(10\\.|172\\.(1[6-9]|2[0-9]|3[01])\\.|192\\.168\\.)", var.vpc_cidr))
    error_message = "vpc_cidr must be a private (RFC 1918) IPv4 CIDR such as 10.20.0.0/16."
  }
}

variable "domain" {
  description = "Public domain of this environment, e.g. staging.pge.example.fr."
  type        = string
  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.domain))
    error_message = "domain must be a lowercase DNS name such as staging.pge.example.fr."
  }
}

variable "route53_zone_id" {
  description = "Route 53 hosted zone of the domain."
  type        = string
  validation {
    condition     = can(regex("^Z[A-Z0-9]{5,32}$", var.route53_zone_id))
    error_message = "route53_zone_id must be a Route 53 hosted zone id (Z...)."
  }
}

variable "alb_dns_name" {
  description = "DNS name of the API load balancer after the first deploy (see docs/DEPLOYMENT.md); empty before."
  type        = string
  default     = ""
}

variable "gitlab_project_path" {
  description = "GitLab project allowed to push images, e.g. my-group/pge."
  type        = string
}

variable "gitlab_url" {
  description = "GitLab instance."
  type        = string
  default     = "https://gitlab.com"
}

variable "admin_role_arns" {
  description = "IAM roles of the operators (cluster admins)."
  type        = list(string)
  default     = []
}

variable "allowed_country_codes" {
  description = "Countries allowed by the WAF and CloudFront; empty = everybody. France with its overseas departments and territories (the waf module refuses France without them)."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for c in var.allowed_country_codes : can(regex("^[A-Z]{2}$", c))])
    error_message = "allowed_country_codes must be ISO 3166-1 alpha-2 codes such as FR."
  }
}

variable "campaign_opens_at" {
  description = "Campaign opening (RFC 3339), passed to the chart."
  type        = string
  default     = ""
  validation {
    condition     = var.campaign_opens_at == "" || can(formatdate("YYYY", var.campaign_opens_at))
    error_message = "campaign_opens_at must be empty or an RFC 3339 timestamp."
  }
}

variable "campaign_closes_at" {
  description = "Campaign closing (RFC 3339), passed to the chart."
  type        = string
  default     = ""
  validation {
    condition     = var.campaign_closes_at == "" || can(formatdate("YYYY", var.campaign_closes_at))
    error_message = "campaign_closes_at must be empty or an RFC 3339 timestamp."
  }
}

variable "oncall_email_addresses" {
  description = "The on-call's e-mail addresses: every page and ticket of this environment (each confirms the subscription SNS sends); the oncall module checks them."
  type        = list(string)
}

variable "oncall_sms_numbers" {
  description = "The on-call's phones, E.164 (+33612345678): every page of this environment by SMS."
  type        = list(string)
  default     = []
}

variable "monthly_budget_usd" {
  description = "Monthly budget of this environment in USD (docs/DEPLOYMENT.md, Monthly cost estimate)."
  type        = number
  default     = 1000
}

variable "grafana_admin_group_ids" {
  description = "IAM Identity Center groups given Admin in the environment's Grafana workspace."
  type        = list(string)
  default     = []
}

variable "grafana_viewer_group_ids" {
  description = "IAM Identity Center groups given Viewer in the environment's Grafana workspace."
  type        = list(string)
  default     = []
}

variable "gitlab_project_id" {
  description = "Numeric id of the pge GitLab project (Settings > General): its deploy jobs of this environment may deploy into the namespace (terraform/modules/app-namespace)."
  type        = string
  validation {
    condition     = can(regex("^[0-9]+$", var.gitlab_project_id))
    error_message = "gitlab_project_id must be the project's numeric id."
  }
}
