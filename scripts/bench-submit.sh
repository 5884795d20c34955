#!/usr/bin/env bash
# First throughput figure: authenticated submissions per second on PostgreSQL, release
# build, API + PostgreSQL + load generator (wrk) on this one machine.
#   scripts/bench-submit.sh [duration] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-20s}"
CONNECTIONS="${2:-32}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/pge/target}"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
cargo build --release --locked -q -p pge-api --bin pge
PGE="$CARGO_TARGET_DIR/release/pge"

DB=pge_bench_submit
psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
DATA=$(mktemp -d)
export PGE_DATA_DIR="$DATA" PGE_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB" \
       PGE_LISTEN_ADDR=127.0.0.1:18080 PGE_LOG_FORMAT=json RUST_LOG=warn
"$PGE" serve > "$DATA/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$DATA"' EXIT
for _ in $(seq 1 100); do curl -sf http://127.0.0.1:18080/readyz >/dev/null && break; sleep 0.1; done
PGE_TOKEN=$("$PGE" dev-token --role applicant --sub bench-applicant)
export PGE_TOKEN
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s scripts/bench/submit.lua http://127.0.0.1:18080
echo "rows committed: $(psql -tA -h 127.0.0.1 -U postgres -d $DB -c 'SELECT count(*) FROM loan_requests')"
echo "outbox rows:    $(psql -tA -h 127.0.0.1 -U postgres -d $DB -c 'SELECT count(*) FROM outbox_messages')"
echo "audit rows:     $(psql -tA -h 127.0.0.1 -U postgres -d $DB -c 'SELECT count(*) FROM audit_events')"
echo "API peak RSS:   $(grep VmHWM /proc/$SERVER/status)"
