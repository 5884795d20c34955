# Observability of an environment, on AWS-managed services (docs/DEPLOYMENT.md,
# "Observability in production"):
#   metrics  the ADOT collector (EKS add-on) scrapes the pods' /metrics (their
#            prometheus.io annotations) into Amazon Managed Service for Prometheus (KMS);
#   alerts   the workspace's rules are ops/prometheus/rules.yml itself, its alert manager
#            sends pages and tickets to the on-call's SNS topics (KMS, e-mail and SMS);
#   traces   the same add-on receives OTLP/HTTP from the pods and exports to X-Ray;
#   logs     Fluent Bit (the CloudWatch Observability add-on) ships the containers' lines
#            to CloudWatch Logs (KMS, a year), with saved Logs Insights queries;
#   alarms   CloudWatch alarms on what the application cannot see (RDS, ALB, CloudFront,
#            WAF, SES reputation), to the same topics, and a budget;
#   graphs   an Amazon Managed Grafana workspace; the pipeline provisions
#            ops/grafana/*.json into it (scripts/provision-dashboards.sh).
# Files: metrics.tf, collector.tf, logs.tf, alarms.tf, grafana.tf.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  # The namespace where the ADOT add-on runs its collectors: the chart's NetworkPolicy
  # opens /metrics to it and lets the pods reach its OTLP port (helm_values).
  collector_namespace = "opentelemetry-operator-system"
  # The OTLP/HTTP endpoint of the add-on's preconfigured OTLP collector
  # (adot-col-otlp-ingest: the operator names its Service <name>-collector).
  otlp_endpoint = "http://adot-col-otlp-ingest-collector.${local.collector_namespace}.svc.cluster.local:4318"
}

# The on-call: pages (e-mail and SMS) and tickets (e-mail), in this region for the alert
# manager, the alarms and the budget, and in us-east-1 for the alarms of CloudFront's and
# the WAF's metrics, with the same subscribers.
module "oncall" {
  source          = "../oncall"
  name            = var.name
  email_addresses = var.oncall_email_addresses
  sms_numbers     = var.oncall_sms_numbers
  publishers      = ["cloudwatch.amazonaws.com", "budgets.amazonaws.com", "aps.amazonaws.com"]
  tags            = var.tags
}

module "oncall_us_east_1" {
  source          = "../oncall"
  providers       = { aws = aws.us_east_1 }
  name            = var.name
  email_addresses = var.oncall_email_addresses
  sms_numbers     = var.oncall_sms_numbers
  publishers      = ["cloudwatch.amazonaws.com"]
  tags            = var.tags
}

# Roles of the add-ons' pods, by EKS Pod Identity (the eks module installs its agent).
data "aws_iam_policy_document" "pod_identity_assume" {
  statement {
    actions = ["sts:AssumeRole", "sts:TagSession"]
    principals {
      type        = "Service"
      identifiers = ["pods.eks.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}
