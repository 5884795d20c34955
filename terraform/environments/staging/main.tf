# Staging: the production architecture at a smaller size (one NAT gateway, small
# instances). Staging also owns what both environments share in the account: the ECR
# repository and GitLab's OIDC provider and image-push role.

# In EKS standard support until 2027-03-27 (AWS's calendar; a deployment check fails once
# the date has passed). A running cluster moves one minor version per apply.
locals {
  kubernetes_version = "1.35"
}

locals {
  env          = "staging"
  name         = "pge-${local.env}"
  namespace    = "pge"
  release      = "pge"
  azs          = ["${var.region}a", "${var.region}b", "${var.region}c"]
  app_url      = "https://${var.domain}"
  from_address = "no-reply@${var.domain}"
  tags = {
    Project     = "pge"
    Environment = local.env
    ManagedBy   = "terraform"
  }
}

module "network" {
  source             = "../../modules/network"
  name               = local.name
  vpc_cidr           = var.vpc_cidr
  azs                = local.azs
  single_nat_gateway = true
  cluster_name       = local.name
  tags               = local.tags
}

module "eks" {
  source             = "../../modules/eks"
  cluster_name       = local.name
  kubernetes_version = local.kubernetes_version
  vpc_id             = module.network.vpc_id
  vpc_cidr           = module.network.vpc_cidr
  private_subnet_ids = module.network.private_subnet_ids
  logs_kms_key_arn   = module.network.logs_kms_key_arn
  admin_role_arns    = var.admin_role_arns
  node_groups = {
    general = {
      instance_types = ["m7i.large"]
      capacity_type  = "ON_DEMAND"
      min_size       = 1
      max_size       = 3
      desired_size   = 1
    }
  }
  tags = local.tags
}

# The database admits pge's pods only (security groups for pods: the chart's
# SecurityGroupPolicy) and the functions that rotate their passwords, not the nodes nor
# the cluster's other pods.
module "rds" {
  source                    = "../../modules/rds"
  name                      = local.name
  vpc_id                    = module.network.vpc_id
  subnet_ids                = module.network.private_subnet_ids
  client_security_group_ids = [module.eks.pge_pods_security_group_id, module.database_credentials.rotation_security_group_id]
  instance_class            = "db.t4g.medium"
  allocated_storage_gb      = 20
  max_allocated_storage_gb  = 100
  backup_retention_days     = 7
  max_connections           = 200
  tags                      = local.tags
}

module "ses" {
  source                 = "../../modules/ses"
  domain                 = var.domain
  configuration_set_name = local.name
  route53_zone_id        = var.route53_zone_id
  tags                   = local.tags
}

# Two user pools, because Cognito requires MFA per pool, never per group
# (docs/SECURITY.md, "MFA: two user pools"). The applicants': anyone signs up with an
# e-mail address, a TOTP is optional (adaptive authentication challenges those who have
# one and blocks high-risk sign-ins).
module "cognito" {
  source                 = "../../modules/cognito"
  name                   = local.name
  domain_prefix          = local.name
  mfa_configuration      = "OPTIONAL"
  admin_create_user_only = false
  groups                 = ["applicants"]
  callback_urls          = ["${local.app_url}/auth/callback"]
  logout_urls            = ["${local.app_url}/"]
  ses_from_address       = module.ses.from_address
  ses_identity_arn       = module.ses.identity_arn
  logs_kms_key_arn       = module.network.logs_kms_key_arn
  tags                   = local.tags
}

# The staff's: bank reviewers (created by the API) and admins (created by an operator),
# nobody signs up, a TOTP app enrolled at first sign-in and required at every sign-in;
# the trigger that puts the reviewer's bank into access tokens. The API honours the
# reviewer and admin groups in this pool's tokens only.
module "cognito_staff" {
  source                 = "../../modules/cognito"
  name                   = "${local.name}-staff"
  domain_prefix          = "${local.name}-staff"
  mfa_configuration      = "ON"
  admin_create_user_only = true
  groups                 = ["bank-reviewers", "admins"]
  pre_token_generation   = true
  callback_urls          = ["${local.app_url}/auth/callback"]
  logout_urls            = ["${local.app_url}/"]
  ses_from_address       = module.ses.from_address
  ses_identity_arn       = module.ses.identity_arn
  logs_kms_key_arn       = module.network.logs_kms_key_arn
  tags                   = local.tags
}

module "s3" {
  source               = "../../modules/s3"
  name                 = local.name
  cors_allowed_origins = [local.app_url]
  tags                 = local.tags
}

module "waf" {
  source                = "../../modules/waf"
  providers             = { aws = aws.us_east_1 }
  name                  = local.name
  allowed_country_codes = var.allowed_country_codes
  tags                  = local.tags
}

module "cloudfront" {
  source = "../../modules/cloudfront"
  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }
  name                                 = local.name
  app_domain                           = var.domain
  origin_domain                        = "origin.${var.domain}"
  alb_dns_name                         = var.alb_dns_name
  route53_zone_id                      = var.route53_zone_id
  frontend_bucket                      = module.s3.frontend_bucket
  frontend_bucket_arn                  = module.s3.frontend_bucket_arn
  frontend_bucket_regional_domain_name = module.s3.frontend_bucket_regional_domain_name
  logs_bucket_domain_name              = module.s3.logs_bucket_domain_name
  web_acl_arn                          = module.waf.web_acl_arn
  geo_restriction_countries            = module.waf.allowed_country_codes
  documents_origin                     = module.s3.documents_origin
  cognito_hosted_ui_domain             = module.cognito.hosted_ui_domain
  cognito_staff_hosted_ui_domain       = module.cognito_staff.hosted_ui_domain
  tags                                 = local.tags
}

# The deploy jobs' role for the web app (scripts/deploy-web.sh): this environment's
# frontend bucket and distribution only.
module "web_deploy" {
  source              = "../../modules/gitlab-web-deploy"
  name                = local.name
  environment         = "staging"
  gitlab_url          = var.gitlab_url
  oidc_provider_arn   = module.gitlab_oidc.oidc_provider_arn
  project_path        = var.gitlab_project_path
  frontend_bucket_arn = module.s3.frontend_bucket_arn
  distribution_arn    = module.cloudfront.distribution_arn
  # The dashboards are provisioned by the same jobs (scripts/provision-dashboards.sh).
  grafana_workspace_arn = module.observability.grafana_workspace_arn
  tags                  = local.tags
}

module "ecr" {
  source          = "../../modules/ecr"
  repository_name = "pge"
  tags            = local.tags
}

module "gitlab_oidc" {
  source             = "../../modules/gitlab-oidc"
  name               = "pge"
  gitlab_url         = var.gitlab_url
  project_path       = var.gitlab_project_path
  ecr_repository_arn = module.ecr.repository_arn
  ecr_kms_key_arn    = module.ecr.kms_key_arn
  tags               = local.tags
}

# One IRSA role per component (terraform/modules/irsa): the API's (documents, reviewer
# accounts, in the staff pool only) and the worker's (mail); the migration Job has none.
module "api_role" {
  source                = "../../modules/irsa"
  name                  = "${local.name}-api"
  component             = "api"
  oidc_provider_arn     = module.eks.oidc_provider_arn
  oidc_issuer           = module.eks.oidc_issuer
  namespace             = local.namespace
  service_account       = local.release
  documents_bucket_arn  = module.s3.documents_bucket_arn
  documents_kms_key_arn = module.s3.documents_kms_key_arn
  user_pool_arn         = module.cognito_staff.user_pool_arn
  tags                  = local.tags
}

module "worker_role" {
  source                    = "../../modules/irsa"
  name                      = "${local.name}-worker"
  component                 = "worker"
  oidc_provider_arn         = module.eks.oidc_provider_arn
  oidc_issuer               = module.eks.oidc_issuer
  namespace                 = local.namespace
  service_account           = local.release
  ses_identity_arn          = module.ses.identity_arn
  ses_configuration_set_arn = module.ses.configuration_set_arn
  ses_from_address          = module.ses.from_address
  tags                      = local.tags
}

# Metrics, alerts, traces, logs, alarms and dashboards (docs/DEPLOYMENT.md, "Observability
# in production"): the Prometheus rules are ops/prometheus/rules.yml, the pages and
# tickets go to the on-call's addresses and phones below.
module "observability" {
  source = "../../modules/observability"
  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
    aws.grafana   = aws.grafana
  }
  name                          = local.name
  environment                   = local.env
  cluster_name                  = module.eks.cluster_name
  app_namespace                 = local.namespace
  logs_kms_key_arn              = module.network.logs_kms_key_arn
  oncall_email_addresses        = var.oncall_email_addresses
  oncall_sms_numbers            = var.oncall_sms_numbers
  database_identifier           = module.rds.identifier
  cognito_trigger_function_name = module.cognito_staff.pre_token_generation_function_name
  database_max_connections      = module.rds.max_connections
  alb_dns_name                  = var.alb_dns_name
  cloudfront_distribution_id    = module.cloudfront.distribution_id
  waf_metric_name               = module.waf.metric_name
  ses_configuration_set_name    = module.ses.configuration_set_name
  monthly_budget_usd            = var.monthly_budget_usd
  grafana_admin_group_ids       = var.grafana_admin_group_ids
  grafana_viewer_group_ids      = var.grafana_viewer_group_ids
  tags                          = local.tags
  # The add-ons run on the cluster's nodes and use its Pod Identity agent.
  depends_on = [module.eks]
}

# The application's namespace with its ALB readiness gate and Pod Security labels, and the
# right of this environment's deploy jobs to deploy into it (terraform/modules/app-namespace).
module "app_namespace" {
  source             = "../../modules/app-namespace"
  name               = local.namespace
  kubernetes_version = local.kubernetes_version
  gitlab_project_id  = var.gitlab_project_id
  environment        = "staging"
  depends_on         = [module.eks]
}

# pge_app's and pge_migrator's credentials in Secrets Manager, rotated every 30 days, read
# into the namespace by the External Secrets Operator (terraform/modules/database-credentials).
module "database_credentials" {
  source                    = "../../modules/database-credentials"
  name                      = local.name
  database_host             = module.rds.endpoint
  database_name             = module.rds.database_name
  master_secret_arn         = module.rds.master_user_secret_arn
  master_secret_kms_key_arn = module.rds.kms_key_arn
  vpc_id                    = module.network.vpc_id
  vpc_cidr                  = module.network.vpc_cidr
  subnet_ids                = module.network.private_subnet_ids
  oidc_provider_arn         = module.eks.oidc_provider_arn
  oidc_issuer               = module.eks.oidc_issuer
  namespace                 = local.namespace
  service_account           = local.release
  tags                      = local.tags
}

# The charts the cluster needs (Load Balancer Controller, Cluster Autoscaler,
# metrics-server, External Secrets Operator), at pinned versions
# (terraform/modules/cluster-addons).
module "cluster_addons" {
  source                            = "../../modules/cluster-addons"
  cluster_name                      = module.eks.cluster_name
  region                            = var.region
  vpc_id                            = module.network.vpc_id
  load_balancer_controller_role_arn = module.eks.load_balancer_controller_role_arn
  cluster_autoscaler_role_arn       = module.eks.cluster_autoscaler_role_arn
  kubernetes_version                = local.kubernetes_version
}
