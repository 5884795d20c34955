# EKS with a private API endpoint, envelope encryption of Secrets, every control-plane
# log type, managed node groups (one per AZ) and the OIDC provider for IRSA.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

module "eks_key" {
  source                = "../kms-key"
  description           = "${var.cluster_name} Kubernetes secrets envelope encryption"
  allow_cloudwatch_logs = false
  tags                  = var.tags
}

resource "aws_cloudwatch_log_group" "cluster" {
  # EKS writes to this exact name; creating it first sets retention and encryption.
  name              = "/aws/eks/${var.cluster_name}/cluster"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.logs_kms_key_arn
  tags              = var.tags
}

data "aws_iam_policy_document" "cluster_assume" {
  statement {
    actions = ["sts:AssumeRole", "sts:TagSession"]
    principals {
      type        = "Service"
      identifiers = ["eks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "cluster" {
  name               = "${var.cluster_name}-cluster"
  assume_role_policy = data.aws_iam_policy_document.cluster_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "cluster" {
  role       = aws_iam_role.cluster.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AmazonEKSClusterPolicy"
}

# Security groups for pods: the VPC resource controller gives a pod matched by a
# SecurityGroupPolicy its own branch network interface with the groups it names.
resource "aws_iam_role_policy_attachment" "cluster_vpc_resource_controller" {
  role       = aws_iam_role.cluster.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AmazonEKSVPCResourceController"
}

# pge's pods (API, worker, migration), through the chart's SecurityGroupPolicy: the only
# group the database admits (terraform/modules/rds client_security_group_ids). The pods
# also keep the cluster security group (DNS, probes, the collectors, the load balancer's
# rules), which the database does not admit: another pod of the cluster, or a node, cannot
# reach PostgreSQL.
resource "aws_security_group" "pge_pods" {
  # checkov:skip=CKV2_AWS_5:Attached to pge's pods by the chart's SecurityGroupPolicy (the VPC resource controller makes their branch network interfaces), not by a Terraform resource
  name        = "${var.cluster_name}-pge-pods"
  description = "pge pods (security groups for pods): the only source the database admits"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.cluster_name}-pge-pods" })
}

resource "aws_vpc_security_group_egress_rule" "pge_pods_postgres" {
  security_group_id = aws_security_group.pge_pods.id
  description       = "PostgreSQL in the VPC (the database's own group admits this group only)"
  cidr_ipv4         = var.vpc_cidr
  ip_protocol       = "tcp"
  from_port         = 5432
  to_port           = 5432
}

resource "aws_security_group" "cluster" {
  name        = "${var.cluster_name}-control-plane"
  description = "Additional rules of the EKS control plane: HTTPS from the VPC only"
  vpc_id      = var.vpc_id
  tags        = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "cluster_https" {
  security_group_id = aws_security_group.cluster.id
  description       = "Kubernetes API from inside the VPC (nodes, GitLab agent, bastion)"
  cidr_ipv4         = var.vpc_cidr
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_eks_cluster" "this" {
  name                      = var.cluster_name
  version                   = var.kubernetes_version
  role_arn                  = aws_iam_role.cluster.arn
  enabled_cluster_log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler"]

  vpc_config {
    subnet_ids              = var.private_subnet_ids
    security_group_ids      = [aws_security_group.cluster.id]
    endpoint_private_access = true
    endpoint_public_access  = false
  }

  access_config {
    authentication_mode                         = "API"
    bootstrap_cluster_creator_admin_permissions = true
  }

  encryption_config {
    resources = ["secrets"]
    provider {
      key_arn = module.eks_key.arn
    }
  }

  tags       = var.tags
  depends_on = [aws_iam_role_policy_attachment.cluster, aws_cloudwatch_log_group.cluster]
}

# --- IRSA ----------------------------------------------------------------------------

resource "aws_iam_openid_connect_provider" "this" {
  url            = aws_eks_cluster.this.identity[0].oidc[0].issuer
  client_id_list = ["sts.amazonaws.com"]
  tags           = var.tags
}

# --- Nodes ---------------------------------------------------------------------------

data "aws_iam_policy_document" "node_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "node" {
  name               = "${var.cluster_name}-node"
  assume_role_policy = data.aws_iam_policy_document.node_assume.json
  tags               = var.tags
}

# No AmazonEKS_CNI_Policy here: the VPC CNI has its own IRSA role (controllers.tf), so that a
# pod reaching the node's credentials could not create, attach or delete network
# interfaces.
resource "aws_iam_role_policy_attachment" "node" {
  for_each = toset([
    "AmazonEKSWorkerNodePolicy",
    "AmazonEC2ContainerRegistryReadOnly",
    "AmazonSSMManagedInstanceCore",
  ])
  role       = aws_iam_role.node.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/${each.key}"
}

resource "aws_launch_template" "node" {
  name_prefix = "${var.cluster_name}-node-"
  description = "EKS nodes: IMDSv2 only with a hop limit of 1 (pods cannot reach node credentials), encrypted gp3 root volume (account EBS key, usable by the Auto Scaling service role)"

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      volume_size           = 50
      volume_type           = "gp3"
      encrypted             = true
      delete_on_termination = true
    }
  }

  tag_specifications {
    resource_type = "instance"
    tags          = merge(var.tags, { Name = "${var.cluster_name}-node" })
  }

  tags = var.tags
}

locals {
  # One managed node group per (group, AZ): the cluster autoscaler then scales each
  # zone on its own and the API's zone spread can always be honoured.
  node_groups_per_az = merge([
    for name, g in var.node_groups : {
      for i, subnet in var.private_subnet_ids : "${name}-${i}" => merge(g, { subnet_id = subnet, group = name })
    }
  ]...)
}

resource "aws_eks_node_group" "this" {
  for_each        = local.node_groups_per_az
  cluster_name    = aws_eks_cluster.this.name
  node_group_name = "${var.cluster_name}-${each.key}"
  node_role_arn   = aws_iam_role.node.arn
  subnet_ids      = [each.value.subnet_id]
  instance_types  = each.value.instance_types
  capacity_type   = each.value.capacity_type
  ami_type        = "AL2023_x86_64_STANDARD"

  scaling_config {
    min_size     = each.value.min_size
    max_size     = each.value.max_size
    desired_size = each.value.desired_size
  }

  update_config {
    max_unavailable = 1
  }

  launch_template {
    id      = aws_launch_template.node.id
    version = aws_launch_template.node.latest_version
  }

  labels = {
    "pge.io/node-group" = each.value.group
  }

  tags = merge(var.tags, {
    "k8s.io/cluster-autoscaler/enabled"             = "true"
    "k8s.io/cluster-autoscaler/${var.cluster_name}" = "owned"
  })

  lifecycle {
    ignore_changes = [scaling_config[0].desired_size]
  }

  # The node-level add-ons (DaemonSets) first: a node joins with the pinned, configured
  # VPC CNI and its IRSA role, kube-proxy and the Pod Identity agent (addons.tf).
  depends_on = [
    aws_iam_role_policy_attachment.node,
    aws_eks_addon.vpc_cni,
    aws_eks_addon.kube_proxy,
    aws_eks_addon.pod_identity_agent,
  ]
}

# --- Operators -----------------------------------------------------------------------

resource "aws_eks_access_entry" "admin" {
  for_each      = toset(var.admin_role_arns)
  cluster_name  = aws_eks_cluster.this.name
  principal_arn = each.key
  tags          = var.tags
}

resource "aws_eks_access_policy_association" "admin" {
  for_each      = toset(var.admin_role_arns)
  cluster_name  = aws_eks_cluster.this.name
  principal_arn = each.key
  policy_arn    = "arn:${data.aws_partition.current.partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
  access_scope {
    type = "cluster"
  }
  depends_on = [aws_eks_access_entry.admin]
}
