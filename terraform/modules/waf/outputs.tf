output "web_acl_arn" {
  description = "ARN of the web ACL (CloudFront web_acl_id)."
  value       = aws_wafv2_web_acl.this.arn
}

output "allowed_country_codes" {
  description = "The country allow-list, validated here (France with its overseas territories, or empty): CloudFront's geographic restriction takes it."
  value       = var.allowed_country_codes
}

output "metric_name" {
  description = "Metric name of the web ACL (visibility_config): the WebACL dimension of its CloudWatch metrics."
  value       = aws_wafv2_web_acl.this.visibility_config[0].metric_name
}
