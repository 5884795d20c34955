output "chart_versions" {
  description = "The charts installed and their versions (docs/DEPLOYMENT.md, step 3)."
  value = {
    for r in [helm_release.aws_load_balancer_controller, helm_release.cluster_autoscaler, helm_release.metrics_server, helm_release.external_secrets] :
    r.chart => r.version
  }
}
