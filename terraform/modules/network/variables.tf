variable "name" {
  description = "Prefix of every resource name, e.g. pge-staging."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,28}[a-z0-9]$", var.name))
    error_message = "name must be 4-30 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "vpc_cidr" {
  description = "CIDR of the VPC (a /16 gives each of the 3 AZs a /20 private and a /24 public subnet)."
  type        = string
  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && tonumber(split("/", var.vpc_cidr)[1]) <= 20
    error_message = "vpc_cidr must be a valid IPv4 CIDR of prefix length /20 or larger, e.g. 10.20.0.0/16."
  }
}

variable "azs" {
  description = "The three availability zones, e.g. eu-west-3a, eu-west-3b, eu-west-3c."
  type        = list(string)
  validation {
    condition     = length(var.azs) == 3 && alltrue([for az in var.azs : can(regex("^[a-z]{2}-[a-z]+-[0-9][a-z]$", az))])
    error_message = "azs must list exactly three availability zone names such as eu-west-3a."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway for the VPC (cheaper, staging) instead of one per AZ (production)."
  type        = bool
  default     = false
}

variable "cluster_name" {
  description = "EKS cluster name, used in the subnet discovery tags of the load balancer controller."
  type        = string
}

variable "flow_log_retention_days" {
  description = "Retention of the VPC flow logs."
  type        = number
  default     = 365
  validation {
    condition     = contains([365, 400, 545, 731, 1827, 3653], var.flow_log_retention_days)
    error_message = "flow_log_retention_days must be one of CloudWatch's retention values of at least one year."
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
