#!/usr/bin/env bash
# Proves that every check of scripts/check-deploy.sh can fail: for each case, copy the
# deployment artifacts to a temporary directory, break one thing on purpose, run the
# check script there (only the checks concerned, via PGE_CHECK_ONLY, to stay fast) and
# assert that it exits non-zero with the expected check reported as FAIL. A first run on
# the unmodified copy must pass, so a failure below is caused by the breakage alone.
#
#   scripts/test-check-deploy.sh           all cases
#   scripts/test-check-deploy.sh dockerfile   only the cases whose name matches
set -uo pipefail

SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ONLY="${1:-}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pge-test-check-deploy.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
# Cargo.toml and api/ too: the Dockerfile and chart checks read the workspace members
# and the binary's PGE_* variables from them.
# ops/: the Prometheus rules and the dashboards the observability checks read.
# .gitlab/ (the agents' configuration), deny.toml and .ci/ (the supply chain checks).
# infra/: the least-privilege check reads the AWS SDK calls of infra/src.
ARTIFACTS=(Dockerfile .dockerignore .gitlab-ci.yml helm terraform docs scripts Cargo.toml api ops .gitlab deny.toml .ci infra)

OK=0
KO=0
KO_NAMES=()

fresh_copy() {
  rm -rf "$TMP/repo"
  mkdir -p "$TMP/repo"
  local a
  for a in "${ARTIFACTS[@]}"; do cp -R "$SRC/$a" "$TMP/repo/"; done
  rm -rf "$TMP/repo/api/target" "$TMP/repo/infra/target"
  find "$TMP/repo" -name '.terraform' -prune -exec rm -rf {} +
}

# sub FILE OLD NEW: replace the first occurrence, failing loudly when OLD is absent (the
# artifact changed and the case must be updated, rather than silently testing nothing).
sub() {
  python3 - "$TMP/repo/$1" "$2" "$3" <<'PY'
import sys
path, old, new = (a.replace("\\n", "\n") for a in sys.argv[1:4])  # "\n" in a case = newline
text = open(path).read()
if old not in text:
    sys.exit(f"test-check-deploy: {old!r} not found in {path}")
open(path, "w").write(text.replace(old, new, 1))
PY
}
# del_line FILE REGEX: delete the lines matching REGEX (at least one must match).
del_line() {
  grep -Eq -- "$2" "$TMP/repo/$1" || { echo "test-check-deploy: /$2/ not found in $1" >&2; return 1; }
  sed -i -E "/$2/d" "$TMP/repo/$1"
}
append() { printf '%s\n' "$2" >>"$TMP/repo/$1"; }
# del_block FILE FIRST_LINE: delete the block that starts with the line FIRST_LINE, through
# the first line "}" after it.
del_block() {
  python3 - "$TMP/repo/$1" "$2" <<'PY'
import sys
path, first = sys.argv[1:3]
lines = open(path).read().split("\n")
if first not in lines:
    sys.exit(f"test-check-deploy: {first!r} not found in {path}")
i = lines.index(first)
j = lines.index("}", i)
open(path, "w").write("\n".join(lines[:i] + lines[j + 1:]))
PY
}

# breaks NAME CHECK_REGEX MUTATION...: MUTATION (a shell snippet) breaks the copy; the
# checks matching CHECK_REGEX are run and one of them must FAIL, with a non-zero exit.
breaks() {
  local name=$1 checks=$2 mutation=$3
  if [ -n "$ONLY" ] && ! printf '%s' "$name" | grep -Eq -- "$ONLY"; then return 0; fi
  fresh_copy
  if ! eval "$mutation"; then
    echo "KO    $name: the mutation could not be applied"
    KO=$((KO + 1)); KO_NAMES+=("$name"); return
  fi
  local out="$TMP/out.txt" rc=0
  PGE_CHECK_ONLY="$checks" bash "$TMP/repo/scripts/check-deploy.sh" >"$out" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ] && grep -Eq "^FAIL +.*($checks)" "$out"; then
    echo "ok    $name  ($(grep -E '^FAIL' "$out" | head -1 | sed -E 's/^FAIL +//'))"
    OK=$((OK + 1))
  else
    echo "KO    $name: expected a FAIL of /$checks/ and a non-zero exit (exit $rc)"
    sed -e 's/^/      | /' "$out" | tail -n 30
    KO=$((KO + 1)); KO_NAMES+=("$name")
  fi
}

echo "== baseline: the unmodified copy passes"
fresh_copy
if bash "$TMP/repo/scripts/check-deploy.sh" >"$TMP/baseline.txt" 2>&1; then
  echo "ok    baseline ($(grep 'check-deploy summary' "$TMP/baseline.txt"))"
else
  echo "KO    baseline: the unmodified artifacts do not pass; fix them first"
  grep -E '^FAIL|summary' "$TMP/baseline.txt"
  exit 1
fi

# The checks' Python (scripts/deploycheck), with the Python the checks run with (the lint
# venv check-deploy.sh installed for the baseline): compiled, linted with pyflakes (pinned,
# installed once into the tools cache), and its unit tests run.
TOOLS="${PGE_TOOLS_DIR:-$HOME/.cache/pge/tools}"
PY="$TOOLS/venv-lint/bin/python"
PYFLAKES_REQUIREMENT="pyflakes==4.1.0"
PYFLAKES_VENV="$TOOLS/venv-pyflakes"
python_checks() {
  (
    cd "$SRC/scripts" || exit 1
    export PYTHONDONTWRITEBYTECODE=1 PYTHONPYCACHEPREFIX="$TMP/pycache"
    "$PY" -m compileall -q deploycheck || exit 1
    if [ "$(cat "$PYFLAKES_VENV/.pge-requirements" 2>/dev/null)" != "$PYFLAKES_REQUIREMENT" ]; then
      (
        flock 9 || exit 1
        rm -rf "$PYFLAKES_VENV" && python3 -m venv "$PYFLAKES_VENV" &&
          "$PYFLAKES_VENV/bin/pip" install --quiet --disable-pip-version-check "$PYFLAKES_REQUIREMENT" &&
          printf '%s' "$PYFLAKES_REQUIREMENT" >"$PYFLAKES_VENV/.pge-requirements"
      ) 9>"$TOOLS/.lock" || { echo "installing $PYFLAKES_REQUIREMENT failed"; exit 1; }
    fi
    "$PYFLAKES_VENV/bin/python" -m pyflakes deploycheck || exit 1
    "$PY" -m unittest discover -s deploycheck/tests -t . 2>&1 || exit 1
  )
}
echo "== the checks' Python: compile, pyflakes, unit tests (scripts/deploycheck)"
if python_checks >"$TMP/python.txt" 2>&1; then
  echo "ok    scripts/deploycheck ($(grep -E '^Ran [0-9]+ tests' "$TMP/python.txt"))"
else
  echo "KO    scripts/deploycheck: compile, pyflakes or unit tests failed"
  sed -e 's/^/      | /' "$TMP/python.txt" | tail -n 40
  KO=$((KO + 1)); KO_NAMES+=("scripts/deploycheck (compile, pyflakes, unit tests)")
fi

echo "== each breakage is caught"
# Files
breaks "artifacts: docs/DEPLOYMENT.md missing" 'artifacts present' \
  'rm "$TMP/repo/docs/DEPLOYMENT.md"'

# Dockerfile
breaks "dockerfile: unpinned base image (hadolint DL3007)" 'hadolint' \
  'sub Dockerfile "FROM rust:1.95-slim-bookworm AS builder" "FROM rust:latest AS builder"'
breaks "dockerfile: no USER (checkov CKV_DOCKER_3)" 'checkov dockerfile' \
  'del_line Dockerfile "^USER "'
breaks "dockerfile: final stage with a shell distro" 'Dockerfile contract' \
  'sub Dockerfile "FROM scratch" "FROM alpine:3.20"'
breaks "dockerfile: binary no longer linked statically" 'Dockerfile contract' \
  'sub scripts/release-build.sh "target-feature=+crt-static --cfg" "target-feature=+sse4.2 --cfg"'
breaks "dockerfile: a workspace member left out of the build context" 'Dockerfile contract' \
  'del_line .dockerignore "^!loadtest"'

# Helm chart
breaks "chart: YAML syntax error in a template (helm lint)" 'helm lint' \
  'sub helm/pge/templates/service.yaml "  type: ClusterIP" "  type: ClusterIP\n   bad: [indent"'
breaks "chart: values.schema.json is not a valid schema" 'schema of values.schema.json' \
  'sub helm/pge/values.schema.json "\"type\": \"object\",\n  \"additionalProperties\": false," "\"type\": \"objekt\",\n  \"additionalProperties\": false,"'
breaks "chart: image tag no longer required" 'missing image tag' \
  'sub helm/pge/values.schema.json "\"minLength\": 1,\n          \"description\": \"Image tag" "\"description\": \"Image tag" &&
   sub helm/pge/values.schema.json "\"pattern\": \"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}\$\"," "" &&
   sub helm/pge/values.yaml "  tag: \"\"" "  tag: dev" &&
   sub helm/pge/templates/_helpers.tpl "required \"image.tag is required: the commit SHA built by CI (helm ... --set image.tag=\$CI_COMMIT_SHA)\" .Values.image.tag" "default \"dev\" .Values.image.tag"'
breaks "chart: database secret no longer required" 'missing database secret' \
  'sub helm/pge/values.schema.json "\"minLength\": 1,\n          \"description\": \"Name of an existing Secret" "\"description\": \"Name of an existing Secret" &&
   sub helm/pge/values.schema.json "\"pattern\": \"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\$\"\n        },\n        \"urlKey\"" "\"type\": \"string\"\n        },\n        \"urlKey\"" &&
   sub helm/pge/templates/_helpers.tpl "required \"database.existingSecret is required: the name of the Secret holding PGE_DATABASE_URL\" .Values.database.existingSecret" "default \"pge-database\" .Values.database.existingSecret"'
breaks "chart: replica floor lowered to 1" 'minReplicas below 3' \
  'sub helm/pge/values.schema.json "\"minReplicas\": {\"type\": \"integer\", \"minimum\": 3" "\"minReplicas\": {\"type\": \"integer\", \"minimum\": 1"'
breaks "chart: unknown field in a Deployment (kubernetes-validate --strict)" 'helm template|kubernetes-validate' \
  'sub helm/pge/templates/deployment-api.yaml "          imagePullPolicy:" "          imagePullPolicyy:"'
breaks "chart: unknown kind (kubernetes-validate fatal)" 'helm template|kubernetes-validate' \
  'printf "%s\n" "apiVersion: external-secrets.io/v1beta1" "kind: ExternalSecret" "metadata:" "  name: pge-database" "spec:" "  refreshInterval: 1h" >"$TMP/repo/helm/pge/templates/externalsecret.yaml"'
breaks "chart: removed API version (kubernetes-validate fatal)" 'helm template|kubernetes-validate' \
  'sub helm/pge/templates/pdb.yaml "apiVersion: policy/v1" "apiVersion: policy/v1beta1"'
breaks "chart: duplicate key in a rendered manifest (yamllint)" 'helm template|yamllint rendered' \
  'sub helm/pge/templates/configmap.yaml "data:" "  labels:\n    app: pge\ndata:"'
breaks "chart: writable root filesystem (checkov CKV_K8S_22)" 'helm template|checkov kubernetes' \
  'sub helm/pge/templates/_helpers.tpl "readOnlyRootFilesystem: true" "readOnlyRootFilesystem: false"'
breaks "chart: misspelt variable that pge would ignore (variables check)" 'helm template|chart variables' \
  'sub helm/pge/templates/_helpers.tpl "PGE_SES_FROM: {{" "PGE_SES_FROM_ADDRESS: {{"'
breaks "chart: cursor key no longer shared by the replicas (variables check)" 'helm template|chart contract|chart variables' \
  'del_line helm/pge/templates/deployment-api.yaml "pge.cursorSecretEnv"'
breaks "chart: cursor secret no longer required" 'missing cursor secret' \
  'sub helm/pge/templates/_helpers.tpl "required \"cursorSecret.existingSecret is required: the name of the Secret holding PGE_CURSOR_SECRET\" .Values.cursorSecret.existingSecret" "default \"pge-cursor\" .Values.cursorSecret.existingSecret" &&
   sub helm/pge/values.schema.json "\"minLength\": 1,\n          \"description\": \"Name of an existing Secret holding PGE_CURSOR_SECRET" "\"description\": \"Name of an existing Secret holding PGE_CURSOR_SECRET" &&
   sub helm/pge/values.schema.json "\"pattern\": \"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\$\"\n        },\n        \"key\"" "\"type\": \"string\"\n        },\n        \"key\""'
breaks "chart: rollout may drop capacity (contract)" 'helm template|chart contract' \
  'sub helm/pge/templates/deployment-api.yaml "maxUnavailable: 0" "maxUnavailable: 1"'
breaks "chart: checkov skip without a reason" 'inline checkov skip' \
  'sub helm/pge/templates/deployment-worker.yaml "CKV_K8S_9=The outbox worker receives no traffic, so there is nothing to gate with a readiness probe" "CKV_K8S_9="'
breaks "chart: duplicate key in values.yaml (yamllint)" 'yamllint \(' \
  'append helm/pge/values.yaml "nodeSelector: {}"'

breaks "chart: fewer than two CI value sets" 'chart has CI value sets' \
  'rm "$TMP/repo/helm/pge/ci/no-autoscaling-values.yaml" "$TMP/repo/helm/pge/ci/production-values.yaml"'
breaks "chart: a CI value set the chart refuses (helm template)" 'helm template \(production\)' \
  'del_line helm/pge/ci/production-values.yaml "bucket: pge-production-documents-"'
breaks "chart: tag latest no longer refused" 'image tag .latest.' \
  'sub helm/pge/values.schema.json "\"pattern\": \"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}\$\",\n          \"not\": {\"const\": \"latest\"}" "\"pattern\": \"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}\$\""'
breaks "chart: null database secret accepted" 'null database secret' \
  'sub helm/pge/values.schema.json "\"required\": [\"existingSecret\", \"urlKey\", \"maxConnections\"]" "\"required\": [\"urlKey\", \"maxConnections\"]" &&
   sub helm/pge/templates/_helpers.tpl "required \"database.existingSecret is required: the name of the Secret holding PGE_DATABASE_URL\" .Values.database.existingSecret" "default \"pge-database\" .Values.database.existingSecret"'
breaks "chart: replica ceiling raised to 1000" 'minReplicas above 100' \
  'sub helm/pge/values.schema.json "\"minReplicas\": {\"type\": \"integer\", \"minimum\": 3, \"maximum\": 100" "\"minReplicas\": {\"type\": \"integer\", \"minimum\": 3, \"maximum\": 1000"'
breaks "chart: fixed replica floor lowered to 1" 'fixed api.replicas below 3' \
  'sub helm/pge/values.schema.json "\"replicas\": {\"type\": \"integer\", \"minimum\": 3," "\"replicas\": {\"type\": \"integer\", \"minimum\": 1,"'
breaks "chart: HPA minReplicas > maxReplicas no longer refused" 'minReplicas > maxReplicas' \
  'del_line helm/pge/templates/hpa.yaml "fail \"api.autoscaling.minReplicas must not exceed"'
breaks "chart: IRSA role no longer required" 'missing IRSA role' \
  'sub helm/pge/values.schema.json "\"pattern\": \"^arn:aws:iam::[0-9]{12}:role/" "\"pattern\": \"^\$|^arn:aws:iam::[0-9]{12}:role/" &&
   sub helm/pge/templates/serviceaccount.yaml "required \"serviceAccount.roleArn is required (IRSA role from terraform)\" .Values.serviceAccount.roleArn" ".Values.serviceAccount.roleArn"'
breaks "chart: unknown api.* keys accepted" 'unknown values keys' \
  'sub helm/pge/values.schema.json "\"api\": {\n      \"type\": \"object\",\n      \"additionalProperties\": false," "\"api\": {\n      \"type\": \"object\",\n      \"additionalProperties\": true,"'
breaks "chart: Ingress rendered without the origin-verify value" 'Ingress without the origin-verify' \
  'sub helm/pge/values.schema.json "\"originVerify\": {\"properties\": {\"value\": {\"minLength\": 32}}}" "\"originVerify\": {}" &&
   sub helm/pge/templates/ingress.yaml "(required \"ingress.originVerify.value is required when ingress.enabled" "(default \"ingress.originVerify.value is required when ingress.enabled"'
breaks "chart: origin-verify value committed in values.yaml" 'origin-verify header value in no committed' \
  'sub helm/pge/values.yaml "    value: \"\"" "    value: Committed0Secret0Value0Committed0Secret0Value"'
breaks "chart: Ingress without the origin-verify condition (contract)" 'helm template|chart contract' \
  'del_line helm/pge/templates/ingress.yaml "squote"'
breaks "chart: Prometheus pointed at the API port (contract)" 'helm template|chart contract' \
  'sub helm/pge/templates/_helpers.tpl "prometheus.io/port: \"{{ include \"pge.metricsPort\" . }}\"" "prometheus.io/port: \"8080\""'
breaks "chart: metrics port open to any address (contract)" 'helm template|chart contract' \
  'sub helm/pge/templates/networkpolicy.yaml "        - namespaceSelector:\n            matchLabels:\n              kubernetes.io/metadata.name: {{ \$root.Values.networkPolicy.monitoringNamespace }}\n      ports:\n        - port: {{ include \"pge.metricsPort\" \$root }}" "        - ipBlock:\n            cidr: 0.0.0.0/0\n      ports:\n        - port: {{ include \"pge.metricsPort\" \$root }}"'
breaks "chart: metrics listening on loopback only (variables check)" 'helm template|chart variables' \
  'sub helm/pge/templates/_helpers.tpl "PGE_METRICS_ADDR: \"0.0.0.0:" "PGE_METRICS_ADDR: \"127.0.0.1:"'
breaks "chart: preStopSleepSeconds 0 accepted" 'preStopSleepSeconds 0' \
  'sub helm/pge/values.schema.json "\"preStopSleepSeconds\": {\"type\": \"integer\", \"minimum\": 1," "\"preStopSleepSeconds\": {\"type\": \"integer\", \"minimum\": 0,"'
breaks "chart: preStop pause as long as the grace period accepted" 'preStopSleepSeconds >= terminationGracePeriodSeconds' \
  'del_line helm/pge/templates/deployment-api.yaml "fail \(printf \"api.preStopSleepSeconds"'
breaks "chart: Kubernetes 1.29 accepted (no preStop sleep action)" 'Kubernetes 1\.29' \
  'sub helm/pge/Chart.yaml "kubeVersion: \">=1.30.0-0\"" "kubeVersion: \">=1.29.0-0\""'

# GitLab CI
breaks "gitlab-ci: invalid when (check-jsonschema)" 'check-jsonschema' \
  'sub .gitlab-ci.yml "      when: manual\n      allow_failure: true\n  resource_group: production" "      when: sometimes\n      allow_failure: true\n  resource_group: production"'
breaks "gitlab-ci: unsafe shell (gitlab-ci-verify/shellcheck)" 'gitlab-ci-verify' \
  'sub .gitlab-ci.yml "    - scripts/test.sh" "    - cd \$PGE_UNDEFINED_DIR\n    - scripts/test.sh"'
breaks "gitlab-ci: token sent with curl (checkov CKV_GITLABCI_1)" 'checkov gitlab_ci' \
  'sub .gitlab-ci.yml "    - scripts/test.sh" "    - curl -d \"\$CI_JOB_TOKEN\" https://example.com/collect\n    - scripts/test.sh"'
breaks "gitlab-ci: needs an unknown job (contract)" 'GitLab CI contract' \
  'sub .gitlab-ci.yml "needs: [\"fmt-clippy\", \"deploy-checks\", \"test\", \"sbom\"]" "needs: [\"fmt-clippy\", \"deploy-check\", \"test\", \"sbom\"]"'
breaks "gitlab-ci: production deploys without a click (contract)" 'GitLab CI contract' \
  'sub .gitlab-ci.yml "      when: manual\n      allow_failure: true\n  resource_group: production\n  environment:\n    name: production\n    url:" "      when: on_success\n  resource_group: production\n  environment:\n    name: production\n    url:"'

breaks "gitlab-ci: helm image keeps its helm entrypoint (contract)" 'GitLab CI contract' \
  'del_line .gitlab-ci.yml "entrypoint: \[\"\"\]"'
breaks "gitlab-ci: test job without the PostgreSQL server (contract)" 'GitLab CI contract' \
  'sub .gitlab-ci.yml "--no-install-recommends postgresql postgresql-client" "--no-install-recommends postgresql-client"'
breaks "gitlab-ci: deploy without the origin-verify value (contract)" 'GitLab CI contract' \
  'del_line .gitlab-ci.yml "ingress.originVerify.value="'

# Terraform
breaks "terraform: HCL syntax error (python-hcl2)" 'python-hcl2' \
  'sub terraform/modules/rds/main.tf "  multi_az               = true" "  multi_az               = true {"'
breaks "terraform: HCL syntax error (checkov with CKV_PARSE_ERROR_FAIL)" 'checkov terraform' \
  'sub terraform/modules/rds/main.tf "  multi_az               = true" "  multi_az               = true {"'
breaks "terraform: unencrypted database (checkov CKV_AWS_16)" 'checkov terraform' \
  'sub terraform/modules/rds/main.tf "storage_encrypted     = true" "storage_encrypted     = false"'
breaks "terraform: public bucket access (checkov)" 'checkov terraform' \
  'sub terraform/modules/s3/main.tf "  restrict_public_buckets = true\n}\n\nresource \"aws_s3_bucket_versioning\" \"documents\"" "  restrict_public_buckets = false\n}\n\nresource \"aws_s3_bucket_versioning\" \"documents\""'
breaks "terraform: provider not pinned (contract)" 'Terraform contract' \
  'sub terraform/environments/production/versions.tf "version = \"5.100.0\"" "version = \"~> 5.0\""'
breaks "terraform: CIDR without validation (contract)" 'Terraform contract' \
  'sub terraform/modules/eks/variables.tf "  validation {\n    condition     = can(cidrhost(var.vpc_cidr, 0))\n    error_message = \"vpc_cidr must be a valid IPv4 CIDR.\"\n  }\n" ""'
breaks "terraform: helm_values output the chart refuses (helm template)" 'helm_values output' \
  'sub terraform/environments/staging/outputs.tf "cursorSecret   = {" "cursorSecrets  = {"'
breaks "terraform: state without locking (contract)" 'Terraform contract' \
  'sub terraform/environments/staging/backend.tf "use_lockfile = true" "use_lockfile = false"'
breaks "terraform: output of a resource that no longer exists (references)" 'Terraform references' \
  'sub terraform/modules/network/outputs.tf "value       = module.logs_key.arn" "value       = aws_kms_key.logs.arn"'
breaks "terraform: module argument the module does not declare (references)" 'Terraform references' \
  'sub terraform/environments/staging/main.tf "  single_nat_gateway = true\n" "  single_nat_gateway = true\n  nat_gateway_count  = 1\n"'
breaks "terraform: required module variable not passed (references)" 'Terraform references' \
  'sub terraform/environments/production/main.tf "  single_nat_gateway = false\n  cluster_name       = local.name\n" "  single_nat_gateway = false\n"'
breaks "terraform: output a module does not have (references)" 'Terraform references' \
  'sub terraform/environments/staging/main.tf "vpc_id             = module.network.vpc_id" "vpc_id             = module.network.id"'
breaks "terraform: undeclared variable and local (references)" 'Terraform references' \
  'sub terraform/modules/waf/main.tf "retention_in_days = var.log_retention_days" "retention_in_days = var.log_retention" &&
   sub terraform/modules/s3/main.tf "bucket = \"\${var.name}-logs-\${local.suffix}\"" "bucket = \"\${var.name}-logs-\${local.account}\""'
breaks "terraform: region validation back to any EU region" 'Terraform validations' \
  'sub terraform/environments/production/variables.tf "condition     = var.region == \"eu-west-3\"" "condition     = startswith(var.region, \"eu-\")"'
breaks "terraform: EKS 1.29 accepted again" 'Terraform validations' \
  'sub terraform/modules/eks/variables.tf "([3-9][0-9])\$\", var.kubernetes_version" "(29|[3-9][0-9])\$\", var.kubernetes_version"'
breaks "terraform: NetworkPolicy fed the whole VPC CIDR (contract)" 'Terraform contract' \
  'sub terraform/environments/staging/outputs.tf "ingressCIDRs = module.network.public_subnet_cidrs" "ingressCIDRs = [var.vpc_cidr]"'
# The web app's deployment
breaks "artifacts: scripts/deploy-web.sh missing" 'artifacts present' \
  'rm "$TMP/repo/scripts/deploy-web.sh"'
breaks "dockerfile: web stage installs without the lock file" 'Dockerfile contract' \
  'sub Dockerfile "npm ci --no-audit --no-fund" "npm install --no-audit --no-fund"'
breaks "dockerfile: web app not handed to the image's files" 'Dockerfile contract' \
  'sub Dockerfile "WEB_DIST=/src/web/dist scripts/release-build.sh" "scripts/release-build.sh"'
breaks "dockerfile: PGE_WEB_DIR not set in the image" 'Dockerfile contract' \
  'del_line Dockerfile "PGE_WEB_DIR="'
breaks "dockerfile: local web/node_modules sent to the build" 'Dockerfile contract' \
  'del_line .dockerignore "^web.node_modules"'
breaks "image rootfs: WEB_DIST ignored" 'image rootfs' \
  'sub scripts/image-rootfs.sh "web_dist=\${3:-\${WEB_DIST:-}}" "web_dist=\${3:-}"'
breaks "image rootfs: web files left unreadable for uid 65532" 'image rootfs' \
  'sub scripts/image-rootfs.sh "chmod -R u=rwX,go=rX" "chmod -R u=rwX"'
breaks "chart: PGE_COGNITO_DOMAIN not passed from Terraform" 'helm template with Terraform|API accepts the SPA client' \
  'sub terraform/environments/staging/outputs.tf ", domain = module.cognito.hosted_ui_domain\n" "\n"'
breaks "chart: SPA client not first of the accepted client ids" 'helm template with Terraform|API accepts the SPA client' \
  'sub terraform/environments/production/outputs.tf "clientIds = module.cognito.spa_client_id" "clientIds = \"0legacyclient,\${module.cognito.spa_client_id}\""'
breaks "gitlab-ci: web build without a cached npm cache" 'GitLab web build' \
  'sub .gitlab-ci.yml "    paths:\n      - .npm/" "    paths:\n      - web/node_modules/"'
breaks "gitlab-ci: web build keeps no web/dist artifact" 'GitLab web build' \
  'sub .gitlab-ci.yml "      - web/dist/" "      - web/build/"'
breaks "gitlab-ci: deploy without the web build's artifact" 'GitLab deploy jobs upload' \
  'sub .gitlab-ci.yml "needs: [\"build-image\", \"build-web\"]" "needs: [\"build-image\"]"'
breaks "gitlab-ci: deploy-web.sh without the Terraform output" 'GitLab deploy jobs upload' \
  'sub .gitlab-ci.yml "scripts/deploy-web.sh --env-file \"\$PGE_WEB_DEPLOY\" --dist" "scripts/deploy-web.sh --dist"'
breaks "gitlab-ci: rollback leaves the newer web app" 'GitLab deploy jobs upload' \
  'sub .gitlab-ci.yml "--from-release \"\$release\"" "--dist web/dist"'
breaks "deploy-web.sh: assets uploaded without the immutable header" 'deploy-web.sh' \
  'sub scripts/deploy-web.sh "put \"\$dist/\$f\" \"\$f\" \"public, max-age=31536000, immutable\"" "put \"\$dist/\$f\" \"\$f\" \"no-cache\""'
breaks "deploy-web.sh: index.html uploaded before the other files" 'deploy-web.sh' \
  'sub scripts/deploy-web.sh "for f in \"\${others[@]}\" index.html; do" "for f in index.html \"\${others[@]}\"; do"'
breaks "deploy-web.sh: http authority accepted" 'deploy-web.sh' \
  'sub scripts/deploy-web.sh "[[ \$authority =~ \$https_url ]]" "[[ \$authority =~ ^https?:// ]]"'
breaks "deploy-web.sh: config.json not invalidated" 'deploy-web.sh' \
  'sub scripts/deploy-web.sh "--paths /index.html /config.json" "--paths /index.html"'
breaks "deploy-web.sh: config.json uploaded as text/plain" 'deploy-web.sh' \
  'sub scripts/deploy-web.sh "config.json \"no-cache\" \"application/json\"" "config.json \"no-cache\" \"text/plain\""'
breaks "terraform: web_deploy names the documents bucket" 'Terraform web_deploy' \
  'sub terraform/environments/staging/outputs.tf "PGE_WEB_BUCKET=\${module.s3.frontend_bucket}" "PGE_WEB_BUCKET=\${module.s3.documents_bucket}"'
breaks "terraform: web_deploy without the distribution" 'Terraform web_deploy' \
  'del_line terraform/environments/production/outputs.tf "PGE_WEB_DISTRIBUTION_ID="'
breaks "terraform: CSP allows inline styles" 'CloudFront CSP' \
  'sub terraform/modules/cloudfront/main.tf "\"style-src '\''self'\''\"" "\"style-src '\''self'\'' '\''unsafe-inline'\''\""'
breaks "terraform: CSP names the bucket path-style" 'CloudFront CSP' \
  'sub terraform/modules/cloudfront/main.tf "connect-src '\''self'\'' \${var.documents_origin}" "connect-src '\''self'\'' https://s3.\${data.aws_region.current.name}.amazonaws.com"'
breaks "terraform: CSP without the hosted UI" 'CloudFront CSP' \
  'sub terraform/modules/cloudfront/main.tf ".amazonaws.com https://\${var.cognito_hosted_ui_domain} https://" ".amazonaws.com https://"'
breaks "terraform: SPA function rewrites files too" 'CloudFront SPA' \
  'sub terraform/modules/cloudfront/main.tf "=== -1" "!== -2"'
breaks "terraform: SPA cached by a policy with a minimum TTL" 'CloudFront SPA' \
  'sub terraform/modules/cloudfront/main.tf "  min_ttl     = 0\n  default_ttl = 0" "  min_ttl     = 1\n  default_ttl = 0"'
breaks "terraform: nosniff header dropped" 'CloudFront SPA' \
  'sub terraform/modules/cloudfront/main.tf "    content_type_options {\n      override = true\n    }\n" ""'
breaks "terraform: kept builds readable through CloudFront" 'CloudFront SPA' \
  'sub terraform/modules/cloudfront/main.tf "sid       = \"NoReleasesThroughCloudFront\"\n    effect    = \"Deny\"" "sid       = \"NoReleasesThroughCloudFront\"\n    effect    = \"Allow\""'
breaks "terraform: SPA client with a secret" 'Cognito SPA client' \
  'sub terraform/modules/cognito/main.tf "generate_secret                      = false" "generate_secret                      = true"'
breaks "terraform: SPA client allows the implicit flow" 'Cognito SPA client' \
  'sub terraform/modules/cognito/main.tf "allowed_oauth_flows                  = [\"code\"]" "allowed_oauth_flows                  = [\"code\", \"implicit\"]"'
breaks "terraform: no pre-token-generation trigger (access tokens without the bank)" 'Cognito trigger' \
  'sub terraform/modules/cognito/main.tf "      lambda_version = \"V2_0\"" "      lambda_version = \"V1_0\""'
breaks "terraform: Cognito may not invoke the trigger" 'Cognito trigger' \
  'sub terraform/modules/cognito/main.tf "principal     = \"cognito-idp.amazonaws.com\"" "principal     = \"lambda.amazonaws.com\""'
breaks "terraform: callback URL is not /auth/callback" 'Cognito SPA client' \
  'sub terraform/environments/production/main.tf "/auth/callback\"]" "/callback\"]"'
breaks "terraform: documents CORS without if-none-match" 'documents bucket CORS' \
  'sub terraform/modules/s3/main.tf "\"content-length\", \"if-none-match\", \"x-amz-*\"" "\"content-length\", \"x-amz-*\""'
breaks "terraform: documents CORS from any origin" 'documents bucket CORS' \
  'sub terraform/environments/staging/main.tf "cors_allowed_origins = [local.app_url]" "cors_allowed_origins = [\"*\"]"'
# Two user pools (issue 28): MFA required of bank staff and admins, not of every applicant
breaks "cognito: the staff pool's MFA optional" 'Cognito pools' \
  'sub terraform/environments/staging/main.tf "  mfa_configuration      = \"ON\"" "  mfa_configuration      = \"OPTIONAL\""'
breaks "cognito: the applicants' pool requires MFA" 'Cognito pools' \
  'sub terraform/environments/production/main.tf "  mfa_configuration      = \"OPTIONAL\"" "  mfa_configuration      = \"ON\""'
breaks "cognito: MFA written into the module, whatever the pool" 'Cognito pools' \
  'sub terraform/modules/cognito/main.tf "  mfa_configuration        = var.mfa_configuration" "  mfa_configuration        = \"OPTIONAL\""'
breaks "cognito: anyone may sign up into the staff pool" 'Cognito pools' \
  'sub terraform/environments/staging/main.tf "  admin_create_user_only = true" "  admin_create_user_only = false"'
breaks "cognito: the module ignores admin_create_user_only" 'Cognito pools' \
  'sub terraform/modules/cognito/main.tf "allow_admin_create_user_only = var.admin_create_user_only" "allow_admin_create_user_only = false"'
breaks "cognito: a staff group in the applicants' pool" 'Cognito pools' \
  'sub terraform/environments/production/main.tf "  groups                 = [\"applicants\"]" "  groups                 = [\"applicants\", \"bank-reviewers\"]"'
breaks "cognito: threat protection in audit only" 'Cognito pools' \
  'sub terraform/modules/cognito/main.tf "advanced_security_mode = \"ENFORCED\"" "advanced_security_mode = \"AUDIT\""'
breaks "cognito: the module no longer refuses staff groups without MFA" 'Cognito pools' \
  'sub terraform/modules/cognito/main.tf "(var.mfa_configuration == \"ON\" && var.admin_create_user_only && " "(var.admin_create_user_only && "'
breaks "cognito: the trigger on the applicants' pool instead of the staff's" 'Cognito trigger' \
  'sub terraform/environments/staging/main.tf "  pre_token_generation   = true\n" "" &&
   sub terraform/environments/staging/main.tf "  groups                 = [\"applicants\"]\n" "  groups                 = [\"applicants\"]\n  pre_token_generation   = true\n"'
breaks "cognito: the trigger's alarm watches the applicants' pool" 'Cognito trigger' \
  'sub terraform/environments/production/main.tf "module.cognito_staff.pre_token_generation_function_name" "module.cognito.pre_token_generation_function_name"'
breaks "irsa: the API creates reviewer accounts in the applicants' pool" 'Cognito IAM' \
  'sub terraform/environments/staging/main.tf "user_pool_arn         = module.cognito_staff.user_pool_arn" "user_pool_arn         = module.cognito.user_pool_arn"'
breaks "chart: the staff pool not passed from Terraform" 'helm template with Terraform|API accepts the SPA client' \
  'del_line terraform/environments/production/outputs.tf "staff  = \{ userPoolId = module.cognito_staff"'
breaks "terraform: CSP without the staff pool's hosted UI" 'CloudFront CSP' \
  'sub terraform/modules/cloudfront/main.tf "\"form-action '\''self'\'' https://\${var.cognito_hosted_ui_domain} https://\${var.cognito_staff_hosted_ui_domain}\"" "\"form-action '\''self'\'' https://\${var.cognito_hosted_ui_domain}\""'
breaks "terraform: web_deploy without the staff pool's client" 'Terraform web_deploy' \
  'del_line terraform/environments/staging/outputs.tf "PGE_WEB_STAFF_CLIENT_ID="'
breaks "deploy-web.sh: config.json without the staff provider" 'deploy-web.sh' \
  'sub scripts/deploy-web.sh "\"\$revocation_url\" \"\$staff\" >" "\"\$revocation_url\" \"\" >"'
breaks "deploy-web.sh: http staff authority accepted" 'deploy-web.sh' \
  'sub scripts/deploy-web.sh "[[ \$staff_authority =~ \$https_url ]]" "[[ \$staff_authority =~ ^https?:// ]]"'
# The edge lets real users in (issue 29, part 7)
breaks "waf: the common rule set's 8 KB body rule back in block" 'WAF body size' \
  'sub terraform/modules/waf/main.tf "        rule_action_override {\n          name = \"SizeRestrictions_BODY\"\n          action_to_use {\n            count {}\n          }\n        }\n" ""'
breaks "waf: bodies blocked under the API's 64 KiB" 'WAF body size' \
  'sub terraform/modules/waf/variables.tf "body_bytes = 65536 }" "body_bytes = 16384 }"'
breaks "waf: the WAF sees only 16 KB of a body" 'WAF body size' \
  'sub terraform/modules/waf/main.tf "default_size_inspection_limit = \"KB_64\"" "default_size_inspection_limit = \"KB_16\""'
breaks "waf: FR-only country allow-list" 'WAF country allow-list' \
  'sub terraform/environments/production/terraform.tfvars.example "allowed_country_codes = [\"FR\", \"RE\"," "allowed_country_codes = [\"FR\"] # [\"RE\","'
breaks "waf: France without Wallis-et-Futuna accepted (validation)" 'Terraform validations' \
  'sub terraform/modules/waf/variables.tf "\"PF\", \"WF\"], var.allowed_country_codes" "\"PF\"], var.allowed_country_codes"'
breaks "waf: a rate limit counts the web app's files" 'WAF rate limits' \
  'sub terraform/modules/waf/main.tf "search_string         = \"/api/\"" "search_string         = \"/\""'
breaks "waf: a bank's reviewers share their address's budget" 'WAF rate limits' \
  'sub terraform/modules/waf/main.tf "aggregate_key_type = \"CUSTOM_KEYS\"" "aggregate_key_type = \"IP\""'
breaks "waf: a new managed rule group blocks at once" 'WAF managed rule groups' \
  'sub terraform/modules/waf/main.tf "      override_action {\n        count {}\n      }" "      override_action {\n        none {}\n      }"'
# Production gated on staging, a rollback that goes back, promoted images kept (part 1)
breaks "artifacts: scripts/helm-rollback.sh missing" 'artifacts present' \
  'rm "$TMP/repo/scripts/helm-rollback.sh"'
breaks "gitlab-ci: production deploys without staging" 'GitLab staging gate' \
  'sub .gitlab-ci.yml "needs: [\"build-image\", \"build-web\", \"deploy-staging\", \"smoke-staging\"]" "needs: [\"build-image\", \"build-web\"]"'
breaks "gitlab-ci: no smoke test of staging" 'GitLab staging gate' \
  'sub .gitlab-ci.yml "    - scripts/smoke-test.sh \"\$STAGING_URL\"" "    - echo \"\$STAGING_URL\""'
breaks "gitlab-ci: rollback without a target revision" 'GitLab rollback jobs' \
  'sub .gitlab-ci.yml "    - scripts/helm-rollback.sh \"\$HELM_RELEASE\"" "    - helm rollback \"\$HELM_RELEASE\""'
breaks "helm-rollback.sh: a failed revision as target" 'helm-rollback.sh' \
  'sub scripts/helm-rollback.sh "            | select(.status == \"deployed\" or .status == \"superseded\")\n" ""'
breaks "helm-rollback.sh: a second rollback goes forward" 'helm-rollback.sh' \
  'sub scripts/helm-rollback.sh "            | select(code(\$by; .revision) < \$running) ]" "            ]"'
breaks "gitlab-ci: the deployed image left untagged" 'GitLab deploy jobs tag' \
  'del_line .gitlab-ci.yml "^    - scripts.tag-deployed-image"'
breaks "tag-deployed-image.sh: a tag without the commit" 'tag-deployed-image.sh' \
  'sub scripts/tag-deployed-image.sh "tag=\"\$env-\$sha\"" "tag=\"\$env\""'
breaks "ecr: an image production runs expires with the 200 newest" 'ECR lifecycle' \
  'sub terraform/modules/ecr/main.tf "tagPrefixList = [\"production-\"]" "tagPrefixList = [\"release-\"]"'
breaks "chart: pull policy Always" 'chart refuses imagePullPolicy|chart contract' \
  'sub helm/pge/values.schema.json "\"enum\": [\"IfNotPresent\"]" "\"enum\": [\"Always\", \"IfNotPresent\"]" &&
   sub helm/pge/values.yaml "  pullPolicy: IfNotPresent" "  pullPolicy: Always"'
breaks "smoke-test.sh: an edge refusing 20 KiB bodies passes" 'smoke-test.sh' \
  'sub scripts/smoke-test.sh "  fail \"a 20 KiB body answered" "  pass \"a 20 KiB body answered"'
breaks "smoke-test.sh: no signed-in call without the smoke account" 'smoke-test.sh' \
  'sub scripts/smoke-test.sh "  fail \"a signed-in call: PGE_SMOKE_STAFF_REFRESH_TOKEN is not set" "  pass \"a signed-in call: PGE_SMOKE_STAFF_REFRESH_TOKEN is not set"'
breaks "smoke-test.sh: signs in with the applicants' client, not the staff pool's" 'smoke-test.sh' \
  'sub scripts/smoke-test.sh "client_id=\$(jq -r .staff.client_id" "client_id=\$(jq -r .client_id"'
breaks "smoke-test.sh: a config.json without the staff provider passes" 'smoke-test.sh' \
  'sub scripts/smoke-test.sh "  fail \"/config.json has no staff provider" "  pass \"/config.json has no staff provider"'
# Observability in production (issue 30, part 6)
OBS=terraform/modules/observability
breaks "artifacts: ops/prometheus/rules.yml missing" 'artifacts present' \
  'rm "$TMP/repo/ops/prometheus/rules.yml"'
breaks "observability: the rule group reads a copy of rules.yml" 'Prometheus rules' \
  'cp "$TMP/repo/ops/prometheus/rules.yml" "$TMP/repo/$OBS/rules.yml" &&
   sub $OBS/metrics.tf "\${path.module}/../../../ops/prometheus/rules.yml" "\${path.module}/rules.yml"'
breaks "observability: the rules written inline" 'Prometheus rules' \
  'sub $OBS/metrics.tf "data         = file(\"\${path.module}/../../../ops/prometheus/rules.yml\")" "data         = \"groups: []\""'
breaks "observability: an alert without page or ticket" 'Prometheus rules' \
  'sub ops/prometheus/rules.yml "          severity: page" "          severity: critical"'
breaks "observability: pages routed to the ticket topic" 'Prometheus rules' \
  'sub $OBS/metrics.tf "topic_arn: \${module.oncall.page_topic_arn}" "topic_arn: \${module.oncall.ticket_topic_arn}"'
breaks "observability: an alarm without action" 'CloudWatch alarms' \
  'sub $OBS/alarms.tf "  alarm_actions       = [module.oncall.ticket_topic_arn]\n" ""'
breaks "observability: an alarm to a topic outside the on-call" 'CloudWatch alarms' \
  'sub $OBS/alarms.tf "  alarm_actions       = [module.oncall.page_topic_arn]" "  alarm_actions       = [\"arn:aws:sns:eu-west-3:123456789012:somebody-else\"]"'
breaks "observability: CloudFront's alarm to a topic of eu-west-3" 'CloudWatch alarms' \
  'sub $OBS/alarms.tf "  alarm_actions = [module.oncall_us_east_1.page_topic_arn]" "  alarm_actions = [module.oncall.page_topic_arn]"'
breaks "observability: a page alarm to the ticket topic" 'CloudWatch alarms' \
  'sub $OBS/alarms.tf "  alarm_actions       = [module.oncall.page_topic_arn]" "  alarm_actions       = [module.oncall.ticket_topic_arn]"'
breaks "observability: no alarm on RDS free storage" 'CloudWatch alarms' \
  'sub $OBS/alarms.tf "metric_name         = \"FreeStorageSpace\"" "metric_name         = \"FreeableMemory\""'
breaks "observability: SES bounces alarmed at SES's pause rate" 'CloudWatch alarms' \
  'sub $OBS/variables.tf "var.ses_bounce_rate_alarm <= 0.05" "var.ses_bounce_rate_alarm <= 0.1"'
breaks "observability: a budget that tells the on-call nothing" 'CloudWatch alarms' \
  'sub $OBS/alarms.tf "subscriber_sns_topic_arns = [module.oncall.ticket_topic_arn]" "subscriber_email_addresses = [\"someone@example.fr\"]"'
breaks "logs: container logs unencrypted" 'log groups encrypted' \
  'del_line $OBS/logs.tf "kms_key_id"'
breaks "logs: container logs kept 30 days" 'log groups encrypted' \
  'sub $OBS/variables.tf "  default     = 365" "  default     = 30"'
breaks "logs: WAF logs kept forever" 'log groups encrypted' \
  'del_line terraform/modules/waf/main.tf "retention_in_days = var.log_retention_days"'
breaks "logs: the request query on a field Fluent Bit does not write" 'log groups encrypted' \
  'sub $OBS/logs.tf "and log_processed.span.request_id = " "and span.request_id = "'
breaks "logs: no query of the 5xx by route" 'log groups encrypted' \
  'sub $OBS/logs.tf "log_processed.status >= 500" "log_processed.status >= 400"'
breaks "topics: an on-call topic unencrypted" 'SNS topics encrypted' \
  'del_line terraform/modules/oncall/main.tf "kms_master_key_id"'
breaks "topics: pages no longer by SMS" 'SNS topics encrypted' \
  'sub terraform/modules/oncall/main.tf "{ topic = \"page\", protocol = \"sms\"" "{ topic = \"ticket\", protocol = \"sms\""'
breaks "pins: the ADOT add-on unpinned" 'EKS add-ons of the collectors' \
  'sub $OBS/variables.tf "\"v0.109.0-eksbuild.2\"" "\"latest\""'
breaks "pins: ADOT installed without waiting for cert-manager" 'EKS add-ons of the collectors' \
  'del_line $OBS/collector.tf "depends_on = \[aws_eks_addon.cert_manager\]"'
breaks "chart: traces not sent to the collector (helm_values)" 'helm template with Terraform|chart: traces' \
  'sub terraform/environments/staging/outputs.tf "    telemetry           = { otlpEndpoint = module.observability.otlp_endpoint }\n" ""'
breaks "chart: the NetworkPolicy drops the traces" 'helm template with Terraform|chart: traces' \
  'sub helm/pge/templates/networkpolicy.yaml "port: {{ regexFind \"[0-9]+\$\" \$root.Values.telemetry.otlpEndpoint }}" "port: 4317"'
breaks "chart: /metrics closed to the collectors" 'helm template with Terraform|chart: traces' \
  'sub terraform/environments/production/outputs.tf ", monitoringNamespace = module.observability.collector_namespace," ","'
breaks "dashboards: the token left valid after the job" 'provision-dashboards.sh' \
  'sub scripts/provision-dashboards.sh "trap '"'"'rm -rf \"\$tmp\"; delete_token'"'"' EXIT" "trap '"'"'rm -rf \"\$tmp\"'"'"' EXIT"'
breaks "dashboards: posted without overwrite" 'provision-dashboards.sh' \
  'sub scripts/provision-dashboards.sh "overwrite: true" "overwrite: false"'
breaks "dashboards: an http Grafana accepted" 'provision-dashboards.sh' \
  'sub scripts/provision-dashboards.sh "[[ \$grafana =~ \$https_url ]]" "[[ \$grafana =~ ^https?:// ]]"'
breaks "gitlab-ci: deploy without the dashboards" 'GitLab deploy jobs provision' \
  'del_line .gitlab-ci.yml "^    - scripts.provision-dashboards"'
# A pipeline you can trust, a supply chain checked on every commit (issue 29, parts 1 and 2)
breaks "gitlab-ci: the image pushed without being started" 'GitLab build-image starts' \
  'del_line .gitlab-ci.yml "^    - IMAGE_ISOLATION=chroot"'
breaks "gitlab-ci: the image started without its database check" 'GitLab build-image starts' \
  'sub .gitlab-ci.yml "IMAGE_ISOLATION=chroot IMAGE_REQUIRE_DATABASE=1 " "IMAGE_ISOLATION=chroot "'
breaks "gitlab-ci: the image started from a fresh build, not the pushed one" 'GitLab build-image starts' \
  'sub .gitlab-ci.yml "scripts/image.sh \"\$rootfs\"" "scripts/image.sh \"\$CI_PROJECT_DIR/rootfs\""'
breaks "gitlab-ci: the web build's digest not recorded" 'GitLab one web build' \
  'del_line .gitlab-ci.yml "WEB_DIST_SHA256=.*web-dist-digest"'
breaks "gitlab-ci: the end-to-end tests on a build of their own" 'GitLab one web build' \
  'sub .gitlab-ci.yml "  needs: [\"build-web\"]\n" "  needs: []\n"'
breaks "gitlab-ci: deploy-web.sh without the tested build's digest" 'GitLab one web build' \
  'sub .gitlab-ci.yml " --sha256 \"\$WEB_DIST_SHA256\"" ""'
breaks "web-test.sh: dist/ rebuilt instead of checked" 'GitLab one web build' \
  'sub scripts/web-test.sh "if [ \"\$got\" != \"\$WEB_DIST_SHA256\" ]; then" "if false; then"'
breaks "deploy-web.sh: another build deployed despite --sha256" 'deploy-web.sh' \
  'sub scripts/deploy-web.sh "[ \"\$got\" = \"\$dist_sha256\" ] || die" "[ \"\$got\" = \"\$dist_sha256\" ] || echo"'
breaks "gitlab-ci: helm upgrade without rendering the environment's values" 'GitLab deploy jobs lint and render' \
  'sub .gitlab-ci.yml "      helm template \"\$HELM_RELEASE\" helm/pge --validate" "      helm template \"\$HELM_RELEASE\" helm/pge"'
breaks "gitlab-ci: chart linted with the CI sample values" 'GitLab deploy jobs lint and render' \
  'sub .gitlab-ci.yml "helm lint --strict helm/pge --values \"\$PGE_HELM_VALUES\"" "helm lint --strict helm/pge --values helm/pge/ci/lint-values.yaml"'
breaks "oidc: production's web deploy role trusts staging's jobs" 'OIDC trust' \
  'sub terraform/environments/production/main.tf "  environment         = \"production\"" "  environment         = \"staging\""'
breaks "oidc: the web deploy role trusts any audience of the provider" 'OIDC trust' \
  'sub terraform/modules/gitlab-web-deploy/main.tf "values   = [\"pge-\${var.environment}\"]" "values   = [\"sts.amazonaws.com\"]"'
breaks "oidc: the push role trusts any branch" 'OIDC trust' \
  'sub terraform/modules/gitlab-oidc/main.tf "ref_type:branch:ref:main\"]" "ref_type:branch:ref:*\"]"'
breaks "oidc: a staging job asks for production's audience" 'OIDC trust' \
  'sub .gitlab-ci.yml "    AWS_DEPLOY_ID_TOKEN:\n      aud: pge-staging\n  rules:" "    AWS_DEPLOY_ID_TOKEN:\n      aud: pge-production\n  rules:"'
breaks "oidc: the web app uploaded with the push role's token" 'OIDC trust' \
  'del_line .gitlab-ci.yml "^    - printf .%s. .{2}AWS_DEPLOY_ID_TOKEN"'
breaks "agent: production's agent admits unprotected branches" 'OIDC trust' \
  'sub .gitlab/agents/pge-production/config.yaml "protected_branches_only: true" "protected_branches_only: false"'
breaks "agent: staging's agent admits production jobs" 'OIDC trust' \
  'sub .gitlab/agents/pge-staging/config.yaml "        - staging" "        - staging\n        - production"'
breaks "deny.toml: AGPL allowed in the binary" 'supply chain' \
  'sub deny.toml "  \"ISC\",\n" "  \"ISC\",\n  \"AGPL-3.0-only\",\n"'
breaks "deny.toml: git sources allowed" 'supply chain' \
  'sub deny.toml "unknown-git = \"deny\"" "unknown-git = \"allow\""'
breaks "test.sh: cargo deny left out of the test command" 'supply chain' \
  'sub scripts/test.sh "\nscripts/supply-chain.sh\n" "\n"'
breaks "supply-chain.sh: a refused npm audit passed off as clean" 'supply chain' \
  'sub scripts/supply-chain.sh "echo \"SKIPPED npm audit:" "echo \"npm audit ok:"'
breaks "gitlab-ci: npm audit allowed to fail" 'supply chain' \
  'sub .gitlab-ci.yml "    - npm audit --prefix web --audit-level=high\n" "    - npm audit --prefix web --audit-level=high\n  allow_failure: true\n"'
breaks "gitlab-ci: no advisories job" 'supply chain' \
  'sub .gitlab-ci.yml "cargo-deny deny --locked check advisories" "cargo-deny deny --locked check bans"'
breaks "gitlab-ci: SBOMs not kept by GitLab" 'supply chain' \
  'sub .gitlab-ci.yml "        - sbom/web.cdx.json\n" ""'
breaks ".ci/run: the image step makes no SBOM" 'supply chain' \
  'sub .ci/run "SBOM_DIR=\"\$image_out/sbom\" scripts/release-build.sh" "scripts/release-build.sh"'
breaks "gitlab-ci: the image pushed unsigned" 'image signed keyless' \
  'del_line .gitlab-ci.yml "^    - cosign sign "'
breaks "gitlab-ci: the web SBOM not attached to the image" 'image signed keyless' \
  'del_line .gitlab-ci.yml "cosign attest .*web.cdx.json"'
breaks "gitlab-ci: deployed without verifying the signature" 'image signed keyless' \
  'sub .gitlab-ci.yml "      cosign verify \"\$ECR_REPOSITORY:\$CI_COMMIT_SHA\"" "      echo \"\$ECR_REPOSITORY:\$CI_COMMIT_SHA\""'
breaks "gitlab-ci: any signer's certificate accepted" 'image signed keyless' \
  'sub .gitlab-ci.yml "--certificate-identity \"\$CI_PROJECT_URL//.gitlab-ci.yml@refs/heads/\$CI_DEFAULT_BRANCH\"" "--certificate-identity-regexp \".*\""'
# Least privilege (issue 29, part 5)
breaks "chart: the worker runs as the API's ServiceAccount" 'helm template|least privilege in the chart' \
  'sub helm/pge/templates/deployment-worker.yaml "serviceAccountName: {{ \$fullname }}-worker" "serviceAccountName: {{ \$fullname }}-api"'
breaks "chart: the migration reads the application's Secret" 'helm template|least privilege in the chart' \
  'sub helm/pge/templates/job-migrate.yaml "pge.migrationDatabaseEnv" "pge.databaseEnv"'
breaks "chart: the migration's ServiceAccount gets an IAM role" 'helm template|least privilege in the chart' \
  'sub helm/pge/templates/job-migrate.yaml "    helm.sh/hook-weight: \"-10\"\n" "    helm.sh/hook-weight: \"-10\"\n    eks.amazonaws.com/role-arn: {{ .Values.serviceAccount.roleArn | quote }}\n"'
breaks "chart: the migration may call out on 443" 'helm template|least privilege in the chart' \
  'sub helm/pge/templates/networkpolicy.yaml "    {{- if ne \$component \"migrate\" }}\n    # AWS" "    {{- if true }}\n    # AWS"'
breaks "chart: HTTPS open to the whole VPC" 'helm template|least privilege in the chart' \
  'sub helm/pge/templates/networkpolicy.yaml "            except:\n              - {{ \$root.Values.networkPolicy.vpcCIDR }}\n" ""'
breaks "chart: HTTPS to the nodes' subnets" 'helm template|least privilege in the chart' \
  'sub terraform/environments/staging/outputs.tf "awsEndpointCIDRs = module.network.endpoint_subnet_cidrs" "awsEndpointCIDRs = module.network.private_subnet_cidrs"'
breaks "chart: the worker without its liveness probe" 'helm template|least privilege in the chart' \
  'sub helm/pge/templates/deployment-worker.yaml "              path: /livez" "              path: /metrics"'
breaks "chart: one role for the API and the worker (helm_values)" 'helm template|least privilege' \
  'sub terraform/environments/production/outputs.tf "workerRoleArn = module.worker_role.role_arn" "workerRoleArn = module.api_role.role_arn"'
breaks "irsa: the worker may read the documents" 'least privilege in IAM' \
  'sub terraform/modules/irsa/main.tf "    actions   = [\"ses:SendEmail\"]" "    actions   = [\"ses:SendEmail\", \"s3:GetObject\"]"'
breaks "irsa: a Cognito call the API makes is not granted" 'least privilege in IAM' \
  'sub terraform/modules/irsa/main.tf ", \"cognito-idp:AdminDeleteUser\"]" "]"'
breaks "irsa: any ServiceAccount of the release may assume a role" 'least privilege in IAM' \
  'sub terraform/modules/irsa/main.tf ":\${var.service_account}-\${var.component}\"]" ":\${var.service_account}\"]"'
breaks "irsa: one policy for both components" 'least privilege in IAM' \
  'sub terraform/modules/irsa/main.tf "policy = var.component == \"api\" ? data.aws_iam_policy_document.api.json : data.aws_iam_policy_document.worker.json" "policy = data.aws_iam_policy_document.api.json"'
breaks "rds: the database admits every pod and node of the cluster" 'least privilege in IAM' \
  'sub terraform/environments/staging/main.tf "client_security_group_ids = [module.eks.pge_pods_security_group_id," "client_security_group_ids = [module.eks.cluster_security_group_id,"'
breaks "eks: pods get no security group of their own" 'least privilege in IAM' \
  'sub terraform/modules/eks/addons.tf "ENABLE_POD_ENI = \"true\"" "ENABLE_POD_ENI = \"false\""'
breaks "chart: the migration's pods without pge's security group" 'helm template|least privilege in the chart' \
  'sub helm/pge/templates/securitygrouppolicy.yaml "      app.kubernetes.io/instance: {{ .Release.Name }}" "      app.kubernetes.io/instance: {{ .Release.Name }}\n      app.kubernetes.io/component: api"'
breaks "chart: a SecurityGroupPolicy with a field its CRD lacks (validate)" 'helm template|kubernetes-validate' \
  'sub helm/pge/templates/securitygrouppolicy.yaml "  securityGroups:\n    groupIds:" "  securityGroups:\n    groupIDs:"'
# The database credentials: Secrets Manager, rotated, synced by External Secrets (part 5)
breaks "secrets: both database Secrets from one Secrets Manager secret" 'helm template|least privilege in the chart' \
  'sub terraform/environments/production/outputs.tf "migrationSecretId = module.database_credentials.migration_secret_name" "migrationSecretId = module.database_credentials.app_secret_name"'
breaks "secrets: synced after the migration Job" 'helm template|least privilege in the chart' \
  'sub helm/pge/templates/externalsecrets.yaml "    helm.sh/hook-weight: \"-20\"" "    helm.sh/hook-weight: \"10\""'
breaks "secrets: a rotated password waits a day" 'helm template|least privilege in the chart' \
  'sub helm/pge/templates/externalsecrets.yaml "refreshInterval: {{ \$root.Values.externalSecrets.refreshInterval }}" "refreshInterval: 24h"'
breaks "secrets: the store reads with the API's role" 'helm template|least privilege in the chart' \
  'sub helm/pge/templates/externalsecrets.yaml "{{ required \"externalSecrets.roleArn is required: the IAM role that may read the database secrets\" .Values.externalSecrets.roleArn | quote }}" "{{ .Values.serviceAccount.roleArn | quote }}"'
breaks "secrets: an ExternalSecret field its CRD lacks (validate)" 'helm template|kubernetes-validate' \
  'sub helm/pge/templates/externalsecrets.yaml "    creationPolicy: Orphan" "    creationPolicy: Orphan\n    immutable: true"'
breaks "rotation: the application role rotated in place" 'least privilege in IAM' \
  'sub terraform/modules/database-credentials/main.tf "RotationType          = \"PostgreSQLMultiUser\"" "RotationType          = \"PostgreSQLSingleUser\""'
breaks "rotation: a password kept a year" 'least privilege in IAM' \
  'sub terraform/modules/database-credentials/variables.tf "var.rotation_days <= 30" "var.rotation_days <= 365"'
breaks "rotation: the store's role may write the secrets" 'least privilege in IAM' \
  'sub terraform/modules/database-credentials/main.tf "[\"secretsmanager:GetSecretValue\", \"secretsmanager:DescribeSecret\"]" "[\"secretsmanager:GetSecretValue\", \"secretsmanager:DescribeSecret\", \"secretsmanager:PutSecretValue\"]"'
# Backups (issue 29, part 6)
breaks "backup: the copy vault left unlocked" 'backups' \
  'sub terraform/modules/backup/main.tf "  backup_vault_name   = aws_backup_vault.copy.name" "  backup_vault_name   = aws_backup_vault.this.name"'
breaks "backup: the copy account's vault in Ireland" 'backups' \
  'sub terraform/environments/production/versions.tf "  alias               = \"backup_copy\"\n  region              = \"eu-west-3\"" "  alias               = \"backup_copy\"\n  region              = \"eu-west-1\""'
breaks "backup: financial records kept a year" 'backups' \
  'sub terraform/modules/backup/variables.tf "  default     = 3653" "  default     = 365"'
breaks "backup: nothing copied to the second account" 'backups' \
  'sub terraform/modules/backup/main.tf "destination_vault_arn = aws_backup_vault.copy.arn" "destination_vault_arn = aws_backup_vault.this.arn"'
breaks "backup: the documents not backed up" 'backups' \
  'sub terraform/modules/backup/main.tf "resources    = [var.database_arn, var.documents_bucket_arn]" "resources    = [var.database_arn]"'
breaks "backup: no point-in-time restore" 'backups' \
  'sub terraform/modules/backup/main.tf "enable_continuous_backup     = true" "enable_continuous_backup     = false"'
# EKS on a supported version, the namespace by code (issue 29, part 8)
breaks "eks: a Kubernetes version out of standard support" 'EKS on a version' \
  'sub terraform/environments/staging/main.tf "  kubernetes_version = \"1.35\"" "  kubernetes_version = \"1.34\""'
breaks "eks: the chart validated for another version than the clusters'" 'EKS on a version' \
  'sub scripts/check-deploy.sh "KUBE_VERSION=\"1.35\"" "KUBE_VERSION=\"1.31\""'
breaks "charts: the Load Balancer Controller unpinned" 'charts by Terraform' \
  'sub terraform/modules/cluster-addons/main.tf "  version    = var.chart_versions[\"aws_load_balancer_controller\"]\n" ""'
breaks "charts: the autoscaler's image of another Kubernetes" 'charts by Terraform' \
  'sub terraform/modules/cluster-addons/variables.tf "  default     = \"v1.35.0\"" "  default     = \"v1.31.0\""'
breaks "charts: installed by hand again" 'charts by Terraform' \
  'append docs/DEPLOYMENT.md "helm upgrade --install metrics-server metrics-server/metrics-server -n kube-system"'
breaks "core add-ons: kube-proxy left to EKS's default (no add-on)" 'core EKS add-ons pinned' \
  'del_block terraform/modules/eks/addons.tf "resource \"aws_eks_addon\" \"kube_proxy\" {"'
breaks "core add-ons: the VPC CNI unpinned" 'core EKS add-ons pinned' \
  'sub terraform/modules/eks/variables.tf "vpc_cni            = \"v1.22.4-eksbuild.3\"" "vpc_cni            = \"latest\""'
breaks "core add-ons: the Pod Identity agent's version not the pinned row" 'core EKS add-ons pinned' \
  'del_line terraform/modules/eks/addons.tf "addon_version += local.addon_versions.pod_identity_agent"'
breaks "core add-ons: kube-proxy of another minor than the cluster's" 'core EKS add-ons pinned' \
  'sub terraform/modules/eks/variables.tf "kube_proxy         = \"v1.35.3-eksbuild.13\"" "kube_proxy         = \"v1.34.6-eksbuild.13\""'
breaks "core add-ons: no row for the clusters' Kubernetes version" 'core EKS add-ons pinned' \
  'sub terraform/modules/eks/variables.tf "    \"1.35\" = {" "    \"1.34\" = {"'
breaks "core add-ons: a pin docs/DEPLOYMENT.md does not name" 'core EKS add-ons pinned' \
  'sub terraform/modules/eks/variables.tf "coredns            = \"v1.14.3-eksbuild.3\"" "coredns            = \"v1.14.3-eksbuild.4\""'
breaks "core add-ons: an update that fails on a conflict" 'core EKS add-ons pinned' \
  'sub terraform/modules/eks/addons.tf "resolve_conflicts_on_update = \"OVERWRITE\"" "resolve_conflicts_on_update = \"NONE\""'
breaks "core add-ons: CoreDNS created before the nodes" 'core EKS add-ons pinned' \
  'del_line terraform/modules/eks/addons.tf "depends_on += \[aws_eks_node_group\.this\]"'
breaks "core add-ons: nodes created before the VPC CNI add-on" 'core EKS add-ons pinned' \
  'del_line terraform/modules/eks/main.tf "^    aws_eks_addon\.vpc_cni,$"'
breaks "core add-ons: the VPC CNI without its own role" 'core EKS add-ons pinned' \
  'del_line terraform/modules/eks/addons.tf "service_account_role_arn"'
breaks "core add-ons: the VPC CNI's role trusted by another ServiceAccount" 'core EKS add-ons pinned' \
  'sub terraform/modules/eks/controllers.tf "vpc_cni                  = \"aws-node\"" "vpc_cni                  = \"kube-proxy\""'
breaks "core add-ons: the node role keeps AmazonEKS_CNI_Policy" 'core EKS add-ons pinned' \
  'sub terraform/modules/eks/main.tf "    \"AmazonEKSWorkerNodePolicy\",\n" "    \"AmazonEKSWorkerNodePolicy\",\n    \"AmazonEKS_CNI_Policy\",\n"'
breaks "namespace: no ALB readiness gate" 'namespace by Terraform' \
  'sub terraform/modules/app-namespace/main.tf "\"elbv2.k8s.aws/pod-readiness-gate-inject\"    = \"enabled\"" "\"elbv2.k8s.aws/pod-readiness-gate-inject\"    = \"disabled\""'
breaks "namespace: Pod Security baseline only" 'namespace by Terraform' \
  'sub terraform/modules/app-namespace/main.tf "\"pod-security.kubernetes.io/enforce\"         = \"restricted\"" "\"pod-security.kubernetes.io/enforce\"         = \"baseline\""'
breaks "namespace: created by hand again" 'namespace by Terraform' \
  'append docs/DEPLOYMENT.md "kubectl create namespace pge"'
breaks "namespace: the deploy jobs bound cluster-wide" 'namespace by Terraform' \
  'sub terraform/modules/app-namespace/main.tf "resource \"kubernetes_role_binding_v1\" \"deployers\"" "resource \"kubernetes_cluster_role_binding_v1\" \"deployers\""'
breaks "chart: a container that may escalate its privileges (Pod Security)" 'helm template|Pod Security' \
  'sub helm/pge/templates/_helpers.tpl "allowPrivilegeEscalation: false" "allowPrivilegeEscalation: true"'
if command -v terraform >/dev/null 2>&1; then
  breaks "terraform: unformatted file (terraform fmt)" 'terraform fmt' \
    'sub terraform/modules/ecr/main.tf "  image_tag_mutability = \"IMMUTABLE\"" "  image_tag_mutability    =    \"IMMUTABLE\""'
fi

echo
echo "test-check-deploy: $OK breakages caught, $KO not caught"
if [ "$KO" -gt 0 ]; then
  printf 'not caught: %s\n' "${KO_NAMES[@]}"
  exit 1
fi
