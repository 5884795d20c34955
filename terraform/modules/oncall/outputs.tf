output "page_topic_arn" {
  description = "Topic of the pages (act now: e-mail and SMS)."
  value       = aws_sns_topic.this["page"].arn
}

output "ticket_topic_arn" {
  description = "Topic of the tickets (working hours: e-mail)."
  value       = aws_sns_topic.this["ticket"].arn
}
