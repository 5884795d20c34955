# Amazon Managed Service for Prometheus: the workspace (encrypted with a key of ours), the
# rules of ops/prometheus/rules.yml and the alert manager that routes them to the on-call.
#
# A workspace encrypted with a customer managed key cannot be fed by AMP's managed
# scraper (aws_prometheus_scraper): the ADOT collector of collector.tf scrapes the pods
# and remote-writes here.

module "amp_key" {
  source      = "../kms-key"
  description = "${var.name} Amazon Managed Service for Prometheus workspace"
  tags        = var.tags
}

# The rule evaluator's and alert manager's own logs (a rule that fails to evaluate, an
# alert that cannot reach SNS).
resource "aws_cloudwatch_log_group" "amp" {
  name              = "/aws/vendedlogs/prometheus/${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.logs_kms_key_arn
  tags              = var.tags
}

resource "aws_prometheus_workspace" "this" {
  alias       = var.name
  kms_key_arn = module.amp_key.arn
  logging_configuration {
    log_group_arn = "${aws_cloudwatch_log_group.amp.arn}:*"
  }
  tags = var.tags
}

# The one rules file of every environment, as promtool tests it (scripts/check-alerts.sh):
# read from the repository at plan time, never copied. The deployment checks refuse any
# other source.
resource "aws_prometheus_rule_group_namespace" "pge" {
  name         = "pge"
  workspace_id = aws_prometheus_workspace.this.id
  data         = file("${path.module}/../../../ops/prometheus/rules.yml")
}

# Every alert of the rules file has a severity, page or ticket (docs/RUNBOOK.md): a page
# goes to the page topic (e-mail and SMS) at once and is repeated hourly while it lasts;
# anything else to the ticket topic (e-mail), grouped, repeated twice a day. A ticket of
# an alert that pages at the same time is held back (the page says it already).
resource "aws_prometheus_alert_manager_definition" "this" {
  workspace_id = aws_prometheus_workspace.this.id
  definition   = <<-EOT
    alertmanager_config: |
      route:
        receiver: ticket
        group_by: [alertname, slo]
        group_wait: 2m
        group_interval: 15m
        repeat_interval: 12h
        routes:
          - receiver: page
            matchers:
              - severity="page"
            group_wait: 30s
            group_interval: 5m
            repeat_interval: 1h
      inhibit_rules:
        - source_matchers:
            - severity="page"
          target_matchers:
            - severity="ticket"
          equal: [alertname, slo]
      receivers:
        - name: page
          sns_configs:
            - topic_arn: ${module.oncall.page_topic_arn}
              sigv4:
                region: ${data.aws_region.current.name}
              subject: 'pge ${var.name} PAGE: {{ .CommonLabels.alertname }}'
              attributes:
                severity: page
        - name: ticket
          sns_configs:
            - topic_arn: ${module.oncall.ticket_topic_arn}
              sigv4:
                region: ${data.aws_region.current.name}
              subject: 'pge ${var.name} ticket: {{ .CommonLabels.alertname }}'
              attributes:
                severity: ticket
  EOT
}
