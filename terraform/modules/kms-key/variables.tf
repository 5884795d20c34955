variable "description" {
  description = "What the key encrypts."
  type        = string
}

variable "allow_cloudwatch_logs" {
  description = "Let CloudWatch Logs of this account and region use the key (encrypted log groups)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to the key."
  type        = map(string)
  default     = {}
}
