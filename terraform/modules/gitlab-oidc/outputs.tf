output "push_role_arn" {
  description = "Role assumed by the build job (CI variable AWS_ROLE_ARN)."
  value       = aws_iam_role.push.arn
}
