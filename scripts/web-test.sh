#!/usr/bin/env bash
# The web app's checks: install from the lock file and build, each only when what it
# reads changed, and the bundle budget; then the end-to-end tests in Debian's Chromium
# against the real `pge` binary ($PGE_BINARY, else
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
# `npm ci` (a fresh node_modules) only when package-lock.json or Node changed since the
# last install here: a clean clone always installs; a warm one saves its 15 to 20 s.
installed="$(sha256sum package-lock.json | cut -d' ' -f1) node $(node --version)"
stamp=node_modules/.pge-installed
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$installed" ]; then
  echo "== node_modules matches package-lock.json ($stamp): npm ci skipped"
else
  timed npm ci --prefer-offline --no-audit --no-fund
  echo "$installed" >"$stamp"
fi
# The build (vite, then the compressed copies) only when dist/ is not the output of the
# sources as they are: the record holds a digest of every input of the build and one of
# dist/ as that build left it, so a manual build or an edit of dist/ rebuilds too.
digest_of_sources() {
  { find src public index.html vite.config.ts tsconfig.json package.json package-lock.json \
      scripts/compress.mjs -type f -print0 | sort -z | xargs -0 sha256sum
    find . -maxdepth 1 -name '.env*' -type f -print0 | sort -z | xargs -0 -r sha256sum
    env | grep '^VITE_' | sort || true
    node --version; } |
    sha256sum | cut -d' ' -f1
}
digest_of_dist() {
  [ -f dist/index.html ] || return 0
  find dist -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1
}
built=node_modules/.cache/pge/build
sources="$(digest_of_sources)"
if [ -n "${WEB_DIST_SHA256:-}" ]; then
  # GitLab's test job: dist/ is build-web's artifact, the build the deploy jobs upload
  # (scripts/deploy-web.sh --sha256): it is tested as it is, never rebuilt here.
  got=$(../scripts/web-dist-digest.sh dist)
  if [ "$got" != "$WEB_DIST_SHA256" ]; then
    echo "error: dist/ has digest $got, not build-web's WEB_DIST_SHA256=$WEB_DIST_SHA256" >&2
    exit 1
  fi
  echo "== dist/ is build-web's artifact (sha256 $got): tested as deployed, build skipped"
elif [ -f "$built" ] && [ "$(cat "$built")" = "$sources $(digest_of_dist)" ]; then
  echo "== dist/ was built from these very sources ($built): build skipped"
else
  rm -f "$built"
  timed npm run build
  mkdir -p "$(dirname "$built")"
  echo "$sources $(digest_of_dist)" >"$built"
fi
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
timed npm run lint || status=$?
timed npm test || status=$?

e2e_status=0
wait "$E2E_PID" || e2e_status=$?
echo "== end-to-end tests (scripts/e2e.mjs)"
cat "$E2E_LOG"
[ "$e2e_status" -eq 0 ] || status=$e2e_status
exit "$status"
