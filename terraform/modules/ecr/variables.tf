variable "repository_name" {
  description = "ECR repository of the pge image."
  type        = string
  validation {
    condition     = can(regex("^[a-z0-9]+([._/-][a-z0-9]+)*$", var.repository_name))
    error_message = "repository_name must be a valid ECR repository name (lowercase)."
  }
}

variable "keep_images" {
  description = "How many images never deployed (only their commit SHA tag) to keep. What an environment ran is kept by rules of its own (main.tf)."
  type        = number
  default     = 200
}

variable "keep_staging_images" {
  description = "How many of staging's newest deploys (tag staging-<sha>) to keep: at least the 20 Helm revisions (--history-max) a rollback can reach."
  type        = number
  default     = 100
  validation {
    condition     = var.keep_staging_images >= 20
    error_message = "keep_staging_images must be at least 20, the Helm revisions a staging rollback can reach (--history-max 20)."
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
