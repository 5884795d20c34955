"""The lab of scripts/ops-check.py and scripts/ops-drill.py (issue 30, parts 4 and 5):
the real `pge` binary on a PostgreSQL server of its own (scripts/fault-test.py's
Cluster: initdb in a temporary folder, a free loopback port, so that stopping it
disturbs nothing else), a real Prometheus (Debian's `prometheus` package, installed with
apt-get when missing) scraping its metrics port every second with
ops/prometheus/rules.yml loaded, a prober standing in for the kubelet's readiness probe,
and traffic: the project's load test (`loadtest`) when its binary is there, else the same
two journeys from Python threads (`Journeys`).

Standard library only, but PyYAML for the rules (apt's python3-yaml when missing).
"""

import http.client
import importlib.util
import itertools
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RULES = os.path.join(ROOT, "ops", "prometheus", "rules.yml")
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.expanduser("~/.cache/pge/target"))


def _fault_test():
    """scripts/fault-test.py as a module: its Cluster, free_port and luhn_complete."""
    spec = importlib.util.spec_from_file_location(
        "fault_test", os.path.join(ROOT, "scripts", "fault-test.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


faults = _fault_test()
Cluster = faults.Cluster
free_port = faults.free_port
luhn_complete = faults.luhn_complete


def log(message):
    print(message, file=sys.stderr, flush=True)


def stop_on_sigterm():
    """SIGTERM (scripts/test.sh stopping) runs the `finally` blocks that stop what the
    script started, as Ctrl-C does."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def apt_install(packages):
    log("installing %s with apt-get" % " ".join(packages))
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends"] + packages,
                   check=True, env=env, stdout=subprocess.DEVNULL)


def yaml_module():
    """PyYAML; when this Python has none, Debian's python3 with python3-yaml runs the
    script again."""
    try:
        import yaml
        return yaml
    except ImportError:
        pass
    system = "/usr/bin/python3"
    if os.path.realpath(sys.executable) == os.path.realpath(system):
        apt_install(["python3-yaml"])
        import yaml
        return yaml
    if subprocess.run([system, "-c", "import yaml"], capture_output=True).returncode != 0:
        apt_install(["python3-yaml"])
    os.execv(system, [system] + sys.argv)


def ensure_prometheus():
    """Debian's prometheus (2.42 on Debian 12: the version the alert tests were written
    for, see scripts/check-alerts.sh)."""
    if not shutil.which("prometheus"):
        apt_install(["prometheus"])
    version = subprocess.run(["prometheus", "--version"], capture_output=True, text=True)
    first = (version.stdout or version.stderr).splitlines()[0]
    if "version 2." not in first:
        raise SystemExit("error: Prometheus 2.x expected (Debian 12's is 2.42.0): " + first)
    return first


def end(proc, seconds):
    """SIGTERM to a process this script started, SIGKILL after `seconds`."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(seconds)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def pge_binary(given):
    path = given or os.path.join(TARGET, "debug", "pge")
    if not os.path.exists(path):
        raise SystemExit(f"{path} is missing: cargo build -p pge-api --bin pge")
    return path


def loadtest_binary(given):
    """The project's load test (loadtest/, goose): --loadtest, else a built one in the
    target folder; None when there is none (scripts/test.sh builds only `pge`)."""
    if given:
        if not os.path.exists(given):
            raise SystemExit(f"{given} is missing")
        return given
    for path in (os.path.join(TARGET, "debug", "loadtest"),
                 os.path.join(TARGET, "release", "loadtest"),
                 os.path.join(TARGET, "x86_64-unknown-linux-gnu", "release", "loadtest")):
        if os.path.exists(path):
            return path
    return None


class Api:
    """`pge serve` on its own database of the cluster, its metrics on a port of its own.
    Development profile (the dev identity provider; the outbox worker in-process, writing
    e-mails as .eml files under PGE_DATA_DIR/mail). The per-IP limit is off (one
    process plays every client, as in scripts/bench.sh); the per-principal one stays on."""

    def __init__(self, pge, cluster, db, extra_env=None):
        self.pge, self.cluster, self.db = pge, cluster, db
        cluster.psql(f"CREATE DATABASE {db}")
        self.data = tempfile.mkdtemp(prefix="pge-ops-")
        self.port = free_port()
        self.metrics_port = free_port()
        self.env = dict(
            os.environ,
            PGE_DATA_DIR=self.data,
            PGE_DATABASE_URL=cluster.url(db),
            PGE_LISTEN_ADDR=f"127.0.0.1:{self.port}",
            PGE_METRICS_ADDR=f"127.0.0.1:{self.metrics_port}",
            PGE_RATE_LIMIT_PER_IP="0",
            PGE_LOG_FORMAT="json",
            RUST_LOG="warn",
            **(extra_env or {}),
        )
        self.env.pop("PGE_ENV", None)
        self.log_path = os.path.join(self.data, "server.log")
        self.log = open(self.log_path, "w")
        started = time.monotonic()
        self.proc = subprocess.Popen([pge, "serve"], env=self.env, stdout=self.log,
                                     stderr=self.log, start_new_session=True)
        while status(self.port, "/readyz") != 200:
            if self.proc.poll() is not None or time.monotonic() - started > 60:
                self.log.flush()
                with open(self.log_path) as f:
                    tail = f.read()[-2000:]
                raise SystemExit("the API did not become ready:\n" + tail)
            time.sleep(0.05)
        self.ready_after = time.monotonic() - started
        self.base = f"http://127.0.0.1:{self.port}"
        self.metrics = f"127.0.0.1:{self.metrics_port}"

    def tokens(self, role, count, prefix, bank=None):
        """Dev tokens minted with `pge dev-token` against the server's key, in parallel."""
        def mint(i):
            argv = [self.pge, "dev-token", "--role", role, "--sub", f"{prefix}-{i}"]
            if bank:
                argv += ["--bank", bank]
            return subprocess.run(argv, env=self.env, check=True, capture_output=True,
                                  text=True).stdout.strip()
        out = [None] * count
        threads = [threading.Thread(target=lambda i=i: out.__setitem__(i, mint(i)))
                   for i in range(count)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        if not all(out):
            raise SystemExit(f"pge dev-token failed for {role}")
        return out

    def sql(self, query):
        return self.cluster.psql(query, self.db)

    def stop(self):
        end(self.proc, 30)
        self.log.close()

    def remove(self):
        self.stop()
        shutil.rmtree(self.data, ignore_errors=True)
        try:
            self.cluster.psql(f"DROP DATABASE IF EXISTS {self.db} WITH (FORCE)")
        except subprocess.CalledProcessError:
            pass


def status(port, path, timeout=2):
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        conn.request("GET", path)
        return conn.getresponse().status
    except OSError:
        return None


class Prometheus:
    """A Prometheus server of the lab's own: its TSDB in a temporary folder, a free
    loopback port, scraping `targets` (job pge-api) every `interval` seconds and
    evaluating `rules` as often (scrape timeout: the interval, its maximum)."""

    def __init__(self, targets, rules=RULES, interval=1, name="prometheus"):
        self.name = name
        self.version = ensure_prometheus()
        self.dir = tempfile.mkdtemp(prefix="pge-prometheus-")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        config = {
            "global": {"scrape_interval": f"{interval}s", "scrape_timeout": f"{interval}s",
                       "evaluation_interval": f"{interval}s"},
            "rule_files": [rules],
            "scrape_configs": [{"job_name": "pge-api",
                                "static_configs": [{"targets": list(targets)}]}],
        }
        path = os.path.join(self.dir, "prometheus.yml")
        with open(path, "w") as f:
            json.dump(config, f, indent=2)  # JSON is YAML
        self.log = open(os.path.join(self.dir, "prometheus.log"), "w")
        self.proc = subprocess.Popen(
            ["prometheus", f"--config.file={path}",
             f"--storage.tsdb.path={os.path.join(self.dir, 'data')}",
             f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn"],
            stdout=self.log, stderr=self.log, start_new_session=True)
        self.wait(lambda: status(self.port, "/-/ready") == 200, 30, "Prometheus ready")
        rules_loaded = self.api("/api/v1/rules")["groups"]
        if not rules_loaded:
            raise SystemExit(f"Prometheus loaded no rule group from {rules}")
        self.rule_groups = len(rules_loaded)
        self.wait(lambda: self.query('up{job="pge-api"} == 1'), 30, "the first scrape of pge")

    def wait(self, condition, seconds, what):
        deadline = time.monotonic() + seconds
        while not condition():
            if self.proc.poll() is not None:
                raise SystemExit(f"Prometheus exited (code {self.proc.returncode}); see its log")
            if time.monotonic() > deadline:
                raise SystemExit(f"timed out after {seconds} s waiting for {what}")
            time.sleep(0.2)

    def api(self, path, params=None):
        url = self.base + path
        data = urllib.parse.urlencode(params).encode() if params else None
        try:
            with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=10) as r:
                body = json.load(r)
        except urllib.error.HTTPError as error:
            body = json.load(error)
        if body.get("status") != "success":
            raise RuntimeError(f"{path}: {body.get('errorType')}: {body.get('error')}")
        return body["data"]

    def query(self, expr):
        """The instant vector's samples, as a list of ({labels}, value)."""
        data = self.api("/api/v1/query", {"query": expr})
        if data["resultType"] != "vector":
            raise RuntimeError(f"not an instant vector: {expr}")
        return [(r["metric"], float(r["value"][1])) for r in data["result"]]

    def stop(self):
        end(self.proc, 20)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def start_prometheus_servers(targets, intervals):
    """Several Prometheus servers started side by side: {name: scrape interval}."""
    ensure_prometheus()  # once, before the threads
    servers, errors = {}, []

    def start(name, interval):
        try:
            servers[name] = Prometheus(targets, interval=interval, name=name)
        except BaseException as error:  # SystemExit included: reported below
            errors.append(f"{name}: {error}")

    threads = [threading.Thread(target=start, args=item) for item in intervals.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    if errors:
        for server in servers.values():
            server.stop()
        raise SystemExit("; ".join(errors))
    return [servers[name] for name in intervals]


class Prober(threading.Thread):
    """GET /readyz every second, as the kubelet's readiness probe does every 5 s in the
    Helm chart (the readiness alerts and panels read these answers)."""

    def __init__(self, api, every=1.0):
        super().__init__(daemon=True)
        self.api, self.every = api, every
        self.halt = threading.Event()
        self.answers = {}

    def run(self):
        while not self.halt.is_set():
            s = status(self.api.port, "/readyz", timeout=2)
            self.answers[s] = self.answers.get(s, 0) + 1
            self.halt.wait(self.every)

    def stop(self):
        self.halt.set()
        self.join(10)


_sirens = itertools.count(random.randrange(10**8))


def company():
    """A random eligible company (as loadtest/src/bin/loadtest/data.rs draws them):
    consecutive SIRENs from a random start, so that no two requests share a company."""
    siren = luhn_complete(f"{next(_sirens) % 10**8:08d}")
    if siren == "356000000":
        siren = luhn_complete(f"{next(_sirens) % 10**8:08d}")
    revenue = random.randrange(20_000_000, 5_000_000_000)
    return {
        "siren": siren, "siret": luhn_complete(f"{siren}{random.randrange(10_000):04d}"),
        "legal_name": f"Entreprise de charge {siren}", "legal_form": "SAS",
        "creation_date": f"{random.randint(1990, 2018)}-{random.randint(1, 12):02d}-"
                         f"{random.randint(1, 28):02d}",
        "headcount": random.randrange(1, 250), "revenue_cents": revenue,
        "payroll_cents": revenue // 3, "innovative": False, "collective_proceedings": False,
    }, random.randrange(100_000, revenue // 8), random.randint(0, 5)


class Journeys:
    """The load test's two journeys (loadtest/README.md) from Python threads, paced
    together at `rate` requests per second: applicants simulate, submit, list their
    requests and read the new one; reviewers of bank 30004 list the submitted requests,
    open one, take it in review and decide. One keep-alive connection per user. A 409 or
    412 on review or decision is another reviewer's win (contention), as in the load
    test. Answers are counted by request name and status."""

    def __init__(self, api, rate, applicants=12, reviewers=4, timeout=15):
        self.api, self.timeout = api, timeout
        self.period = 1.0 / rate
        self.next_slot = time.monotonic()
        self.lock = threading.Lock()
        self.halt = threading.Event()
        self.counts = {}
        run = uuid.uuid4().hex[:8]
        users = ([("applicant", t) for t in api.tokens("applicant", applicants, f"ops-{run}-a")]
                 + [("reviewer", t) for t in
                    api.tokens("reviewer", reviewers, f"ops-{run}-r", bank="30004")])
        self.threads = [threading.Thread(target=self.user, args=u, daemon=True) for u in users]

    def start(self):
        for t in self.threads:
            t.start()
        return self

    def stop(self):
        self.halt.set()
        for t in self.threads:
            t.join(self.timeout + 5)

    def count(self, name, outcome):
        with self.lock:
            key = f"{name} {outcome}"
            self.counts[key] = self.counts.get(key, 0) + 1

    def pace(self):
        with self.lock:
            now = time.monotonic()
            # A late user makes up at most one second of missed slots.
            self.next_slot = max(self.next_slot + self.period, now - 1.0)
            slot = self.next_slot
        delay = slot - time.monotonic()
        if delay > 0:
            self.halt.wait(delay)

    def send(self, conn, name, method, path, token, body=None, headers=None):
        """(status or None, response headers, decoded JSON or None, the connection to
        use next: a new one after a failure or a `connection: close`)."""
        self.pace()
        if self.halt.is_set():
            return None, {}, None, conn
        all_headers = {"authorization": f"Bearer {token}", **(headers or {})}
        payload = None
        if body is not None:
            payload = json.dumps(body)
            all_headers["content-type"] = "application/json"
        try:
            conn.request(method, path, body=payload, headers=all_headers)
            response = conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.count(name, type(error).__name__)
            conn.close()
            self.halt.wait(0.1)
            return None, {}, None, self.connect()
        self.count(name, response.status)
        try:
            decoded = json.loads(raw) if raw else None
        except ValueError:
            decoded = None
        if response.getheader("connection", "").lower() == "close":
            conn.close()
            conn = self.connect()
        return response.status, dict(response.getheaders()), decoded, conn

    def connect(self):
        return http.client.HTTPConnection("127.0.0.1", self.api.port, timeout=self.timeout)

    def user(self, role, token):
        conn = self.connect()
        while not self.halt.is_set():
            if role == "applicant":
                conn = self.applicant(conn, token)
            else:
                conn = self.reviewer(conn, token)

    def applicant(self, conn, token):
        firm, amount, years = company()
        s, _, _, conn = self.send(conn, "A1 simulate", "POST", "/api/v1/simulations", token,
                                  {"company": firm, "requested_amount_cents": amount,
                                   "amortization_years": years})
        if s != 200:
            return conn
        s, _, created, conn = self.send(
            conn, "A2 submit", "POST", "/api/v1/loan-requests", token,
            {"bank_id": "30004", "company": firm, "requested_amount_cents": amount,
             "amortization_years": years, "contact_email": f"gerant@{firm['siren']}.example"},
            {"idempotency-key": str(uuid.uuid4())})
        if s != 201 or not created:
            return conn
        s, _, _, conn = self.send(conn, "A3 list own", "GET", "/api/v1/loan-requests?limit=10",
                                  token)
        if s != 200:
            return conn
        _, _, _, conn = self.send(conn, "A4 read one", "GET",
                                  f"/api/v1/loan-requests/{created['id']}", token)
        return conn

    def reviewer(self, conn, token):
        s, _, page, conn = self.send(conn, "B1 list submitted", "GET",
                                     "/api/v1/loan-requests?status=submitted&limit=20", token)
        items = (page or {}).get("items") or []
        if s != 200 or not items:
            return conn
        request = random.choice(items)["id"]
        s, headers, _, conn = self.send(conn, "B2 open", "GET",
                                        f"/api/v1/loan-requests/{request}", token)
        etag = {k.lower(): v for k, v in headers.items()}.get("etag")
        if s != 200 or not etag:
            return conn
        s, headers, _, conn = self.send(conn, "B3 review", "POST",
                                        f"/api/v1/loan-requests/{request}/review", token,
                                        headers={"if-match": etag})
        etag = {k.lower(): v for k, v in headers.items()}.get("etag")
        if s != 200 or not etag:
            return conn
        decision = ({"decision": "reject", "reason": "Dossier incomplet"}
                    if random.random() < 0.2 else {"decision": "pre_approve"})
        _, _, _, conn = self.send(conn, "B4 decide", "POST",
                                  f"/api/v1/loan-requests/{request}/decision", token, decision,
                                  {"if-match": etag})
        return conn

    def totals(self):
        """Answers by status over every request name."""
        out = {}
        for key, n in self.counts.items():
            outcome = key.rsplit(" ", 1)[1]
            out[outcome] = out.get(outcome, 0) + n
        return out


def rule_exprs(yaml):
    """Every rule of ops/prometheus/rules.yml: (kind, name, labels, expr)."""
    with open(RULES) as f:
        groups = yaml.safe_load(f)["groups"]
    return [("alert" if "alert" in r else "record", r.get("alert") or r.get("record"),
             r.get("labels") or {}, r["expr"]) for g in groups for r in g["rules"]]
