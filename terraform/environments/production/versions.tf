terraform {
  required_version = ">= 1.10.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
    random = {
      source  = "hashicorp/random"
      version = "3.7.2"
    }
    archive = {
      source  = "hashicorp/archive"
      version = "2.7.1"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = "2.36.0"
    }
    helm = {
      source  = "hashicorp/helm"
      version = "2.17.0"
    }
  }
}

provider "aws" {
  region              = var.region
  allowed_account_ids = [var.account_id]
  default_tags {
    tags = local.tags
  }
}

# CloudFront's certificate and WAF web ACL must live in us-east-1 (global services);
# no application data is stored there.
provider "aws" {
  alias               = "us_east_1"
  region              = "us-east-1"
  allowed_account_ids = [var.account_id]
  default_tags {
    tags = local.tags
  }
}

# Amazon Managed Grafana is not offered in eu-west-3: the dashboards' workspace is in
# Frankfurt (docs/DEPLOYMENT.md, "Data residency"); it holds no application data.
provider "aws" {
  alias               = "grafana"
  region              = "eu-central-1"
  allowed_account_ids = [var.account_id]
  default_tags {
    tags = local.tags
  }
}

# The backup copy account, in eu-west-3 as well (the data stays in France): its vault
# keeps the monthly recovery points whatever happens to this account.
provider "aws" {
  alias               = "backup_copy"
  region              = "eu-west-3"
  allowed_account_ids = [var.backup_copy_account_id]
  assume_role {
    role_arn = "arn:aws:iam::${var.backup_copy_account_id}:role/${var.backup_copy_role_name}"
  }
  default_tags {
    tags = local.tags
  }
}

# The cluster's API (private endpoint: run Terraform from inside the VPC, as the cluster's
# add-ons step does), for the application's namespace (terraform/modules/app-namespace).
provider "kubernetes" {
  host                   = module.eks.cluster_endpoint
  cluster_ca_certificate = base64decode(module.eks.cluster_certificate_authority)
  exec {
    api_version = "client.authentication.k8s.io/v1beta1"
    command     = "aws"
    args        = ["eks", "get-token", "--cluster-name", module.eks.cluster_name, "--region", var.region]
  }
}

# The same API, for the charts of terraform/modules/cluster-addons.
provider "helm" {
  kubernetes {
    host                   = module.eks.cluster_endpoint
    cluster_ca_certificate = base64decode(module.eks.cluster_certificate_authority)
    exec {
      api_version = "client.authentication.k8s.io/v1beta1"
      command     = "aws"
      args        = ["eks", "get-token", "--cluster-name", module.eks.cluster_name, "--region", var.region]
    }
  }
}
