variable "name" {
  description = "Prefix of the role names."
  type        = string
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

variable "create_oidc_provider" {
  description = "Create the account's IAM OIDC provider for GitLab (only one per account: staging creates it, production reuses it when both share an account)."
  type        = bool
  default     = true
}

variable "project_path" {
  description = "GitLab project path, e.g. my-group/pge."
  type        = string
  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+$", var.project_path))
    error_message = "project_path must look like group/project."
  }
}

variable "environment_audiences" {
  description = "The ID token audiences of the environments' deploy jobs (pge-<environment>), accepted by the provider beside sts.amazonaws.com; each environment's web deploy role trusts its own only."
  type        = list(string)
  default     = ["pge-staging", "pge-production"]
  validation {
    condition     = alltrue([for a in var.environment_audiences : can(regex("^pge-[a-z]+$", a))])
    error_message = "environment_audiences must be pge-<environment> names."
  }
}

variable "ecr_repository_arn" {
  description = "Repository CI pushes to."
  type        = string
}

variable "ecr_kms_key_arn" {
  description = "KMS key of the repository."
  type        = string
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
