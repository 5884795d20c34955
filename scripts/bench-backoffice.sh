#!/usr/bin/env bash
# The back office at scale (docs/PERFORMANCE.md, "Back office"): PostgreSQL holding
# ROWS requests (default 1,000,000, seeded once into the database pge_bench_backoffice
# and kept between runs), the release `pge` serving the built web app on it, then:
# 1. backoffice-bench: the reviewer's queries through HTTP (p50/p99) and their plans;
# 2. web/bench/backoffice.mjs in Debian's Chromium: the queue from navigation to its
#    first page painted, and a bulk decision on 100 requests.
# Each bulk run takes 100 submitted requests of bank 30004 in review: the data set
# drifts a little with every run (run with FRESH=1 to reseed).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/pge/target}"
rows="${ROWS:-1000000}"
work="$(mktemp -d -t pge-bench-backoffice.XXXXXX)"
trap 'kill "${server:-}" 2>/dev/null || true; rm -rf "$work"' EXIT

scripts/release-build.sh "$work/image" -p pge-loadtest --bin backoffice-bench
bin="$CARGO_TARGET_DIR/x86_64-unknown-linux-gnu/release"
"$bin/backoffice-bench" --rows "$rows" ${FRESH:+--fresh}

(cd web && npm ci --prefer-offline --no-audit --no-fund && npm run build)
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
PGE_DATABASE_URL="postgres://postgres@127.0.0.1:5432/pge_bench_backoffice" \
PGE_DATA_DIR="$work/data" PGE_LISTEN_ADDR="127.0.0.1:$port" \
PGE_PUBLIC_BASE_URL="http://127.0.0.1:$port" PGE_WEB_DIR="$PWD/web/dist" \
PGE_METRICS_ADDR=off PGE_LOG_FORMAT=json RUST_LOG=warn \
PGE_RATE_LIMIT_PER_IP=100000 PGE_RATE_LIMIT_PER_PRINCIPAL=100000 \
  "$bin/pge" serve >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 150); do
  curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.2
done
curl -fs "http://127.0.0.1:$port/readyz" >/dev/null
(cd web && node bench/backoffice.mjs --origin "http://127.0.0.1:$port")
