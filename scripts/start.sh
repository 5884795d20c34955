#!/usr/bin/env bash
# The README's first command: builds the web app when it is missing or older than its
# sources, then starts pge on the embedded default (SQLite under ./var, the dev identity
# provider, local mail and document folders): the app at http://127.0.0.1:8080/, the
# API under /api/v1, its documentation at /docs. Extra arguments go to `pge serve`.
# Needs Rust, Node 20 (with npm) and a C compiler; nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f web/dist/index.html ] \
  || [ -n "$(find web/src web/public web/index.html web/package-lock.json web/vite.config.ts \
      -newer web/dist/index.html -print -quit 2>/dev/null)" ]; then
  echo "building the web app (web/dist)" >&2
  npm --prefix web ci --no-audit --no-fund --prefer-offline
  npm --prefix web run build
fi

# The dev profile: the first build is the quickest (measured in the README), and it is
# the one the test suite builds. The image keeps its fat-LTO release build.
exec cargo run --locked -p pge-api --bin pge -- serve "$@"
