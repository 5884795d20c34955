terraform {
  required_version = ">= 1.10.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
      # us_east_1: the on-call topics and the alarms of CloudFront's and the WAF's metrics
      # (CloudWatch alarms notify topics of their own region only); grafana: the Managed
      # Grafana workspace (not offered in eu-west-3, see docs/DEPLOYMENT.md).
      configuration_aliases = [aws.us_east_1, aws.grafana]
    }
  }
}
