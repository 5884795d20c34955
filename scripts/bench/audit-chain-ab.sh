#!/usr/bin/env bash
# The audit chain's cost on the launch-day hot path, in one sitting on one machine:
# pgbench runs the SQL of one submission (scripts/bench/submission.pgbench: pge_submit_v2,
# whose audit event the trigger pge_audit_link chains, docs/RULES.md §22) alternately
# with the trigger disabled (before the chain) and enabled (after), PAIRS pairs of
# SECONDS each, on a database migrated by PGE (a `pge` binary). All submissions go to one
# bank (30004), as in the bench: its 16 lanes take every audit event.
#
#   scripts/bench/audit-chain-ab.sh PGE [PAIRS] [SECONDS] [CLIENTS]
set -euo pipefail
cd "$(dirname "$0")/../.."
PGE=${1:?usage: $0 PGE [PAIRS] [SECONDS] [CLIENTS]}
PAIRS=${2:-3}
SECONDS_EACH=${3:-15}
CLIENTS=${4:-32}
ADMIN_URL=${PGE_BENCH_ADMIN_URL:-postgres://postgres@127.0.0.1:5432}
DB=pge_audit_chain_ab
PSQL=(psql -X -q -h 127.0.0.1 -U postgres)
DATA=$(mktemp -d)
trap 'rm -rf "$DATA"' EXIT
"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
PGE_DATA_DIR="$DATA" PGE_DATABASE_URL="$ADMIN_URL/$DB" "$PGE" migrate >/dev/null
run() {
  local label=$1
  "${PSQL[@]}" -d "$DB" -c "ALTER TABLE audit_events $2 TRIGGER pge_audit_link"
  pgbench -n -M prepared -c "$CLIENTS" -j 2 -T "$SECONDS_EACH" -f scripts/bench/submission.pgbench \
    -h 127.0.0.1 -U postgres "$DB" >"$DATA/out" 2>&1
  local tps latency
  tps=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' "$DATA/out")
  latency=$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' "$DATA/out")
  echo "$label $tps $latency"
}
{
  for pair in $(seq 1 "$PAIRS"); do
    run off DISABLE
    run on ENABLE
  done
} | tee "$DATA/runs"
awk '{n[$1]++; tps[$1]+=$2; lat[$1]+=$3}
  END {for (k in n) printf "trigger %-3s mean of %d: %.1f transactions/s, latency average %.2f ms\n", k, n[k], tps[k]/n[k], lat[k]/n[k]}' "$DATA/runs" | sort
chained=$("${PSQL[@]}" -d "$DB" -t -A -c "SELECT count(*) FROM audit_events WHERE hash IS NOT NULL")
echo "events chained: $chained (lanes used: $("${PSQL[@]}" -d "$DB" -t -A -c "SELECT count(*) FROM audit_chain_heads"))"
"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
