output "repository_url" {
  description = "Repository URL (chart value image.repository)."
  value       = aws_ecr_repository.this.repository_url
}

output "repository_arn" {
  description = "Repository ARN."
  value       = aws_ecr_repository.this.arn
}

output "kms_key_arn" {
  description = "KMS key of the repository."
  value       = module.ecr_key.arn
}
