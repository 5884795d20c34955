# Amazon Managed Grafana, for the dashboards of ops/grafana/ (the pipeline provisions them:
# scripts/provision-dashboards.sh). Managed Grafana is not offered in eu-west-3: the
# workspace is in eu-central-1 (Frankfurt, provider aws.grafana). It stores the dashboards
# and its users' sign-ins, and shows what it queries from the workspace in eu-west-3:
# aggregate metrics, no personal data (no label of a metric comes from user input).
# Sign-in is IAM Identity Center's (AWS_SSO), which must be enabled in the account or its
# organization; grafana_admin_group_ids and grafana_viewer_group_ids name its groups.

data "aws_region" "grafana" {
  provider = aws.grafana
}

data "aws_iam_policy_document" "grafana_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["grafana.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "grafana" {
  name               = "${var.name}-grafana"
  assume_role_policy = data.aws_iam_policy_document.grafana_assume.json
  tags               = var.tags
}

# Query this environment's workspace, nothing else.
data "aws_iam_policy_document" "grafana" {
  statement {
    sid       = "QueryTheWorkspace"
    actions   = ["aps:QueryMetrics", "aps:GetSeries", "aps:GetLabels", "aps:GetMetricMetadata", "aps:DescribeWorkspace"]
    resources = [aws_prometheus_workspace.this.arn]
  }
}

resource "aws_iam_role_policy" "grafana" {
  name   = "query-prometheus"
  role   = aws_iam_role.grafana.id
  policy = data.aws_iam_policy_document.grafana.json
}

resource "aws_grafana_workspace" "this" {
  provider                 = aws.grafana
  name                     = var.name
  description              = "pge ${var.environment}: the launch-day dashboard on ${var.name}'s Prometheus workspace (eu-west-3)"
  account_access_type      = "CURRENT_ACCOUNT"
  authentication_providers = ["AWS_SSO"]
  permission_type          = "CUSTOMER_MANAGED"
  role_arn                 = aws_iam_role.grafana.arn
  data_sources             = ["PROMETHEUS"]
  grafana_version          = "10.4"
  # Alerts are the Prometheus workspace's (its alert manager), not Grafana's.
  configuration = jsonencode({ unifiedAlerting = { enabled = false }, plugins = { pluginAdminEnabled = false } })
  tags          = var.tags
}

resource "aws_grafana_role_association" "this" {
  provider     = aws.grafana
  for_each     = { for role, ids in { ADMIN = var.grafana_admin_group_ids, VIEWER = var.grafana_viewer_group_ids } : role => ids if length(ids) > 0 }
  role         = each.key
  group_ids    = each.value
  workspace_id = aws_grafana_workspace.this.id
}

# The deploy jobs provision the data source and the dashboards with a token of this
# account, minted for each job and deleted at its end (scripts/provision-dashboards.sh).
resource "aws_grafana_workspace_service_account" "ci" {
  provider     = aws.grafana
  name         = "ci-dashboards"
  grafana_role = "ADMIN"
  workspace_id = aws_grafana_workspace.this.id
}
