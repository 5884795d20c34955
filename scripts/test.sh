#!/usr/bin/env bash
# The whole test suite: unit, property and black-box tests, against SQLite and against
# the PostgreSQL server on 127.0.0.1:5432 (override with PGE_TEST_DATABASE_URL).
# Fails, never skips, when PostgreSQL cannot be reached.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/pge/target}"
export PGE_TEST_DATABASE_URL="${PGE_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

pg_reachable() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -d "$PGE_TEST_DATABASE_URL"
  else
    (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null
  fi
}

if ! pg_reachable; then
  if [ -d /etc/postgresql ] && command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "PostgreSQL is down: starting the local cluster" >&2
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start || true
    for _ in $(seq 1 30); do pg_reachable && break; sleep 1; done
  fi
fi
if ! pg_reachable; then
  echo "error: PostgreSQL is not reachable at $PGE_TEST_DATABASE_URL; the suite needs it" >&2
  exit 1
fi

if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --locked --no-fail-fast "$@"
  # nextest does not run doctests.
  cargo test --workspace --locked --doc
else
  cargo test --workspace --locked --no-fail-fast "$@"
fi
