variable "name" {
  description = "Prefix of the role name, e.g. pge-staging."
  type        = string
}

variable "environment" {
  description = "The GitLab environment whose deploy jobs assume this role: they request ID tokens of audience pge-<environment>, and no other audience is trusted."
  type        = string
  validation {
    condition     = contains(["staging", "production"], var.environment)
    error_message = "environment must be staging or production."
  }
}

variable "gitlab_url" {
  description = "GitLab instance issuing the CI ID tokens."
  type        = string
  default     = "https://gitlab.com"
  validation {
    condition     = can(regex("^https://[a-z0-9.-]+$", var.gitlab_url))
    error_message = "gitlab_url must be an https URL without a trailing slash."
  }
}

variable "oidc_provider_arn" {
  description = "IAM OIDC provider of that GitLab instance; empty: the account's provider for gitlab_url (created by the gitlab-oidc module of staging)."
  type        = string
  default     = ""
  validation {
    condition     = var.oidc_provider_arn == "" || can(regex("^arn:aws:iam::[0-9]{12}:oidc-provider/", var.oidc_provider_arn))
    error_message = "oidc_provider_arn must be empty or an IAM OIDC provider ARN."
  }
}

variable "project_path" {
  description = "GitLab project path, e.g. my-group/pge."
  type        = string
  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+$", var.project_path))
    error_message = "project_path must look like group/project."
  }
}

variable "frontend_bucket_arn" {
  description = "ARN of the environment's frontend (SPA) bucket."
  type        = string
}

variable "distribution_arn" {
  description = "ARN of the environment's CloudFront distribution."
  type        = string
}

variable "grafana_workspace_arn" {
  description = "The environment's Managed Grafana workspace, whose CI service account tokens the role may create and delete (the dashboards); empty: none."
  type        = string
  default     = ""
  validation {
    condition     = var.grafana_workspace_arn == "" || can(regex("^arn:aws:grafana:[a-z0-9-]+:[0-9]{12}:/workspaces/", var.grafana_workspace_arn))
    error_message = "grafana_workspace_arn must be empty or a Managed Grafana workspace ARN."
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
