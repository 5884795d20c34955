variable "name" {
  description = "The application's namespace (the deploy jobs' HELM_NAMESPACE)."
  type        = string
  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", var.name))
    error_message = "name must be a DNS label."
  }
}

variable "kubernetes_version" {
  description = "The cluster's Kubernetes minor version: the Pod Security Standards' version enforced."
  type        = string
  validation {
    condition     = can(regex("^1\\.[0-9]+$", var.kubernetes_version))
    error_message = "kubernetes_version must be a minor version such as 1.35."
  }
}

variable "gitlab_project_id" {
  description = "Numeric id of the pge GitLab project: its deploy jobs of this environment act in the namespace as the group gitlab:project_env:<id>:<environment> (the agent's access_as ci_job)."
  type        = string
  validation {
    condition     = can(regex("^[0-9]+$", var.gitlab_project_id))
    error_message = "gitlab_project_id must be the project's numeric id."
  }
}

variable "environment" {
  description = "The GitLab environment whose deploy jobs may deploy into the namespace."
  type        = string
  validation {
    condition     = contains(["staging", "production"], var.environment)
    error_message = "environment must be staging or production."
  }
}
