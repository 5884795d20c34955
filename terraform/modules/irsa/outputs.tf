output "role_arn" {
  description = "IRSA role (chart value serviceAccount.roleArn)."
  value       = aws_iam_role.this.arn
}
