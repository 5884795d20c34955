output "identity_arn" {
  description = "ARN of the domain identity."
  value       = aws_sesv2_email_identity.domain.arn
}

output "configuration_set_name" {
  description = "Configuration set name (PGE_SES_CONFIGURATION_SET)."
  value       = aws_sesv2_configuration_set.this.configuration_set_name
}

output "configuration_set_arn" {
  description = "Configuration set ARN."
  value       = aws_sesv2_configuration_set.this.arn
}

output "from_address" {
  description = "Sender address (PGE_SES_FROM)."
  value       = "${var.from_local_part}@${var.domain}"
}
