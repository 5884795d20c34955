#!/usr/bin/env python3
"""Sends every dashboard panel's query and every rule's expression to a running
Prometheus, and fails when one does not parse or does not run.

    scripts/check-dashboards.py http://127.0.0.1:9090
    scripts/check-dashboards.py http://127.0.0.1:9090 --require-data

The queries are the `expr` of every panel target of ops/grafana/*.json (rows' panels
included), and the `expr` of every recording rule and alert of ops/prometheus/rules.yml,
each sent as an instant query to PROMETHEUS/api/v1/query. Grafana's own variables
($__rate_interval, $__interval, $__range) are replaced by a value first; a query with any
other `$` variable fails, since Prometheus would not read it.

--require-data also fails when a panel none of whose queries returns a series (for a
Prometheus scraping a `pge` under load, with the rules loaded: the recorded series are
queried too). Queries of a panel that return nothing while another of the panel's does
are listed, not failed. --skip-panel REGEX leaves the panels whose title matches out of
that requirement (say which, and why, where you run it).

Exit status 1 when a check fails. Standard library only, but PyYAML for the rules.
"""

import argparse
import glob
import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GRAFANA_VARIABLES = {"$__rate_interval": "1m", "$__interval": "1m", "$__range": "1h"}


def panels(dashboard):
    """Every panel that is not a row, rows' own panels included."""
    for panel in dashboard.get("panels", []):
        if panel.get("type") == "row":
            yield from panels(panel)
        else:
            yield panel


def prepare(expr):
    """The query Prometheus gets: Grafana's variables replaced; an error for any other."""
    for name, value in sorted(GRAFANA_VARIABLES.items(), key=lambda kv: -len(kv[0])):
        expr = expr.replace("${%s}" % name[1:], value).replace(name, value)
    unknown = re.findall(r"\$\{?\w+\}?", expr)
    if unknown:
        raise ValueError("variables Prometheus cannot read: %s" % ", ".join(sorted(set(unknown))))
    return expr


def query(base, expr, timeout):
    """(series returned, error message or None)."""
    url = base.rstrip("/") + "/api/v1/query"
    data = urllib.parse.urlencode({"query": expr}).encode()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=timeout) as answer:
            body = json.load(answer)
    except urllib.error.HTTPError as error:  # 400 bad_data, 422 execution: a JSON body
        try:
            body = json.load(error)
        except ValueError:
            return 0, "HTTP %d" % error.code
    except (urllib.error.URLError, OSError) as error:
        raise SystemExit("error: cannot reach %s: %s" % (url, error))
    if body.get("status") != "success":
        return 0, "%s: %s" % (body.get("errorType"), body.get("error"))
    result = body["data"]["result"]
    if body["data"]["resultType"] in ("scalar", "string"):
        return 1, None
    return len(result), None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("prometheus", help="base URL of a running Prometheus, e.g. http://127.0.0.1:9090")
    parser.add_argument("--dashboards", nargs="*",
                        default=sorted(glob.glob(os.path.join(ROOT, "ops/grafana/*.json"))))
    parser.add_argument("--rules", default=os.path.join(ROOT, "ops/prometheus/rules.yml"))
    parser.add_argument("--require-data", action="store_true",
                        help="fail when a panel returns no series at all")
    parser.add_argument("--skip-panel", action="append", default=[], metavar="REGEX",
                        help="with --require-data: panels (by title) not required to return data")
    parser.add_argument("--timeout", type=float, default=30)
    args = parser.parse_args()

    failures, notes = [], []
    checked = 0

    for path in args.dashboards:
        with open(path) as f:
            dashboard = json.load(f)
        name = os.path.relpath(path, ROOT)
        for panel in panels(dashboard):
            title = panel.get("title", "?")
            targets = [t for t in panel.get("targets", []) if t.get("expr")]
            if not targets:
                failures.append("%s: panel %r has no query" % (name, title))
                continue
            returned = 0
            for target in targets:
                label = "%s: panel %r, query %s" % (name, title, target.get("refId", "?"))
                try:
                    expr = prepare(target["expr"])
                except ValueError as error:
                    failures.append("%s: %s" % (label, error))
                    continue
                series, error = query(args.prometheus, expr, args.timeout)
                checked += 1
                if error:
                    failures.append("%s: %s\n    %s" % (label, error, expr))
                elif series == 0:
                    notes.append("%s returned no series: %s" % (label, expr))
                returned += series
            if args.require_data and returned == 0:
                if any(re.search(p, title) for p in args.skip_panel):
                    notes.append("%s: panel %r returned no data (skipped: --skip-panel)" % (name, title))
                else:
                    failures.append("%s: panel %r returned no data" % (name, title))
            print("%-4s %s: %s (%d series)" % ("ok" if returned else "--", name, title, returned))

    import yaml

    with open(args.rules) as f:
        groups = yaml.safe_load(f)["groups"]
    for group in groups:
        for rule in group["rules"]:
            label = "rules.yml: %s %s" % ("alert" if "alert" in rule else "record",
                                          rule.get("alert") or rule.get("record"))
            series, error = query(args.prometheus, rule["expr"], args.timeout)
            checked += 1
            if error:
                failures.append("%s: %s" % (label, error))
    print("%d queries sent to %s" % (checked, args.prometheus))

    for note in notes:
        print("note: " + note)
    if failures:
        print("\n".join("FAIL " + f for f in failures))
        return 1
    print("all queries parse and run" + ("; every panel returned data" if args.require_data else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
