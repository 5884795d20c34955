output "vpc_id" {
  description = "VPC id."
  value       = aws_vpc.this.id
}

output "vpc_cidr" {
  description = "VPC CIDR."
  value       = aws_vpc.this.cidr_block
}

output "private_subnet_ids" {
  description = "Private subnets (EKS nodes, RDS), one per AZ."
  value       = aws_subnet.private[*].id
}

output "public_subnet_ids" {
  description = "Public subnets (load balancer, NAT), one per AZ."
  value       = aws_subnet.public[*].id
}

output "alb_security_group_id" {
  description = "Security group for the API load balancer (CloudFront only)."
  value       = aws_security_group.alb.id
}

output "logs_kms_key_arn" {
  description = "KMS key for CloudWatch log groups of this environment."
  value       = aws_kms_key.logs.arn
}
