# The collectors in the cluster, as EKS add-ons at pinned versions (var.addon_versions):
# - adot (AWS Distro for OpenTelemetry) runs two preconfigured collectors in
#   opentelemetry-operator-system: adot-col-prom-metrics scrapes every pod annotated
#   prometheus.io/scrape (the chart's API and worker pods, on their metrics port) and
#   remote-writes to the workspace; adot-col-otlp-ingest receives OTLP (4317 gRPC, 4318
#   HTTP) and exports the traces to X-Ray. Its operator needs cert-manager (an add-on too).
# - amazon-cloudwatch-observability runs Fluent Bit on every node: the containers' log
#   lines go to /aws/containerinsights/<cluster>/application (logs.tf).

resource "aws_eks_addon" "cert_manager" {
  cluster_name                = var.cluster_name
  addon_name                  = "cert-manager"
  addon_version               = var.addon_versions.cert_manager
  resolve_conflicts_on_create = "OVERWRITE"
  resolve_conflicts_on_update = "OVERWRITE"
  tags                        = var.tags
}

resource "aws_iam_role" "collector" {
  for_each           = toset(["metrics", "traces", "logs"])
  name               = "${var.name}-collector-${each.key}"
  assume_role_policy = data.aws_iam_policy_document.pod_identity_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "metrics" {
  statement {
    sid       = "RemoteWrite"
    actions   = ["aps:RemoteWrite"]
    resources = [aws_prometheus_workspace.this.arn]
  }
}

resource "aws_iam_role_policy" "metrics" {
  name   = "remote-write"
  role   = aws_iam_role.collector["metrics"].id
  policy = data.aws_iam_policy_document.metrics.json
}

data "aws_iam_policy_document" "traces" {
  # checkov:skip=CKV_AWS_356:X-Ray's PutTraceSegments, PutTelemetryRecords and sampling calls have no resource-level permissions: "*" is the only resource they accept.
  statement {
    sid = "XRayWrite"
    actions = [
      "xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
      "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries",
    ]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "traces" {
  name   = "xray-write"
  role   = aws_iam_role.collector["traces"].id
  policy = data.aws_iam_policy_document.traces.json
}

# Fluent Bit and the CloudWatch agent of the CloudWatch Observability add-on (its
# documented policy: write to CloudWatch Logs and metrics).
resource "aws_iam_role_policy_attachment" "logs" {
  role       = aws_iam_role.collector["logs"].name
  policy_arn = "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"
}

resource "aws_eks_addon" "adot" {
  cluster_name                = var.cluster_name
  addon_name                  = "adot"
  addon_version               = var.addon_versions.adot
  resolve_conflicts_on_create = "OVERWRITE"
  resolve_conflicts_on_update = "OVERWRITE"
  configuration_values = jsonencode({
    collector = {
      prometheusMetrics = {
        pipelines = { metrics = { amp = { enabled = true }, emf = { enabled = false } } }
        exporters = { prometheusremotewrite = { endpoint = "${aws_prometheus_workspace.this.prometheus_endpoint}api/v1/remote_write" } }
      }
      otlpIngest = {
        pipelines = { traces = { xray = { enabled = true } } }
      }
    }
  })
  pod_identity_association {
    service_account = "adot-col-prom-metrics"
    role_arn        = aws_iam_role.collector["metrics"].arn
  }
  pod_identity_association {
    service_account = "adot-col-otlp-ingest"
    role_arn        = aws_iam_role.collector["traces"].arn
  }
  tags       = var.tags
  depends_on = [aws_eks_addon.cert_manager]
}

resource "aws_eks_addon" "cloudwatch_observability" {
  cluster_name                = var.cluster_name
  addon_name                  = "amazon-cloudwatch-observability"
  addon_version               = var.addon_versions.cloudwatch_observability
  resolve_conflicts_on_create = "OVERWRITE"
  resolve_conflicts_on_update = "OVERWRITE"
  configuration_values        = jsonencode({ containerLogs = { enabled = true } })
  pod_identity_association {
    service_account = "cloudwatch-agent"
    role_arn        = aws_iam_role.collector["logs"].arn
  }
  tags = var.tags
  # The log groups first, with their retention and key: Fluent Bit would otherwise create
  # them unencrypted and kept forever.
  depends_on = [aws_cloudwatch_log_group.containers]
}
