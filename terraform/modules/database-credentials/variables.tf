variable "name" {
  description = "Prefix of the secrets, key, role and rotation functions, e.g. pge-production."
  type        = string
}

variable "database_host" {
  description = "Host name of the database (module.rds.endpoint)."
  type        = string
}

variable "database_port" {
  description = "Port of the database."
  type        = number
  default     = 5432
}

variable "database_name" {
  description = "pge's database."
  type        = string
}

variable "master_secret_arn" {
  description = "The RDS-managed master user's secret: the alternating-users rotation of the application role logs in with it to set the inactive user's password."
  type        = string
}

variable "master_secret_kms_key_arn" {
  description = "KMS key of the master user's secret."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the database (the rotation functions run in it)."
  type        = string
}

variable "vpc_cidr" {
  description = "CIDR of the VPC: the rotation functions reach PostgreSQL inside it."
  type        = string
  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0))
    error_message = "vpc_cidr must be a valid IPv4 CIDR."
  }
}

variable "subnet_ids" {
  description = "Private subnets of the rotation functions (a route to Secrets Manager through the NAT gateways)."
  type        = list(string)
}

variable "rotation_days" {
  description = "Days between two rotations of each database password."
  type        = number
  default     = 30
  validation {
    condition     = var.rotation_days >= 1 && var.rotation_days <= 30
    error_message = "rotation_days must be between 1 and 30: a database password lives a month at most."
  }
}

variable "oidc_provider_arn" {
  description = "IAM OIDC provider of the EKS cluster (IRSA)."
  type        = string
}

variable "oidc_issuer" {
  description = "OIDC issuer of the cluster, without https://."
  type        = string
}

variable "namespace" {
  description = "Namespace of the release."
  type        = string
}

variable "service_account" {
  description = "The chart's fullname: the External Secrets store reads with the ServiceAccount <service_account>-secrets."
  type        = string
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
