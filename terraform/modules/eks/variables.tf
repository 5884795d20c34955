variable "cluster_name" {
  description = "EKS cluster name."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,38}$", var.cluster_name))
    error_message = "cluster_name must be 3-39 lowercase letters, digits or hyphens."
  }
}

variable "kubernetes_version" {
  description = "Kubernetes minor version of the control plane and nodes."
  type        = string
  default     = "1.35"
  validation {
    condition     = can(regex("^1\\.([3-9][0-9])$", var.kubernetes_version))
    error_message = "kubernetes_version must be a minor version of 1.30 or later, such as 1.31: the chart's preStop sleep action (Kubernetes >= 1.30) keeps pods serving while the load balancer deregisters them."
  }
}

variable "addon_versions" {
  description = "Pinned versions of the core EKS add-ons per Kubernetes minor version; the cluster takes the row of kubernetes_version. To refresh: aws eks describe-addon-versions --kubernetes-version <v> --addon-name <vpc-cni|kube-proxy|coredns|eks-pod-identity-agent> (docs/DEPLOYMENT.md)."
  type = map(object({
    vpc_cni            = string
    kube_proxy         = string
    coredns            = string
    pod_identity_agent = string
  }))
  # Kubernetes 1.35, read on 2026-12-06 in AWS's EKS user guide and in public configurations
  # (where each comes from: docs/DEPLOYMENT.md, "The core add-ons' versions").
  default = {
    "1.35" = {
      vpc_cni            = "v1.22.4-eksbuild.3"
      kube_proxy         = "v1.35.3-eksbuild.13"
      coredns            = "v1.14.3-eksbuild.3"
      pod_identity_agent = "v1.3.10-eksbuild.3"
    }
  }
  validation {
    condition     = alltrue([for row in values(var.addon_versions) : alltrue([for v in values(row) : can(regex("^v[0-9]+\\.[0-9]+\\.[0-9]+-eksbuild\\.[0-9]+$", v))])])
    error_message = "addon_versions must be exact EKS add-on versions such as v1.35.3-eksbuild.13."
  }
  validation {
    condition     = alltrue([for k, row in var.addon_versions : startswith(row.kube_proxy, "v${k}.")])
    error_message = "Each row's kube_proxy must be the release of that row's Kubernetes minor version (v1.35.x for 1.35)."
  }
  validation {
    condition     = contains(keys(var.addon_versions), var.kubernetes_version)
    error_message = "addon_versions has no row for kubernetes_version: add that version's pins before moving the cluster to it."
  }
}

variable "vpc_id" {
  description = "VPC of the cluster."
  type        = string
}

variable "vpc_cidr" {
  description = "CIDR of the VPC (API server access from inside the VPC)."
  type        = string
  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0))
    error_message = "vpc_cidr must be a valid IPv4 CIDR."
  }
}

variable "private_subnet_ids" {
  description = "Private subnets of the control plane ENIs and the nodes (3 AZs)."
  type        = list(string)
  validation {
    condition     = length(var.private_subnet_ids) == 3
    error_message = "private_subnet_ids must hold one subnet per availability zone (3)."
  }
}

variable "node_groups" {
  description = "Managed node groups; one per AZ each, so that the autoscaler and the topology spread of the API agree."
  type = map(object({
    instance_types = list(string)
    capacity_type  = string
    min_size       = number
    max_size       = number
    desired_size   = number
  }))
  validation {
    condition = alltrue([for g in values(var.node_groups) :
      contains(["ON_DEMAND", "SPOT"], g.capacity_type) && g.min_size >= 1 && g.min_size <= g.desired_size && g.desired_size <= g.max_size
    ])
    error_message = "Each node group needs capacity_type ON_DEMAND or SPOT and 1 <= min_size <= desired_size <= max_size."
  }
}

variable "admin_role_arns" {
  description = "IAM roles given cluster-admin through EKS access entries (operators)."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for a in var.admin_role_arns : can(regex("^arn:aws:iam::[0-9]{12}:role/.+$", a))])
    error_message = "admin_role_arns must be IAM role ARNs."
  }
}

variable "log_retention_days" {
  description = "Retention of the control-plane logs."
  type        = number
  default     = 365
  validation {
    condition     = contains([365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of CloudWatch's retention values of at least one year."
  }
}

variable "logs_kms_key_arn" {
  description = "KMS key encrypting the control-plane log group."
  type        = string
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
