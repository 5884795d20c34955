variable "name" {
  description = "Prefix of the topic names, e.g. pge-production."
  type        = string
}

variable "email_addresses" {
  description = "Addresses of the on-call: every page and every ticket."
  type        = list(string)
  validation {
    condition     = length(var.email_addresses) > 0 && alltrue([for a in var.email_addresses : can(regex("^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$", a))])
    error_message = "email_addresses must hold at least one e-mail address: an alert must reach someone."
  }
}

variable "sms_numbers" {
  description = "Phones of the on-call, in E.164 (+33612345678): every page."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for n in var.sms_numbers : can(regex("^\\+[1-9][0-9]{7,14}$", n))])
    error_message = "sms_numbers must be E.164 numbers such as +33612345678."
  }
}

variable "publishers" {
  description = "AWS services that publish to the topics for this account (cloudwatch.amazonaws.com, budgets.amazonaws.com, aps.amazonaws.com)."
  type        = list(string)
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
