variable "name" {
  description = "Identifier prefix, e.g. pge-staging."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,40}$", var.name))
    error_message = "name must be lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "vpc_id" {
  description = "VPC of the database."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets over the three AZs."
  type        = list(string)
  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "RDS Multi-AZ needs subnets in at least two availability zones."
  }
}

variable "client_security_group_ids" {
  description = "Security groups allowed to connect on 5432: pge's pods' own group (security groups for pods), nothing else."
  type        = list(string)
}

variable "engine_version" {
  description = "PostgreSQL major version."
  type        = string
  default     = "16"
  validation {
    condition     = can(regex("^1[5-7](\\.[0-9]+)?$", var.engine_version))
    error_message = "engine_version must be PostgreSQL 15, 16 or 17 (optionally with a minor version)."
  }
}

variable "instance_class" {
  description = "Instance class, e.g. db.r6g.large for launch day, db.t4g.medium when quiet."
  type        = string
  validation {
    condition     = can(regex("^db\\.[a-z0-9]+\\.[a-z0-9]+$", var.instance_class))
    error_message = "instance_class must look like db.r6g.large."
  }
}

variable "allocated_storage_gb" {
  description = "Initial gp3 storage."
  type        = number
  default     = 100
  validation {
    condition     = var.allocated_storage_gb >= 20 && var.allocated_storage_gb <= 16384
    error_message = "allocated_storage_gb must be between 20 and 16384."
  }
}

variable "max_allocated_storage_gb" {
  description = "Storage autoscaling ceiling."
  type        = number
  default     = 500
}

variable "backup_retention_days" {
  description = "Automated backups and point-in-time recovery window."
  type        = number
  default     = 14
  validation {
    condition     = var.backup_retention_days >= 7 && var.backup_retention_days <= 35
    error_message = "backup_retention_days must be between 7 and 35."
  }
}

variable "database_name" {
  description = "Database created on the instance."
  type        = string
  default     = "pge"
}

variable "master_username" {
  description = "Master user; its password is generated and rotated by RDS in Secrets Manager."
  type        = string
  default     = "pge_admin"
}

variable "max_connections" {
  description = "PostgreSQL max_connections (API replicas x pool size + workers + headroom)."
  type        = number
  default     = 800
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
