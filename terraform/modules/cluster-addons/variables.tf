variable "cluster_name" {
  description = "The EKS cluster."
  type        = string
}

variable "region" {
  description = "The cluster's region."
  type        = string
  validation {
    condition     = var.region == "eu-west-3"
    error_message = "region must be eu-west-3."
  }
}

variable "vpc_id" {
  description = "The cluster's VPC (the Load Balancer Controller's)."
  type        = string
}

variable "load_balancer_controller_role_arn" {
  description = "IRSA role of the AWS Load Balancer Controller (module.eks)."
  type        = string
}

variable "cluster_autoscaler_role_arn" {
  description = "IRSA role of the Cluster Autoscaler (module.eks)."
  type        = string
}

variable "kubernetes_version" {
  description = "The cluster's Kubernetes minor version: the Cluster Autoscaler's image follows it."
  type        = string
  validation {
    condition     = can(regex("^1\\.[0-9]+$", var.kubernetes_version))
    error_message = "kubernetes_version must be a minor version such as 1.35."
  }
}

variable "chart_versions" {
  description = "Exact versions of the charts installed in the cluster (chosen offline; the first terraform plan confirms them: docs/DEPLOYMENT.md, step 3)."
  type        = map(string)
  default = {
    aws_load_balancer_controller = "1.13.0"
    cluster_autoscaler           = "9.46.0"
    metrics_server               = "3.12.2"
    external_secrets             = "0.17.0"
  }
  validation {
    condition     = alltrue([for v in values(var.chart_versions) : can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", v))])
    error_message = "chart_versions must be exact versions such as 1.13.0."
  }
}

variable "cluster_autoscaler_image_tag" {
  description = "The Cluster Autoscaler's image: the release of the cluster's Kubernetes minor version."
  type        = string
  default     = "v1.35.0"
  validation {
    condition     = can(regex("^v1\\.[0-9]+\\.[0-9]+$", var.cluster_autoscaler_image_tag))
    error_message = "cluster_autoscaler_image_tag must be an exact version such as v1.35.0."
  }
}
