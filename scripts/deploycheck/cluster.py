"""EKS on a supported version and the application's namespace by code (issue 29, part 8):

  version    every cluster (local.kubernetes_version of each environment, the eks module's
             default) runs a Kubernetes minor version in EKS *standard* support today,
             by AWS's calendar below; the chart is rendered and validated at that version
  namespace  the namespace is Terraform's (terraform/modules/app-namespace), the one the
             deploy jobs use (HELM_NAMESPACE), with the ALB readiness-gate label and the
             Pod Security Standards' `restricted` profile enforced, audited and warned at
             the cluster's version; docs/DEPLOYMENT.md no longer creates or labels it by
             hand; the deploy jobs' group is bound in it, and only in it
  pss        every pod the chart renders meets `restricted` (else the namespace would
             refuse it): non-root, no privilege escalation, every capability dropped, a
             RuntimeDefault seccomp profile, no host namespace, port or path
  addons     the core add-ons (VPC CNI, kube-proxy, CoreDNS, Pod Identity agent) are EKS
             add-ons of terraform/modules/eks at exact versions, the row of each
             cluster's Kubernetes version (kube-proxy of that very minor), named in
             docs/DEPLOYMENT.md; conflicts overwritten or preserved, never left to fail;
             the DaemonSets before the nodes, CoreDNS after them; the VPC CNI with its
             own IRSA role, the nodes without AmazonEKS_CNI_Policy
"""
import datetime
import glob
import os
import re

from .common import finish, load_gitlab_ci, load_hcl, q, yaml_docs
from .observability import ADDON_VERSION

# End of standard support of each EKS minor version (AWS's Kubernetes release calendar,
# docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html, as read on
# 2026-12-06). A version missing here fails the check until its date is added.
STANDARD_SUPPORT_ENDS = {
    "1.31": datetime.date(2025, 11, 26),
    "1.32": datetime.date(2026, 3, 23),
    "1.33": datetime.date(2026, 7, 29),
    "1.34": datetime.date(2026, 12, 2),
    "1.35": datetime.date(2027, 3, 27),
}
READINESS_GATE = "elbv2.k8s.aws/pod-readiness-gate-inject"
# The core add-ons: EKS add-on name -> key of a row of the eks module's addon_versions.
CORE_ADDONS = {"vpc-cni": "vpc_cni", "kube-proxy": "kube_proxy", "coredns": "coredns", "eks-pod-identity-agent": "pod_identity_agent"}
# The add-ons that run on every node (DaemonSets): created before the node groups.
BEFORE_NODES = ("vpc-cni", "kube-proxy", "eks-pod-identity-agent")
PSS = ("enforce", "audit", "warn")


def unq(x):
    if isinstance(x, dict):
        return {q(k): unq(v) for k, v in x.items() if not str(k).startswith("__")}
    if isinstance(x, list):
        return [unq(v) for v in x]
    return q(x)


def env_locals(folder):
    out = {}
    for d in unq(load_hcl(os.path.join(folder, "main.tf"))).get("locals", []):
        out.update(d)
    return out


def modules(folder, source):
    return [b for m in unq(load_hcl(os.path.join(folder, "main.tf"))).get("module", []) for b in m.values() if b.get("source") == source]


def version(root=".", today=None):
    today = today or datetime.date.today()
    errors = []
    tf = os.path.join(root, "terraform")
    versions = {}
    for env in ("staging", "production"):
        folder = os.path.join(tf, "environments", env)
        eks = modules(folder, "../../modules/eks")
        v = eks[0].get("kubernetes_version") if eks else None
        if v == "${local.kubernetes_version}":
            v = env_locals(folder).get("kubernetes_version")
        versions[env] = v
    default = {k: b for d in unq(load_hcl(os.path.join(tf, "modules/eks/variables.tf"))).get("variable", []) for k, b in d.items()}
    versions["eks module default"] = default.get("kubernetes_version", {}).get("default")
    for where, v in versions.items():
        end = STANDARD_SUPPORT_ENDS.get(str(v))
        if end is None:
            errors.append(f"{where}: Kubernetes {v}: no end of standard support known for it: add its date from AWS's calendar to STANDARD_SUPPORT_ENDS")
        elif end < today:
            errors.append(f"{where}: Kubernetes {v} left EKS standard support on {end} (today {today}): upgrade, one minor version per apply")
    with open(os.path.join(root, "scripts/check-deploy.sh")) as f:
        script = f.read()
    m = re.search(r'^KUBE_VERSION="([0-9.]+)"', script, re.M)
    if not m or m.group(1) != versions.get("production"):
        errors.append(f"scripts/check-deploy.sh renders and validates the chart for Kubernetes {m.group(1) if m else None}, the clusters run {versions.get('production')}")
    return errors, versions


def namespace(root="."):
    errors = []
    err = errors.append
    tf = os.path.join(root, "terraform")
    main = unq(load_hcl(os.path.join(tf, "modules/app-namespace/main.tf")))
    ns = [b for r in main.get("resource", []) for t, named in r.items() if t == "kubernetes_namespace_v1" for b in named.values()]
    if len(ns) != 1:
        return [f"modules/app-namespace: expected one kubernetes_namespace_v1, found {len(ns)}"]
    labels = ns[0]["metadata"][0].get("labels", {})
    if labels.get(READINESS_GATE) != "enabled":
        err(f"modules/app-namespace: the namespace lacks {READINESS_GATE}=enabled: rollouts would not wait for the ALB's health checks")
    for mode in PSS:
        if labels.get(f"pod-security.kubernetes.io/{mode}") != "restricted":
            err(f"modules/app-namespace: pod-security.kubernetes.io/{mode} is {labels.get(f'pod-security.kubernetes.io/{mode}')!r}, not restricted")
        if labels.get(f"pod-security.kubernetes.io/{mode}-version") != "v${var.kubernetes_version}":
            err(f"modules/app-namespace: pod-security.kubernetes.io/{mode}-version must be the cluster's version (v${{var.kubernetes_version}})")
    bindings = [b for r in main.get("resource", []) for t, named in r.items() if t == "kubernetes_role_binding_v1" for b in named.values()]
    if any(r for r in main.get("resource", []) if "kubernetes_cluster_role_binding_v1" in r):
        err("modules/app-namespace: a ClusterRoleBinding: the deploy jobs' rights are the namespace's only")
    for b in bindings:
        for s in b.get("subject", []):
            if s.get("name") != "${local.deployers}":
                err(f"modules/app-namespace: a binding to {s.get('name')}, not to this environment's deploy jobs")
    if "gitlab:project_env:${var.gitlab_project_id}:${var.environment}" not in str(main.get("locals")):
        err("modules/app-namespace: the deploy jobs' group must be gitlab:project_env:<project id>:<environment>")
    ci = load_gitlab_ci(os.path.join(root, ".gitlab-ci.yml"))
    helm_ns = (ci.get("variables") or {}).get("HELM_NAMESPACE")
    for env in ("staging", "production"):
        folder = os.path.join(tf, "environments", env)
        calls = modules(folder, "../../modules/app-namespace")
        if not calls:
            err(f"environments/{env}: the application's namespace is not created by Terraform (module app-namespace)")
            continue
        c = calls[0]
        name = c.get("name")
        if name == "${local.namespace}":
            name = env_locals(folder).get("namespace")
        if name != helm_ns:
            err(f"environments/{env}: Terraform creates namespace {name!r}, the deploy jobs deploy into {helm_ns!r}")
        if c.get("kubernetes_version") != "${local.kubernetes_version}":
            err(f"environments/{env}: the namespace's Pod Security version is not the cluster's (kubernetes_version = local.kubernetes_version)")
        if c.get("environment") != env:
            err(f"environments/{env}: the namespace admits the deploy jobs of {c.get('environment')!r}")
    doc = open(os.path.join(root, "docs/DEPLOYMENT.md")).read()
    for by_hand in ("kubectl create namespace pge", "kubectl label namespace"):
        if by_hand in doc:
            err(f"docs/DEPLOYMENT.md still does `{by_hand}` by hand: Terraform creates and labels the namespace")
    return errors


def pins(root="."):
    """Every chart Terraform installs has an exact version (chart_versions, whose defaults
    and validation are exact), the Cluster Autoscaler's image follows the cluster's
    version, and docs/DEPLOYMENT.md installs no chart by hand."""
    errors = []
    mod = os.path.join(root, "terraform/modules/cluster-addons")
    if not os.path.isdir(mod):
        return ["no terraform/modules/cluster-addons: the cluster's charts are installed by hand"]
    main = unq(load_hcl(os.path.join(mod, "main.tf")))
    releases = {n: b for r in main.get("resource", []) for t, named in r.items() if t == "helm_release" for n, b in named.items()}
    variables = {k: v for d in unq(load_hcl(os.path.join(mod, "variables.tf"))).get("variable", []) for k, v in d.items()}
    defaults = variables.get("chart_versions", {}).get("default") or {}
    for n, b in releases.items():
        m = re.fullmatch(r'\$\{var\.chart_versions\["(\w+)"\]\}', str(b.get("version")))
        if not m:
            errors.append(f"modules/cluster-addons: chart {b.get('chart')} without a pinned version (version = var.chart_versions[...]), got {b.get('version')}")
        elif not re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", str(defaults.get(m.group(1)))):
            errors.append(f"modules/cluster-addons: chart {b.get('chart')} pinned to {defaults.get(m.group(1))!r}, not an exact version")
    wanted = {"aws-load-balancer-controller", "cluster-autoscaler", "metrics-server", "external-secrets"}
    if {b.get("chart") for b in releases.values()} != wanted:
        errors.append(f"modules/cluster-addons installs {sorted(b.get('chart') for b in releases.values())}, expected {sorted(wanted)}")
    _, versions = version(root)
    tag = variables.get("cluster_autoscaler_image_tag", {}).get("default")
    if not str(tag).startswith(f"v{versions.get('production')}."):
        errors.append(f"modules/cluster-addons: the Cluster Autoscaler's image {tag} is not the release of Kubernetes {versions.get('production')}")
    for env in ("staging", "production"):
        if not modules(os.path.join(root, "terraform/environments", env), "../../modules/cluster-addons"):
            errors.append(f"environments/{env}: the cluster's charts are not Terraform's (module cluster-addons)")
    doc = open(os.path.join(root, "docs/DEPLOYMENT.md")).read()
    for line in doc.splitlines():
        if re.search(r"^\s*helm upgrade --install (aws-load-balancer-controller|cluster-autoscaler|metrics-server|external-secrets)\b", line):
            errors.append(f"docs/DEPLOYMENT.md installs a chart by hand, unpinned: {line.strip()[:80]}")
    return errors


def tf_folder(folder):
    """The blocks of every .tf of `folder`, merged: {kind: [blocks]}."""
    out = {}
    for f in sorted(glob.glob(os.path.join(folder, "*.tf"))):
        for kind, blocks in unq(load_hcl(f)).items():
            out.setdefault(kind, []).extend(blocks)
    return out


def resources(d, kind):
    return {n: b for r in d.get("resource", []) for t, named in r.items() if t == kind for n, b in named.items()}


def refs(value):
    """The `type.name` references of a depends_on list."""
    return {re.sub(r"^\$\{(.*)\}$", r"\1", str(v)) for v in value or []}


def addons(root="."):
    """The core add-ons pinned in Terraform at the cluster's version, ordered with the node
    groups, the VPC CNI with its own role. (errors, {environment: {add-on: version}})"""
    errors = []
    err = errors.append
    mod = os.path.join(root, "terraform/modules/eks")
    d = tf_folder(mod)
    declared = resources(d, "aws_eks_addon")
    by_name = {}
    for key, b in declared.items():
        by_name.setdefault(b.get("addon_name"), []).append(key)
    for name in CORE_ADDONS:
        if len(by_name.get(name, [])) != 1:
            err(f"modules/eks: {len(by_name.get(name, []))} aws_eks_addon {name}, expected one: the add-on is EKS's default of the day, unpinned")
    if errors:
        return errors, {}
    key = {name: by_name[name][0] for name in CORE_ADDONS}
    local = {k: v for block in d.get("locals", []) for k, v in block.items()}.get("addon_versions")
    if local != "${var.addon_versions[var.kubernetes_version]}":
        err(f"modules/eks: local.addon_versions must be the row of the cluster's version (var.addon_versions[var.kubernetes_version]), is {local!r}")
    for name, field in CORE_ADDONS.items():
        b = declared[key[name]]
        if b.get("addon_version") != f"${{local.addon_versions.{field}}}":
            err(f"modules/eks/{key[name]}: {name} addon_version must be local.addon_versions.{field} (the pinned row of the cluster's version), is {b.get('addon_version')!r}")
        conflicts = b.get("resolve_conflicts_on_update")
        if conflicts not in ("OVERWRITE", "PRESERVE"):
            err(f"modules/eks/{key[name]}: {name} resolve_conflicts_on_update is {conflicts!r}: an update that meets a field changed in the cluster fails (OVERWRITE, or PRESERVE with its reason)")
    groups = resources(d, "aws_eks_node_group")
    if not groups:
        err("modules/eks: no aws_eks_node_group")
    for g, body in groups.items():
        deps = refs(body.get("depends_on"))
        for name in BEFORE_NODES:
            if f"aws_eks_addon.{key[name]}" not in deps:
                err(f"modules/eks: node group {g} does not depend on the {name} add-on: nodes could join with EKS's default {name} instead of the pinned, configured one")
    if not any(d.startswith("aws_eks_node_group.") for d in refs(declared[key["coredns"]].get("depends_on"))):
        err("modules/eks: the coredns add-on does not depend on the node groups: without a node its pods stay Pending and the apply times out")
    # The VPC CNI's own role, trusted by kube-system/aws-node, with the CNI's policy; the
    # nodes' role without it.
    cni = declared[key["vpc-cni"]]
    m = re.fullmatch(r"\$\{aws_iam_role\.(\w+)\.arn\}", str(cni.get("service_account_role_arn")))
    if not m:
        err("modules/eks: the vpc-cni add-on has no service_account_role_arn (its own IRSA role): it runs with the node role's rights")
    else:
        role = resources(d, "aws_iam_role").get(m.group(1), {})
        trust = re.search(r'aws_iam_policy_document\.(\w+)(?:\["(\w+)"\])?\.json', str(role.get("assume_role_policy")))
        docs = {n: b for block in d.get("data", []) for t, named in block.items() if t == "aws_iam_policy_document" for n, b in named.items()}
        policy = docs.get(trust.group(1)) if trust else None
        if policy and trust.group(2):  # one of a for_each's documents: each.value of its key
            policy = str(policy).replace("${each.value}", str((policy.get("for_each") or {}).get(trust.group(2))))
        if "system:serviceaccount:kube-system:aws-node" not in str(policy):
            err(f"modules/eks: the VPC CNI's role {m.group(1)} is not trusted by kube-system/aws-node alone")
        attached = [b for b in resources(d, "aws_iam_role_policy_attachment").values() if b.get("role") == f"${{aws_iam_role.{m.group(1)}.name}}"]
        if not any(str(b.get("policy_arn", "")).endswith("/AmazonEKS_CNI_Policy") for b in attached):
            err(f"modules/eks: the VPC CNI's role {m.group(1)} lacks AmazonEKS_CNI_Policy")
    for n, b in resources(d, "aws_iam_role_policy_attachment").items():
        if b.get("role") == "${aws_iam_role.node.name}" and "AmazonEKS_CNI_Policy" in str(b):
            err(f"modules/eks: the node role keeps AmazonEKS_CNI_Policy ({n}): any pod reaching the node's credentials could manage network interfaces")
    # Each cluster: the row of its version, exact, kube-proxy of that minor, in the doc.
    variables = {k: v for block in d.get("variable", []) for k, v in block.items()}
    _, versions = version(root)
    with open(os.path.join(root, "docs/DEPLOYMENT.md")) as f:
        doc = f.read()
    pinned = {}
    for env in ("staging", "production"):
        eks = modules(os.path.join(root, "terraform/environments", env), "../../modules/eks")
        table = (eks[0].get("addon_versions") if eks else None) or (variables.get("addon_versions") or {}).get("default") or {}
        v = versions.get(env)
        row = table.get(v) if isinstance(table, dict) else None
        if not isinstance(row, dict):
            err(f"environments/{env}: no pinned add-on versions for Kubernetes {v} (addon_versions[\"{v}\"] of modules/eks)")
            continue
        pinned[env] = {}
        for name, field in CORE_ADDONS.items():
            ver = row.get(field)
            pinned[env][name] = ver
            if not ADDON_VERSION.fullmatch(str(ver)):
                err(f"environments/{env}: {name} not pinned to an exact version (vX.Y.Z-eksbuild.N) for Kubernetes {v}: {ver!r}")
            elif name == "kube-proxy" and not str(ver).startswith(f"v{v}."):
                err(f"environments/{env}: kube-proxy {ver} is not the release of the cluster's Kubernetes {v}")
            elif f"`{ver}`" not in doc:
                err(f"environments/{env}: docs/DEPLOYMENT.md does not name {name} `{ver}` (where it comes from, how to refresh it)")
    return errors, pinned


def pss(rendered):
    errors = []
    ok_volumes = {"configMap", "emptyDir", "projected", "secret", "downwardAPI", "csi", "persistentVolumeClaim", "ephemeral", "name"}
    for path in sorted(glob.glob(os.path.join(rendered, "*.yaml"))):
        name = os.path.basename(path)
        for d in yaml_docs(path):
            if d.get("kind") not in ("Deployment", "Job", "StatefulSet", "DaemonSet", "Pod"):
                continue
            spec = d["spec"]["template"]["spec"] if d.get("kind") != "Pod" else d["spec"]
            where = f"{name}: {d['kind']}/{d['metadata']['name']}"
            psc = spec.get("securityContext") or {}
            for k in ("hostNetwork", "hostPID", "hostIPC"):
                if spec.get(k):
                    errors.append(f"{where}: {k}")
            for v in spec.get("volumes", []) or []:
                kinds = set(v) - ok_volumes
                if kinds:
                    errors.append(f"{where}: volume {v.get('name')} of type {sorted(kinds)} (restricted allows none)")
            for c in (spec.get("containers") or []) + (spec.get("initContainers") or []):
                sc = c.get("securityContext") or {}
                cw = f"{where}/{c['name']}"
                if not (sc.get("runAsNonRoot", psc.get("runAsNonRoot")) is True):
                    errors.append(f"{cw}: runAsNonRoot is not true")
                if sc.get("runAsUser", psc.get("runAsUser")) == 0:
                    errors.append(f"{cw}: runs as uid 0")
                if sc.get("allowPrivilegeEscalation") is not False:
                    errors.append(f"{cw}: allowPrivilegeEscalation is not false")
                if sc.get("privileged"):
                    errors.append(f"{cw}: privileged")
                caps = sc.get("capabilities") or {}
                if "ALL" not in (caps.get("drop") or []):
                    errors.append(f"{cw}: capabilities not all dropped")
                if set(caps.get("add") or []) - {"NET_BIND_SERVICE"}:
                    errors.append(f"{cw}: adds capabilities {caps.get('add')}")
                prof = (sc.get("seccompProfile") or psc.get("seccompProfile") or {}).get("type")
                if prof not in ("RuntimeDefault", "Localhost"):
                    errors.append(f"{cw}: seccompProfile {prof!r}, restricted needs RuntimeDefault")
                for p in c.get("ports", []) or []:
                    if p.get("hostPort"):
                        errors.append(f"{cw}: hostPort {p['hostPort']}")
    return errors


def main(args):
    """args: version | pins | addons | namespace | pss RENDERED_DIR. Run from the repository's root."""
    if args[0] == "version":
        errors, versions = version()
        return finish(errors, "Kubernetes " + ", ".join(f"{k} {v} (standard support until {STANDARD_SUPPORT_ENDS.get(str(v))})" for k, v in versions.items()))
    if args[0] == "pins":
        return finish(pins(), "the cluster's charts installed by Terraform at exact versions, the autoscaler's image at the cluster's version")
    if args[0] == "addons":
        errors, pinned = addons()
        got = "; ".join(f"{env}: " + ", ".join(f"{n} {v}" for n, v in p.items()) for env, p in pinned.items())
        return finish(errors, f"core EKS add-ons pinned at the clusters' version ({got}); DaemonSets before the nodes, CoreDNS after; the VPC CNI's own IRSA role")
    if args[0] == "namespace":
        return finish(namespace(), "the namespace is Terraform's, the deploy jobs', with the ALB readiness gate and restricted Pod Security at the cluster's version")
    return finish(pss(args[1]), "every pod the chart renders meets the restricted Pod Security Standard")
