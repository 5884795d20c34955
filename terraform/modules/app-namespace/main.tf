# The application's namespace, created by code rather than by hand (issue 29, part 8):
#   - the AWS Load Balancer Controller injects its readiness gate into the namespace's pods
#     (elbv2.k8s.aws/pod-readiness-gate-inject): a rollout waits for each new API pod to be
#     healthy in the ALB's target group before it takes an old one out;
#   - the Pod Security Standards' `restricted` profile is enforced (and audited and warned)
#     at the cluster's own version: a pod running as root, privileged, with host access
#     or an added capability is refused (the chart's pods meet it: a deployment check);
#   - the deploy jobs of this environment, and only they, may deploy into it: the GitLab
#     agent (access_as ci_job) gives them the group gitlab:project_env:<project>:<env>,
#     bound here to the namespace's `admin` role and to the SecurityGroupPolicy the chart
#     renders; no cluster-wide right.

resource "kubernetes_namespace_v1" "this" {
  metadata {
    name = var.name
    labels = {
      "elbv2.k8s.aws/pod-readiness-gate-inject"    = "enabled"
      "pod-security.kubernetes.io/enforce"         = "restricted"
      "pod-security.kubernetes.io/enforce-version" = "v${var.kubernetes_version}"
      "pod-security.kubernetes.io/audit"           = "restricted"
      "pod-security.kubernetes.io/audit-version"   = "v${var.kubernetes_version}"
      "pod-security.kubernetes.io/warn"            = "restricted"
      "pod-security.kubernetes.io/warn-version"    = "v${var.kubernetes_version}"
    }
  }
}

locals {
  deployers = "gitlab:project_env:${var.gitlab_project_id}:${var.environment}"
}

resource "kubernetes_role_binding_v1" "deployers" {
  metadata {
    name      = "gitlab-deploy-${var.environment}"
    namespace = kubernetes_namespace_v1.this.metadata[0].name
  }
  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "ClusterRole"
    name      = "admin"
  }
  subject {
    kind      = "Group"
    name      = local.deployers
    api_group = "rbac.authorization.k8s.io"
  }
}

# The chart's SecurityGroupPolicy (vpc.amazonaws.com), which `admin` does not cover.
resource "kubernetes_role_v1" "security_group_policies" {
  metadata {
    name      = "pge-security-group-policies"
    namespace = kubernetes_namespace_v1.this.metadata[0].name
  }
  rule {
    api_groups = ["vpc.amazonaws.com"]
    resources  = ["securitygrouppolicies"]
    verbs      = ["get", "list", "watch", "create", "update", "patch", "delete"]
  }
}

resource "kubernetes_role_binding_v1" "security_group_policies" {
  metadata {
    name      = "gitlab-deploy-${var.environment}-security-group-policies"
    namespace = kubernetes_namespace_v1.this.metadata[0].name
  }
  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "Role"
    name      = kubernetes_role_v1.security_group_policies.metadata[0].name
  }
  subject {
    kind      = "Group"
    name      = local.deployers
    api_group = "rbac.authorization.k8s.io"
  }
}
