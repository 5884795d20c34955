# The cluster's core add-ons, as EKS add-ons at pinned versions (var.addon_versions, the
# row of the cluster's Kubernetes version): the VPC CNI, kube-proxy, CoreDNS and the EKS
# Pod Identity agent. Without a pin EKS installs its default of the day, so that two
# applies of the same commit could run different networking code.
#
# Order: the three DaemonSets (VPC CNI, kube-proxy, Pod Identity agent) before the node
# groups, so that the first node joins with the configured CNI and its own role; CoreDNS,
# a Deployment, after them: without a node its pods stay Pending, the add-on DEGRADED and
# the apply waits until it times out.
#
# Conflicts: OVERWRITE on create (EKS has already installed its own self-managed
# vpc-cni, kube-proxy and coredns when the cluster was created: the add-on takes them
# over) and on update (their whole configuration is here, in configuration_values: a
# field changed by hand in kube-system is drift, put back at the next apply).

locals {
  addon_versions = var.addon_versions[var.kubernetes_version]
}

resource "aws_eks_addon" "vpc_cni" {
  cluster_name                = aws_eks_cluster.this.name
  addon_name                  = "vpc-cni"
  addon_version               = local.addon_versions.vpc_cni
  service_account_role_arn    = aws_iam_role.vpc_cni.arn # controllers.tf
  resolve_conflicts_on_create = "OVERWRITE"
  resolve_conflicts_on_update = "OVERWRITE"
  # The VPC CNI enforces the chart's NetworkPolicies only with its policy agent on.
  # ENABLE_POD_ENI: security groups for pods (the chart's SecurityGroupPolicy), in the
  # standard mode, where the NetworkPolicies still apply to those pods.
  configuration_values = jsonencode({
    enableNetworkPolicy = "true"
    env                 = { ENABLE_POD_ENI = "true", POD_SECURITY_GROUP_ENFORCING_MODE = "standard" }
  })
  tags = var.tags
  # The role may manage network interfaces before the CNI's pods use it.
  depends_on = [aws_iam_role_policy_attachment.vpc_cni]
}

resource "aws_eks_addon" "kube_proxy" {
  cluster_name                = aws_eks_cluster.this.name
  addon_name                  = "kube-proxy"
  addon_version               = local.addon_versions.kube_proxy
  resolve_conflicts_on_create = "OVERWRITE"
  resolve_conflicts_on_update = "OVERWRITE"
  tags                        = var.tags
}

# Credentials of the pods with an EKS Pod Identity association (the collectors of
# terraform/modules/observability); it uses the node role (AmazonEKSWorkerNodePolicy has
# eks-auth:AssumeRoleForPodIdentity).
resource "aws_eks_addon" "pod_identity_agent" {
  cluster_name                = aws_eks_cluster.this.name
  addon_name                  = "eks-pod-identity-agent"
  addon_version               = local.addon_versions.pod_identity_agent
  resolve_conflicts_on_create = "OVERWRITE"
  resolve_conflicts_on_update = "OVERWRITE"
  tags                        = var.tags
}

resource "aws_eks_addon" "coredns" {
  cluster_name                = aws_eks_cluster.this.name
  addon_name                  = "coredns"
  addon_version               = local.addon_versions.coredns
  resolve_conflicts_on_create = "OVERWRITE"
  resolve_conflicts_on_update = "OVERWRITE"
  tags                        = var.tags
  depends_on                  = [aws_eks_node_group.this]
}

# The four were once one for_each resource (aws_eks_addon.this): moved, not replaced, since
# deleting an EKS add-on deletes its DaemonSet or Deployment, the cluster's networking.
moved {
  from = aws_eks_addon.this["vpc-cni"]
  to   = aws_eks_addon.vpc_cni
}

moved {
  from = aws_eks_addon.this["kube-proxy"]
  to   = aws_eks_addon.kube_proxy
}

moved {
  from = aws_eks_addon.this["eks-pod-identity-agent"]
  to   = aws_eks_addon.pod_identity_agent
}

moved {
  from = aws_eks_addon.this["coredns"]
  to   = aws_eks_addon.coredns
}
