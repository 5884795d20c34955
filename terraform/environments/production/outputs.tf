# helm_values (issue 29, part 5): the API and the worker each with its own IRSA role; the
# application's database role (DML only, pge-database) and the migration's (owner of the
# schema, pge-database-migration), two Secrets synced from Secrets Manager
# (docs/DEPLOYMENT.md, step 4); HTTPS egress outside the VPC and to the interface
# endpoints' subnets only; the pods' security groups: pge's own, which the database alone
# admits, and the cluster's (DNS, probes, collectors, load balancer).
output "helm_values" {
  description = "Environment values of the chart: store as the GitLab CI file variable PGE_HELM_VALUES (environment scope: production)."
  value = yamlencode({
    image          = { repository = data.aws_ecr_repository.pge.repository_url }
    serviceAccount = { roleArn = module.api_role.role_arn, workerRoleArn = module.worker_role.role_arn }
    database       = { existingSecret = "pge-database", migrationSecret = "pge-database-migration", maxConnections = 10 }
    cursorSecret   = { existingSecret = "pge-cursor", key = "cursor-secret" }
    config = {
      awsRegion = var.region
      # The web app's client first (the API's /config.json names the first one).
      # The staff pool beside the applicants': reviewers and admins sign in there (MFA
      # required), and the API honours their groups in its tokens only.
      cognito = {
        region = var.region, userPoolId = module.cognito.user_pool_id, clientIds = module.cognito.spa_client_id, domain = module.cognito.hosted_ui_domain
        staff  = { userPoolId = module.cognito_staff.user_pool_id, clientIds = module.cognito_staff.spa_client_id, domain = module.cognito_staff.hosted_ui_domain }
      }
      ses      = { fromAddress = module.ses.from_address, configurationSet = module.ses.configuration_set_name }
      s3       = { bucket = module.s3.documents_bucket }
      campaign = { opensAt = var.campaign_opens_at, closesAt = var.campaign_closes_at }
    }
    api = {
      autoscaling = { enabled = true, minReplicas = var.api_min_replicas, maxReplicas = var.api_max_replicas, targetCPUUtilizationPercentage = 60 }
    }
    worker = { replicas = 2, pdb = { minAvailable = 1 } }
    ingress = {
      host            = "origin.${var.domain}"
      certificateArn  = module.cloudfront.origin_certificate_arn
      securityGroupId = module.network.alb_security_group_id
      # The header's value is not here: the deploy job passes it from the CI/CD variable
      # PGE_ORIGIN_VERIFY_SECRET (output origin_verify_secret_arn).
      originVerify = { headerName = module.cloudfront.origin_verify_header_name }
    }
    # The ALB's ENIs are in the public subnets (IP targets); RDS is in the private ones.
    # The ADOT collectors' namespace scrapes /metrics and receives the traces.
    networkPolicy       = { ingressCIDRs = module.network.public_subnet_cidrs, databaseCIDRs = module.network.private_subnet_cidrs, monitoringNamespace = module.observability.collector_namespace, vpcCIDR = module.network.vpc_cidr, awsEndpointCIDRs = module.network.endpoint_subnet_cidrs }
    telemetry           = { otlpEndpoint = module.observability.otlp_endpoint }
    externalSecrets     = { enabled = true, roleArn = module.database_credentials.reader_role_arn, region = var.region, appSecretId = module.database_credentials.app_secret_name, migrationSecretId = module.database_credentials.migration_secret_name }
    securityGroupPolicy = { groupIds = [module.eks.pge_pods_security_group_id, module.eks.cluster_security_group_id] }
    topologySpread      = { whenUnsatisfiable = "DoNotSchedule" }
  })
}

output "cluster_name" {
  description = "EKS cluster (aws eks update-kubeconfig --name ...)."
  value       = module.eks.cluster_name
}

output "load_balancer_controller_role_arn" {
  description = "IRSA role for the AWS Load Balancer Controller chart."
  value       = module.eks.load_balancer_controller_role_arn
}

output "cluster_autoscaler_role_arn" {
  description = "IRSA role for the Cluster Autoscaler chart."
  value       = module.eks.cluster_autoscaler_role_arn
}

output "database_endpoint" {
  description = "PostgreSQL host."
  value       = module.rds.endpoint
}

output "database_master_secret_arn" {
  description = "Secrets Manager secret of the master user (source of the pge-database Kubernetes Secret)."
  value       = module.rds.master_user_secret_arn
}

output "origin_verify_secret_arn" {
  description = "Secrets Manager secret of the origin-verify header value: copy it into the environment-scoped, masked GitLab CI/CD variable PGE_ORIGIN_VERIFY_SECRET."
  value       = module.cloudfront.origin_verify_secret_arn
}

output "cloudfront_distribution_id" {
  description = "CloudFront distribution."
  value       = module.cloudfront.distribution_id
}

output "frontend_bucket" {
  description = "Bucket of the SPA build."
  value       = module.s3.frontend_bucket
}

output "cognito_hosted_ui" {
  description = "Cognito hosted UI domain."
  value       = module.cognito.hosted_ui_domain
}

output "cognito_user_pool_id" {
  description = "The applicants' Cognito user pool."
  value       = module.cognito.user_pool_id
}

output "cognito_issuer" {
  description = "OpenID Connect issuer of the user pool (the web app's authority)."
  value       = module.cognito.issuer
}

output "cognito_spa_client_id" {
  description = "App client of the web app (public, code flow + PKCE)."
  value       = module.cognito.spa_client_id
}

output "cognito_staff_hosted_ui" {
  description = "The staff pool's Cognito hosted UI domain (reviewers and admins; TOTP enrolled at first sign-in)."
  value       = module.cognito_staff.hosted_ui_domain
}

output "cognito_staff_user_pool_id" {
  description = "The staff's Cognito user pool (bank reviewers and admins, MFA required; aws cognito-idp admin-create-user for an admin)."
  value       = module.cognito_staff.user_pool_id
}

output "cognito_staff_issuer" {
  description = "OpenID Connect issuer of the staff pool (config.json's staff.authority)."
  value       = module.cognito_staff.issuer
}

output "cognito_staff_spa_client_id" {
  description = "The staff pool's app client of the web app (public, code flow + PKCE)."
  value       = module.cognito_staff.spa_client_id
}

output "documents_bucket" {
  description = "Bucket of the applicants' documents (PGE_S3_BUCKET)."
  value       = module.s3.documents_bucket
}

output "web_deploy" {
  description = "What scripts/deploy-web.sh needs for this environment: store as the GitLab CI File variable PGE_WEB_DEPLOY (environment scope: production)."
  value       = <<-EOT
    PGE_WEB_BUCKET=${module.s3.frontend_bucket}
    PGE_WEB_DISTRIBUTION_ID=${module.cloudfront.distribution_id}
    PGE_WEB_AUTHORITY=${module.cognito.issuer}
    PGE_WEB_CLIENT_ID=${module.cognito.spa_client_id}
    PGE_WEB_LOGOUT_URL=https://${module.cognito.hosted_ui_domain}/logout
    PGE_WEB_REVOCATION_URL=https://${module.cognito.hosted_ui_domain}/oauth2/revoke
    PGE_WEB_SCOPE=openid email
    PGE_WEB_STAFF_AUTHORITY=${module.cognito_staff.issuer}
    PGE_WEB_STAFF_CLIENT_ID=${module.cognito_staff.spa_client_id}
    PGE_WEB_STAFF_LOGOUT_URL=https://${module.cognito_staff.hosted_ui_domain}/logout
    PGE_WEB_STAFF_REVOCATION_URL=https://${module.cognito_staff.hosted_ui_domain}/oauth2/revoke
    PGE_WEB_DEPLOY_ROLE_ARN=${module.web_deploy.role_arn}
    PGE_WEB_REGION=${var.region}
  EOT
}

output "dashboards_deploy" {
  description = "What scripts/provision-dashboards.sh needs for this environment: store as the GitLab CI File variable PGE_DASHBOARDS_DEPLOY (environment scope: production)."
  value       = <<-EOT
    PGE_GRAFANA_URL=${module.observability.grafana_url}
    PGE_GRAFANA_WORKSPACE_ID=${module.observability.grafana_workspace_id}
    PGE_GRAFANA_SERVICE_ACCOUNT_ID=${module.observability.grafana_service_account_id}
    PGE_GRAFANA_REGION=${module.observability.grafana_region}
    PGE_PROMETHEUS_URL=${module.observability.prometheus_endpoint}
    PGE_PROMETHEUS_REGION=${var.region}
    PGE_DASHBOARDS_ROLE_ARN=${module.web_deploy.role_arn}
  EOT
}

output "grafana_url" {
  description = "The environment's Managed Grafana workspace (sign in with IAM Identity Center)."
  value       = module.observability.grafana_url
}

output "application_log_group" {
  description = "Log group of the containers' lines; the saved Logs Insights queries are under pge-production/."
  value       = module.observability.application_log_group
}
