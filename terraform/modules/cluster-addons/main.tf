# The charts the cluster needs beside EKS's add-ons, at pinned versions, installed by
# Terraform rather than by hand (issue 29, part 8): the AWS Load Balancer Controller (the
# API's Ingress becomes the ALB, its readiness gate holds rollouts), the Cluster Autoscaler
# (nodes for a peak), metrics-server (the HPA's CPU metrics) and the External Secrets
# Operator (the database Secrets from Secrets Manager). A version moves by changing
# chart_versions, reviewed like any change.

resource "helm_release" "aws_load_balancer_controller" {
  name       = "aws-load-balancer-controller"
  namespace  = "kube-system"
  repository = "https://aws.github.io/eks-charts"
  chart      = "aws-load-balancer-controller"
  version    = var.chart_versions["aws_load_balancer_controller"]
  atomic     = true
  set {
    name  = "clusterName"
    value = var.cluster_name
  }
  set {
    name  = "region"
    value = var.region
  }
  set {
    name  = "vpcId"
    value = var.vpc_id
  }
  set {
    name  = "serviceAccount.name"
    value = "aws-load-balancer-controller"
  }
  set {
    name  = "serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn"
    value = var.load_balancer_controller_role_arn
  }
}

resource "helm_release" "cluster_autoscaler" {
  name       = "cluster-autoscaler"
  namespace  = "kube-system"
  repository = "https://kubernetes.github.io/autoscaler"
  chart      = "cluster-autoscaler"
  version    = var.chart_versions["cluster_autoscaler"]
  atomic     = true
  set {
    name  = "autoDiscovery.clusterName"
    value = var.cluster_name
  }
  set {
    name  = "awsRegion"
    value = var.region
  }
  set {
    name  = "image.tag"
    value = var.cluster_autoscaler_image_tag
  }
  set {
    name  = "rbac.serviceAccount.name"
    value = "cluster-autoscaler"
  }
  set {
    name  = "rbac.serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn"
    value = var.cluster_autoscaler_role_arn
  }
  set {
    name  = "extraArgs.balance-similar-node-groups"
    value = "true"
  }
  set {
    name  = "extraArgs.expander"
    value = "least-waste"
  }
  lifecycle {
    precondition {
      condition     = startswith(var.cluster_autoscaler_image_tag, "v${var.kubernetes_version}.")
      error_message = "The Cluster Autoscaler's image must be the release of the cluster's Kubernetes version."
    }
  }
}

resource "helm_release" "metrics_server" {
  name       = "metrics-server"
  namespace  = "kube-system"
  repository = "https://kubernetes-sigs.github.io/metrics-server"
  chart      = "metrics-server"
  version    = var.chart_versions["metrics_server"]
  atomic     = true
}

resource "helm_release" "external_secrets" {
  name             = "external-secrets"
  namespace        = "external-secrets"
  create_namespace = true
  repository       = "https://charts.external-secrets.io"
  chart            = "external-secrets"
  version          = var.chart_versions["external_secrets"]
  atomic           = true
  set {
    name  = "installCRDs"
    value = "true"
  }
}
