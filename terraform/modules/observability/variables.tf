variable "name" {
  description = "Prefix of the names, e.g. pge-production."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,40}$", var.name))
    error_message = "name must be lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "environment" {
  description = "The environment (staging, production): the value of the Environment tag its resources carry, which the budget counts."
  type        = string
  validation {
    condition     = contains(["staging", "production"], var.environment)
    error_message = "environment must be staging or production."
  }
}

variable "cluster_name" {
  description = "EKS cluster whose pods are scraped, traced and logged."
  type        = string
}

variable "app_namespace" {
  description = "Namespace of pge's pods (the saved log queries keep to it)."
  type        = string
  default     = "pge"
}

variable "logs_kms_key_arn" {
  description = "KMS key of the environment's log groups (network module output logs_kms_key_arn)."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the containers' logs and of the Prometheus workspace's own: a year, as every log of the platform (docs/DEPLOYMENT.md)."
  type        = number
  default     = 365
  validation {
    condition     = contains([365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of CloudWatch's retention values of at least one year."
  }
}

variable "addon_versions" {
  description = "Pinned versions of the EKS add-ons (aws eks describe-addon-versions --kubernetes-version <cluster's> --addon-name <name>)."
  type = object({
    cert_manager             = string
    adot                     = string
    cloudwatch_observability = string
  })
  default = {
    cert_manager             = "v1.18.2-eksbuild.2"
    adot                     = "v0.109.0-eksbuild.2"
    cloudwatch_observability = "v4.10.1-eksbuild.1"
  }
  validation {
    condition     = alltrue([for v in values(var.addon_versions) : can(regex("^v[0-9]+\\.[0-9]+\\.[0-9]+-eksbuild\\.[0-9]+$", v))])
    error_message = "addon_versions must be exact EKS add-on versions such as v0.109.0-eksbuild.2."
  }
}

variable "oncall_email_addresses" {
  description = "The on-call's e-mail addresses: every page and ticket."
  type        = list(string)
}

variable "oncall_sms_numbers" {
  description = "The on-call's phones, E.164: every page."
  type        = list(string)
  default     = []
}

variable "cognito_trigger_function_name" {
  description = "The staff pool's Cognito pre-token-generation trigger's Lambda function (module cognito_staff, output pre_token_generation_function_name): its errors fail reviewers' and admins' sign-ins."
  type        = string
}

variable "database_identifier" {
  description = "RDS instance identifier (rds module output identifier)."
  type        = string
}

variable "database_max_connections" {
  description = "max_connections of the database (the connections alarm fires at 80 %)."
  type        = number
}

variable "alb_dns_name" {
  description = "DNS name of the API load balancer once the first deploy made it; empty before (no ALB alarms yet)."
  type        = string
  default     = ""
}

variable "ingress_group" {
  description = "The ALB group of the chart's Ingress (ingress.groupName), by which the load balancer is found."
  type        = string
  default     = "pge"
}

variable "cloudfront_distribution_id" {
  description = "CloudFront distribution of the site."
  type        = string
}

variable "waf_metric_name" {
  description = "Metric name of the WAF web ACL (its visibility_config), the WebACL dimension of its metrics."
  type        = string
}

variable "waf_blocked_requests_surge" {
  description = "Requests the WAF may block in 5 minutes before the surge alarm fires."
  type        = number
  default     = 3000
  validation {
    condition     = var.waf_blocked_requests_surge >= 100
    error_message = "waf_blocked_requests_surge must be at least 100: scanners are blocked all day long."
  }
}

variable "ses_configuration_set_name" {
  description = "SES configuration set of the platform's mail (its event destination publishes sends, bounces and complaints to CloudWatch)."
  type        = string
}

variable "ses_bounce_rate_alarm" {
  description = "Bounce rate (a fraction) at which to alarm: well below the 10 % at which SES pauses the account, at most its 5 % review threshold."
  type        = number
  default     = 0.04
  validation {
    condition     = var.ses_bounce_rate_alarm > 0 && var.ses_bounce_rate_alarm <= 0.05
    error_message = "ses_bounce_rate_alarm must be above 0 and at most 0.05 (SES reviews an account at 5 % bounces and pauses it at 10 %)."
  }
}

variable "ses_complaint_rate_alarm" {
  description = "Complaint rate (a fraction) at which to alarm: well below the 0.5 % at which SES pauses the account, at most its 0.1 % review threshold."
  type        = number
  default     = 0.0008
  validation {
    condition     = var.ses_complaint_rate_alarm > 0 && var.ses_complaint_rate_alarm <= 0.001
    error_message = "ses_complaint_rate_alarm must be above 0 and at most 0.001 (SES reviews an account at 0.1 % complaints and pauses it at 0.5 %)."
  }
}

variable "monthly_budget_usd" {
  description = "The environment's monthly budget in USD (docs/DEPLOYMENT.md, Monthly cost estimate): a ticket at 80 % spent and at 100 % forecast, a page at 120 % spent."
  type        = number
  validation {
    condition     = var.monthly_budget_usd >= 100
    error_message = "monthly_budget_usd must be at least 100."
  }
}

variable "grafana_admin_group_ids" {
  description = "IAM Identity Center groups given Admin in the Grafana workspace."
  type        = list(string)
  default     = []
}

variable "grafana_viewer_group_ids" {
  description = "IAM Identity Center groups given Viewer in the Grafana workspace."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
