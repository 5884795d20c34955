#!/usr/bin/env bash
# Traces off and on, alternated, on wrk's submission ceiling only (scripts/bench.sh's step
# 1c: 32 connections, scripts/bench/submit.lua, 256 applicants' tokens), one binary: the
# API's CPU per stored submission from /proc (scripts/bench/cpu.py), its peak RSS, the
# load average (docs/PERFORMANCE.md, "Traces on and off").
#
#   scripts/bench/traces-ab.sh BENCH_OUT [PAIRS] [SECONDS]
#   AB=audit-chain scripts/bench/traces-ab.sh BENCH_OUT [PAIRS] [SECONDS]
#   RATE=2000 scripts/bench/traces-ab.sh BENCH_OUT [PAIRS] [SECONDS]
#   AB=builds B_BUILT=OTHER_BENCH_OUT scripts/bench/traces-ab.sh BENCH_OUT [PAIRS] [SECONDS]
#   AB=env B_ENV="MIMALLOC_PURGE_DELAY=1000" scripts/bench/traces-ab.sh BENCH_OUT [PAIRS] [SECONDS]
#   AB=env TRACED=1 B_ENV="OTEL_BSP_MAX_QUEUE_SIZE=256" STEPS=833,3332,833 scripts/bench/traces-ab.sh BENCH_OUT [PAIRS]
#
# RATE: submissions at that fixed rate from the project's load test (BENCH_OUT/loadtest,
# its submission-only scenario) instead of wrk's closed loop at the ceiling. RATIO: the
# traces' sample ratio of the "on" side (default 0.1).
#
# AB=audit-chain: traces off on both sides; "off" and "on" are the audit chain's trigger
# (pge_audit_link, docs/RULES.md §22) disabled and enabled: the chain's cost end to end,
# the API's code the same.
#
# AB=builds: traces off on both sides; "off" is BENCH_OUT's binary, "on" the binary of
# B_BUILT (another bench folder: a change measured before and after), each on a database
# of its own that it migrated itself (pge_ab and pge_ab_b), the same load test (BENCH_OUT's).
#
# AB=env: traces off on both sides (on at RATIO on both with TRACED=1), one binary; "on"
# runs it with B_ENV's variables added (an allocator setting, the exporter's batching).
#
# STEPS (e.g. 833,3332,833): instead of a rate, the load test's mixed journeys in 10 s
# steps at those rates with 1,000 users and shedding allowed (bench.sh's overload step):
# the figure to read is the peak RSS.
#
# BENCH_OUT: the folder a scripts/bench.sh run left (its image/rootfs binary is used, not
# rebuilt). Needs PostgreSQL on 127.0.0.1:5432 (database pge_ab, dropped and made again),
# wrk, python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILT=${1:?usage: $0 BENCH_OUT [PAIRS] [SECONDS]}
PAIRS=${2:-3}; SECS=${3:-20}
if [ -n "${STEPS:-}" ]; then SECS=$(( 10 * $(tr ',' '\n' <<<"$STEPS" | wc -l) )); fi
PGE="$BUILT/image/rootfs/usr/local/bin/pge"
PORT=18091; HOST=http://127.0.0.1:$PORT; DB=pge_ab
PSQL=(psql -qtA -h 127.0.0.1 -U postgres)
DATA=$(mktemp -d); OUT=$(mktemp -d)
# The binary and the database of a side.
PGE_A="$PGE"; DB_A="$DB"; PGE_B="$PGE"; DB_B="$DB"
if [ "${AB:-traces}" = builds ]; then
  PGE_B="${B_BUILT:?AB=builds needs B_BUILT, the other bench folder}/image/rootfs/usr/local/bin/pge"; DB_B="${DB}_b"
fi
export PGE_DATA_DIR="$DATA" PGE_LOG_FORMAT=json RUST_LOG=warn
export PGE_LISTEN_ADDR="127.0.0.1:$PORT" PGE_RATE_LIMIT_PER_IP=0 PGE_WORKER_IN_PROCESS=false PGE_METRICS_ADDR="127.0.0.1:0" PGE_DATABASE_MAX_CONNECTIONS=32
SIDES=A; if [ "$DB_B" != "$DB_A" ]; then SIDES="A B"; fi
for side in $SIDES; do
  bin_var=PGE_$side; db_var=DB_$side
  "${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS ${!db_var} WITH (FORCE)" -c "CREATE DATABASE ${!db_var}"
  PGE_DATABASE_URL="postgres://postgres@127.0.0.1:5432/${!db_var}" "${!bin_var}" migrate >> "$OUT/migrate.log" 2>&1
done
: > "$OUT/tokens"; for i in $(seq 1 256); do "$PGE" dev-token --role applicant --sub "bench-wrk-$i" >> "$OUT/tokens"; done
python3 scripts/bench/otlp-sink.py "$OUT/otlp-port" "$OUT/otlp-counts.json" & SINK=$!
for _ in $(seq 1 50); do [ -s "$OUT/otlp-port" ] && break; sleep 0.1; done
# Traces on, at RATIO, to the sink.
traced() {
  export PGE_OTLP_ENDPOINT="http://127.0.0.1:$(cat "$OUT/otlp-port")" PGE_TRACE_SAMPLE_RATIO="${RATIO:-0.1}"
}
run() {
  local mode=$1
  local pge=$PGE_A db=$DB_A label=$mode
  if [ "$mode" = on ]; then pge=$PGE_B; db=$DB_B; fi
  if [ "${AB:-traces}" = builds ]; then
    if [ "$mode" = on ]; then label=B; else label=A; fi
  fi
  export PGE_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db"
  local extra=()
  if [ "${AB:-traces}" = builds ]; then
    :
  elif [ "${AB:-traces}" = env ]; then
    if [ "$mode" = on ]; then read -r -a extra <<<"${B_ENV:?AB=env needs B_ENV}"; fi
    if [ -n "${TRACED:-}" ]; then traced; fi
  elif [ "${AB:-traces}" = audit-chain ]; then
    local state=DISABLE; [ "$mode" = on ] && state=ENABLE
    "${PSQL[@]}" -d "$DB" -c "ALTER TABLE audit_events $state TRIGGER pge_audit_link"
  elif [ "$mode" = on ]; then traced; else unset PGE_OTLP_ENDPOINT PGE_TRACE_SAMPLE_RATIO; fi
  env "${extra[@]}" "$pge" serve >> "$OUT/server-$mode.log" 2>&1 & local pid=$!
  for _ in $(seq 1 300); do curl -sf "$HOST/readyz" >/dev/null && break; sleep 0.05; done
  "${PSQL[@]}" -d "$db" -c "CHECKPOINT"
  read -r before pg_before < <(python3 scripts/bench/cpu.py $pid)
  local n0; n0=$("${PSQL[@]}" -d "$db" -c "SELECT count(*) FROM loan_requests")
  if [ -n "${STEPS:-}" ]; then
    # The overload probe: bench.sh's step 4 (1,000 users, shedding allowed), for the peak
    # RSS; the CPU per submission of a run that sheds says little.
    "$BUILT/loadtest" --host "$HOST" --pge-bin "$pge" --data-dir "$DATA" --steps "$STEPS" \
      --duration 10s --users 1000 --allow-shedding --max-errors 0 --min-achieved 0 \
      > "$OUT/loadtest-$mode.txt" 2>&1 || true
  elif [ -n "${RATE:-}" ]; then
    # A fixed arrival rate below the ceiling: both sides do the same work per second, so
    # the CPU per submission is not confounded by how saturated the machine is.
    "$BUILT/loadtest" --host "$HOST" --pge-bin "$pge" --data-dir "$DATA" --rate "$RATE" \
      --duration "${SECS}s" --warmup 0s --applicant-weight 0 --reviewer-weight 0 --submit-weight 1 \
      > "$OUT/loadtest-$mode.txt" 2>&1
  else
    WRK_TOKENS="$OUT/tokens" wrk -t 2 -c 32 -d "${SECS}s" -s scripts/bench/submit.lua "$HOST" > "$OUT/wrk-$mode.txt"
  fi
  read -r after pg_after < <(python3 scripts/bench/cpu.py $pid)
  local n1; n1=$("${PSQL[@]}" -d "$db" -c "SELECT count(*) FROM loan_requests")
  local rss; rss=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
  kill $pid; wait $pid 2>/dev/null || true
  python3 -c "import sys; b,a,n,pb,pa=float(sys.argv[1]),float(sys.argv[2]),int(sys.argv[3]),float(sys.argv[7]),float(sys.argv[8]); print(f'{sys.argv[4]:3} stored {n:6d} ({n/float(sys.argv[5]):.0f}/s)  API CPU/submission {(a-b)*1000/n:.3f} ms  PostgreSQL {(pa-pb)*1000/n:.3f} ms  peak RSS {int(sys.argv[6])/1024:.1f} MiB  load {open(\"/proc/loadavg\").read().split()[0]}')" "$before" "$after" "$((n1-n0))" "$label" "$SECS" "$rss" "$pg_before" "$pg_after"
}
# ABBA: the pairs alternate which side runs first, so that the database growing run after
# run (every run adds its submissions) does not always favour the same side.
for i in $(seq 1 "$PAIRS"); do
  if [ $((i % 2)) = 1 ]; then run off; run on; else run on; run off; fi
done
kill $SINK; cat "$OUT/otlp-counts.json" 2>/dev/null; echo
rm -rf "$DATA" "$OUT"
