output "documents_bucket" {
  description = "Documents bucket name (PGE_S3_BUCKET)."
  value       = aws_s3_bucket.documents.id
}

output "documents_origin" {
  description = "Origin of the documents bucket as the API presigns its URLs (virtual-hosted style, force_path_style off): the CloudFront CSP's connect-src."
  value       = "https://${aws_s3_bucket.documents.id}.s3.${data.aws_region.current.name}.amazonaws.com"
}

output "documents_bucket_arn" {
  description = "Documents bucket ARN."
  value       = aws_s3_bucket.documents.arn
}

output "documents_kms_key_arn" {
  description = "KMS key of the documents bucket."
  value       = module.documents_key.arn
}

output "frontend_bucket" {
  description = "Frontend bucket name."
  value       = aws_s3_bucket.frontend.id
}

output "frontend_bucket_arn" {
  description = "Frontend bucket ARN."
  value       = aws_s3_bucket.frontend.arn
}

output "frontend_bucket_regional_domain_name" {
  description = "Regional domain name of the frontend bucket (CloudFront origin)."
  value       = aws_s3_bucket.frontend.bucket_regional_domain_name
}

output "logs_bucket_domain_name" {
  description = "Domain name of the logs bucket (CloudFront standard logs)."
  value       = aws_s3_bucket.logs.bucket_domain_name
}
