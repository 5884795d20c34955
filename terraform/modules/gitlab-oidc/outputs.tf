output "push_role_arn" {
  description = "Role assumed by the build job (CI variable AWS_ROLE_ARN)."
  value       = aws_iam_role.push.arn
}

output "oidc_provider_arn" {
  description = "IAM OIDC provider of the GitLab instance (trusted by the web deploy roles)."
  value       = local.provider_arn
}
