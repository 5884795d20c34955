output "cluster_name" {
  description = "EKS cluster name."
  value       = aws_eks_cluster.this.name
}

output "cluster_endpoint" {
  description = "Private API server endpoint."
  value       = aws_eks_cluster.this.endpoint
}

output "cluster_security_group_id" {
  description = "Security group EKS attaches to the control plane and the managed nodes."
  value       = aws_eks_cluster.this.vpc_config[0].cluster_security_group_id
}

output "oidc_provider_arn" {
  description = "IAM OIDC provider of the cluster (IRSA)."
  value       = aws_iam_openid_connect_provider.this.arn
}

output "oidc_issuer" {
  description = "OIDC issuer host path, without https://."
  value       = replace(aws_eks_cluster.this.identity[0].oidc[0].issuer, "https://", "")
}

output "load_balancer_controller_role_arn" {
  description = "IRSA role of the AWS Load Balancer Controller (kube-system/aws-load-balancer-controller)."
  value       = aws_iam_role.load_balancer_controller.arn
}

output "cluster_autoscaler_role_arn" {
  description = "IRSA role of the Cluster Autoscaler (kube-system/cluster-autoscaler)."
  value       = aws_iam_role.cluster_autoscaler.arn
}

output "pge_pods_security_group_id" {
  description = "Security group of pge's pods (chart value securityGroupPolicy.groupIds, with the cluster security group); the database admits it alone."
  value       = aws_security_group.pge_pods.id
}

output "cluster_certificate_authority" {
  description = "The API server's CA certificate, base64 (the kubernetes provider of the environments)."
  value       = aws_eks_cluster.this.certificate_authority[0].data
}
