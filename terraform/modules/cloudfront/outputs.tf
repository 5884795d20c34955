output "distribution_id" {
  description = "CloudFront distribution id (cache invalidations)."
  value       = aws_cloudfront_distribution.this.id
}

output "distribution_domain_name" {
  description = "CloudFront domain name."
  value       = aws_cloudfront_distribution.this.domain_name
}

output "origin_certificate_arn" {
  description = "ACM certificate of the API load balancer (chart value ingress.certificateArn)."
  value       = aws_acm_certificate_validation.origin.certificate_arn
}
