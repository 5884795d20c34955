#!/usr/bin/env bash
# Provisions the dashboards of ops/grafana/ into an environment's Amazon Managed Grafana
# workspace, with its Prometheus workspace as their data source. Run by the GitLab deploy
# jobs after the web app (.gitlab-ci.yml); docs/DEPLOYMENT.md ("Dashboards"). The aws
# provider of Terraform can create the workspace but not what is inside it: this script
# is that part.
#
#   scripts/provision-dashboards.sh [--env-file FILE] [--dashboards DIR]
#
# Every value is a variable, or a KEY=value line of --env-file (the `dashboards_deploy`
# output of the environment's Terraform, which CI keeps as the File variable
# PGE_DASHBOARDS_DEPLOY); a variable beats the file:
#
#   PGE_GRAFANA_URL                 https://<workspace endpoint>
#   PGE_GRAFANA_WORKSPACE_ID        g-...
#   PGE_GRAFANA_SERVICE_ACCOUNT_ID  the workspace's service account for CI (Admin)
#   PGE_GRAFANA_REGION              the workspace's region
#   PGE_PROMETHEUS_URL              https://aps-workspaces.<region>.amazonaws.com/workspaces/ws-.../
#   PGE_PROMETHEUS_REGION           its region (SigV4)
#   PGE_DASHBOARDS_ROLE_ARN         optional: the role the aws CLI assumes with the web
#                                   identity token of AWS_WEB_IDENTITY_TOKEN_FILE (GitLab's)
#
# 1. checks every value and every dashboard (JSON with a uid and a title) before any call;
# 2. mints a token of the service account that lives 15 minutes, and deletes it when the
#    script ends, whether it succeeded or not;
# 3. creates or updates the data source `pge-prometheus` (Prometheus, SigV4 with the
#    workspace's IAM role, the default data source: the dashboards' `datasource` variable
#    picks it);
# 4. posts each dashboard with overwrite on: its uid names it, so a second run updates it.
# Needs bash, curl, jq and the aws CLI.
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2; exit 2; }
die() { echo "provision-dashboards: $*" >&2; exit 1; }
# shellcheck source=scripts/env-file.sh
. "$(dirname "${BASH_SOURCE[0]}")/env-file.sh"

env_file="" dashboards="ops/grafana"
while [ $# -gt 0 ]; do
  case $1 in
    --env-file) env_file=${2:?--env-file needs a value}; shift 2 ;;
    --dashboards) dashboards=${2:?--dashboards needs a value}; shift 2 ;;
    -h | --help) usage ;;
    *) echo "provision-dashboards: unknown argument: $1" >&2; usage ;;
  esac
done

KEYS=(PGE_GRAFANA_URL PGE_GRAFANA_WORKSPACE_ID PGE_GRAFANA_SERVICE_ACCOUNT_ID PGE_GRAFANA_REGION
  PGE_PROMETHEUS_URL PGE_PROMETHEUS_REGION PGE_DASHBOARDS_ROLE_ARN)
declare -A val=()
# The file is read, never sourced (scripts/env-file.sh).
if [ -n "$env_file" ]; then read_env_file "$env_file" val "${KEYS[@]}"; fi
for key in "${KEYS[@]}"; do
  if [ -n "${!key:-}" ]; then val[$key]=${!key}; fi
done
get() { printf '%s' "${val[$1]:-}"; }

grafana=$(get PGE_GRAFANA_URL) grafana=${grafana%/}
prometheus=$(get PGE_PROMETHEUS_URL) prometheus=${prometheus%/}
workspace=$(get PGE_GRAFANA_WORKSPACE_ID) account=$(get PGE_GRAFANA_SERVICE_ACCOUNT_ID)
grafana_region=$(get PGE_GRAFANA_REGION) prometheus_region=$(get PGE_PROMETHEUS_REGION)
https_url='^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[^[:space:]]*)?$'
[[ $grafana =~ $https_url ]] || die "PGE_GRAFANA_URL must be an https URL, not '$grafana'"
[[ $prometheus =~ $https_url ]] || die "PGE_PROMETHEUS_URL must be an https URL, not '$prometheus'"
[[ $workspace =~ ^g-[a-z0-9]+$ ]] || die "PGE_GRAFANA_WORKSPACE_ID must be a workspace id (g-...), not '$workspace'"
[[ $account =~ ^[A-Za-z0-9_-]+$ ]] || die "PGE_GRAFANA_SERVICE_ACCOUNT_ID is missing or malformed: '$account'"
[[ $grafana_region =~ ^[a-z]{2}-[a-z]+-[0-9]$ ]] || die "PGE_GRAFANA_REGION must be a region, not '$grafana_region'"
[[ $prometheus_region =~ ^[a-z]{2}-[a-z]+-[0-9]$ ]] || die "PGE_PROMETHEUS_REGION must be a region, not '$prometheus_region'"

shopt -s nullglob
files=("$dashboards"/*.json)
[ ${#files[@]} -gt 0 ] || die "no dashboard (*.json) in $dashboards"
for f in "${files[@]}"; do
  jq -e 'type == "object" and (.uid | type == "string" and length > 0) and (.title | type == "string" and length > 0)' "$f" >/dev/null 2>&1 ||
    die "$f: not a dashboard (JSON with a uid and a title)"
done

if [ -n "$(get PGE_DASHBOARDS_ROLE_ARN)" ]; then
  export AWS_ROLE_ARN
  AWS_ROLE_ARN=$(get PGE_DASHBOARDS_ROLE_ARN)
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A token of the CI service account for this run only: 15 minutes, deleted on the way out.
token_json=$(aws grafana create-workspace-service-account-token --region "$grafana_region" \
  --workspace-id "$workspace" --service-account-id "$account" \
  --name "ci-${CI_PIPELINE_ID:-local}-$(date +%s)-$$" --seconds-to-live 900 --output json) ||
  die "cannot create a token of service account $account in workspace $workspace"
token=$(jq -er '.serviceAccountToken.key' <<<"$token_json") || die "no token in the answer of create-workspace-service-account-token"
token_id=$(jq -er '.serviceAccountToken.id' <<<"$token_json") || die "no token id in the answer of create-workspace-service-account-token"
delete_token() {
  aws grafana delete-workspace-service-account-token --region "$grafana_region" \
    --workspace-id "$workspace" --service-account-id "$account" --token-id "$token_id" >/dev/null ||
    echo "provision-dashboards: could not delete token $token_id (it expires within 15 minutes)" >&2
}
trap 'rm -rf "$tmp"; delete_token' EXIT

# api METHOD PATH [BODY FILE]: the answer's body on stdout, its status in $status.
api() {
  local out="$tmp/http" args
  args=(-sS -o "$out" -w '%{http_code}' -X "$1" "$grafana$2" -H 'Content-Type: application/json'
    -H 'Accept: application/json' -H @"$tmp/auth")
  [ $# -lt 3 ] || args+=(--data-binary "@$3")
  status=$(curl "${args[@]}") || die "$1 $2: no answer from $grafana"
  cat "$out"
}
# The token goes to curl in a file, never on its command line (ps would show it).
(umask 077 && printf 'Authorization: Bearer %s\n' "$token" >"$tmp/auth")

# The data source: Prometheus on the workspace, signed with the Grafana workspace's role.
jq -n --arg url "$prometheus" --arg region "$prometheus_region" '{
  uid: "pge-prometheus", name: "pge Prometheus", type: "prometheus", access: "proxy",
  url: $url, isDefault: true,
  jsonData: {httpMethod: "POST", sigV4Auth: true, sigV4AuthType: "ec2_iam_role", sigV4Region: $region}
}' >"$tmp/datasource.json"
api GET /api/datasources/uid/pge-prometheus >/dev/null
case $status in
  200) api PUT /api/datasources/uid/pge-prometheus "$tmp/datasource.json" >"$tmp/answer" ;;
  404) api POST /api/datasources "$tmp/datasource.json" >"$tmp/answer" ;;
  *) die "GET /api/datasources/uid/pge-prometheus answered $status" ;;
esac
[ "$status" = 200 ] || die "the data source was refused ($status): $(cat "$tmp/answer")"
echo "data source pge-prometheus: $prometheus ($prometheus_region)"

for f in "${files[@]}"; do
  jq --arg message "pge ${CI_COMMIT_SHA:-local}" \
    '{dashboard: (. + {id: null}), overwrite: true, message: $message}' "$f" >"$tmp/dashboard.json"
  api POST /api/dashboards/db "$tmp/dashboard.json" >"$tmp/answer"
  [ "$status" = 200 ] || die "$f was refused ($status): $(cat "$tmp/answer")"
  echo "dashboard $(jq -r .uid "$f"): $grafana$(jq -r '.url // ""' "$tmp/answer")"
done
