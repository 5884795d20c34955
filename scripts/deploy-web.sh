#!/usr/bin/env bash
# Uploads the built web app (web/dist) to an environment's `frontend` bucket, writes its
# config.json and invalidates what CloudFront may hold of the entry points. Run by the
# GitLab deploy and rollback jobs (.gitlab-ci.yml); docs/DEPLOYMENT.md ("The web app").
#
#   scripts/deploy-web.sh [--env-file FILE] [OPTIONS]
#
# Every value is an option or a variable; --env-file reads the variables from a file of
# KEY=value lines (the `web_deploy` output of the environment's Terraform, which CI keeps
# as the File variable PGE_WEB_DEPLOY). An option beats a variable, which beats the file.
#
#   --bucket           PGE_WEB_BUCKET            the frontend bucket (terraform output frontend_bucket)
#   --distribution-id  PGE_WEB_DISTRIBUTION_ID   the CloudFront distribution (cloudfront_distribution_id)
#   --authority        PGE_WEB_AUTHORITY         https://cognito-idp.<region>.amazonaws.com/<user pool id>
#   --client-id        PGE_WEB_CLIENT_ID         the SPA app client id (public client, no secret)
#   --logout-url       PGE_WEB_LOGOUT_URL        https://<hosted UI domain>/logout
#   --revocation-url   PGE_WEB_REVOCATION_URL    https://<hosted UI domain>/oauth2/revoke (sign-out
#                                                revokes the refresh token there)
#   --scope            PGE_WEB_SCOPE             default "openid email"
#   --staff-authority  PGE_WEB_STAFF_AUTHORITY   the staff pool's (reviewers and admins, MFA
#   --staff-client-id  PGE_WEB_STAFF_CLIENT_ID   required): config.json's "staff" object, of the
#   --staff-logout-url PGE_WEB_STAFF_LOGOUT_URL  same shape and checks as the top level (the
#   --staff-revocation-url PGE_WEB_STAFF_REVOCATION_URL  applicants' pool); all four, or none
#   --staff-scope      PGE_WEB_STAFF_SCOPE       default "openid email"
#   --dist             PGE_WEB_DIST              the build, default web/dist
#   --sha256           PGE_WEB_DIST_SHA256       the build's digest (scripts/web-dist-digest.sh) as the
#                                                build job recorded it (GitLab: WEB_DIST_SHA256):
#                                                another build is refused before any AWS call
#   --release          PGE_WEB_RELEASE           also keep the build as releases/<id>.tar.gz (the
#                                                commit SHA), for a later --from-release
#   --from-release     PGE_WEB_FROM_RELEASE      deploy releases/<id>.tar.gz instead of --dist
#                                                (the rollback job: the build of an earlier commit)
#   --role-arn         PGE_WEB_DEPLOY_ROLE_ARN   role the aws CLI assumes with the web identity token
#                                                of AWS_WEB_IDENTITY_TOKEN_FILE (GitLab's ID token)
#   --region           PGE_WEB_REGION            default AWS_REGION, else eu-west-3
#
# Order, so that a browser never loads an index.html whose files are not there yet:
#   1. every file under assets/ (content-hashed names) with
#      `Cache-Control: public, max-age=31536000, immutable`;
#   2. every other file (index.html last) with `Cache-Control: no-cache`;
#   3. config.json, written from the values above, `no-cache`, application/json;
#   4. a CloudFront invalidation of /index.html and /config.json (every client-side route
#      is /index.html at the edge: the CloudFront function rewrites it before the cache).
# Nothing is deleted: the assets of earlier builds stay for the pages still open on them.
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2; exit 2; }
die() { echo "deploy-web: $*" >&2; exit 1; }
# shellcheck source=scripts/env-file.sh
. "$(dirname "${BASH_SOURCE[0]}")/env-file.sh"

env_file=""
declare -A opt=()
while [ $# -gt 0 ]; do
  case $1 in
    --env-file) env_file=${2:?--env-file needs a value}; shift 2 ;;
    --bucket) opt[PGE_WEB_BUCKET]=${2:?}; shift 2 ;;
    --distribution-id) opt[PGE_WEB_DISTRIBUTION_ID]=${2:?}; shift 2 ;;
    --authority) opt[PGE_WEB_AUTHORITY]=${2:?}; shift 2 ;;
    --client-id) opt[PGE_WEB_CLIENT_ID]=${2:?}; shift 2 ;;
    --logout-url) opt[PGE_WEB_LOGOUT_URL]=${2:?}; shift 2 ;;
    --revocation-url) opt[PGE_WEB_REVOCATION_URL]=${2:?}; shift 2 ;;
    --scope) opt[PGE_WEB_SCOPE]=${2:?}; shift 2 ;;
    --staff-authority) opt[PGE_WEB_STAFF_AUTHORITY]=${2:?}; shift 2 ;;
    --staff-client-id) opt[PGE_WEB_STAFF_CLIENT_ID]=${2:?}; shift 2 ;;
    --staff-logout-url) opt[PGE_WEB_STAFF_LOGOUT_URL]=${2:?}; shift 2 ;;
    --staff-revocation-url) opt[PGE_WEB_STAFF_REVOCATION_URL]=${2:?}; shift 2 ;;
    --staff-scope) opt[PGE_WEB_STAFF_SCOPE]=${2:?}; shift 2 ;;
    --dist) opt[PGE_WEB_DIST]=${2:?}; shift 2 ;;
    --sha256) opt[PGE_WEB_DIST_SHA256]=${2:?}; shift 2 ;;
    --release) opt[PGE_WEB_RELEASE]=${2:?}; shift 2 ;;
    --from-release) opt[PGE_WEB_FROM_RELEASE]=${2:?}; shift 2 ;;
    --role-arn) opt[PGE_WEB_DEPLOY_ROLE_ARN]=${2:?}; shift 2 ;;
    --region) opt[PGE_WEB_REGION]=${2:?}; shift 2 ;;
    -h | --help) usage ;;
    *) echo "deploy-web: unknown argument: $1" >&2; usage ;;
  esac
done

KEYS=(PGE_WEB_BUCKET PGE_WEB_DISTRIBUTION_ID PGE_WEB_AUTHORITY PGE_WEB_CLIENT_ID PGE_WEB_LOGOUT_URL PGE_WEB_REVOCATION_URL
  PGE_WEB_SCOPE PGE_WEB_STAFF_AUTHORITY PGE_WEB_STAFF_CLIENT_ID PGE_WEB_STAFF_LOGOUT_URL PGE_WEB_STAFF_REVOCATION_URL PGE_WEB_STAFF_SCOPE
  PGE_WEB_DIST PGE_WEB_DIST_SHA256 PGE_WEB_RELEASE PGE_WEB_FROM_RELEASE PGE_WEB_DEPLOY_ROLE_ARN PGE_WEB_REGION)
declare -A val=()
# The file is read, never sourced (scripts/env-file.sh).
if [ -n "$env_file" ]; then read_env_file "$env_file" val "${KEYS[@]}"; fi
for key in "${KEYS[@]}"; do
  if [ -n "${opt[$key]+set}" ]; then
    val[$key]=${opt[$key]}
  elif [ -n "${!key+set}" ]; then
    val[$key]=${!key}
  fi
done

bucket=${val[PGE_WEB_BUCKET]:-}
distribution=${val[PGE_WEB_DISTRIBUTION_ID]:-}
authority=${val[PGE_WEB_AUTHORITY]:-}
client_id=${val[PGE_WEB_CLIENT_ID]:-}
logout_url=${val[PGE_WEB_LOGOUT_URL]:-}
revocation_url=${val[PGE_WEB_REVOCATION_URL]:-}
scope=${val[PGE_WEB_SCOPE]:-openid email}
staff_authority=${val[PGE_WEB_STAFF_AUTHORITY]:-}
staff_client_id=${val[PGE_WEB_STAFF_CLIENT_ID]:-}
staff_logout_url=${val[PGE_WEB_STAFF_LOGOUT_URL]:-}
staff_revocation_url=${val[PGE_WEB_STAFF_REVOCATION_URL]:-}
staff_scope=${val[PGE_WEB_STAFF_SCOPE]:-openid email}
dist=${val[PGE_WEB_DIST]:-web/dist}
dist_sha256=${val[PGE_WEB_DIST_SHA256]:-}
release=${val[PGE_WEB_RELEASE]:-}
from_release=${val[PGE_WEB_FROM_RELEASE]:-}
role_arn=${val[PGE_WEB_DEPLOY_ROLE_ARN]:-}
region=${val[PGE_WEB_REGION]:-${AWS_REGION:-eu-west-3}}

# --- refuse what would publish a broken or unsafe app -------------------------------------
[[ $bucket =~ ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$ ]] || die "PGE_WEB_BUCKET: not a bucket name: '$bucket'"
[[ $distribution =~ ^E[A-Z0-9]{5,}$ ]] || die "PGE_WEB_DISTRIBUTION_ID: not a CloudFront distribution id: '$distribution'"
# Sign-in goes to these URLs: https only, and no character that JSON or a URL would need
# escaped (config.json is written with printf).
https_url='^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~%/-]*)?$'
[[ $authority =~ $https_url ]] || die "PGE_WEB_AUTHORITY must be an https URL, got '$authority'"
[[ $logout_url =~ $https_url ]] || die "PGE_WEB_LOGOUT_URL must be an https URL, got '$logout_url'"
[[ $revocation_url =~ $https_url ]] || die "PGE_WEB_REVOCATION_URL must be an https URL, got '$revocation_url'"
[[ $client_id =~ ^[A-Za-z0-9_+-]{1,128}$ ]] || die "PGE_WEB_CLIENT_ID: not an app client id: '$client_id'"
[[ $scope =~ ^[A-Za-z0-9_.:/-]+( [A-Za-z0-9_.:/-]+)*$ ]] || die "PGE_WEB_SCOPE: not a list of scopes: '$scope'"
[[ " $scope " == *" openid "* ]] || die "PGE_WEB_SCOPE must include openid, got '$scope'"
# The staff pool's provider (reviewers and admins): the same checks, all four or none, and
# another pool and client than the applicants' (the API refuses one pool for both).
staff=""
if [ -n "$staff_authority$staff_client_id$staff_logout_url$staff_revocation_url" ]; then
  [[ $staff_authority =~ $https_url ]] || die "PGE_WEB_STAFF_AUTHORITY must be an https URL, got '$staff_authority'"
  [[ $staff_logout_url =~ $https_url ]] || die "PGE_WEB_STAFF_LOGOUT_URL must be an https URL, got '$staff_logout_url'"
  [[ $staff_revocation_url =~ $https_url ]] || die "PGE_WEB_STAFF_REVOCATION_URL must be an https URL, got '$staff_revocation_url'"
  [[ $staff_client_id =~ ^[A-Za-z0-9_+-]{1,128}$ ]] || die "PGE_WEB_STAFF_CLIENT_ID: not an app client id: '$staff_client_id'"
  [[ $staff_scope =~ ^[A-Za-z0-9_.:/-]+( [A-Za-z0-9_.:/-]+)*$ ]] || die "PGE_WEB_STAFF_SCOPE: not a list of scopes: '$staff_scope'"
  [[ " $staff_scope " == *" openid "* ]] || die "PGE_WEB_STAFF_SCOPE must include openid, got '$staff_scope'"
  [ "$staff_authority" != "$authority" ] || die "PGE_WEB_STAFF_AUTHORITY is the applicants' authority: the staff sign in to their own pool"
  [ "$staff_client_id" != "$client_id" ] || die "PGE_WEB_STAFF_CLIENT_ID is the applicants' client: the staff pool has its own"
  staff=$(printf ', "staff": {"authority": "%s", "client_id": "%s", "scope": "%s", "logout_url": "%s", "revocation_url": "%s"}' \
    "$staff_authority" "$staff_client_id" "$staff_scope" "$staff_logout_url" "$staff_revocation_url")
fi
[[ -z $dist_sha256 || $dist_sha256 =~ ^[0-9a-f]{64}$ ]] || die "PGE_WEB_DIST_SHA256: not a sha256 digest: '$dist_sha256'"
[[ -z $dist_sha256 || -z $from_release ]] || die "--sha256 checks a --dist build; --from-release deploys a kept one"
[[ -z $release || $release =~ ^[A-Za-z0-9._-]{1,128}$ ]] || die "PGE_WEB_RELEASE: not a release id: '$release'"
[[ -z $from_release || $from_release =~ ^[A-Za-z0-9._-]{1,128}$ ]] || die "PGE_WEB_FROM_RELEASE: not a release id: '$from_release'"
[[ $region =~ ^[a-z]{2}(-gov)?-[a-z]+-[0-9]$ ]] || die "PGE_WEB_REGION: not a region: '$region'"

command -v aws >/dev/null || die "the aws CLI is needed"
export AWS_REGION=$region AWS_DEFAULT_REGION=$region
if [ -n "$role_arn" ]; then
  [[ $role_arn =~ ^arn:aws:iam::[0-9]{12}:role/ ]] || die "PGE_WEB_DEPLOY_ROLE_ARN: not a role ARN: '$role_arn'"
  [ -n "${AWS_WEB_IDENTITY_TOKEN_FILE:-}" ] || die "PGE_WEB_DEPLOY_ROLE_ARN needs AWS_WEB_IDENTITY_TOKEN_FILE (the CI job's ID token)"
  export AWS_ROLE_ARN=$role_arn AWS_ROLE_SESSION_NAME=${AWS_ROLE_SESSION_NAME:-pge-deploy-web}
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ -n "$from_release" ]; then
  echo "deploy-web: fetching the build of release $from_release"
  aws s3 cp "s3://$bucket/releases/$from_release.tar.gz" "$work/release.tar.gz" --only-show-errors ||
    die "no build kept for release $from_release (s3://$bucket/releases/$from_release.tar.gz): re-deploy that commit's pipeline instead"
  mkdir "$work/dist"
  tar -xzf "$work/release.tar.gz" -C "$work/dist"
  dist=$work/dist
fi
[ -f "$dist/index.html" ] || die "no $dist/index.html: build the app first (npm ci --prefix web && npm --prefix web run build)"
# The very build the end-to-end tests ran, or nothing: its digest is the one recorded.
if [ -n "$dist_sha256" ]; then
  got=$("$(dirname "${BASH_SOURCE[0]}")/web-dist-digest.sh" "$dist")
  [ "$got" = "$dist_sha256" ] || die "$dist has digest $got, not $dist_sha256 (the build the tests ran): refusing to deploy another build"
  echo "deploy-web: $dist is the tested build (sha256 $got)"
fi

content_type() {
  case ${1,,} in
    *.html) echo "text/html; charset=utf-8" ;;
    *.js | *.mjs) echo "text/javascript; charset=utf-8" ;;
    *.css) echo "text/css; charset=utf-8" ;;
    *.json | *.map) echo "application/json" ;;
    *.webmanifest) echo "application/manifest+json" ;;
    *.svg) echo "image/svg+xml" ;;
    *.png) echo "image/png" ;;
    *.jpg | *.jpeg) echo "image/jpeg" ;;
    *.gif) echo "image/gif" ;;
    *.webp) echo "image/webp" ;;
    *.avif) echo "image/avif" ;;
    *.ico) echo "image/x-icon" ;;
    *.woff2) echo "font/woff2" ;;
    *.woff) echo "font/woff" ;;
    *.ttf) echo "font/ttf" ;;
    *.otf) echo "font/otf" ;;
    *.txt) echo "text/plain; charset=utf-8" ;;
    *.xml) echo "application/xml" ;;
    *.wasm) echo "application/wasm" ;;
    *.pdf) echo "application/pdf" ;;
    *) echo "application/octet-stream" ;;
  esac
}
put() { # put FILE KEY CACHE_CONTROL [CONTENT_TYPE]
  local type=${4:-$(content_type "$2")}
  aws s3 cp "$1" "s3://$bucket/$2" --cache-control "$3" --content-type "$type" --only-show-errors
}

# Files relative to the build, sorted; precompressed copies (.gz, .br) are left out:
# CloudFront compresses by itself. A config.json of the build is replaced by ours.
# (Plain find and sed: the deploy jobs' image is Alpine, whose busybox find has no -printf.)
mapfile -t files < <(cd "$dist" && find . -type f ! -name '*.gz' ! -name '*.br' | sed 's|^\./||' | LC_ALL=C sort)
assets=() others=()
for f in "${files[@]}"; do
  case $f in
    assets/*) assets+=("$f") ;;
    index.html | config.json) ;;
    *) others+=("$f") ;;
  esac
done

echo "deploy-web: s3://$bucket: ${#assets[@]} assets (immutable), $((${#others[@]} + 1)) other files (no-cache), config.json"
for f in "${assets[@]}"; do
  put "$dist/$f" "$f" "public, max-age=31536000, immutable"
done
for f in "${others[@]}" index.html; do
  put "$dist/$f" "$f" "no-cache"
done

printf '{"authority": "%s", "client_id": "%s", "scope": "%s", "logout_url": "%s", "revocation_url": "%s"%s}\n' \
  "$authority" "$client_id" "$scope" "$logout_url" "$revocation_url" "$staff" >"$work/config.json"
put "$work/config.json" config.json "no-cache" "application/json"

# The build, kept for a rollback to this release (the bucket policy keeps releases/ away
# from CloudFront).
if [ -n "$release" ]; then
  tar -czf "$work/release.tar.gz" -C "$dist" .
  put "$work/release.tar.gz" "releases/$release.tar.gz" "no-store" "application/gzip"
fi

invalidation=$(aws cloudfront create-invalidation --distribution-id "$distribution" \
  --paths /index.html /config.json --query Invalidation.Id --output text)
echo "deploy-web: CloudFront $distribution: invalidation $invalidation of /index.html and /config.json"
