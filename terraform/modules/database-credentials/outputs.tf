output "app_secret_name" {
  description = "Secrets Manager secret of the application role (chart value externalSecrets.appSecretId)."
  value       = aws_secretsmanager_secret.this["app"].name
}

output "migration_secret_name" {
  description = "Secrets Manager secret of the migration role (chart value externalSecrets.migrationSecretId)."
  value       = aws_secretsmanager_secret.this["migration"].name
}

output "reader_role_arn" {
  description = "IRSA role of the External Secrets store (chart value externalSecrets.roleArn)."
  value       = aws_iam_role.reader.arn
}

output "rotation_security_group_id" {
  description = "Security group of the rotation functions, which the database admits beside pge's pods."
  value       = aws_security_group.rotation.id
}
