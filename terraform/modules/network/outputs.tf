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

output "public_subnet_cidrs" {
  description = "CIDRs of the public subnets, where the API load balancer's ENIs live: the only sources of its IP-target traffic (chart value networkPolicy.ingressCIDRs)."
  value       = aws_subnet.public[*].cidr_block
}

output "private_subnet_cidrs" {
  description = "CIDRs of the private subnets, where RDS and the EKS nodes live (chart value networkPolicy.databaseCIDRs)."
  value       = aws_subnet.private[*].cidr_block
}

output "alb_security_group_id" {
  description = "Security group for the API load balancer (CloudFront only)."
  value       = aws_security_group.alb.id
}

output "logs_kms_key_arn" {
  description = "KMS key for CloudWatch log groups of this environment."
  value       = module.logs_key.arn
}

output "endpoint_subnet_cidrs" {
  description = "The interface endpoints' subnets (chart value networkPolicy.awsEndpointCIDRs: HTTPS inside the VPC goes there only)."
  value       = aws_subnet.endpoints[*].cidr_block
}
