#!/usr/bin/env python3
"""Writes the promtool unit tests of ops/prometheus/rules.yml:

- ops/prometheus/rules.test.yml: a normal launch-day evening (no alert), then a firing
  and a silent case for each platform alert; rules evaluated every minute;
- ops/prometheus/rules.slo.test.yml: the burn-rate alerts of the four SLOs over three days
  (every window full), each window pair of each SLO firing, and the spikes and ended
  burns that must not alert; rules evaluated every 5 minutes.

The series are written out in full in the YAML (promtool's expanding notation); the
expected annotations are read from rules.yml. Change the scenarios here, run it, commit
both files; `--check` (scripts/check-alerts.sh) fails when they are not what this script
writes. Needs PyYAML.
"""

import argparse
import json
import os
import re
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RULES = os.path.join(ROOT, "ops/prometheus/rules.yml")
PLATFORM_TESTS = os.path.join(ROOT, "ops/prometheus/rules.test.yml")
SLO_TESTS = os.path.join(ROOT, "ops/prometheus/rules.slo.test.yml")

DAY = 1440  # minutes
T3D = 3 * DAY
API = 'job="pge-api", instance="10.0.1.10:9090"'
WORKER = 'job="pge-worker", instance="10.0.1.20:9090"'

# --- launch-day traffic, per minute -----------------------------------------------------
SUB = ("POST", "/api/v1/loan-requests")
SUB_OK = 8340  # 139 submissions/s answered 201
BASE_SUB_ERR = 1  # 503s a minute: 1 in 8,340, about 0.01 %
BASE_SLOW = 0.001  # share of answers over 250 ms
LIST, ONE = "/api/v1/loan-requests", "/api/v1/loan-requests/{id}"
REVIEW_R, DECISION = "/api/v1/loan-requests/{id}/review", "/api/v1/loan-requests/{id}/decision"
GRANT, BULK = "/api/v1/loan-requests/{id}/grant", "/api/v1/loan-requests/bulk-decisions"
REVIEW = [  # (method, route, answers a minute, in the latency SLO)
    ("GET", LIST, 1200, True),
    ("GET", ONE, 600, True),
    ("POST", REVIEW_R, 300, True),
    ("POST", DECISION, 300, True),
    ("POST", GRANT, 60, True),
    ("POST", BULK, 6, False),
]
REVIEW_ALL = sum(r[2] for r in REVIEW)
REVIEW_LAT = sum(r[2] for r in REVIEW if r[3])
TRAFFIC = """# Launch-day traffic in these series: 139 submissions/s answered 201 (8,340 a minute)
# with 1 a minute answered 503 (about 0.01 %), 0.1 % of them over 250 ms; the
# reviewers: 20 queue pages/s, 10 request reads/s, 5 reviews/s, 5 decisions/s, 1 grant/s
# and 6 bulk decisions a minute (each over 250 ms: outside the latency SLO).
# A message route answers 5xx 5 times a minute throughout: it is in no SLO."""

# --- the SLO scenarios ------------------------------------------------------------------
SLOS = {  # (journey, sli) -> (alert, slo label, journey label)
    ("sub", "avail"): ("PgeSubmissionAvailabilityBurn", "submission-availability", "submission"),
    ("sub", "lat"): ("PgeSubmissionLatencyBurn", "submission-latency", "submission"),
    ("rev", "avail"): ("PgeReviewAvailabilityBurn", "review-availability", "review"),
    ("rev", "lat"): ("PgeReviewLatencyBurn", "review-latency", "review"),
}
# A burn: its share of bad events (availability, latency) and how long it lasts, up to 3d.
BURNS = {
    "fast": (0.03, 0.30, 60),
    "six": (0.008, 0.08, 360),
    "day": (0.005, 0.045, DAY),
    "three": (0.0015, 0.015, T3D),
}
SPIKE = (0.05, 0.50, 10)  # ending at SPIKE_END: alerts nobody
SPIKE_END = 2160  # minute 1d12h
AFTER = 420  # the series go on 7 hours after the burns, back to normal
FIRES = {"fast": "page", "six": "page", "day": "ticket", "three": "ticket"}
WHY = {
    ("avail", "fast"): "3 % 5xx for the last hour: 1h and 5m over 14.4x (page); 6h under 6x, 1d under 3x, 3d under 1x",
    ("avail", "six"): "0.8 % 5xx for the last 6 hours: 6h and 30m over 6x (page); 1h under 14.4x, 1d under 3x, 3d under 1x",
    ("avail", "day"): "0.5 % 5xx for the last day: 1d and 2h over 3x (ticket; 3d and 6h over 1x too); 6h under 6x",
    ("avail", "three"): "0.15 % 5xx for 3 days: 3d and 6h over 1x (ticket); 1d under 3x, 6h under 6x",
    ("lat", "fast"): "30 % over 250 ms for the last hour: 1h and 5m over 14.4x (page); 6h under 6x, 1d under 3x, 3d under 1x",
    ("lat", "six"): "8 % over 250 ms for the last 6 hours: 6h and 30m over 6x (page); 1h under 14.4x, 1d under 3x, 3d under 1x",
    ("lat", "day"): "4.5 % over 250 ms for the last day: 1d and 2h over 3x (ticket); 6h under 6x",
    ("lat", "three"): "1.5 % over 250 ms for 3 days: 3d and 6h over 1x (ticket); 1d under 3x",
}
# Four groups: each SLO meets each burn once (a Latin square).
PLANS = [
    {("sub", "avail"): "fast", ("sub", "lat"): "six", ("rev", "avail"): "day", ("rev", "lat"): "three"},
    {("sub", "avail"): "six", ("sub", "lat"): "day", ("rev", "avail"): "three", ("rev", "lat"): "fast"},
    {("sub", "avail"): "day", ("sub", "lat"): "three", ("rev", "avail"): "fast", ("rev", "lat"): "six"},
    {("sub", "avail"): "three", ("sub", "lat"): "fast", ("rev", "avail"): "six", ("rev", "lat"): "day"},
]
# Per group: the routes of the reviewers' 5xx, and of their slow answers during the burn
# (every route of each review SLO carries a burn in one group: a route left out of a
# rule's selection shows).
ROUTES = [
    ((DECISION,), (GRANT,)),
    ((BULK, GRANT), (LIST,)),
    ((LIST,), (ONE,)),
    ((ONE, REVIEW_R), (REVIEW_R, DECISION)),
]


# --- series -----------------------------------------------------------------------------
def number(v):
    return str(int(v)) if float(v).is_integer() else repr(v)


def expanding(values):
    """Per-minute values (None: no sample) in promtool's expanding notation."""
    out, i, n = [], 0, len(values)
    while i < n:
        if values[i] is None:
            j = i
            while j < n and values[j] is None:
                j += 1
            out.append("_x%d" % (j - i) if j - i > 1 else "_")
            i = j
        elif i + 1 < n and values[i + 1] is not None:
            step = values[i + 1] - values[i]
            j = i + 1
            while j + 1 < n and values[j + 1] is not None and values[j + 1] - values[j] == step:
                j += 1
            if step == 0:
                out.append("%sx%d" % (number(values[i]), j - i))
            else:
                out.append("%s%s%sx%d" % (number(values[i]), "+" if step > 0 else "-", number(abs(step)), j - i))
            i = j + 1
        else:
            out.append(number(values[i]))
            i += 1
    return " ".join(out)


def counter(per_minute, length):
    """A counter from 0 growing by per_minute(t) in minute t."""
    values = [0]
    for t in range(1, length + 1):
        values.append(values[-1] + per_minute(t))
    return values


def gauge(value, length):
    return [value(t) for t in range(0, length + 1)]


def series(name, labels, values):
    return (name + "{" + labels + "}", expanding(values))


def http(method, route, status, extra=""):
    return '%s, method="%s", route="%s", status="%s"%s' % (API, method, route, status, extra)


def errors_for(share, good):
    """How many errors a minute make `share` of all answers, beside `good` others."""
    return round(share * good / (1 - share))


def scenario(kind, sli, burn_end):
    """f(t): errors a minute (sli "sub", "rev") or the share of slow answers ("lat"):
    normal, the 10-minute spike ending at SPIKE_END, the burn `kind` ending at burn_end,
    then normal again; f.burning(t) is true during the burn."""
    index = 1 if sli == "lat" else 0
    last = BURNS[kind][2]
    if sli == "lat":
        level, base = (lambda share: share), BASE_SLOW
    else:
        good = SUB_OK if sli == "sub" else REVIEW_ALL
        level, base = (lambda share: errors_for(share, good)), (BASE_SUB_ERR if sli == "sub" else 0)

    def spiking(t):
        return SPIKE_END - SPIKE[2] < t <= SPIKE_END

    def f(t):
        if spiking(t):
            return level(SPIKE[index])
        if burn_end - last < t <= burn_end:
            return level(BURNS[kind][index])
        return base

    f.burning = lambda t: burn_end - last < t <= burn_end and not spiking(t)
    return f


def steady(value):
    f = lambda t: value  # noqa: E731
    f.burning = lambda t: False
    return f


def journeys(length, sub_err, sub_slow, rev_err, rev_slow, err_routes=(), slow_routes=()):
    """The two journeys' series. The reviewers' 5xx go to err_routes; during a burn their
    slow answers go to slow_routes, else to every route in proportion."""
    out = [
        series("http_requests_total", http(*SUB, "201"), counter(lambda t: SUB_OK, length)),
        series("http_requests_total", http(*SUB, "503"), counter(sub_err, length)),
        series("http_request_duration_seconds_count", http(*SUB, "201"), counter(lambda t: SUB_OK, length)),
        series("http_request_duration_seconds_bucket", http(*SUB, "201", ', le="0.25"'),
               counter(lambda t: SUB_OK - round(sub_slow(t) * SUB_OK), length)),
        # The 503s are slow (request timeouts): outside the latency SLO, they must not count.
        series("http_request_duration_seconds_count", http(*SUB, "503"), counter(sub_err, length)),
        series("http_request_duration_seconds_bucket", http(*SUB, "503", ', le="0.25"'), counter(lambda t: 0, length)),
    ]

    def split(total, route, routes):
        if route not in routes:
            return 0
        return total // len(routes) + (total % len(routes) if route == routes[0] else 0)

    def slow(route, n, t):
        if not rev_slow.burning(t):
            return round(rev_slow(t) * n)
        share = split(round(rev_slow(t) * REVIEW_LAT), route, slow_routes)
        assert share <= n, (route, share, n)
        return share

    for method, route, n, in_latency in REVIEW:
        out.append(series("http_requests_total", http(method, route, "200"), counter(lambda t, n=n: n, length)))
        out.append(series("http_request_duration_seconds_count", http(method, route, "200"),
                          counter(lambda t, n=n: n, length)))
        if in_latency:
            fast = lambda t, n=n, route=route: n - slow(route, n, t)  # noqa: E731
        else:
            fast = lambda t: 0  # noqa: E731 (a bulk decision on 100 items takes over 250 ms)
        out.append(series("http_request_duration_seconds_bucket", http(method, route, "200", ', le="0.25"'),
                          counter(fast, length)))
        if route in err_routes:
            out.append(series("http_requests_total", http(method, route, "500"),
                              counter(lambda t, route=route: split(rev_err(t), route, err_routes), length)))
    out.append(series("http_requests_total", http("POST", "/api/v1/loan-requests/{id}/messages", "500"),
                      counter(lambda t: 5, length)))
    return out


def platform_normal(length):
    """What the platform alerts read, on a normal evening."""
    out = [
        # the kubelet's probes every 5 s, all ready
        series("http_requests_total", http("GET", "/readyz", "200"), counter(lambda t: 12, length)),
        # a few shed at the first hour's peak, then none; a timeout now and then
        series("pge_requests_shed_total", API, counter(lambda t: 3 if t < 60 else 0, length)),
        series("pge_requests_timed_out_total", API, counter(lambda t: 1 if t % 10 == 0 else 0, length)),
        # one submission in a thousand over its client's budget
        series("http_requests_total", http(*SUB, "429"), counter(lambda t: 9, length)),
        # public guarantee checks: a few a minute, some mistyped
        series("pge_guarantee_checks_total", API + ', result="found"', counter(lambda t: 6, length)),
        series("pge_guarantee_checks_total", API + ', result="not_found"', counter(lambda t: 2, length)),
    ]
    for labels in (API, WORKER):
        out += [
            # a pool of 10: the 5 lanes and some reads in use, never all
            series("pge_db_pool_connections", labels, gauge(lambda t: 10, length)),
            series("pge_db_pool_idle_connections", labels, gauge(lambda t: 1 + t % 4, length)),
            # a few hundred e-mails pending (139 a second going out), the oldest seconds old
            series("pge_outbox_messages", labels + ', status="pending"', gauge(lambda t: 200 + (t % 7) * 50, length)),
            series("pge_outbox_messages", labels + ', status="dead"', gauge(lambda t: 0, length)),
            series("pge_outbox_oldest_pending_age_seconds", labels, gauge(lambda t: 2 + t % 9, length)),
        ]
    # the worker verifies the audit chains every hour, all intact
    out += [
        series("pge_audit_chains_broken", WORKER, gauge(lambda t: 0, length)),
        series("pge_audit_verification_last_success_timestamp_seconds", WORKER,
               gauge(lambda t: 60 * (t - t % 60), length)),
    ]
    return out


# --- YAML -------------------------------------------------------------------------------
class Writer:
    def __init__(self, rules):
        self.lines = []
        self.rules = rules

    def w(self, line=""):
        self.lines.append(line)

    def comment(self, *lines):
        for line in lines:
            self.w("  # " + line if line else "  #")

    def group(self, name, input_series):
        self.w("  - name: %s" % name)
        self.w("    interval: 1m")
        self.w("    input_series:")
        for name, values in input_series:
            self.w("      - series: '%s'" % name)
            self.w("        values: '%s'" % values)
        self.w("    alert_rule_test:")

    def annotations(self, alert, severity, labels):
        """The alert's annotations as rules.yml writes them, with {{ $labels.x }} filled."""
        for rule in self.rules:
            if rule.get("alert") == alert and rule["labels"]["severity"] == severity:
                return {k: re.sub(r"\{\{ \$labels\.(\w+) \}\}", lambda m: labels[m.group(1)], v)
                        for k, v in rule["annotations"].items()}
        raise KeyError((alert, severity))

    def expect(self, alertname, eval_time, fired=(), comment=None):
        """`fired`: the label sets (severity included) of the alerts expected at eval_time."""
        if comment:
            self.w("      # " + comment)
        self.w("      - eval_time: %s" % eval_time)
        self.w("        alertname: %s" % alertname)
        if not fired:
            self.w("        exp_alerts: []")
            return
        self.w("        exp_alerts:")
        for labels in fired:
            self.w("          - exp_labels:")
            for k, v in labels.items():
                self.w("              %s: %s" % (k, json.dumps(v, ensure_ascii=False)))
            self.w("            exp_annotations:")
            for k, v in self.annotations(alertname, labels["severity"], labels).items():
                self.w("              %s: %s" % (k, json.dumps(v, ensure_ascii=False)))

    def text(self):
        return "\n".join(self.lines) + "\n"


def slo_tests(rules):
    out = Writer(rules)
    for line in [
        "# Unit tests of the SLO alerts of ops/prometheus/rules.yml (the platform alerts' are in",
        "# rules.test.yml): `promtool test rules ops/prometheus/rules.slo.test.yml`, run by",
        "# scripts/check-alerts.sh. Written by scripts/gen-alert-tests.py: change the scenarios",
        "# there and run it again.",
        "#",
        "# Series are sampled every minute and run 3 days and 7 hours, so that every window of",
        "# the burn-rate alerts (up to 3d) is full. The rules are evaluated every 5 minutes here",
        "# (every minute in production): 5-minute rates sampled every 5 minutes tile the time",
        "# exactly, the ratios are the same, and three days of evaluations cost a fifth.",
        "#",
        TRAFFIC,
        "rule_files:",
        "  - rules.yml",
        "evaluation_interval: 5m",
        "tests:",
        "",
        "  # A normal launch day, where no SLO alert fires, is group 1 of rules.test.yml (steady",
        "  # traffic: each window's ratio is the same over six hours as over three days); here",
        "  # each group's three days of normal traffic before a burn keep the alert's other",
        "  # severity silent.",
    ]:
        out.w(line)
    keys = list(SLOS)
    for i, (plan, (err_routes, slow_routes)) in enumerate(zip(PLANS, ROUTES), start=1):
        out.w()
        out.comment(
            "%d. Each SLO burns its budget in its own way until 3d, then traffic is normal" % i,
            "   again for 7 hours; each alert fires at the severity its windows call for at",
            "   3d, and not at the other one:",
            *["   - %s: %s" % (SLOS[key][1], WHY[(key[1], plan[key])]) for key in keys],
            "   Before, a 10-minute spike (5 % 5xx, 50 % slow) ending at 1d12h alerts nobody",
            "   (1h, 6h, 1d and 3d stay under their burn rates) but the SLO already three days",
            "   into its slow burn. After: 10 minutes after a 1-hour burn (5m clean) and 40",
            "   minutes after a 6-hour burn (30m clean), no page; 7 hours after any burn (2h and",
            "   6h clean), no ticket.",
            "   The reviewers' 5xx are on %s; their slow answers on %s."
            % (" and ".join(err_routes), " and ".join(slow_routes)),
        )
        f = {key: scenario(plan[key], "lat" if key[1] == "lat" else key[0], T3D) for key in keys}
        out.group("burn rates %d" % i, journeys(
            T3D + AFTER, f[("sub", "avail")], f[("sub", "lat")], f[("rev", "avail")], f[("rev", "lat")],
            err_routes, slow_routes))
        for key in keys:
            alert, slo, journey = SLOS[key]
            if plan[key] == "three":
                out.expect(alert, "1d12h", [{"severity": "ticket", "slo": slo, "journey": journey}],
                           "already a day and a half into its three-day burn")
            else:
                out.expect(alert, "1d12h", [], "the spike has just ended")
        for key in keys:
            alert, slo, journey = SLOS[key]
            out.expect(alert, "3d", [{"severity": FIRES[plan[key]], "slo": slo, "journey": journey}])
        for key in keys:
            if plan[key] == "fast":
                out.expect(SLOS[key][0], "3d10m", [], "the burn ended 10 minutes ago: 1h still over 14.4x, 5m not")
            if plan[key] == "six":
                out.expect(SLOS[key][0], "3d40m", [], "the burn ended 40 minutes ago: 6h still over 6x, 30m not")
        for key in keys:
            out.expect(SLOS[key][0], "3d7h", [], "7 hours later: 2h and 6h are clean (1d over 3x after a day's "
                       "burn, 3d over 1x after three days')")
    return out.text()


def platform_tests(rules):
    out = Writer(rules)
    alerts = []
    for rule in rules:
        if "alert" in rule and rule["alert"] not in alerts:
            alerts.append(rule["alert"])
    for line in [
        "# Unit tests of the platform alerts of ops/prometheus/rules.yml (the SLO alerts' are in",
        "# rules.slo.test.yml): `promtool test rules ops/prometheus/rules.test.yml`, run by",
        "# scripts/check-alerts.sh. Written by scripts/gen-alert-tests.py: change the scenarios",
        "# there and run it again. Series are sampled, and rules evaluated, every minute.",
        "#",
        TRAFFIC,
        "rule_files:",
        "  - rules.yml",
        "evaluation_interval: 1m",
        "tests:",
        "",
        "  # 1. Six hours of a normal launch-day evening: no alert at any time.",
    ]:
        out.w(line)
    length = 360
    out.group("normal launch-day evening, six hours",
              journeys(length, steady(BASE_SUB_ERR), steady(BASE_SLOW), steady(0), steady(BASE_SLOW))
              + platform_normal(length))
    for t in ("30m", "2h", "6h"):
        for alert in alerts:
            out.expect(alert, t)

    def group(name, comment, input_series):
        out.w()
        out.comment(*comment)
        out.group(name, input_series)

    # What each SLO leaves out, made loud enough to fire an alert if it were counted.
    L = 120
    outage = lambda t: t > 60  # noqa: E731
    slo_labels = {key: {"slo": slo, "journey": journey} for key, (_, slo, journey) in SLOS.items()}
    group("what the SLOs do not count", [
        "An hour of normal traffic, then an hour where every submission is a 503 after 10 s;",
        "throughout, bulk decisions come 600 a minute (all over 250 ms), half the submissions'",
        "answers are 422 and a message route fails: submission availability pages (and, with",
        "two hours of data, opens a ticket); the latency SLOs, which leave 5xx and bulk",
        "decisions out, and review availability stay silent.",
    ], [
        series("http_requests_total", http(*SUB, "201"), counter(lambda t: 0 if outage(t) else SUB_OK, L)),
        series("http_requests_total", http(*SUB, "503"), counter(lambda t: SUB_OK if outage(t) else 0, L)),
        series("http_requests_total", http(*SUB, "422"), counter(lambda t: SUB_OK, L)),
        series("http_request_duration_seconds_count", http(*SUB, "201"), counter(lambda t: 0 if outage(t) else SUB_OK, L)),
        series("http_request_duration_seconds_bucket", http(*SUB, "201", ', le="0.25"'),
               counter(lambda t: 0 if outage(t) else SUB_OK, L)),
        series("http_request_duration_seconds_count", http(*SUB, "503"), counter(lambda t: SUB_OK if outage(t) else 0, L)),
        series("http_request_duration_seconds_bucket", http(*SUB, "503", ', le="0.25"'), counter(lambda t: 0, L)),
        series("http_request_duration_seconds_count", http(*SUB, "422"), counter(lambda t: SUB_OK, L)),
        series("http_request_duration_seconds_bucket", http(*SUB, "422", ', le="0.25"'), counter(lambda t: SUB_OK, L)),
        series("http_requests_total", http("GET", LIST, "200"), counter(lambda t: 1200, L)),
        series("http_request_duration_seconds_count", http("GET", LIST, "200"), counter(lambda t: 1200, L)),
        series("http_request_duration_seconds_bucket", http("GET", LIST, "200", ', le="0.25"'), counter(lambda t: 1200, L)),
        series("http_requests_total", http("POST", DECISION, "200"), counter(lambda t: 300, L)),
        series("http_request_duration_seconds_count", http("POST", DECISION, "200"), counter(lambda t: 300, L)),
        series("http_request_duration_seconds_bucket", http("POST", DECISION, "200", ', le="0.25"'), counter(lambda t: 300, L)),
        series("http_requests_total", http("POST", BULK, "200"), counter(lambda t: 600, L)),
        series("http_request_duration_seconds_count", http("POST", BULK, "200"), counter(lambda t: 600, L)),
        series("http_request_duration_seconds_bucket", http("POST", BULK, "200", ', le="0.25"'), counter(lambda t: 0, L)),
        series("http_requests_total", http("POST", "/api/v1/loan-requests/{id}/messages", "500"), counter(lambda t: 300, L)),
    ])
    out.expect("PgeSubmissionAvailabilityBurn", "2h",
               [dict(severity="page", **slo_labels[("sub", "avail")]), dict(severity="ticket", **slo_labels[("sub", "avail")])])
    out.expect("PgeReviewAvailabilityBurn", "2h")
    out.expect("PgeSubmissionLatencyBurn", "2h", [], "the 503s are slow, but 5xx are the availability SLO's")
    out.expect("PgeReviewLatencyBurn", "2h", [], "bulk decisions are slow by design, outside the latency SLO")

    group("the queue fails alone", [
        "An hour of normal traffic, then an hour where every queue page is a 500 (the same",
        "route answers applicants' lists and submissions): review availability pages and",
        "opens a ticket; submission availability, which counts the POSTs only, stays silent.",
    ], [
        series("http_requests_total", http(*SUB, "201"), counter(lambda t: SUB_OK, L)),
        series("http_request_duration_seconds_count", http(*SUB, "201"), counter(lambda t: SUB_OK, L)),
        series("http_request_duration_seconds_bucket", http(*SUB, "201", ', le="0.25"'), counter(lambda t: SUB_OK, L)),
        series("http_requests_total", http("GET", LIST, "200"), counter(lambda t: 0 if outage(t) else 1200, L)),
        series("http_requests_total", http("GET", LIST, "500"), counter(lambda t: 1200 if outage(t) else 0, L)),
        series("http_request_duration_seconds_count", http("GET", LIST, "200"), counter(lambda t: 0 if outage(t) else 1200, L)),
        series("http_request_duration_seconds_bucket", http("GET", LIST, "200", ', le="0.25"'),
               counter(lambda t: 0 if outage(t) else 1200, L)),
        series("http_requests_total", http("POST", DECISION, "200"), counter(lambda t: 300, L)),
        series("http_request_duration_seconds_count", http("POST", DECISION, "200"), counter(lambda t: 300, L)),
        series("http_request_duration_seconds_bucket", http("POST", DECISION, "200", ', le="0.25"'), counter(lambda t: 300, L)),
    ])
    out.expect("PgeReviewAvailabilityBurn", "2h",
               [dict(severity="page", **slo_labels[("rev", "avail")]), dict(severity="ticket", **slo_labels[("rev", "avail")])])
    out.expect("PgeSubmissionAvailabilityBurn", "2h")

    L = 90

    group("5xx ratio per route", [
        "GET /api/v1/stats: 10 % 5xx at 1 request/s: fires after 10 minutes.",
        "Silent: GET /api/v1/banks at 1 % 5xx; a message route at 33 % of 0.05 requests/s;",
        "/readyz answering 503 to the kubelet and the ALB, 0.3/s (a pod not ready:",
        "PgeReadinessFlapping's concern).",
    ], [
        series("http_requests_total", http("GET", "/api/v1/stats", "200"), counter(lambda t: 54, L)),
        series("http_requests_total", http("GET", "/api/v1/stats", "503"), counter(lambda t: 6, L)),
        series("http_requests_total", http("GET", "/api/v1/banks", "200"), counter(lambda t: 594, L)),
        series("http_requests_total", http("GET", "/api/v1/banks", "500"), counter(lambda t: 6, L)),
        series("http_requests_total", http("POST", "/api/v1/loan-requests/{id}/messages", "201"), counter(lambda t: 2, L)),
        series("http_requests_total", http("POST", "/api/v1/loan-requests/{id}/messages", "500"), counter(lambda t: 1, L)),
        series("http_requests_total", http("GET", "/readyz", "503"), counter(lambda t: 18, L)),
    ])
    out.expect("PgeRouteErrorRatioHigh", "8m", [], "not yet 10 minutes")
    out.expect("PgeRouteErrorRatioHigh", "30m", [{"severity": "ticket", "method": "GET", "route": "/api/v1/stats"}])

    group("load shedding", [
        "833 business requests/s; 3 shed a minute for 30 minutes (silent), then 2,000 a",
        "minute (4 %) from minute 30: fires 2 minutes after the 5-minute rate passes 1 %.",
    ], [
        series("http_requests_total", http(*SUB, "201"), counter(lambda t: 49980, L)),
        series("pge_requests_shed_total", API, counter(lambda t: 3 if t <= 30 else 2000, L)),
    ])
    out.expect("PgeLoadShedding", "29m")
    out.expect("PgeLoadShedding", "45m", [{"severity": "page"}])

    group("requests timing out", [
        "No shedding, but 1,000 requests a minute (2 %) abandoned at the request timeout.",
    ], [
        series("http_requests_total", http(*SUB, "201"), counter(lambda t: 49980, L)),
        series("pge_requests_timed_out_total", API, counter(lambda t: 1000, L)),
    ])
    out.expect("PgeLoadShedding", "20m", [{"severity": "page"}])

    group("rate-limit surge", [
        "3,000 business requests a minute, 600 more answered 429 (17 %, 10/s): fires after 10 minutes.",
    ], [
        series("http_requests_total", http("GET", LIST, "200"), counter(lambda t: 3000, L)),
        series("http_requests_total", http("GET", LIST, "429"), counter(lambda t: 600, L)),
    ])
    out.expect("PgeRateLimitSurge", "9m")
    out.expect("PgeRateLimitSurge", "30m", [{"severity": "ticket"}])

    group("a few 429s", [
        "Silent: 30 answers 429 a minute (0.5/s) out of 300 (10 %): under 1/s, one client.",
    ], [
        series("http_requests_total", http("GET", LIST, "200"), counter(lambda t: 270, L)),
        series("http_requests_total", http("GET", LIST, "429"), counter(lambda t: 30, L)),
    ])
    out.expect("PgeRateLimitSurge", "30m")

    group("database pool", [
        "The API pod: 3 idle for 10 minutes, then none from minute 10: fires at minute 20.",
        "The worker's pod: no idle connection for 5 minutes at a time, then 2: silent.",
    ], [
        series("pge_db_pool_connections", API, gauge(lambda t: 10, L)),
        series("pge_db_pool_idle_connections", API, gauge(lambda t: 3 if t < 10 else 0, L)),
        series("pge_db_pool_connections", WORKER, gauge(lambda t: 4, L)),
        series("pge_db_pool_idle_connections", WORKER, gauge(lambda t: 0 if t % 10 < 5 else 2, L)),
    ])
    out.expect("PgeDbPoolSaturated", "15m")
    out.expect("PgeDbPoolSaturated", "25m", [{"severity": "ticket", "job": "pge-api", "instance": "10.0.1.10:9090"}])

    age = lambda t: 5 if t < 30 else 60 * (t - 30)  # noqa: E731
    group("outbox stuck", [
        "The oldest pending e-mail a few seconds old for 30 minutes, then growing a minute",
        "a minute from minute 30 (SES down): past 900 s at minute 45, fires 5 minutes later.",
        "Both pods report the same figure: one alert.",
    ], [
        series("pge_outbox_oldest_pending_age_seconds", API, gauge(age, L)),
        series("pge_outbox_oldest_pending_age_seconds", WORKER, gauge(age, L)),
    ])
    out.expect("PgeOutboxStuck", "40m")
    out.expect("PgeOutboxStuck", "48m", [], "over 900 s, not yet for 5 minutes")
    out.expect("PgeOutboxStuck", "55m", [{"severity": "page"}])

    group("guarantee check probing", [
        "Public checks finding nothing at 0.1/s for 30 minutes, then 3/s (someone trying",
        "identifiers from many addresses): over 1/s from about minute 34, fires 10 minutes",
        "later. Checks that find their guarantee do not count.",
    ], [
        series("pge_guarantee_checks_total", API + ', result="found"', counter(lambda t: 600, L)),
        series("pge_guarantee_checks_total", API + ', result="not_found"',
               counter(lambda t: 6 if t < 30 else 180, L)),
    ])
    out.expect("PgeGuaranteeCheckProbing", "30m")
    out.expect("PgeGuaranteeCheckProbing", "38m", [], "over 1/s, not yet for 10 minutes")
    out.expect("PgeGuaranteeCheckProbing", "55m", [{"severity": "ticket"}])

    dead = lambda t: 0 if t < 10 else 1  # noqa: E731
    group("dead letters", [
        "No dead letter for 10 minutes, then one (reported by both pods): one alert.",
    ], [
        series("pge_outbox_messages", API + ', status="dead"', gauge(dead, L)),
        series("pge_outbox_messages", WORKER + ', status="dead"', gauge(dead, L)),
    ])
    out.expect("PgeOutboxDeadLetters", "5m")
    out.expect("PgeOutboxDeadLetters", "15m", [{"severity": "ticket"}])

    hourly = lambda t: 60 * (t - t % 60)  # noqa: E731  (a verification at each full hour)
    group("audit chains", [
        "The worker verifies every hour. Intact for 50 minutes, then a chain broken (an audit",
        "row rewritten in SQL, found by the admin page's walk): pages at once.",
    ], [
        series("pge_audit_chains_broken", WORKER, gauge(lambda t: 0 if t < 50 else 1, 90)),
        series("pge_audit_verification_last_success_timestamp_seconds", WORKER, gauge(hourly, 90)),
    ])
    out.expect("PgeAuditChainBroken", "45m")
    out.expect("PgeAuditChainBroken", "55m", [{"severity": "page"}])
    out.expect("PgeAuditVerificationStale", "85m")

    group("audit verification failing", [
        "Verified at minutes 0 and 60, then every walk fails (the gauge keeps 3,600 s):",
        "silent at 3 h 59 min, a ticket once the last success is over 3 hours old.",
    ], [
        series("pge_audit_chains_broken", WORKER, gauge(lambda t: 0, 300)),
        series("pge_audit_verification_last_success_timestamp_seconds", WORKER,
               gauge(lambda t: min(hourly(t), 3600), 300)),
    ])
    out.expect("PgeAuditVerificationStale", "239m")
    out.expect("PgeAuditVerificationStale", "245m", [{"severity": "ticket"}])
    out.expect("PgeAuditChainBroken", "245m")

    pod_a = 'job="pge-api", instance="10.0.1.10:9090"'
    pod_b = 'job="pge-api", instance="10.0.2.11:9090"'

    def readyz(labels, episodes):
        failing = lambda t: 12 if any(a < t <= b for a, b in episodes) else 0  # noqa: E731
        ok = counter(lambda t: 12 - failing(t), L)
        bad = counter(failing, L)
        first = min(a for a, _ in episodes) + 1
        # The 503 series appears at the first failure (the exporter creates it then).
        bad = [None if t < first else v for t, v in enumerate(bad)]
        return [
            series("http_requests_total", labels + ', method="GET", route="/readyz", status="200"', ok),
            series("http_requests_total", labels + ', method="GET", route="/readyz", status="503"', bad),
        ]

    group("readiness flapping", [
        "Pod 10.0.1.10: not ready three times 2 minutes each (minutes 10, 20, 30): fires as",
        "the third begins (the first episode counts although its 503 series is new then).",
        "Pod 10.0.2.11: not ready once, 4 minutes (a database failover): silent.",
    ], readyz(pod_a, [(10, 12), (20, 22), (30, 32)]) + readyz(pod_b, [(10, 14)]))
    out.expect("PgeReadinessFlapping", "25m", [], "two episodes so far")
    out.expect("PgeReadinessFlapping", "32m", [{"severity": "ticket", "job": "pge-api", "instance": "10.0.1.10:9090"}],
               "as the third begins")

    group("metrics absent", [
        "The probes' answers are recorded for 30 minutes, then nothing (no pod scraped).",
    ], [
        series("http_requests_total", http("GET", "/readyz", "200"), counter(lambda t: 12, 30)),
    ])
    out.expect("PgeApiMetricsAbsent", "30m")
    out.expect("PgeApiMetricsAbsent", "38m", [], "absent for 3 minutes only")
    out.expect("PgeApiMetricsAbsent", "50m", [{"severity": "page", "route": "/readyz"}])
    return out.text()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; fail when the committed files differ from what would be written")
    args = parser.parse_args()
    with open(RULES) as f:
        rules = [r for g in yaml.safe_load(f)["groups"] for r in g["rules"]]
    stale = []
    for path, text in ((PLATFORM_TESTS, platform_tests(rules)), (SLO_TESTS, slo_tests(rules))):
        if args.check:
            with open(path) as f:
                if f.read() != text:
                    stale.append(os.path.relpath(path, ROOT))
        else:
            with open(path, "w") as f:
                f.write(text)
    if stale:
        print("not what scripts/gen-alert-tests.py writes (run it, then commit): " + ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
