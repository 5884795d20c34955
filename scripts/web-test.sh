#!/usr/bin/env bash
# The web app's checks: install from the lock file, build and bundle budget, then the
# end-to-end tests in Debian's Chromium against the real `pge` binary ($PGE_BINARY, else
# ${CARGO_TARGET_DIR:-~/.cache/pge/target}/debug/pge), and beside them the API client
# matches openapi/openapi.json, types and unit tests. No internet needed but the npm
# registry (or its cache) and Debian's packages.
set -euo pipefail
cd "$(dirname "$0")/../web"

# Each step prints the seconds it took, to see where the suite's time goes.
timed() {
  local started=$SECONDS status=0
  "$@" || status=$?
  echo "== $* took $((SECONDS - started)) s"
  return "$status"
}
timed npm ci --prefer-offline --no-audit --no-fund
timed npm run build
node scripts/check-size.mjs

if [ ! -x /usr/bin/chromium ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y chromium
fi

# The end-to-end tests need only the build: they start at once, the longest step of the
# suite, and the other checks run beside them. Their output is shown after the other
# checks'.
E2E_LOG="$(mktemp -t pge-e2e.XXXXXX.log)"
trap 'rm -f "$E2E_LOG"' EXIT
timed npm run --silent e2e >"$E2E_LOG" 2>&1 &
E2E_PID=$!

status=0
timed npm run check:api || status=$?
timed npm run typecheck || status=$?
timed npm test || status=$?

e2e_status=0
wait "$E2E_PID" || e2e_status=$?
echo "== end-to-end tests (scripts/e2e.mjs)"
cat "$E2E_LOG"
[ "$e2e_status" -eq 0 ] || status=$e2e_status
exit "$status"
