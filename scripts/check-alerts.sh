#!/usr/bin/env bash
# Alerts as code (issue 30, part 3), checked offline: the rules' syntax
# (`promtool check rules`), their unit tests (`promtool test rules`: every alert fires on a
# series that should fire it and stays silent on a normal launch-day series; the test files
# are what scripts/gen-alert-tests.py writes), then scripts/check-alerts.py: severity, summary, description and runbook_url of every alert,
# each runbook_url's anchor a heading of docs/RUNBOOK.md, a firing and a silent test for
# every alert, the runbook's links and panel names. Installs Debian's `prometheus` package
# (it brings promtool: 2.42.0 on Debian 12) and PyYAML when missing.
# About 40 s on the 2-core machine, nearly all of it the three-day SLO tests.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=python3
missing=()
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
if ! python3 -c 'import yaml' 2>/dev/null; then
  PY=/usr/bin/python3
  /usr/bin/python3 -c 'import yaml' 2>/dev/null || missing+=(python3-yaml)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing ${missing[*]} with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The tests were written and run with promtool 2.42; Prometheus 3 changed the semantics of
# range selectors (left-open): check the tests again before moving to it.
version="$(promtool --version 2>&1 | head -n 1)"
echo "$version"
case "$version" in
  *"version 2."*) ;;
  *) echo "error: promtool 2.x expected (Debian 12's is 2.42.0)" >&2; exit 1 ;;
esac

promtool check rules ops/prometheus/rules.yml
"$PY" scripts/gen-alert-tests.py --check
promtool test rules ops/prometheus/rules.test.yml ops/prometheus/rules.slo.test.yml
"$PY" scripts/check-alerts.py
