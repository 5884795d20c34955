output "user_pool_id" {
  description = "User pool id (PGE_COGNITO_USER_POOL_ID of the applicants' pool, PGE_COGNITO_STAFF_USER_POOL_ID of the staff pool)."
  value       = aws_cognito_user_pool.this.id
}

output "user_pool_arn" {
  description = "User pool ARN (the staff pool's: the API's IRSA policy, which creates reviewer accounts there)."
  value       = aws_cognito_user_pool.this.arn
}

output "issuer" {
  description = "OpenID Connect issuer of the pool, https://cognito-idp.<region>.amazonaws.com/<user pool id> (the web app's authority in config.json)."
  value       = "https://${aws_cognito_user_pool.this.endpoint}"
}

output "spa_client_id" {
  description = "App client id of the web app: public, code flow + PKCE (first of PGE_COGNITO_CLIENT_IDS, or of PGE_COGNITO_STAFF_CLIENT_IDS; client_id of config.json, or staff.client_id)."
  value       = aws_cognito_user_pool_client.spa.id
}

output "hosted_ui_domain" {
  description = "Hosted UI domain, without scheme (PGE_COGNITO_DOMAIN or PGE_COGNITO_STAFF_DOMAIN; logout_url of config.json: https://<it>/logout)."
  value       = "${aws_cognito_user_pool_domain.this.domain}.auth.${data.aws_region.current.name}.amazoncognito.com"
}

output "pre_token_generation_function_name" {
  description = "The pre-token-generation trigger's Lambda function (the observability module alarms on its errors); null without the trigger."
  value       = one(aws_lambda_function.pre_token_generation[*].function_name)
}
