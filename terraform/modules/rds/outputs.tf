output "endpoint" {
  description = "Host name of the database."
  value       = aws_db_instance.this.address
}

output "port" {
  description = "Port of the database."
  value       = aws_db_instance.this.port
}

output "database_name" {
  description = "Database name."
  value       = aws_db_instance.this.db_name
}

output "master_user_secret_arn" {
  description = "Secrets Manager secret (username/password JSON) managed and rotated by RDS."
  value       = aws_db_instance.this.master_user_secret[0].secret_arn
}

output "kms_key_arn" {
  description = "KMS key of the instance and its secret."
  value       = module.rds_key.arn
}

output "identifier" {
  description = "Instance identifier (the DBInstanceIdentifier dimension of its CloudWatch metrics)."
  value       = aws_db_instance.this.identifier
}

output "max_connections" {
  description = "max_connections of the instance's parameter group."
  value       = var.max_connections
}

output "arn" {
  description = "ARN of the instance (AWS Backup's selection)."
  value       = aws_db_instance.this.arn
}
