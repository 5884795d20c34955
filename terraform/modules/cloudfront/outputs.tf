output "distribution_id" {
  description = "CloudFront distribution id (cache invalidations)."
  value       = aws_cloudfront_distribution.this.id
}

output "distribution_arn" {
  description = "CloudFront distribution ARN (the web deploy role may invalidate it)."
  value       = aws_cloudfront_distribution.this.arn
}

output "distribution_domain_name" {
  description = "CloudFront domain name."
  value       = aws_cloudfront_distribution.this.domain_name
}

output "origin_certificate_arn" {
  description = "ACM certificate of the API load balancer (chart value ingress.certificateArn)."
  value       = aws_acm_certificate_validation.origin.certificate_arn
}

output "origin_verify_header_name" {
  description = "Header CloudFront adds to the API origin's requests (chart value ingress.originVerify.headerName)."
  value       = var.origin_verify_header_name
}

output "origin_verify_secret_arn" {
  description = "Secrets Manager secret holding that header's value (GitLab CI/CD variable PGE_ORIGIN_VERIFY_SECRET)."
  value       = aws_secretsmanager_secret.origin_verify.arn
}
