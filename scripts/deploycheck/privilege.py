"""Least privilege in the chart and Terraform (issue 29, part 5, the infrastructure side):

  chart  in every rendered set: one ServiceAccount per component (the API's and the
         worker's with their own IRSA role, different; the migration's with none); the
         migration Job reads the migration role's Secret, the API and the worker the
         application role's, never the same; the migration Job has no HTTPS egress; the
         API's and worker's HTTPS egress goes outside the VPC or to the interface
         endpoints' subnets, never elsewhere in the VPC; every egress rule names where it
         goes; the worker has a liveness probe on GET /livez of its metrics port
  iam    terraform/modules/irsa: each component's policy grants exactly the actions its
         code calls (the AWS SDK calls of infra/src, mapped to IAM actions below), plus
         what those need (the documents' KMS key, ListBucket for a 404 on HeadObject), and
         the role trusts its component's ServiceAccount only; each environment makes an
         api and a worker role and hands them to the chart as such
"""
import glob
import ipaddress
import os
import re

from .common import finish, load_hcl, q, yaml_docs

# The SDK call -> the IAM action it needs, and which component makes it (infra/src).
SDK_ACTIONS = {
    "put_object": ("api", "s3:PutObject"),          # presigned PUT (the browser uploads with it)
    "get_object": ("api", "s3:GetObject"),          # presigned GET, ranged read of the head
    "head_object": ("api", "s3:GetObject"),
    "delete_object": ("api", "s3:DeleteObject"),
    "admin_create_user": ("api", "cognito-idp:AdminCreateUser"),
    "admin_add_user_to_group": ("api", "cognito-idp:AdminAddUserToGroup"),
    "admin_delete_user": ("api", "cognito-idp:AdminDeleteUser"),
    "send_email": ("worker", "ses:SendEmail"),
}
# What the calls above need besides their own action.
SUPPORT = {
    "api": {"s3:ListBucket",  # HeadObject of a missing key answers 404, not 403
            "kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"},  # the documents' SSE-KMS key
    "worker": set(),
}


def sdk_calls(src="infra/src"):
    """{component: {IAM action}} of the AWS SDK calls in `src` (client.<op>() chains)."""
    used = {"api": set(), "worker": set()}
    unknown = set()
    for path in glob.glob(os.path.join(src, "**/*.rs"), recursive=True):
        text = open(path).read()
        if "aws_sdk_" not in text:
            continue
        for op in re.findall(r"\.\s*([a-z_]+)\(\)\s*\n?\s*\.", text):
            if op in SDK_ACTIONS:
                comp, action = SDK_ACTIONS[op]
                used[comp].add(action)
            elif re.fullmatch(r"(admin_\w+|\w+_object|send_\w+|list_\w+|copy_object|create_\w+|delete_\w+|put_\w+|get_\w+)", op) and op not in ("get_object",):
                unknown.add(f"{os.path.relpath(path)}: {op}")
    return used, unknown


def unq(x):
    if isinstance(x, dict):
        return {q(k): unq(v) for k, v in x.items()}
    if isinstance(x, list):
        return [unq(v) for v in x]
    return q(x)


def policy_actions(doc):
    return {a for st in doc.get("statement", []) for a in st.get("actions", [])}


def iam(root="terraform", src="infra/src"):
    errors = []
    err = errors.append
    main = unq(load_hcl(os.path.join(root, "modules/irsa/main.tf")))
    docs = {}
    for d in main.get("data", []):
        for name, body in d.get("aws_iam_policy_document", {}).items():
            docs[name] = body
    used, unknown = sdk_calls(src)
    if not used["api"] or not used["worker"]:
        err(f"no AWS SDK call found in {src} for the API or the worker ({used}): the check has nothing to compare the policies with")
    for u in sorted(unknown):
        err(f"{u}: an AWS SDK call this check does not know: add it to SDK_ACTIONS (with the component that makes it) and to that component's policy")
    for comp in ("api", "worker"):
        if comp not in docs:
            err(f"modules/irsa: no policy document {comp!r}")
            continue
        granted = policy_actions(docs[comp])
        for a in sorted(used[comp] - granted):
            err(f"modules/irsa: the {comp}'s code calls {a} (infra/src) but its policy does not grant it")
        for a in sorted(granted - used[comp] - SUPPORT[comp]):
            err(f"modules/irsa: the {comp}'s policy grants {a}, which its code never calls: least privilege")
        other = "worker" if comp == "api" else "api"
        for a in sorted(granted & used[other]):
            err(f"modules/irsa: the {comp}'s policy grants {a}, the {other}'s call")
        for st in docs[comp].get("statement", []):
            if "*" in st.get("resources", []) or any(a.endswith(":*") or a == "*" for a in st.get("actions", [])):
                err(f"modules/irsa: the {comp}'s statement {st.get('sid')} grants a wildcard")
    assume = docs.get("assume", {})
    subs = [c for st in assume.get("statement", []) for c in st.get("condition", []) if c.get("variable", "").endswith(":sub")]
    if not subs or subs[0].get("test") != "StringEquals" or subs[0].get("values") != ["system:serviceaccount:${var.namespace}:${var.service_account}-${var.component}"]:
        err(f"modules/irsa: the role must trust its component's ServiceAccount only (StringEquals sub system:serviceaccount:<namespace>:<release>-<component>), got {subs}")
    res = [r["aws_iam_role_policy"] for r in main.get("resource", []) if "aws_iam_role_policy" in r]
    policy = str(res[0]["this"].get("policy")) if res and "this" in res[0] else ""
    if not re.search(r'var\.component == "api" \? data\.aws_iam_policy_document\.api\.json : data\.aws_iam_policy_document\.worker\.json', policy):
        err(f"modules/irsa: the role's policy must be its component's document (got {policy})")
    for env in ("staging", "production"):
        folder = os.path.join(root, "environments", env)
        calls = {}
        for m in unq(load_hcl(os.path.join(folder, "main.tf"))).get("module", []):
            for name, body in m.items():
                if body.get("source") == "../../modules/irsa":
                    calls[name] = body.get("component")
        if sorted(calls.values()) != ["api", "worker"]:
            err(f"environments/{env}: expected one irsa role per component (api, worker), got {calls}")
        outputs = open(os.path.join(folder, "outputs.tf")).read()
        api = next((n for n, c in calls.items() if c == "api"), None)
        worker = next((n for n, c in calls.items() if c == "worker"), None)
        if not re.search(rf"serviceAccount = {{ roleArn = module\.{api}\.role_arn, workerRoleArn = module\.{worker}\.role_arn }}", outputs):
            err(f"environments/{env}: helm_values must give the API module.{api} and the worker module.{worker} (serviceAccount = {{ roleArn = ..., workerRoleArn = ... }})")
    # The database admits pge's pods only: security groups for pods.
    eks = " ".join(open(f).read() for f in sorted(glob.glob(os.path.join(root, "modules/eks/*.tf"))))
    if not re.search(r'ENABLE_POD_ENI\s*=\s*"true"', eks):
        err("modules/eks: the VPC CNI without ENABLE_POD_ENI: no pod gets its own security group")
    if "AmazonEKSVPCResourceController" not in eks:
        err("modules/eks: the cluster role lacks AmazonEKSVPCResourceController (security groups for pods)")
    for env in ("staging", "production"):
        folder = os.path.join(root, "environments", env)
        for m in unq(load_hcl(os.path.join(folder, "main.tf"))).get("module", []):
            for name, body in m.items():
                if body.get("source") == "../../modules/rds" and body.get("client_security_group_ids") != [
                        "${module.eks.pge_pods_security_group_id}", "${module.database_credentials.rotation_security_group_id}"]:
                    err(f"environments/{env}: the database admits {body.get('client_security_group_ids')}: pge's pods' group and its password rotation's only "
                        "(module.eks.pge_pods_security_group_id, module.database_credentials.rotation_security_group_id)")
        if not re.search(r"securityGroupPolicy\s*=\s*{ groupIds = \[module\.eks\.pge_pods_security_group_id\b", open(os.path.join(folder, "outputs.tf")).read()):
            err(f"environments/{env}: helm_values does not give the pods pge's group (securityGroupPolicy.groupIds = [module.eks.pge_pods_security_group_id, ...])")
    # The database credentials: in Secrets Manager with our key, rotated at least monthly
    # (the application role by alternating users), read by the store's role only.
    cred = os.path.join(root, "modules/database-credentials/main.tf")
    if not os.path.exists(cred):
        err("no terraform/modules/database-credentials (the database passwords in Secrets Manager, rotated)")
        return errors
    text = open(cred).read()
    doc = unq(load_hcl(cred))
    secrets = [b for r in doc.get("resource", []) for t, named in r.items() if t == "aws_secretsmanager_secret" for b in named.values()]
    if not secrets or any(not str(b.get("kms_key_id", "")).startswith("${") for b in secrets):
        err("modules/database-credentials: the secrets must be encrypted with a key of ours (kms_key_id)")
    for key, kind in (("app", "PostgreSQLMultiUser"), ("migration", "PostgreSQLSingleUser")):
        m = re.search(r'SecretId = aws_secretsmanager_secret\.this\["%s"\]\.arn\s*\n\s*HostedRotationLambda = \{\s*\n\s*RotationType\s*=\s*"(\w+)"' % key, text)
        if not m:
            err(f"modules/database-credentials: the {key} secret has no RotationSchedule with a hosted rotation function")
        elif m.group(1) != kind:
            err(f"modules/database-credentials: the {key} secret rotated {m.group(1)}, expected {kind}"
                + (" (alternating users: pods started before a rotation keep working)" if key == "app" else " (a clone of the owner would own what it creates)"))
    if len(re.findall(r'ScheduleExpression = "rate\(\$\{var\.rotation_days\} days\)"', text)) != 2:
        err("modules/database-credentials: both rotations must run every rotation_days")
    variables = {k: v for d in unq(load_hcl(os.path.join(root, "modules/database-credentials/variables.tf"))).get("variable", []) for k, v in d.items()}
    cond = " ".join(str(v.get("condition")) for v in variables.get("rotation_days", {}).get("validation", []))
    m = re.search(r"var\.rotation_days <= (\d+)", cond)
    if not m or int(m.group(1)) > 30:
        err("modules/database-credentials: rotation_days must be validated <= 30")
    readers = {name: body for d in doc.get("data", []) for t, named in d.items() if t == "aws_iam_policy_document" for name, body in named.items()}
    granted = policy_actions(readers.get("reader", {}))
    if not granted or granted - {"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "kms:Decrypt"}:
        err(f"modules/database-credentials: the store's role may {sorted(granted)}: reading the two secrets only")
    subs = [c for st in readers.get("reader_assume", {}).get("statement", []) for c in st.get("condition", []) if c.get("variable", "").endswith(":sub")]
    if not subs or subs[0].get("values") != ["system:serviceaccount:${var.namespace}:${var.service_account}-secrets"]:
        err("modules/database-credentials: the store's role must trust the ServiceAccount <release>-secrets only")
    return errors


def component_of(doc):
    return (doc.get("metadata", {}).get("labels") or {}).get("app.kubernetes.io/component")


def pod_spec(doc):
    return doc["spec"]["template"]["spec"]


def secret_of(container):
    for e in container.get("env", []) or []:
        if e.get("name") == "PGE_DATABASE_URL":
            return ((e.get("valueFrom") or {}).get("secretKeyRef") or {}).get("name")
    return None


def chart(rendered):
    errors = []
    sets = sorted(glob.glob(os.path.join(rendered, "*.yaml")))
    if not sets:
        return [f"no rendered manifests in {rendered}"]
    for path in sets:
        name = os.path.basename(path)
        err = lambda m: errors.append(f"{name}: {m}")  # noqa: E731
        docs = yaml_docs(path)
        sas = {d["metadata"]["name"]: d for d in docs if d.get("kind") == "ServiceAccount"}
        workloads = {component_of(d): d for d in docs if d.get("kind") in ("Deployment", "Job")}
        roles = {}
        for comp, w in workloads.items():
            sa = pod_spec(w).get("serviceAccountName")
            if not sa or not sa.endswith(f"-{comp}") or sa not in sas:
                err(f"{comp}: runs as ServiceAccount {sa!r}, not its own (<fullname>-{comp}, rendered by the chart)")
                continue
            roles[comp] = (sas[sa]["metadata"].get("annotations") or {}).get("eks.amazonaws.com/role-arn")
        if "migrate" in roles and roles["migrate"]:
            err(f"migrate: its ServiceAccount has an IAM role ({roles['migrate']}): the migration needs the database only")
        for comp in ("api", "worker"):
            if comp in workloads and not roles.get(comp):
                err(f"{comp}: its ServiceAccount has no IRSA role")
        if roles.get("api") and roles.get("api") == roles.get("worker"):
            err(f"api and worker share the IAM role {roles['api']}: one role per component")
        secrets = {comp: secret_of(pod_spec(w)["containers"][0]) for comp, w in workloads.items()}
        if "migrate" in secrets:
            for comp in ("api", "worker"):
                if comp in secrets and secrets[comp] == secrets["migrate"]:
                    err(f"{comp} reads the migration role's Secret {secrets['migrate']!r}: the app's role has DML only, the owner's is the migration's")
        if secrets.get("api") != secrets.get("worker") and "worker" in secrets:
            err(f"api and worker read different database Secrets ({secrets.get('api')}, {secrets.get('worker')}): both are the application's role")
        # NetworkPolicy egress.
        pols = {component_of(d): d for d in docs if d.get("kind") == "NetworkPolicy"}
        for comp, pol in pols.items():
            for rule in pol["spec"].get("egress", []) or []:
                ports = {p.get("port") for p in rule.get("ports", []) or []}
                if not rule.get("to"):
                    err(f"{comp}: an egress rule to anywhere (ports {sorted(map(str, ports))}): name where it goes")
                    continue
                if 443 not in ports:
                    continue
                if comp == "migrate":
                    err("migrate: HTTPS egress: the migration calls no AWS API")
                    continue
                wide = [p["ipBlock"] for p in rule["to"] if "ipBlock" in p and ipaddress.ip_network(p["ipBlock"]["cidr"]).prefixlen < 16]
                narrow = [ipaddress.ip_network(p["ipBlock"]["cidr"]) for p in rule["to"] if "ipBlock" in p and ipaddress.ip_network(p["ipBlock"]["cidr"]).prefixlen >= 16]
                if any("namespaceSelector" in p or "podSelector" in p for p in rule["to"]):
                    err(f"{comp}: HTTPS egress to pods of the cluster")
                for w in wide:
                    excepted = [ipaddress.ip_network(e) for e in w.get("except", []) or []]
                    if not any(e.prefixlen <= 16 for e in excepted):
                        err(f"{comp}: HTTPS egress to {w['cidr']} without the VPC excepted: every address of the VPC reachable on 443")
                    for n in narrow:
                        if not any(n.subnet_of(e) for e in excepted):
                            err(f"{comp}: HTTPS egress to {n} outside the excepted VPC")
                        elif n.prefixlen < 24:
                            err(f"{comp}: HTTPS egress inside the VPC to {n}: wider than the interface endpoints' subnets (the nodes' and pods' subnets are /20s)")
        # In what Terraform deploys: every pge pod carries pge's security group, the only
        # one the database admits (helm_values SAMPLES: module.eks.pge_pods_security_group_id).
        if name.startswith("terraform-"):
            from .helm_values import SAMPLES
            pods_sg = SAMPLES["module.eks.pge_pods_security_group_id"]
            sgps = [d for d in docs if d.get("kind") == "SecurityGroupPolicy"]
            for comp, w in workloads.items():
                labels = w["spec"]["template"]["metadata"].get("labels") or {}
                if not any(pods_sg in d["spec"]["securityGroups"]["groupIds"] and
                           all(labels.get(k) == v for k, v in ((d["spec"].get("podSelector") or {}).get("matchLabels") or {"\0": "no podSelector"}).items())
                           for d in sgps):
                    err(f"{comp}: no SecurityGroupPolicy gives its pods pge's security group {pods_sg}: the database would refuse it")
        # What Terraform deploys syncs both database Secrets from Secrets Manager, each from
        # its own secret, with a store whose role is neither the API's nor the worker's,
        # before the migration Job, refreshed within an hour.
        if name.startswith("terraform-"):
            ext = [d for d in docs if d.get("kind") == "ExternalSecret"]
            targets = {d["spec"]["target"]["name"]: d for d in ext}
            wanted = {secrets.get("api"), secrets.get("migrate")}
            if set(targets) != wanted:
                err(f"ExternalSecrets make {sorted(targets)}, the pods read {sorted(x for x in wanted if x)}")
            keys = [x["extract"]["key"] for d in ext for x in d["spec"].get("dataFrom", [])]
            if len(set(keys)) != len(keys) or len(keys) != len(ext):
                err(f"the database Secrets come from {keys}: one Secrets Manager secret each")
            job_weight = int(((workloads.get("migrate") or {}).get("metadata", {}).get("annotations") or {}).get("helm.sh/hook-weight", 0))
            for d in ext + [d for d in docs if d.get("kind") == "SecretStore"]:
                ann = d["metadata"].get("annotations") or {}
                if "pre-install" not in ann.get("helm.sh/hook", "") or int(ann.get("helm.sh/hook-weight", 0)) >= job_weight:
                    err(f"{d['kind']}/{d['metadata']['name']}: not created before the migration Job (a pre-install hook of lower weight)")
                if d.get("kind") == "ExternalSecret":
                    m = re.fullmatch(r"(\d+)(m|h)", d["spec"].get("refreshInterval", ""))
                    if not m or int(m.group(1)) * (60 if m.group(2) == "h" else 1) > 60:
                        err(f"ExternalSecret/{d['metadata']['name']}: refreshInterval {d['spec'].get('refreshInterval')!r}: a rotated password must arrive within the hour")
            for st in (d for d in docs if d.get("kind") == "SecretStore"):
                sa = st["spec"]["provider"]["aws"].get("auth", {}).get("jwt", {}).get("serviceAccountRef", {}).get("name")
                role = ((sas.get(sa) or {}).get("metadata", {}).get("annotations") or {}).get("eks.amazonaws.com/role-arn")
                if not role or role in (roles.get("api"), roles.get("worker")):
                    err(f"SecretStore/{st['metadata']['name']}: reads as {sa!r} with role {role!r}: a role of its own, reading the two secrets only")
        # The worker's liveness probe: GET /livez on its metrics port.
        w = workloads.get("worker")
        if w:
            c = pod_spec(w)["containers"][0]
            probe = (c.get("livenessProbe") or {}).get("httpGet") or {}
            ports = {p.get("name"): p.get("containerPort") for p in c.get("ports", []) or []}
            if probe.get("path") != "/livez" or probe.get("port") not in ("metrics", ports.get("metrics")):
                err(f"worker: livenessProbe must be GET /livez on the metrics port (got {probe or 'none'})")
    return errors


def main(args):
    """args: chart RENDERED_DIR | iam. Run from the repository's root."""
    if args[0] == "chart":
        return finish(chart(args[1]), "one ServiceAccount and role per component, the migration's Secret its own, HTTPS egress narrowed, the worker's /livez probe")
    return finish(iam(), "each component's IAM policy grants exactly what its SDK calls need; roles trust their own ServiceAccount")
