output "name" {
  description = "The namespace (HELM_NAMESPACE of the deploy jobs)."
  value       = kubernetes_namespace_v1.this.metadata[0].name
}
