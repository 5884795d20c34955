"""Checks of the Helm chart, on the manifests scripts/check-deploy.sh rendered (one file
per value set: helm/pge/ci/<set>-values.yaml, and terraform-<env>.yaml from Terraform's
helm_values output) and on the committed values files."""
import glob
import json
import pathlib
import re

from .common import finish, yaml_docs
from .helm_values import SAMPLES

# Overrides for emulators in tests: never in a cluster.
TEST_ONLY = {"PGE_AWS_ENDPOINT_URL", "PGE_COGNITO_JWKS_URL", "PGE_COGNITO_ISSUER", "PGE_COGNITO_STAFF_JWKS_URL", "PGE_COGNITO_STAFF_ISSUER",
             "PGE_S3_FORCE_PATH_STYLE"}
# The variables each container must set.
MUST = {
    "api": {"PGE_ENV", "PGE_LISTEN_ADDR", "PGE_METRICS_ADDR", "PGE_DATABASE_URL", "PGE_COGNITO_REGION", "PGE_COGNITO_USER_POOL_ID",
            "PGE_COGNITO_CLIENT_IDS", "PGE_SES_FROM", "PGE_S3_BUCKET", "PGE_CURSOR_SECRET", "PGE_WORKER_IN_PROCESS"},
    "worker": {"PGE_ENV", "PGE_METRICS_ADDR", "PGE_DATABASE_URL", "PGE_SES_FROM", "PGE_S3_BUCKET"},
    "migrate": {"PGE_ENV", "PGE_DATABASE_URL"},
}
# What Terraform's helm_values gives the API (helm_values SAMPLES).
SPA_CLIENT = SAMPLES["module.cognito.spa_client_id"]
HOSTED_UI = SAMPLES["module.cognito.hosted_ui_domain"]
# The staff pool's (reviewers and admins, MFA required).
STAFF_POOL = SAMPLES["module.cognito_staff.user_pool_id"]
STAFF_CLIENT = SAMPLES["module.cognito_staff.spa_client_id"]
STAFF_HOSTED_UI = SAMPLES["module.cognito_staff.hosted_ui_domain"]


def rendered_sets(rendered, pattern="*.yaml"):
    """(set name, documents, text) of each rendered file of the folder `rendered`."""
    for path in sorted(glob.glob(rendered + "/" + pattern)):
        with open(path) as f:
            text = f.read()
        yield path.rsplit("/", 1)[-1], yaml_docs(path), text


# --- kubernetes-validate -----------------------------------------------------------------

_META = {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}, "namespace": {"type": "string"},
                                                               "labels": {"type": "object"}, "annotations": {"type": "object"}}}
_SELECTOR = {"type": "object", "additionalProperties": False, "properties": {
    "matchLabels": {"type": "object", "additionalProperties": {"type": "string"}},
    "matchExpressions": {"type": "array"}}}
# The custom resources the chart renders, with the schema of their CRD: SecurityGroupPolicy
# of the VPC resource controller (vpc.amazonaws.com_securitygrouppolicies.yaml: one of the
# two selectors, at most 5 group ids), which EKS installs in every cluster.
_HOOK_META = {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}, "namespace": {"type": "string"},
                                                                   "labels": {"type": "object"}, "annotations": {"type": "object"}}}
# ExternalSecret and SecretStore of the External Secrets Operator (external-secrets.io/v1,
# the API of ESO 0.17 and later), the parts the chart uses.
_ESO_EXTERNAL_SECRET = {
    "type": "object", "additionalProperties": False, "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "apiVersion": {"const": "external-secrets.io/v1"}, "kind": {"const": "ExternalSecret"}, "metadata": _HOOK_META,
        "spec": {"type": "object", "additionalProperties": False, "required": ["secretStoreRef", "target"],
                 "properties": {
                     "refreshInterval": {"type": "string", "pattern": "^([0-9]+(s|m|h))+$"},
                     "secretStoreRef": {"type": "object", "additionalProperties": False, "required": ["name"],
                                        "properties": {"name": {"type": "string"}, "kind": {"enum": ["SecretStore", "ClusterSecretStore"]}}},
                     "target": {"type": "object", "additionalProperties": False, "properties": {
                         "name": {"type": "string"}, "creationPolicy": {"enum": ["Owner", "Orphan", "Merge", "None"]},
                         "deletionPolicy": {"enum": ["Delete", "Merge", "Retain"]},
                         "template": {"type": "object", "additionalProperties": False, "properties": {
                             "engineVersion": {"enum": ["v2"]}, "type": {"type": "string"},
                             "data": {"type": "object", "additionalProperties": {"type": "string"}}}}}},
                     "dataFrom": {"type": "array", "items": {"type": "object", "additionalProperties": False, "properties": {
                         "extract": {"type": "object", "additionalProperties": False, "required": ["key"], "properties": {
                             "key": {"type": "string"}, "version": {"type": "string"}}}}}},
                     "data": {"type": "array"}}}}}
_ESO_SECRET_STORE = {
    "type": "object", "additionalProperties": False, "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "apiVersion": {"const": "external-secrets.io/v1"}, "kind": {"const": "SecretStore"}, "metadata": _HOOK_META,
        "spec": {"type": "object", "additionalProperties": False, "required": ["provider"], "properties": {
            "provider": {"type": "object", "additionalProperties": False, "required": ["aws"], "properties": {
                "aws": {"type": "object", "additionalProperties": False, "required": ["service", "region"], "properties": {
                    "service": {"enum": ["SecretsManager", "ParameterStore"]}, "region": {"type": "string"},
                    "auth": {"type": "object", "additionalProperties": False, "properties": {
                        "jwt": {"type": "object", "additionalProperties": False, "required": ["serviceAccountRef"], "properties": {
                            "serviceAccountRef": {"type": "object", "additionalProperties": False, "required": ["name"],
                                                  "properties": {"name": {"type": "string"}}}}}}}}}}}}}}}
CRD_SCHEMAS = {
    ("external-secrets.io/v1", "ExternalSecret"): _ESO_EXTERNAL_SECRET,
    ("external-secrets.io/v1", "SecretStore"): _ESO_SECRET_STORE,
    ("vpc.amazonaws.com/v1beta1", "SecurityGroupPolicy"): {
        "type": "object", "additionalProperties": False, "required": ["apiVersion", "kind", "metadata", "spec"],
        "properties": {
            "apiVersion": {"const": "vpc.amazonaws.com/v1beta1"}, "kind": {"const": "SecurityGroupPolicy"}, "metadata": _META,
            "spec": {"type": "object", "additionalProperties": False, "required": ["securityGroups"],
                     "oneOf": [{"required": ["podSelector"]}, {"required": ["serviceAccountSelector"]}],
                     "properties": {
                         "podSelector": _SELECTOR, "serviceAccountSelector": _SELECTOR,
                         "securityGroups": {"type": "object", "additionalProperties": False, "required": ["groupIds"], "properties": {
                             "groupIds": {"type": "array", "minItems": 1, "maxItems": 5, "items": {"type": "string", "pattern": "^sg-[0-9a-f]+$"}}}}}}}},
}

def kube_validate_main(args):
    """kubernetes-validate through its Python API: strict (unknown fields are errors), and
    an unknown kind or removed API version is fatal (the CLI only warns about those).
    args: the Kubernetes version and the rendered files."""
    import kubernetes_validate

    version, files = args[0], args[1:]
    errors, count = 0, 0
    for path in files:
        for doc in yaml_docs(path):
            count += 1
            name = f'{path.rsplit("/", 1)[-1]}: {doc.get("kind")}/{doc.get("metadata", {}).get("name")}'
            crd = CRD_SCHEMAS.get((doc.get("apiVersion"), doc.get("kind")))
            try:
                if crd is not None:
                    # A custom resource the chart may render: against the schema of its
                    # CRD (below), strict; any other kind stays unknown, hence fatal.
                    import jsonschema
                    jsonschema.validate(doc, crd)
                    continue
                kubernetes_validate.validate(doc, version, strict=True)
            except Exception as e:  # ValidationError, SchemaNotFoundError, ...
                errors += 1
                print(f"INVALID {name}: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}")
    print(f"{count} manifests validated against Kubernetes {version}, {errors} invalid")
    return 1 if errors or count == 0 else 0


# --- the chart's promises (issue 6) ------------------------------------------------------

def contract(setname, docs, text):
    """Hardening, probes, rollout, HPA, PDB, IRSA, migration hook, no secrets, the
    origin-verify condition and the metrics port, in one rendered set."""
    errors = []

    def err(m):
        errors.append(m)

    by = {}
    for d in docs:
        by.setdefault(d["kind"], []).append(d)
    for secret_word in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "password:"):
        if secret_word in text:
            err(f"{setname}: '{secret_word}' appears in the rendered chart")
    if "Secret" in by:
        err(f"{setname}: the chart must not create Secrets (credentials come from an existing Secret)")
    deps = {d["metadata"]["name"]: d for d in by.get("Deployment", [])}
    api = next((d for n, d in deps.items() if n.endswith("-api")), None)
    if api is None:
        err(f"{setname}: no API Deployment")
        return errors
    jobs = by.get("Job", [])
    workloads = list(deps.values()) + jobs
    for w in workloads:
        n = w["metadata"]["name"]
        spec = w["spec"]["template"]["spec"]
        psc = spec.get("securityContext", {})
        if not psc.get("runAsNonRoot") or psc.get("seccompProfile", {}).get("type") != "RuntimeDefault":
            err(f"{setname}: {n}: pod securityContext needs runAsNonRoot and seccomp RuntimeDefault")
        for c in spec["containers"]:
            sc = c.get("securityContext", {})
            if sc.get("allowPrivilegeEscalation") is not False or sc.get("readOnlyRootFilesystem") is not True \
               or sc.get("capabilities", {}).get("drop") != ["ALL"] or not sc.get("runAsNonRoot"):
                err(f"{setname}: {n}/{c['name']}: container securityContext is not hardened")
            r = c.get("resources", {})
            if not all(k in r.get(x, {}) for x in ("requests", "limits") for k in ("cpu", "memory")):
                err(f"{setname}: {n}/{c['name']}: cpu/memory requests and limits required")
            envs = {e["name"]: e for e in c.get("env", [])}
            db = envs.get("PGE_DATABASE_URL", {})
            if "secretKeyRef" not in db.get("valueFrom", {}):
                err(f"{setname}: {n}/{c['name']}: PGE_DATABASE_URL must come from a secretKeyRef")
            if c.get("args", [None])[0] not in ("serve", "worker", "migrate"):
                err(f"{setname}: {n}/{c['name']}: args must be a pge subcommand")
            # An immutable SHA tag: the node's copy is the right image. Always makes every
            # start (a scale-up at the peak, a reschedule) depend on the registry.
            if c.get("imagePullPolicy") != "IfNotPresent":
                err(f"{setname}: {n}/{c['name']}: imagePullPolicy {c.get('imagePullPolicy')!r}, expected IfNotPresent (the tag is an immutable commit SHA)")
    spec = api["spec"]
    api_env = {e["name"]: e for e in spec["template"]["spec"]["containers"][0].get("env", [])}
    if "secretKeyRef" not in api_env.get("PGE_CURSOR_SECRET", {}).get("valueFrom", {}):
        err(f"{setname}: API: PGE_CURSOR_SECRET (shared by every replica) must come from a secretKeyRef")
    ru = spec.get("strategy", {}).get("rollingUpdate", {})
    if ru.get("maxUnavailable") != 0:
        err(f"{setname}: API rolling update needs maxUnavailable: 0")
    c = spec["template"]["spec"]["containers"][0]
    if c.get("livenessProbe", {}).get("httpGet", {}).get("path") != "/healthz":
        err(f"{setname}: API liveness probe must be /healthz")
    if c.get("readinessProbe", {}).get("httpGet", {}).get("path") != "/readyz":
        err(f"{setname}: API readiness probe must be /readyz")
    if "preStop" not in c.get("lifecycle", {}):
        err(f"{setname}: API needs a preStop pause")
    zones = [t for t in spec["template"]["spec"].get("topologySpreadConstraints", []) if t["topologyKey"] == "topology.kubernetes.io/zone"]
    if not zones:
        err(f"{setname}: API pods must spread over zones")
    hpas = by.get("HorizontalPodAutoscaler", [])
    if "replicas" not in spec and not hpas:
        err(f"{setname}: no replica count and no HPA")
    for h in hpas:
        if h["spec"]["minReplicas"] < 3:
            err(f"{setname}: HPA minReplicas below 3")
        if not h["spec"].get("behavior", {}).get("scaleUp", {}).get("policies"):
            err(f"{setname}: HPA needs a fast scale-up policy")
    if not by.get("PodDisruptionBudget"):
        err(f"{setname}: no PodDisruptionBudget")
    if not by.get("NetworkPolicy"):
        err(f"{setname}: no NetworkPolicy")
    sas = [s for s in by.get("ServiceAccount", []) if "eks.amazonaws.com/role-arn" in s["metadata"].get("annotations", {})]
    if not sas:
        err(f"{setname}: no ServiceAccount annotated for IRSA")
    mig = [j for j in jobs if j["spec"]["template"]["spec"]["containers"][0].get("args") == ["migrate"]]
    if not mig:
        err(f"{setname}: no migration Job")
    for j in mig:
        hook = j["metadata"].get("annotations", {}).get("helm.sh/hook", "")
        if set(hook.split(",")) != {"pre-install", "pre-upgrade"}:
            err(f"{setname}: migration Job must be a pre-install,pre-upgrade hook, got '{hook}'")
    for ing in by.get("Ingress", []):
        if ing["spec"].get("ingressClassName") != "alb":
            err(f"{setname}: Ingress must use the alb class (AWS Load Balancer Controller)")
        # CloudFront's prefix list is shared by every distribution: the ALB rule must also
        # require our distribution's secret header.
        ann = ing["metadata"].get("annotations", {})
        for rule in ing["spec"].get("rules", []):
            for path in rule.get("http", {}).get("paths", []):
                svc = path["backend"]["service"]["name"]
                try:
                    conds = json.loads(ann.get(f"alb.ingress.kubernetes.io/conditions.{svc}", "[]"))
                except ValueError:
                    conds = []
                if not any(c.get("field") == "http-header" and c.get("httpHeaderConfig", {}).get("httpHeaderName")
                           and c["httpHeaderConfig"].get("values") for c in conds):
                    err(f"{setname}: Ingress rule to {svc} has no origin-verify http-header condition (alb.ingress.kubernetes.io/conditions.{svc})")
    # /metrics on its own port: the scrape annotation names it, only the monitoring
    # namespace reaches it, and only the load balancer's subnets reach the API port.
    ports = {}
    for d in deps.values():
        comp = d["metadata"]["labels"].get("app.kubernetes.io/component")
        tpl = d["spec"]["template"]
        ports[comp] = {p.get("name"): p["containerPort"] for p in tpl["spec"]["containers"][0].get("ports", [])}
        metrics = ports[comp].get("metrics")
        if metrics is None:
            err(f"{setname}: {comp}: no containerPort named metrics (PGE_METRICS_ADDR)")
        elif tpl["metadata"].get("annotations", {}).get("prometheus.io/port") != str(metrics):
            err(f"{setname}: {comp}: prometheus.io/port must be the metrics port {metrics}")
        elif metrics == ports[comp].get("http"):
            err(f"{setname}: {comp}: /metrics must not share the API port")
    for pol in by.get("NetworkPolicy", []):
        comp = pol["spec"]["podSelector"]["matchLabels"].get("app.kubernetes.io/component")
        for rule in pol["spec"].get("ingress", []) or []:
            rports = {p.get("port") for p in rule.get("ports", [])}
            peers = rule.get("from", [])
            if not rports or not peers:
                err(f"{setname}: NetworkPolicy {comp}: an ingress rule without ports or peers admits too much")
            if ports.get(comp, {}).get("metrics") in rports and any(set(p) != {"namespaceSelector"} for p in peers):
                err(f"{setname}: NetworkPolicy {comp}: the metrics port must be open to the monitoring namespace only")
            if ports.get(comp, {}).get("http") in rports and any(set(p) != {"ipBlock"} for p in peers):
                err(f"{setname}: NetworkPolicy {comp}: the API port must be open to the load balancer's subnets only")
    return errors


def contract_main(args):
    """args: the folder of rendered manifests."""
    errors = []
    for setname, docs, text in rendered_sets(args[0]):
        errors += contract(setname, docs, text)
    return finish(errors, "chart contract ok")


# --- the chart's variables are pge's own ---------------------------------------------------

def declared_variables(src):
    """The PGE_* variables the binary declares (clap's `env = "PGE_..."` in api/src)."""
    declared = set()
    for f in pathlib.Path(src).rglob("*.rs"):
        declared |= set(re.findall(r'env\s*=\s*"(PGE_[A-Z0-9_]+)"', f.read_text()))
    return declared


def env_errors(setname, docs, declared, test_only=TEST_ONLY, must=MUST):
    """A misspelt or invented variable (silently ignored by pge), a test-only override, a
    required variable missing, PGE_ENV, the listen and metrics addresses. Returns (errors,
    number of containers seen)."""
    errors, seen = [], 0
    maps = {d["metadata"]["name"]: d.get("data", {}) for d in docs if d["kind"] == "ConfigMap"}
    for d in docs:
        if d["kind"] not in ("Deployment", "Job"):
            continue
        for c in d["spec"]["template"]["spec"]["containers"]:
            env = {}
            for ef in c.get("envFrom", []):
                ref = ef.get("configMapRef", {}).get("name")
                if ref not in maps:
                    errors.append(f"{setname}: {c['name']}: envFrom names a ConfigMap the chart does not render: {ref}")
                    continue
                env.update({k: {"value": v} for k, v in maps[ref].items()})
            env.update({e["name"]: e for e in c.get("env", [])})
            seen += 1
            for name in sorted(env):
                if name.startswith("PGE_") and name not in declared:
                    errors.append(f"{setname}: {c['name']}: {name} is not a variable of pge (api/src declares {len(declared)})")
                if name in test_only:
                    errors.append(f"{setname}: {c['name']}: {name} is a test-only override")
            missing = must.get(c["name"], set()) - set(env)
            if missing:
                errors.append(f"{setname}: {c['name']}: missing {sorted(missing)}")
            values = {k: v.get("value") for k, v in env.items()}
            if values.get("PGE_ENV", "production") != "production":
                errors.append(f"{setname}: {c['name']}: PGE_ENV must be production")
            cports = {str(p["containerPort"]) for p in c.get("ports", [])}
            if c["name"] in ("api", "worker"):
                # /metrics listens on PGE_METRICS_ADDR: all interfaces, on a declared port.
                host, _, mport = str(values.get("PGE_METRICS_ADDR", "")).rpartition(":")
                if host != "0.0.0.0" or mport not in cports:
                    errors.append(f"{setname}: {c['name']}: PGE_METRICS_ADDR must be 0.0.0.0:<a containerPort> (Prometheus scrapes the pod), got {values.get('PGE_METRICS_ADDR')!r}, ports {sorted(cports)}")
            if c["name"] == "api":
                if values.get("PGE_WORKER_IN_PROCESS") != "false":
                    errors.append(f"{setname}: api: PGE_WORKER_IN_PROCESS must be \"false\" (the worker is its own Deployment)")
                port = str(values.get("PGE_LISTEN_ADDR", "")).rsplit(":", 1)[-1]
                ports = {str(p["containerPort"]) for p in c.get("ports", [])}
                if port not in ports:
                    errors.append(f"{setname}: api: PGE_LISTEN_ADDR port {port} is not a containerPort {sorted(ports)}")
    return errors, seen


def env_main(args):
    """args: the folder of rendered manifests and the binary's sources (api/src)."""
    rendered, src = args
    declared = declared_variables(src)
    if len(declared) < 10:
        print(f"only {len(declared)} PGE_* variables found in {src}: cannot check the chart against them")
        return 1
    errors, seen = [], 0
    for setname, docs, _ in rendered_sets(rendered):
        e, s = env_errors(setname, docs, declared)
        errors += e
        seen += s
    if seen == 0:
        errors.append("no container found in the rendered manifests")
    return finish(errors, f"{seen} containers set only variables pge declares ({len(declared)} in api/src)")


# --- the web app signs in with the SPA client ------------------------------------------------

def web_signin_errors(setname, docs):
    """The API accepts the SPA client's tokens (first of PGE_COGNITO_CLIENT_IDS, as
    /config.json names the first) and knows the hosted UI (PGE_COGNITO_DOMAIN). Returns
    (errors, number of API containers seen)."""
    errors, seen = [], 0
    maps = {d["metadata"]["name"]: d.get("data", {}) for d in docs if d["kind"] == "ConfigMap"}
    for d in docs:
        if d["kind"] != "Deployment":
            continue
        for c in d["spec"]["template"]["spec"]["containers"]:
            if c["name"] != "api":
                continue
            env = {}
            for ef in c.get("envFrom", []):
                env.update(maps.get(ef.get("configMapRef", {}).get("name"), {}))
            env.update({e["name"]: e.get("value") for e in c.get("env", [])})
            seen += 1
            ids = [i.strip() for i in str(env.get("PGE_COGNITO_CLIENT_IDS", "")).split(",") if i.strip()]
            if not ids or ids[0] != SPA_CLIENT:
                errors.append(f"{setname}: PGE_COGNITO_CLIENT_IDS={env.get('PGE_COGNITO_CLIENT_IDS')!r}: the SPA client (module.cognito.spa_client_id) must come first")
            if env.get("PGE_COGNITO_DOMAIN") != HOSTED_UI:
                errors.append(f"{setname}: PGE_COGNITO_DOMAIN={env.get('PGE_COGNITO_DOMAIN')!r}, expected the hosted UI domain (module.cognito.hosted_ui_domain, no scheme)")
            # The staff pool: reviewer and admin groups count only in its clients' tokens,
            # and the API creates reviewer accounts there.
            if env.get("PGE_COGNITO_STAFF_USER_POOL_ID") != STAFF_POOL:
                errors.append(f"{setname}: PGE_COGNITO_STAFF_USER_POOL_ID={env.get('PGE_COGNITO_STAFF_USER_POOL_ID')!r}, expected the staff pool (module.cognito_staff.user_pool_id)")
            staff_ids = [i.strip() for i in str(env.get("PGE_COGNITO_STAFF_CLIENT_IDS", "")).split(",") if i.strip()]
            if not staff_ids or staff_ids[0] != STAFF_CLIENT:
                errors.append(f"{setname}: PGE_COGNITO_STAFF_CLIENT_IDS={env.get('PGE_COGNITO_STAFF_CLIENT_IDS')!r}: the staff pool's SPA client (module.cognito_staff.spa_client_id) must come first")
            if set(staff_ids) & set(ids):
                errors.append(f"{setname}: a client id is both the applicants' and the staff's ({sorted(set(staff_ids) & set(ids))}): the API refuses it")
            if env.get("PGE_COGNITO_STAFF_DOMAIN") != STAFF_HOSTED_UI:
                errors.append(f"{setname}: PGE_COGNITO_STAFF_DOMAIN={env.get('PGE_COGNITO_STAFF_DOMAIN')!r}, expected the staff pool's hosted UI domain (module.cognito_staff.hosted_ui_domain, no scheme)")
    return errors, seen


def web_signin_main(args):
    """args: the folder of rendered manifests (its terraform-*.yaml)."""
    errors, seen = [], 0
    sets = list(rendered_sets(args[0], "terraform-*.yaml"))
    if not sets:
        errors.append("no render of Terraform's helm_values (run the 'helm template with Terraform' checks)")
    for setname, docs, _ in sets:
        e, s = web_signin_errors(setname, docs)
        errors += e
        seen += s
    if not seen and sets:
        errors.append("no api container in the Terraform renders")
    return finish(errors, f"{seen} API containers accept the SPA client first and know the hosted UI domain, of both pools")


# --- the origin-verify header value is in no committed file -----------------------------------

def origin_verify_in_values(name, values):
    """`values`: a values file, parsed."""
    ov = ((values or {}).get("ingress") or {}).get("originVerify") or {}
    return [f"{name}: ingress.originVerify.{key} is set: the secret comes from the CI/CD variable PGE_ORIGIN_VERIFY_SECRET, never from a file"
            for key in ("value", "previousValue") if ov.get(key)]


def origin_verify_in_terraform(name, text):
    """`text`: a .tf file of an environment."""
    if re.search(r"originVerify\s*=\s*\{[^}]*\b(value|previousValue)\s*=", text):
        return [f"{name}: helm_values passes the origin-verify value: it would be stored in the PGE_HELM_VALUES file variable and in the Terraform outputs"]
    return []


def origin_verify_main(args):
    """args: the chart's folder and the Terraform environments' folder."""
    import yaml

    chart, envs = pathlib.Path(args[0]), pathlib.Path(args[1])
    errors, files = [], [chart / "values.yaml"] + sorted((chart / "ci").glob("*.yaml"))
    for f in files:
        with open(f) as fh:
            errors += origin_verify_in_values(f, yaml.safe_load(fh))
    for f in sorted(envs.rglob("*.tf")):
        errors += origin_verify_in_terraform(f, f.read_text())
    return finish(errors, f"{len(files)} values files and the environments' outputs hold no origin-verify value")
