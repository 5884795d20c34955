#!/usr/bin/env bash
# Lighthouse (the npm package, 12.x: the last major that runs on Node 20) on the web app
# served by `pge serve` on the embedded default, in Debian's Chromium: the home page
# and its simulator (`/#simulateur`, the same page scrolled to the simulator). Prints the
# performance and accessibility scores and fails under 95 and 100. A benchmark, not part
# of the test suite; figures go to docs/PERFORMANCE.md.
#   scripts/lighthouse.sh [pge binary]   (default: the dev profile's, built if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/pge/target}"

binary="${1:-$CARGO_TARGET_DIR/debug/pge}"
if [ ! -x "$binary" ]; then
  cargo build --locked -p pge-api --bin pge
fi
if [ ! -f web/dist/index.html ]; then
  npm --prefix web ci --no-audit --no-fund --prefer-offline
  npm --prefix web run build
fi
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y chromium
fi
tools="${PGE_LIGHTHOUSE_DIR:-$HOME/.cache/pge/lighthouse}"
if [ ! -x "$tools/node_modules/.bin/lighthouse" ]; then
  mkdir -p "$tools"
  npm --prefix "$tools" install --no-audit --no-fund --no-save lighthouse@12.8.2 >/dev/null
fi

work="$(mktemp -d)"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
PGE_DATA_DIR="$work/var" PGE_LISTEN_ADDR="127.0.0.1:$port" PGE_METRICS_ADDR=off \
  PGE_WEB_DIR="$root/web/dist" PGE_LOG_FORMAT=json "$binary" serve >"$work/pge.log" 2>&1 &
pge=$!
trap 'kill "$pge" 2>/dev/null || true; wait "$pge" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done

status=0
for page in "/" "/#simulateur"; do
  out="$work/report.json"
  CHROME_PATH=/usr/bin/chromium "$tools/node_modules/.bin/lighthouse" "http://127.0.0.1:$port$page" \
    --quiet --output=json --output-path="$out" \
    --only-categories=performance,accessibility \
    --chrome-flags="--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-dev-shm-usage"
  read -r perf a11y < <(python3 -c "
import json, sys
r = json.load(open('$out'))
print(round(r['categories']['performance']['score'] * 100), round(r['categories']['accessibility']['score'] * 100))")
  echo "lighthouse $page: performance $perf, accessibility $a11y"
  python3 - "$out" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for key in ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift", "speed-index"):
    a = r["audits"][key]
    print(f"  {a['title']}: {a['displayValue']}")
for a in r["audits"].values():
    if a.get("score") is not None and a["score"] < 1 and a.get("scoreDisplayMode") == "binary":
        print(f"  failed: {a['id']}: {a['title']}")
PY
  if [ "$perf" -lt 95 ] || [ "$a11y" -lt 100 ]; then status=1; fi
done
exit "$status"
