#!/usr/bin/env python3
"""Dashboards and rules against a real Prometheus scraping the real binary under load
(issue 30, part 4), in the README's test command:

    scripts/ops-check.py [--binary PATH] [--loadtest PATH] [--seconds 20] [--rate 60]

1. a PostgreSQL server of its own (scripts/fault-test.py's: initdb in a temporary
   folder, a free loopback port), `pge serve` on a fresh database of it, its metrics on
   their own port;
2. Debian's Prometheus (installed with apt-get when missing) scraping that port every
   second with ops/prometheus/rules.yml loaded, evaluating the rules every second;
3. load: the project's load test (`loadtest`, the two journeys at --rate requests/s for
   --seconds) when its binary is there (--loadtest, else $CARGO_TARGET_DIR/debug/loadtest
   or a release build); when it is not (scripts/test.sh builds `pge` only), the same two
   journeys from Python threads, and it says so. Beside the load, what launch day brings
   and the load test does not: a prober asking /readyz every second (the kubelet's
   readiness probe), one client over its per-principal budget (429s) and one client
   trickling a request body (408, pge_slow_bodies_total);
4. scripts/check-dashboards.py --require-data against that Prometheus: every panel query
   and every rule's expression must parse and run, every panel must return data (retried
   for at most --settle seconds while the recorded series appear).

No panel is skipped. The queries that cannot return data here (a panel's other queries
do) are listed with the reason in docs/RUNBOOK.md ("Where to look"); check-dashboards.py
prints them as notes. Everything started is stopped at the end, the database dropped with
its cluster. About 30 s on the 2-core machine with the debug binary.
"""

import argparse
import http.client
import os
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import opslab  # noqa: E402


# Answers each journey must have produced, as Prometheus counted them.
JOURNEYS_SEEN = {
    "simulations 200": 'method="POST", route="/api/v1/simulations", status="200"',
    "submissions 201": 'method="POST", route="/api/v1/loan-requests", status="201"',
    "requests read 200": 'method="GET", route="/api/v1/loan-requests/{id}", status="200"',
    "decisions 200": 'method="POST", route="/api/v1/loan-requests/{id}/decision", status="200"',
}


def over_budget(api, token, tries=400):
    """One applicant sending as fast as it can, beyond its per-principal budget (50/s, 2 s
    of burst): the API answers 429 once the burst is spent. Counts by status."""
    out = {}
    lock = threading.Lock()
    sent = iter(range(tries))

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", api.port, timeout=5)
        for _ in sent:
            try:
                conn.request("GET", "/api/v1/banks", headers={"authorization": f"Bearer {token}"})
                response = conn.getresponse()
                response.read()
                s = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", api.port, timeout=5)
                s = "error"
            with lock:
                out[s] = out.get(s, 0) + 1
                if out.get(429, 0) >= 20:
                    return

    threads = [threading.Thread(target=client) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return out


def slow_body(api, token):
    """A submission whose body never arrives in full: the API answers 408 after
    PGE_BODY_READ_TIMEOUT_MS (5 s) and counts it in pge_slow_bodies_total."""
    with socket.create_connection(("127.0.0.1", api.port), timeout=15) as s:
        s.sendall((
            "POST /api/v1/loan-requests HTTP/1.1\r\nhost: 127.0.0.1\r\n"
            f"authorization: Bearer {token}\r\ncontent-type: application/json\r\n"
            "content-length: 200\r\n\r\n{\"bank_id\": ").encode())
        answer = s.recv(200).decode(errors="replace")
    return answer.split("\r\n", 1)[0]


def run_loadtest(binary, api, rate, seconds):
    argv = [binary, "--host", api.base, "--pge-bin", api.pge, "--data-dir", api.data,
            "--rate", str(rate), "--duration", f"{seconds}s", "--warmup", "0s",
            # Traffic, not a benchmark: the debug binary on a busy machine may lag.
            "--min-achieved", "0"]
    print("load: " + " ".join(argv), flush=True)
    done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 120)
    print("\n".join(done.stdout.splitlines()[-25:]))
    if done.returncode != 0:
        print(done.stderr[-2000:], file=sys.stderr)
        raise SystemExit(f"loadtest exited {done.returncode}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", help="the pge executable (default: the debug build)")
    parser.add_argument("--loadtest", help="the loadtest executable (default: a built one)")
    parser.add_argument("--seconds", type=int, default=20, help="length of the load")
    parser.add_argument("--rate", type=int, default=60, help="offered requests/s")
    parser.add_argument("--settle", type=float, default=20,
                        help="longest wait, after the load, for every panel's data")
    args = parser.parse_args()
    opslab.yaml_module()  # check-dashboards.py reads the rules with PyYAML
    opslab.stop_on_sigterm()
    started = time.monotonic()
    pge = opslab.pge_binary(args.binary)
    loadtest = opslab.loadtest_binary(args.loadtest)

    cluster = api = prom = prober = None
    try:
        cluster = opslab.Cluster()
        api = opslab.Api(pge, cluster, "pge_ops_check")
        prom = opslab.Prometheus([api.metrics])
        print(f"{prom.version.split(' (')[0]} on {prom.base}: {prom.rule_groups} rule groups, "
              f"scraping {api.metrics} every 1 s; pge {pge} ready in {api.ready_after:.1f} s",
              flush=True)
        prober = opslab.Prober(api)
        prober.start()

        [extra] = api.tokens("applicant", 1, "ops-check-burst")
        side = {}
        side_threads = [
            threading.Thread(target=lambda: side.__setitem__("429", over_budget(api, extra))),
            threading.Thread(target=lambda: side.__setitem__("408", slow_body(api, extra))),
        ]
        for t in side_threads:
            t.start()
        if loadtest:
            run_loadtest(loadtest, api, args.rate, args.seconds)
        else:
            print("load: no loadtest binary (scripts/test.sh builds `pge` only; "
                  "cargo build -p pge-loadtest --bin loadtest makes one): the same two "
                  f"journeys from Python threads, {args.rate} requests/s for {args.seconds} s",
                  flush=True)
            journeys = opslab.Journeys(api, args.rate).start()
            time.sleep(args.seconds)
            journeys.stop()
            print("load answers: " + ", ".join(f"{k}: {v}" for k, v in
                                                sorted(journeys.counts.items())))
        for t in side_threads:
            t.join(30)
        print(f"over-budget client: {side.get('429')}; slow body: {side.get('408')!r}; "
              f"readiness probes: {prober.answers}", flush=True)

        # The side clients alone would give most panels a series: the load's own answers
        # must have reached Prometheus, both journeys.
        seen = {}
        for what, selector in JOURNEYS_SEEN.items():
            samples = prom.query(f"sum(increase(http_requests_total{{{selector}}}[5m]))")
            seen[what] = round(samples[0][1]) if samples else 0
        print("counted by Prometheus during the run: "
              + ", ".join(f"{k}: {v}" for k, v in seen.items()), flush=True)
        if not all(seen.values()):
            print("ops-check: FAIL: the load's answers did not all reach Prometheus")
            return 1

        checker = [sys.executable, os.path.join(opslab.ROOT, "scripts", "check-dashboards.py"),
                   prom.base, "--require-data"]
        deadline = time.monotonic() + args.settle
        while True:
            done = subprocess.run(checker, capture_output=True, text=True, timeout=120)
            if done.returncode == 0 or time.monotonic() > deadline:
                break
            time.sleep(2)
        print(done.stdout, end="")
        print(done.stderr, end="", file=sys.stderr)
        print(f"ops-check: {'pass' if done.returncode == 0 else 'FAIL'} "
              f"({time.monotonic() - started:.0f} s)")
        return done.returncode
    finally:
        if prober is not None:
            prober.stop()
        if prom is not None:
            prom.stop()
        if api is not None:
            api.remove()
        if cluster is not None:
            cluster.remove()


if __name__ == "__main__":
    sys.exit(main())
