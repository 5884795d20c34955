#!/usr/bin/env bash
# The whole test suite: unit, property and black-box tests, against SQLite and against
# the PostgreSQL server on 127.0.0.1:5432 (override with PGE_TEST_DATABASE_URL), then
# the fault tests (scripts/fault-test.py); the web app's (scripts/web-test.sh) run beside
# them, their output shown at the end. Fails, never skips, when PostgreSQL cannot be
# reached.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/pge/target}"
export PGE_TEST_DATABASE_URL="${PGE_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

# Supply chain first, offline (issue 29, part 2): cargo deny's licence, ban and source
# checks of deny.toml (cargo-deny installed into a cache when missing), and npm audit,
# reported as skipped when the registry refuses it (scripts/supply-chain.sh).
scripts/supply-chain.sh

# The guarantee attestation's tests read the PDF's text with pdftotext (poppler-utils):
# installed when missing, and required, so that they never skip here.
if ! command -v pdftotext >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y poppler-utils \
    || { $SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y poppler-utils; }
fi
export PGE_TEST_REQUIRE_PDFTOTEXT=1

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

# The AWS adapters are tested against moto_server (real SDK clients over HTTP). Its venv
# lives outside the clone and is reused; the server runs on a free loopback port for
# the duration of the suite.
start_moto() {
  if [ -n "${PGE_TEST_MOTO_URL:-}" ]; then
    return
  fi
  local venv="${PGE_MOTO_VENV:-$HOME/.cache/pge/moto-venv}"
  if ! "$venv/bin/python" -c 'import moto, sys; v = tuple(int(x) for x in moto.__version__.split(".")[:2]); sys.exit(0 if v >= (5, 2) else 1)' 2>/dev/null; then
    echo "installing moto[server] into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check 'moto[server]>=5.2,<6'
  fi
  local port
  port="$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
  MOTO_LOG="$(mktemp -t pge-moto.XXXXXX.log)"
  "$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$MOTO_LOG" 2>&1 &
  MOTO_PID=$!
  export PGE_TEST_MOTO_URL="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do
    if "$venv/bin/python" -c "import urllib.request, sys; urllib.request.urlopen('$PGE_TEST_MOTO_URL/moto-api/', timeout=1)" 2>/dev/null; then
      return
    fi
    if ! kill -0 "$MOTO_PID" 2>/dev/null; then break; fi
    sleep 0.2
  done
  echo "error: moto_server did not start:" >&2
  cat "$MOTO_LOG" >&2
  exit 1
}
MOTO_PID=""
MOTO_LOG=""
WEB_PID=""
WEB_LOG=""
cleanup() {
  for pid in "$WEB_PID" "$MOTO_PID"; do
    [ -n "$pid" ] || continue
    kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -f "$MOTO_LOG" "$WEB_LOG"
}
trap cleanup EXIT
start_moto

# A filtered run (arguments given) is a partial run: the Rust tests asked for only.
full=no
[ "$#" -eq 0 ] && full=yes

if [ "$full" = yes ]; then
  # Everything built first (the binary and the test programs), so that no compilation
  # competes with the browser tests for the CPU.
  cargo build --locked -q -p pge-api --bin pge -p pge-loadtest --bin loadtest
  cargo test --workspace --locked --no-run -q
  # The web app (web/): API client up to date, types, unit tests, build and size budget,
  # then the end-to-end tests in Chromium against this very binary. It runs beside the
  # Rust tests (which wait on sockets more than they compute), in its own process group;
  # its output is shown when it is done.
  WEB_LOG="$(mktemp -t pge-web-test.XXXXXX.log)"
  set -m
  PGE_BINARY="$CARGO_TARGET_DIR/debug/pge" scripts/web-test.sh >"$WEB_LOG" 2>&1 &
  WEB_PID=$!
  set +m
fi

rust_started=$SECONDS
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --locked --no-fail-fast "$@"
  # nextest does not run doctests.
  cargo test --workspace --locked --doc
else
  cargo test --workspace --locked --no-fail-fast "$@"
fi
echo "== Rust tests took $((SECONDS - rust_started)) s ($SECONDS s since the start)"

if [ "$full" = yes ]; then
  # The PostgreSQL tests again on PostgreSQL 16.14, the version RDS runs (issue 29): a
  # throwaway cluster of its own (scripts/pglab.py installs 16 into ~/.cache/pge/pg16 when
  # missing); the SQLite twins (`::sqlite`) are not run twice.
  pg16_started=$SECONDS
  if cargo nextest --version >/dev/null 2>&1; then
    python3 scripts/pglab.py run --version 16 -- \
      cargo nextest run --workspace --locked --no-fail-fast -E 'not test(/sqlite/)'
  else
    python3 scripts/pglab.py run --version 16 -- \
      cargo test --workspace --locked --no-fail-fast -- --skip sqlite
  fi
  echo "== Rust tests on PostgreSQL 16 took $((SECONDS - pg16_started)) s ($SECONDS s since the start)"
fi

if [ "$full" = yes ]; then
  # Fault tests (docs/RELIABILITY.md) on the debug binary, against a PostgreSQL server
  # of their own that they restart under load, and SIGTERM under load.
  python3 scripts/fault-test.py --binary "$CARGO_TARGET_DIR/debug/pge" --load-seconds 3
  echo "== fault tests done ($SECONDS s since the start)"
  # The alert rules (promtool check and unit tests of every alert) and the runbook's
  # sections and panels they name (scripts/check-alerts.sh; ops/prometheus/).
  scripts/check-alerts.sh
  echo "== alerts checked ($SECONDS s since the start)"
  # The database on PostgreSQL 16 (issue 29; docs/RELIABILITY.md): the SQL the migrations
  # send linted by squawk, `pge migrate` giving up behind a lock (lock_timeout,
  # statement_timeout), the previous release's recorded SQL on the new schema
  # (scripts/migration-check.py); the migration and application roles of
  # ops/postgres/roles.sql with pge serving as the latter (scripts/db-privileges.py); a
  # point-in-time restore from a base backup and the WAL archive under load, pge on the
  # restored cluster, every 201 before the target whole (scripts/restore-drill.py).
  python3 scripts/migration-check.py --binary "$CARGO_TARGET_DIR/debug/pge"
  python3 scripts/db-privileges.py --binary "$CARGO_TARGET_DIR/debug/pge"
  python3 scripts/restore-drill.py --binary "$CARGO_TARGET_DIR/debug/pge"
  echo "== database checks done ($SECONDS s since the start)"
  # An OpenID Connect client library (Authlib, in a venv of its own installed once)
  # runs the dev provider's code + PKCE flow, refresh and revocation, and opens the API
  # with the access token it gets.
  oidc_venv="${PGE_OIDC_VENV:-$HOME/.cache/pge/oidc-venv}"
  if ! "$oidc_venv/bin/python" -c 'import authlib, sys; sys.exit(authlib.__version__ != "1.9.10")' 2>/dev/null; then
    echo "installing Authlib into $oidc_venv" >&2
    python3 -m venv "$oidc_venv"
    "$oidc_venv/bin/pip" install --quiet --disable-pip-version-check 'authlib==1.9.10' 'requests==2.32.5'
  fi
  "$oidc_venv/bin/python" scripts/oidc-client-check.py --binary "$CARGO_TARGET_DIR/debug/pge"
  echo "== web app (scripts/web-test.sh)"
  web_status=0
  wait "$WEB_PID" || web_status=$?
  WEB_PID=""
  cat "$WEB_LOG"
  if [ "$web_status" -ne 0 ]; then
    echo "error: scripts/web-test.sh failed (exit $web_status)" >&2
    exit "$web_status"
  fi
  # A real Prometheus scraping the real binary under the project's load test: every
  # dashboard panel and alert expression parses and every panel has data
  # (scripts/ops-check.py); then the fault drill: each alert's expression turns true
  # under its fault and clears after it, and stays false under normal load
  # (scripts/ops-drill.py, docs/RELIABILITY.md). Both after the browser tests: "normal
  # load" is the drill's own, not the API's plus Chromium's on the same two cores (with
  # the browser tests beside it, the slow server saw the pool without an idle
  # connection at 15 % of its evaluations; alone, at none).
  python3 scripts/ops-check.py --binary "$CARGO_TARGET_DIR/debug/pge"
  python3 scripts/ops-drill.py --binary "$CARGO_TARGET_DIR/debug/pge"
  echo "== ops check and drill done ($SECONDS s since the start)"
fi
