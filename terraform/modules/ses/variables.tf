variable "domain" {
  description = "Mail domain of the platform, e.g. pge.example.fr."
  type        = string
  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.domain))
    error_message = "domain must be a lowercase DNS name such as pge.example.fr."
  }
}

variable "from_local_part" {
  description = "Local part of the sender address."
  type        = string
  default     = "no-reply"
}

variable "configuration_set_name" {
  description = "SES configuration set of the platform's mail."
  type        = string
  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.configuration_set_name))
    error_message = "configuration_set_name must be 1-64 letters, digits, hyphens or underscores."
  }
}

variable "route53_zone_id" {
  description = "Hosted zone of the domain, for the DKIM, MAIL FROM and DMARC records."
  type        = string
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
