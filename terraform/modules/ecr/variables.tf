variable "repository_name" {
  description = "ECR repository of the pge image."
  type        = string
  validation {
    condition     = can(regex("^[a-z0-9]+([._/-][a-z0-9]+)*$", var.repository_name))
    error_message = "repository_name must be a valid ECR repository name (lowercase)."
  }
}

variable "keep_images" {
  description = "How many images to keep (rollback window)."
  type        = number
  default     = 200
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
