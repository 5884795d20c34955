# Container logs in CloudWatch Logs. Fluent Bit (collector.tf) writes every container's
# lines to the Container Insights groups of the cluster; they are created here first, so
# that they are encrypted with the environment's logs key and kept var.log_retention_days
# (a year: what docs/DEPLOYMENT.md promises for every log of the platform).
#
# Fluent Bit parses each JSON line of pge (PGE_LOG_FORMAT=json, api/src/telemetry.rs) into
# the field log_processed (Merge_Log_Key of the add-on's configuration) and adds the pod's
# kubernetes.* fields: in Logs Insights, pge's `span.request_id` is
# `log_processed.span.request_id`. The saved queries below are docs/RUNBOOK.md's ("Where to
# look"), written for those names.

locals {
  container_log_groups = { for g in ["application", "dataplane", "host", "performance"] : g => "/aws/containerinsights/${var.cluster_name}/${g}" }
  app_lines            = "kubernetes.namespace_name = \"${var.app_namespace}\""
  queries = {
    "Everything about one request"     = <<-EOT
      fields @timestamp, kubernetes.pod_name, log_processed.level, log_processed.message, log_processed.status, log_processed.latency_ms, log_processed.span.route, log_processed.problem, log_processed.cause
      | filter ${local.app_lines} and log_processed.span.request_id = "REPLACE-WITH-THE-REQUEST-ID"
      | sort @timestamp asc
    EOT
    "Errors by route in the last hour" = <<-EOT
      filter ${local.app_lines} and log_processed.message = "request completed" and log_processed.status >= 500
      | stats count(*) as errors by log_processed.span.route, log_processed.status
      | sort errors desc
    EOT
    "5xx by problem type"              = <<-EOT
      filter ${local.app_lines} and (log_processed.message = "request refused" or log_processed.message = "request failed")
      | stats count(*) as answers by log_processed.problem, log_processed.span.route
      | sort answers desc
    EOT
    "Slow requests by route"           = <<-EOT
      filter ${local.app_lines} and log_processed.message = "request completed" and log_processed.latency_ms > 250
      | stats count(*) as slow, pct(log_processed.latency_ms, 99) as p99_ms by log_processed.span.route
      | sort slow desc
    EOT
    "The outbox's failures"            = <<-EOT
      filter ${local.app_lines} and log_processed.target = "infra::worker" and log_processed.level in ["WARN", "ERROR"]
      | stats count(*) as lines by log_processed.message, log_processed.kind
    EOT
    "Not ready, and why"               = <<-EOT
      filter ${local.app_lines} and log_processed.message = "not ready"
      | stats count(*) as answers by log_processed.reason, bin(1m)
    EOT
  }
}

resource "aws_cloudwatch_log_group" "containers" {
  for_each          = local.container_log_groups
  name              = each.value
  retention_in_days = var.log_retention_days
  kms_key_id        = var.logs_kms_key_arn
  tags              = var.tags
}

# Saved in the console's Logs Insights under <environment name>/. A saved query has no
# time range of its own: run "Errors by route in the last hour" with the range set to 1h.
resource "aws_cloudwatch_query_definition" "pge" {
  for_each        = local.queries
  name            = "${var.name}/${each.key}"
  log_group_names = [aws_cloudwatch_log_group.containers["application"].name]
  query_string    = each.value
}
