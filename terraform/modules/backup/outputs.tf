output "vault_arn" {
  description = "The locked vault of this account (restores: docs/DEPLOYMENT.md, Restoring)."
  value       = aws_backup_vault.this.arn
}

output "copy_vault_arn" {
  description = "The locked vault of the copy account, in eu-west-3."
  value       = aws_backup_vault.copy.arn
}
