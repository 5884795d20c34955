output "role_arn" {
  description = "Role of the environment's deploy jobs for the web app (PGE_WEB_DEPLOY_ROLE_ARN of the web_deploy output)."
  value       = aws_iam_role.this.arn
}
