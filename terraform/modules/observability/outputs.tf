output "prometheus_workspace_arn" {
  description = "The Prometheus workspace."
  value       = aws_prometheus_workspace.this.arn
}

output "prometheus_endpoint" {
  description = "The workspace's Prometheus endpoint (queries: <endpoint>api/v1/query, SigV4 service aps)."
  value       = aws_prometheus_workspace.this.prometheus_endpoint
}

output "collector_namespace" {
  description = "Namespace of the ADOT collectors: the chart's NetworkPolicy opens /metrics to it and lets the pods send it their traces (networkPolicy.monitoringNamespace)."
  value       = local.collector_namespace
}

output "otlp_endpoint" {
  description = "OTLP/HTTP endpoint of the trace collector (chart value telemetry.otlpEndpoint)."
  value       = local.otlp_endpoint
}

output "page_topic_arn" {
  description = "The on-call's page topic (eu-west-3)."
  value       = module.oncall.page_topic_arn
}

output "ticket_topic_arn" {
  description = "The on-call's ticket topic (eu-west-3)."
  value       = module.oncall.ticket_topic_arn
}

output "application_log_group" {
  description = "Log group of the containers' lines (Logs Insights, the saved queries <name>/...)."
  value       = aws_cloudwatch_log_group.containers["application"].name
}

output "grafana_workspace_arn" {
  description = "The Managed Grafana workspace (eu-central-1)."
  value       = aws_grafana_workspace.this.arn
}

output "grafana_url" {
  description = "The Managed Grafana workspace's URL."
  value       = "https://${aws_grafana_workspace.this.endpoint}"
}

output "grafana_workspace_id" {
  description = "The Managed Grafana workspace's id."
  value       = aws_grafana_workspace.this.id
}

output "grafana_service_account_id" {
  description = "The workspace's service account for the deploy jobs (scripts/provision-dashboards.sh mints a token of it per job)."
  value       = aws_grafana_workspace_service_account.ci.service_account_id
}

output "grafana_region" {
  description = "The region of the Managed Grafana workspace."
  value       = data.aws_region.grafana.name
}
