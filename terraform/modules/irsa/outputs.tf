output "role_arn" {
  description = "IRSA role of the component (chart value serviceAccount.roleArn for the API, serviceAccount.workerRoleArn for the worker)."
  value       = aws_iam_role.this.arn
}
