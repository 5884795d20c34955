#!/usr/bin/env python3
"""Fault tests of the launch-day issue, against the release binary on this machine's
PostgreSQL (not part of the CI suite: scenario A restarts the PostgreSQL server).

  scripts/fault-test.py [pg-restart] [sigterm]

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

import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.expanduser("~/.cache/pge/target"))
PGE = os.path.join(TARGET, "release", "pge")
PG = "postgres://postgres@127.0.0.1:5432"
DB = "pge_fault"


def psql(sql, db="postgres"):
    return subprocess.run(
        ["psql", "-qtA", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-c", sql],
        check=True, capture_output=True, text=True,
    ).stdout.strip()


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
    def __init__(self):
        psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        psql(f"CREATE DATABASE {DB}")
        self.data = tempfile.mkdtemp(prefix="pge-fault-")
        self.port = free_port()
        self.env = dict(
            os.environ,
            PGE_DATA_DIR=self.data,
            PGE_DATABASE_URL=f"{PG}/{DB}",
            PGE_LISTEN_ADDR=f"127.0.0.1:{self.port}",
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
        psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")


def pg_cluster():
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    return ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main"]


def rows_for(ids):
    found = set(psql("SELECT id FROM loan_requests", DB).split())
    return [i for i in ids if i not in found]


def pg_restart():
    api = Api()
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
            ready_log.append((time.monotonic(), api.status("/readyz")))
            time.sleep(0.05)

    threads = [threading.Thread(target=client, args=(t,)) for t in tokens]
    threads.append(threading.Thread(target=monitor))
    for t in threads:
        t.start()
    time.sleep(6)
    down_at = time.monotonic()
    subprocess.run(pg_cluster() + ["stop", "-m", "fast"], check=True)
    time.sleep(3)
    subprocess.run(pg_cluster() + ["start"], check=True)
    up_at = time.monotonic()
    time.sleep(8)
    stop.set()
    for t in threads:
        t.join(60)
    not_ready = [t for t, s in ready_log if s != 200 and t >= down_at]
    ready_again = [t for t, s in ready_log if s == 200 and t > up_at]
    missing = rows_for(accepted.values())
    keys_in_db = int(psql("SELECT COUNT(*) FROM idempotency_records", DB) or 0)
    rows = int(psql("SELECT COUNT(*) FROM loan_requests", DB))
    print(json.dumps({
        "scenario": "pg-restart",
        "start_to_ready_ms": round(api.ready_after * 1000, 1),
        "responses": {str(k): v for k, v in statuses.items()},
        "accepted": len(accepted),
        "rows_in_db": rows,
        "idempotency_records": keys_in_db,
        "accepted_missing_from_db": len(missing),
        "first_not_ready_after_stop_ms": round((not_ready[0] - down_at) * 1000) if not_ready else None,
        "ready_again_after_pg_start_ms": round((ready_again[0] - up_at) * 1000) if ready_again else None,
    }, indent=2))
    api.stop()
    ok = not missing and rows == len(accepted) and not_ready and ready_again
    return ok


def sigterm():
    api = Api()
    tokens = [api.token(f"term-{i}") for i in range(32)]
    stop = threading.Event()
    lock = threading.Lock()
    outcomes = {}
    accepted = []

    def client(token):
        while not stop.is_set():
            status, detail = api.submit(token, str(uuid.uuid4()))
            with lock:
                outcomes[status] = outcomes.get(status, 0) + 1
                if status == 201:
                    accepted.append(detail)
            if status == "refused":
                return

    threads = [threading.Thread(target=client, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    time.sleep(5)
    term_at = time.monotonic()
    api.proc.send_signal(signal.SIGTERM)
    code = api.proc.wait(30)
    exited_after = time.monotonic() - term_at
    stop.set()
    for t in threads:
        t.join(30)
    missing = rows_for(accepted)
    failed = {k: v for k, v in outcomes.items() if k not in (201, "refused")}
    print(json.dumps({
        "scenario": "sigterm",
        "outcomes": {str(k): v for k, v in outcomes.items()},
        "exit_code": code,
        "exited_after_sigterm_ms": round(exited_after * 1000, 1),
        "accepted_missing_from_db": len(missing),
    }, indent=2))
    api.stop()
    return code == 0 and not failed and not missing


def main():
    if not os.path.exists(PGE):
        raise SystemExit(f"{PGE} is missing: cargo build --release -p pge-api")
    scenarios = sys.argv[1:] or ["pg-restart", "sigterm"]
    results = {name: {"pg-restart": pg_restart, "sigterm": sigterm}[name]() for name in scenarios}
    print(json.dumps({k: "pass" if v else "FAIL" for k, v in results.items()}))
    sys.exit(0 if all(results.values()) else 1)


if __name__ == "__main__":
    main()
