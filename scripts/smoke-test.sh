#!/usr/bin/env bash
# Smoke test of a deployed environment through its public URL: CloudFront, the WAF, the
# web app's bucket, the ALB and the API pods, as a user's browser reaches them. Run by the
# GitLab job smoke-staging after deploy-staging; deploy-production needs it to pass.
#
#   scripts/smoke-test.sh URL         e.g. https://staging.pge.example.fr
#
#   PGE_SMOKE_STAFF_REFRESH_TOKEN  the Cognito refresh token of the environment's smoke
#                            account, a bank reviewer of the staff pool (required: see
#                            docs/DEPLOYMENT.md, "The staging gate")
#   PGE_SMOKE_COGNITO_URL    Cognito's endpoint; default https://cognito-idp.<region of the
#                            staff authority in /config.json>.amazonaws.com/ (a test points
#                            it at a stand-in)
#
# What it checks, one line each (PASS/FAIL), exit 1 when one fails:
#   - the web app: / is the SPA's index.html; /config.json names an https authority and a
#     client id, and those of the staff pool (its "staff" object, another pool), as
#     deploy-web.sh wrote them;
#   - the public API: the bank list; a simulation answered with terms;
#   - the edge lets real bodies in: a 20 KiB body (over the common rule set's 8 KB) is
#     answered by the API, not refused by the WAF; one over 64 KiB is refused (403 or 413);
#   - authentication is enforced: the list of loan requests without a token is the API's
#     401 (problem+json);
#   - a signed-in call: the smoke reviewer's refresh token is exchanged for an access token
#     at Cognito (REFRESH_TOKEN_AUTH, with the staff client id of /config.json: the API
#     accepts that client's access tokens, and honours the reviewer group in them only),
#     and the list of loan requests answers 200 with it.
# What it does not: sign in through the hosted UI (TOTP MFA), submit or review a request
# (it writes nothing), run the browser journeys of web/e2e (they start their own server).
set -uo pipefail

die() { echo "smoke-test: $*" >&2; exit 2; }
[ $# -eq 1 ] && [[ $1 =~ ^https?://[^/]+/?$ ]] || die "usage: $0 URL (scheme and host, e.g. https://staging.pge.example.fr)"
url=${1%/}
for tool in curl jq; do command -v "$tool" >/dev/null || die "$tool is needed"; done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

pass() { printf 'PASS  %s\n' "$1"; }
fail() { printf 'FAIL  %s\n' "$1"; failed=$((failed + 1)); }

# request METHOD PATH [curl args...]: the answer's body in $tmp/body; prints
# "<status> <content type>".
request() {
  local method=$1 path=$2
  shift 2
  # No "Expect: 100-continue" (curl's second of waiting before a large body).
  curl -sS --max-time 30 -H 'expect:' -o "$tmp/body" -w '%{http_code} %{content_type}' -X "$method" "$url$path" "$@" 2>"$tmp/err" ||
    echo "000 curl-failed:$(tr '\n' ' ' <"$tmp/err")"
}
json_body() { jq -e "$1" "$tmp/body" >/dev/null 2>&1; }

# The web app.
read -r status ctype < <(request GET /)
if [ "$status" = 200 ] && [[ $ctype == text/html* ]] && grep -q 'id="root"' "$tmp/body"; then
  pass "/ is the web app's index.html"
else
  fail "/ answered $status $ctype, not the web app's index.html"
fi
read -r status ctype < <(request GET /config.json)
if [ "$status" = 200 ] && json_body '(.authority | startswith("https://")) and (.client_id | length > 0)'; then
  pass "/config.json names the sign-in authority and client"
else
  fail "/config.json answered $status $ctype without an https authority and a client id"
fi
# The staff pool's provider: reviewers and admins sign in there (MFA required).
if [ "$status" = 200 ] && json_body '(.staff.authority | startswith("https://")) and (.staff.client_id | length > 0)
    and .staff.authority != .authority and .staff.client_id != .client_id'; then
  pass "/config.json names the staff pool's authority and client"
  authority=$(jq -r .staff.authority "$tmp/body")
  client_id=$(jq -r .staff.client_id "$tmp/body")
else
  fail "/config.json has no staff provider (staff.authority, staff.client_id of another pool): reviewers and admins cannot sign in"
  authority="" client_id=""
fi

# The public API.
read -r status ctype < <(request GET /api/v1/banks)
if [ "$status" = 200 ] && json_body 'type == "array"'; then
  pass "GET /api/v1/banks: the bank list ($(jq length "$tmp/body") banks)"
else
  fail "GET /api/v1/banks answered $status $ctype, not a list"
fi
simulation='{"company": {"siren": "732829320", "legal_name": "Boulangerie Exemple", "legal_form": "SAS",
  "creation_date": "2012-05-04", "headcount": 12, "revenue_cents": 100000000},
  "requested_amount_cents": 5000000, "amortization_years": 4}'
read -r status ctype < <(request POST /api/v1/simulations -H 'content-type: application/json' --data-binary "$simulation")
if [ "$status" = 200 ] && json_body '.eligible | type == "boolean"'; then
  pass "POST /api/v1/simulations: a simulation answered"
else
  fail "POST /api/v1/simulations answered $status $ctype, not a simulation"
fi

# Bodies at the edge: padded simulations (the padding is a field the API ignores or
# refuses: either way the API answers, in JSON).
padded() { jq -c --arg pad "$(head -c "$1" /dev/zero | tr '\0' 'e')" '. + {padding: $pad}' <<<"$simulation" >"$tmp/padded"; }
padded 20480
read -r status ctype < <(request POST /api/v1/simulations -H 'content-type: application/json' --data-binary "@$tmp/padded")
if [[ $status =~ ^(200|400|422)$ ]] && [[ $ctype =~ ^application/(problem\+)?json ]]; then
  pass "a 20 KiB body reaches the API ($status): the edge does not stop bodies over 8 KB"
else
  fail "a 20 KiB body answered $status $ctype: refused before the API (the WAF's 8 KB body rule?)"
fi
padded 70000
read -r status ctype < <(request POST /api/v1/simulations -H 'content-type: application/json' --data-binary "@$tmp/padded")
if [[ $status =~ ^(403|413)$ ]]; then
  pass "a body over 64 KiB is refused ($status)"
else
  fail "a body over 64 KiB answered $status $ctype, not 403 (WAF) or 413 (API)"
fi

# Authentication.
read -r status ctype < <(request GET /api/v1/loan-requests)
if [ "$status" = 401 ] && [[ $ctype == application/problem+json* ]]; then
  pass "GET /api/v1/loan-requests without a token: the API's 401"
else
  fail "GET /api/v1/loan-requests without a token answered $status $ctype, not the API's 401"
fi

# A signed-in call, as the smoke reviewer (the staff pool).
if [ -z "${PGE_SMOKE_STAFF_REFRESH_TOKEN:-}" ]; then
  fail "a signed-in call: PGE_SMOKE_STAFF_REFRESH_TOKEN is not set (the smoke reviewer's refresh token, of the staff pool, a masked CI/CD variable of the environment)"
elif [ -z "$client_id" ]; then
  fail "a signed-in call: no staff client id (/config.json failed)"
else
  region=$(sed -nE 's|^https://cognito-idp\.([a-z0-9-]+)\.amazonaws\.com/.*$|\1|p' <<<"$authority")
  cognito=${PGE_SMOKE_COGNITO_URL:-${region:+https://cognito-idp.$region.amazonaws.com/}}
  if [ -z "$cognito" ]; then
    fail "a signed-in call: the authority $authority is not Cognito's (set PGE_SMOKE_COGNITO_URL)"
  else
    jq -n --arg client "$client_id" --arg token "$PGE_SMOKE_STAFF_REFRESH_TOKEN" \
      '{AuthFlow: "REFRESH_TOKEN_AUTH", ClientId: $client, AuthParameters: {REFRESH_TOKEN: $token}}' >"$tmp/auth"
    status=$(curl -sS --max-time 30 -o "$tmp/token" -w '%{http_code}' -X POST "$cognito" \
      -H 'content-type: application/x-amz-json-1.1' \
      -H 'x-amz-target: AWSCognitoIdentityProviderService.InitiateAuth' --data-binary "@$tmp/auth" 2>/dev/null) || status=000
    access_token=$(jq -er '.AuthenticationResult.AccessToken' "$tmp/token" 2>/dev/null) || access_token=""
    if [ -z "$access_token" ]; then
      fail "a signed-in call: Cognito answered $status to the refresh token ($(jq -r '.__type // .message // empty' "$tmp/token" 2>/dev/null | head -c 120)): renew PGE_SMOKE_STAFF_REFRESH_TOKEN"
    else
      read -r status ctype < <(request GET /api/v1/loan-requests -H "authorization: Bearer $access_token")
      if [ "$status" = 200 ] && json_body 'type == "object" or type == "array"'; then
        pass "GET /api/v1/loan-requests as the smoke reviewer: 200"
      else
        fail "GET /api/v1/loan-requests as the smoke reviewer answered $status $ctype"
      fi
    fi
  fi
fi

echo "smoke-test of $url: $failed failed"
[ "$failed" -eq 0 ]
