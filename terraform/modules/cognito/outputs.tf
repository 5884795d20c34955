output "user_pool_id" {
  description = "User pool id (PGE_COGNITO_USER_POOL_ID)."
  value       = aws_cognito_user_pool.this.id
}

output "user_pool_arn" {
  description = "User pool ARN (IRSA policy of the API)."
  value       = aws_cognito_user_pool.this.arn
}

output "spa_client_id" {
  description = "App client id of the SPA (PGE_COGNITO_CLIENT_IDS)."
  value       = aws_cognito_user_pool_client.spa.id
}

output "hosted_ui_domain" {
  description = "Hosted UI domain."
  value       = "${aws_cognito_user_pool_domain.this.domain}.auth.${data.aws_region.current.name}.amazoncognito.com"
}
