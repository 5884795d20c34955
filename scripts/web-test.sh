#!/usr/bin/env bash
# The web app's checks, in order: install from the lock file, the API client matches
# openapi/openapi.json, types, unit tests, build, bundle budget, then the end-to-end
# tests in Debian's Chromium against the real `pge` binary ($PGE_BINARY, else
# ${CARGO_TARGET_DIR:-~/.cache/pge/target}/debug/pge). No internet needed but the npm
# registry (or its cache) and Debian's packages.
set -euo pipefail
cd "$(dirname "$0")/../web"

# Each step prints the seconds it took, to see where the suite's time goes.
timed() {
  local started=$SECONDS
  "$@"
  echo "== $* took $((SECONDS - started)) s"
}
timed npm ci --prefer-offline --no-audit --no-fund
timed npm run check:api
timed npm run typecheck
timed npm test
timed npm run build
node scripts/check-size.mjs

if [ ! -x /usr/bin/chromium ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y chromium
fi

# Two files at once: each starts its own `pge` and browser, and most of their time is
# spent waiting on the page, not on the CPU.
timed node --test --test-concurrency=2 e2e/
