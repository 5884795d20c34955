#!/usr/bin/env python3
"""Fault tests of the launch-day issue: the `pge` binary against a PostgreSQL server of
its own (a private cluster made with initdb in a temporary folder, on a free loopback
port), so that restarting it disturbs nothing else. scripts/test.sh runs both scenarios
on the debug binary after the suite; docs/RELIABILITY.md records a run on the release
binary with longer phases.

  scripts/fault-test.py [--binary PATH] [--load-seconds N] [pg-restart] [sigterm]

--binary        the pge executable (default: $CARGO_TARGET_DIR/release/pge if present,
                else $CARGO_TARGET_DIR/debug/pge)
--load-seconds  how long load flows before the fault (default 6)

pg-restart  Submissions flow from 16 clients; PostgreSQL is restarted in the middle.
            Each client retries a refused submission with the same Idempotency-Key.
            Checks: every request answered 201 is in the database afterwards, exactly
            one row per idempotency key; /readyz answers 503 while the database is away
            and 200 again by itself; prints how long each took.
sigterm     32 clients submit; the API receives SIGTERM in the middle. Checks: no
            request that reached the API fails (every response is 201; after the
            listener closes, connections are refused, never reset mid-request); every
            201 is in the database; the process exits 0.

Only the standard library: urllib opens one connection per request, so "refused"
(never accepted) and "reset" (accepted, then dropped) are told apart.
"""

import argparse
import glob
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.expanduser("~/.cache/pge/target"))
DB = "pge_fault"
PGE = None  # set by main()
LOAD_SECONDS = 6


def pg_bindir():
    """The server binaries (initdb, pg_ctl): Debian keeps them out of PATH."""
    found = shutil.which("initdb")
    if found:
        return os.path.dirname(found)
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                        key=lambda p: int(p.split("/")[4]))
    if not candidates:
        raise SystemExit("fault tests: PostgreSQL's initdb was not found (install the server)")
    return os.path.dirname(candidates[-1])


class Cluster:
    """A PostgreSQL server of the fault tests' own: trust auth, loopback only."""

    def __init__(self):
        self.bindir = pg_bindir()
        self.dir = tempfile.mkdtemp(prefix="pge-fault-pg-")
        self.data = os.path.join(self.dir, "data")
        self.port = free_port()
        # initdb refuses to run as root: run the server binaries as `postgres` then.
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.dir, "postgres", "postgres")
        self.pg(["initdb", "-D", self.data, "-U", "postgres", "--auth=trust",
                 "--no-sync", "-E", "UTF8", "--locale=C"])
        self.start()

    def pg(self, argv):
        argv = [os.path.join(self.bindir, argv[0])] + argv[1:]
        subprocess.run(self.as_user + argv, check=True, capture_output=True, text=True)

    def start(self):
        self.pg(["pg_ctl", "-D", self.data, "-w", "-t", "60", "-l",
                 os.path.join(self.dir, "server.log"), "-o",
                 f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
                 "-c max_connections=200", "start"])

    def stop(self):
        self.pg(["pg_ctl", "-D", self.data, "-w", "-m", "fast", "stop"])

    def url(self, db="postgres"):
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}"

    def psql(self, sql, db="postgres"):
        return subprocess.run(
            ["psql", "-qtA", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
             "-d", db, "-c", sql],
            check=True, capture_output=True, text=True,
        ).stdout.strip()

    def remove(self):
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


def luhn_complete(body):
    for check in range(10):
        digits = body + str(check)
        total = 0
        for i, d in enumerate(reversed(digits)):
            v = int(d)
            if i % 2 == 1:
                v *= 2
                if v > 9:
                    v -= 9
            total += v
        if total % 10 == 0:
            return digits
    raise AssertionError


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Api:
    def __init__(self, cluster):
        self.cluster = cluster
        cluster.psql(f"CREATE DATABASE {DB}")
        self.data = tempfile.mkdtemp(prefix="pge-fault-")
        self.port = free_port()
        self.env = dict(
            os.environ,
            PGE_DATA_DIR=self.data,
            PGE_DATABASE_URL=cluster.url(DB),
            PGE_LISTEN_ADDR=f"127.0.0.1:{self.port}",
            PGE_METRICS_ADDR="127.0.0.1:0",
            PGE_RATE_LIMIT_PER_IP="0",
            PGE_RATE_LIMIT_PER_PRINCIPAL="0",
            PGE_LOG_FORMAT="json",
            RUST_LOG="warn",
        )
        self.log = open(os.path.join(self.data, "server.log"), "w")
        started = time.monotonic()
        self.proc = subprocess.Popen([PGE, "serve"], env=self.env, stdout=self.log, stderr=self.log)
        while self.status("/readyz") != 200:
            if time.monotonic() - started > 30:
                raise SystemExit("the API did not become ready")
            time.sleep(0.02)
        self.ready_after = time.monotonic() - started

    def token(self, sub):
        return subprocess.run(
            [PGE, "dev-token", "--role", "applicant", "--sub", sub],
            env=self.env, check=True, capture_output=True, text=True,
        ).stdout.strip()

    def status(self, path):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            conn.request("GET", path)
            return conn.getresponse().status
        except OSError:
            return None

    def submit(self, token, key):
        body = json.dumps({
            "bank_id": "30004",
            "company": {"siren": luhn_complete(f"{random.randrange(10**8):08d}"),
                        "legal_name": "Fault SAS", "legal_form": "SAS",
                        "creation_date": "2012-05-04", "headcount": 12,
                        "revenue_cents": 100_000_000},
            "requested_amount_cents": 5_000_000, "amortization_years": 4,
            "contact_email": "fault@example.fr"})
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        try:
            conn.request("POST", "/api/v1/loan-requests", body=body, headers={
                "content-type": "application/json", "authorization": f"Bearer {token}",
                "idempotency-key": key})
        except ConnectionRefusedError:
            return ("refused", None)
        except OSError as e:
            return ("send-error", repr(e))
        try:
            response = conn.getresponse()
            payload = response.read()
        except OSError as e:
            return ("reset", repr(e))
        if response.status in (200, 201):
            return (response.status, json.loads(payload)["id"])
        return (response.status, payload.decode(errors="replace")[:200])

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(30)
        self.log.close()
        shutil.rmtree(self.data, ignore_errors=True)
        self.cluster.psql(f"DROP DATABASE {DB} WITH (FORCE)")

    def rows_for(self, ids):
        found = set(self.cluster.psql("SELECT id FROM loan_requests", DB).split())
        return [i for i in ids if i not in found]


def pg_restart(cluster):
    api = Api(cluster)
    tokens = [api.token(f"fault-{i}") for i in range(16)]
    stop = threading.Event()
    lock = threading.Lock()
    accepted = {}  # idempotency key -> id
    statuses = {}
    ready_log = []

    def client(token):
        while not stop.is_set():
            key = str(uuid.uuid4())
            while True:  # retry the same request until it is accepted
                status, detail = api.submit(token, key)
                with lock:
                    statuses[status] = statuses.get(status, 0) + 1
                if status in (200, 201):
                    with lock:
                        accepted[key] = detail
                    break
                if stop.is_set() and status not in (503, "reset", "send-error", "refused"):
                    break
                time.sleep(0.1)

    def monitor():
        while not stop.is_set():
            status = api.status("/readyz")
            ready_log.append((time.monotonic(), status))  # when the answer came
            time.sleep(0.05)

    threads = [threading.Thread(target=client, args=(t,)) for t in tokens]
    threads.append(threading.Thread(target=monitor))
    for t in threads:
        t.start()
    time.sleep(LOAD_SECONDS)
    down_at = time.monotonic()
    cluster.stop()
    time.sleep(3)
    cluster.start()
    up_at = time.monotonic()
    time.sleep(LOAD_SECONDS)
    stop.set()
    for t in threads:
        t.join(60)
    not_ready = [t for t, s in ready_log if s != 200 and t >= down_at]
    ready_again = [t for t, s in ready_log if s == 200 and t > up_at]
    missing = api.rows_for(accepted.values())
    keys_in_db = int(cluster.psql("SELECT COUNT(*) FROM idempotency_records", DB) or 0)
    rows = int(cluster.psql("SELECT COUNT(*) FROM loan_requests", DB))
    print(json.dumps({
        "scenario": "pg-restart",
        "start_to_ready_ms": round(api.ready_after * 1000, 1),
        "responses": {str(k): v for k, v in statuses.items()},
        "accepted": len(accepted),
        "rows_in_db": rows,
        "idempotency_records": keys_in_db,
        "accepted_missing_from_db": len(missing),
        "readyz_polls": {str(k): sum(1 for _, s in ready_log if s == k)
                         for k in sorted({s for _, s in ready_log}, key=str)},
        "readyz_poll_gaps_over_500ms": sum(
            1 for (a, _), (b, _) in zip(ready_log, ready_log[1:]) if b - a > 0.5),
        "first_not_ready_after_stop_ms": round((not_ready[0] - down_at) * 1000) if not_ready else None,
        "ready_again_after_pg_start_ms": round((ready_again[0] - up_at) * 1000) if ready_again else None,
    }, indent=2))
    api.stop()
    ok = not missing and rows == len(accepted) and not_ready and ready_again
    return ok


def sigterm(cluster):
    api = Api(cluster)
    tokens = [api.token(f"term-{i}") for i in range(32)]
    stop = threading.Event()
    lock = threading.Lock()
    outcomes = {}
    errors = {}
    accepted = []

    def client(token):
        while not stop.is_set():
            status, detail = api.submit(token, str(uuid.uuid4()))
            with lock:
                outcomes[status] = outcomes.get(status, 0) + 1
                if status == 201:
                    accepted.append(detail)
                elif status != "refused":
                    errors.setdefault(str(status), detail)
            if status == "refused":
                return

    threads = [threading.Thread(target=client, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    time.sleep(LOAD_SECONDS)
    term_at = time.monotonic()
    api.proc.send_signal(signal.SIGTERM)
    code = api.proc.wait(30)
    exited_after = time.monotonic() - term_at
    stop.set()
    for t in threads:
        t.join(30)
    missing = api.rows_for(accepted)
    failed = {k: v for k, v in outcomes.items() if k not in (201, "refused")}
    print(json.dumps({
        "scenario": "sigterm",
        "outcomes": {str(k): v for k, v in outcomes.items()},
        "first_error_of_each_kind": errors,
        "exit_code": code,
        "exited_after_sigterm_ms": round(exited_after * 1000, 1),
        "accepted_missing_from_db": len(missing),
    }, indent=2))
    api.stop()
    return code == 0 and not failed and not missing


def main():
    global PGE, LOAD_SECONDS
    parser = argparse.ArgumentParser(description="fault tests (see the module docstring)")
    parser.add_argument("--binary")
    parser.add_argument("--load-seconds", type=float, default=LOAD_SECONDS)
    parser.add_argument("scenarios", nargs="*", metavar="pg-restart|sigterm")
    args = parser.parse_args()
    runs = {"pg-restart": pg_restart, "sigterm": sigterm}
    unknown = [name for name in args.scenarios if name not in runs]
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(unknown)}")
    LOAD_SECONDS = args.load_seconds
    PGE = args.binary
    if PGE is None:
        release = os.path.join(TARGET, "release", "pge")
        PGE = release if os.path.exists(release) else os.path.join(TARGET, "debug", "pge")
    if not os.path.exists(PGE):
        raise SystemExit(f"{PGE} is missing: cargo build --release -p pge-api --bin pge")
    print(f"fault tests: {PGE}", file=sys.stderr)
    scenarios = args.scenarios or ["pg-restart", "sigterm"]
    cluster = Cluster()
    try:
        results = {name: runs[name](cluster) for name in scenarios}
    finally:
        cluster.remove()
    print(json.dumps({k: "pass" if v else "FAIL" for k, v in results.items()}))
    sys.exit(0 if all(results.values()) else 1)


if __name__ == "__main__":
    main()
