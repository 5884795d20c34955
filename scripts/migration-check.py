#!/usr/bin/env python3
"""Migrations that cannot stall the peak (issue 29, part 4), on a PostgreSQL of its own
(16, the version RDS runs; scripts/pglab.py):

lint    The SQL the migrations really run, captured: `pge migrate` on a fresh database
        with every statement logged (`log_statement = all`, csvlog), split into one file
        per migration at each insert into sea-orm's ledger, linted by squawk (npm
        `squawk-cli`, pinned, installed into ~/.cache/pge/squawk when missing) with
        ops/postgres/squawk.toml (the rules left out, one reason each). A finding fails
        unless ops/postgres/migration-lint.toml accepts that rule for that migration, with
        its reason; an accepted finding that no longer occurs fails too (the list stays
        true).
locks   `pge migrate` gives up instead of queueing behind live traffic: a database holding
        every migration before the last one that touches an existing table (replayed from
        the captured SQL), a session holding ROW EXCLUSIVE on that table (what any
        submission in flight holds) while `pge migrate` runs. It must fail within its
        lock_timeout (PGE_MIGRATE_LOCK_TIMEOUT, default 5s; 1 s here, then the default),
        and within its statement_timeout (PGE_MIGRATE_STATEMENT_TIMEOUT, default 15min;
        1 s here with a lock_timeout longer than that), with the server's own "lock
        timeout" / "statement timeout" error, leaving nothing applied; once the lock is
        gone it succeeds.
replay  The previous release's queries on this release's schema (expand/contract,
        checked): tests/fixtures/previous-release-sql.json holds the statements a
        release's binary sent during the journeys of `record` below; each is executed,
        in order, with its recorded parameters, on the freshly migrated schema inside one
        transaction that is rolled back. Any error fails (a dropped or renamed column, a
        NOT NULL column without a default the old INSERTs do not fill, a changed
        function signature).
record  Records that fixture from this binary: `pge serve` on a database with
        `log_statement = all`, an applicant's and a reviewer's journeys over HTTP, the
        worker sending the e-mails; run it when a release is cut (docs/RELIABILITY.md).

  scripts/migration-check.py [--binary PATH] [--version 15|16] [lint] [locks] [replay]
  scripts/migration-check.py --binary PATH record
"""

import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import tomllib
import uuid

import pglab
from opslab import log, stop_on_sigterm

SQUAWK_VERSION = "2.66.0"
SQUAWK_DIR = os.environ.get("PGE_SQUAWK_DIR",
                            os.path.expanduser(f"~/.cache/pge/squawk-{SQUAWK_VERSION}"))
SQUAWK_CONFIG = os.path.join(pglab.ROOT, "ops", "postgres", "squawk.toml")
ACCEPTED = os.path.join(pglab.ROOT, "ops", "postgres", "migration-lint.toml")
FIXTURE = os.path.join(pglab.ROOT, "tests", "fixtures", "previous-release-sql.json")
LEDGER = "seaql_migrations"
LOGGING = {
    "logging_collector": "on",
    "log_destination": "csvlog",
    "log_directory": "log",
    "log_filename": "statements.log",
    "log_statement": "all",
    "log_min_error_statement": "error",
}


# ---------------------------------------------------------------- the server's log

def log_rows(cluster):
    """The csvlog's rows (dicts) so far."""
    path = os.path.join(cluster.data, "log", "statements.csv")
    fields = ["log_time", "user_name", "database_name", "process_id", "connection_from",
              "session_id", "session_line_num", "command_tag", "session_start_time",
              "virtual_transaction_id", "transaction_id", "error_severity",
              "sql_state_code", "message", "detail", "hint", "internal_query",
              "internal_query_pos", "context", "query", "query_pos", "location",
              "application_name", "backend_type", "leader_pid", "query_id"]
    if not os.path.exists(path):
        return []
    with open(path, newline="", errors="replace") as f:
        return [dict(zip(fields, row)) for row in csv.reader(f)]


STATEMENT = re.compile(r"^(?:statement|execute [^:]*): (.*)$", re.S)
PARAM = re.compile(r"\$(\d+) = (NULL|'(?:[^']|'')*')")


def statements(rows, database):
    """The statements logged for `database`, in order: dicts with the session, the SQL,
    its parameters (a list: text values or None) and the log time."""
    out = []
    for row in rows:
        if row["database_name"] != database or row["error_severity"] != "LOG":
            continue
        m = STATEMENT.match(row["message"])
        if not m:
            continue
        params = {}
        detail = row["detail"] or ""
        if detail.startswith("parameters: "):
            for number, value in PARAM.findall(detail):
                params[int(number)] = None if value == "NULL" else value[1:-1].replace("''", "'")
        out.append({"session": row["session_id"], "sql": m.group(1).strip(),
                    "params": [params[i] for i in sorted(params)],
                    "at": row["log_time"], "application": row["application_name"]})
    return out


def wait_logged(cluster, database, condition, seconds=15):
    """The statements of `database` once `condition(statements)` holds (the collector
    writes asynchronously)."""
    deadline = time.monotonic() + seconds
    while True:
        found = statements(log_rows(cluster), database)
        if condition(found) or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


TRANSACTION = re.compile(r"^(BEGIN|START TRANSACTION|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b",
                         re.I)


def per_migration(found, applied):
    """Splits the migrate run's statements at each ledger insert: {migration: [statement]}
    in order (dicts: sql, params), and the ledger's creation before the first one."""
    out, current = {}, []
    preamble = None
    for st in found:
        sql = st["sql"]
        if re.match(rf'^INSERT INTO "?{LEDGER}"?', sql, re.I):
            name = st["params"][0] if st["params"] else None
            if name not in applied:
                raise SystemExit(f"ledger insert of an unknown migration: {sql} {st['params']}")
            out[name] = current
            current = []
            continue
        if TRANSACTION.match(sql) or re.search(rf'\bFROM "?{LEDGER}"?', sql, re.I):
            continue
        if re.match(rf'^CREATE TABLE IF NOT EXISTS "?{LEDGER}"?', sql, re.I):
            preamble = preamble or sql
            continue
        current.append(st)
    missing = [m for m in applied if m not in out]
    if missing:
        raise SystemExit(f"no ledger insert logged for {missing}")
    return preamble, out


def capture(pge, cluster, database):
    """`pge migrate` on a new database, every statement logged: (ledger creation,
    {migration: [sql]}, the SET statements it sent, the migrated names in order)."""
    cluster.psql(f"CREATE DATABASE {database}")
    done = pglab.migrate(pge, cluster.url(database))
    if done.returncode != 0:
        raise SystemExit(f"pge migrate failed:\n{done.stderr[-3000:]}")
    applied = cluster.psql(f"SELECT version FROM {LEDGER} ORDER BY version",
                           database).split()
    found = wait_logged(cluster, database, lambda f: sum(
        1 for s in f if re.match(rf'^INSERT INTO "?{LEDGER}"?', s["sql"])) >= len(applied))
    sets = [s["sql"] for s in found if re.match(r"^SET\b", s["sql"], re.I)]
    preamble, migrations = per_migration(found, applied)
    return preamble, migrations, sets, applied


# ---------------------------------------------------------------- lint

def squawk():
    """The pinned squawk, installed with npm into its cache folder when missing."""
    binary = os.path.join(SQUAWK_DIR, "node_modules", ".bin", "squawk")
    if os.path.exists(binary):
        version = subprocess.run([binary, "--version"], capture_output=True, text=True)
        if version.stdout.strip() == f"squawk {SQUAWK_VERSION}":
            return binary
    log(f"installing squawk-cli@{SQUAWK_VERSION} into {SQUAWK_DIR}")
    os.makedirs(SQUAWK_DIR, exist_ok=True)
    subprocess.run(["npm", "install", "--prefix", SQUAWK_DIR, "--no-audit", "--no-fund",
                    "--silent", "--save-exact", f"squawk-cli@{SQUAWK_VERSION}"], check=True)
    return binary


def terminated(sql):
    sql = sql.strip()
    return sql if sql.endswith(";") else sql + ";"


def lint(migrations, sets, version):
    """squawk over one file per migration: (failures, findings by migration)."""
    failures = []
    with open(ACCEPTED, "rb") as f:
        accepted = {(a["migration"], a["rule"]): a["reason"]
                    for a in tomllib.load(f).get("accepted", [])}
    folder = tempfile.mkdtemp(prefix="pge-migration-sql-")
    try:
        lines_of = {}
        for name, sqls in migrations.items():
            body = "".join(terminated(s) + "\n" for s in sets + [st["sql"] for st in sqls])
            path = os.path.join(folder, f"{name}.sql")
            with open(path, "w") as f:
                f.write(body)
            lines_of[path] = body.splitlines()
        files = sorted(lines_of)
        done = subprocess.run(
            [squawk(), "--config", SQUAWK_CONFIG, "--reporter", "json", "--pg-version",
             f"{version}.0"] + files, capture_output=True, text=True)
        try:
            violations = json.loads(done.stdout or "[]")
        except ValueError:
            raise SystemExit(f"squawk: {done.stdout[-2000:]}\n{done.stderr[-2000:]}")
        if done.returncode not in (0, 1) or (done.returncode == 1 and not violations):
            raise SystemExit(f"squawk failed ({done.returncode}): {done.stderr[-2000:]}")
        findings = {}
        for v in violations:
            name = os.path.basename(v["file"])[:-4]
            line = lines_of[v["file"]][v["line"]] if v["line"] < len(lines_of[v["file"]]) else ""
            findings.setdefault(name, {}).setdefault(v["rule_name"], []).append(line[:160])
        for name, rules in findings.items():
            for rule, where in rules.items():
                if (name, rule) not in accepted:
                    failures.append(f"{name}: {rule} ({len(where)}x), e.g. {where[0]}")
        for (name, rule) in accepted:
            if rule not in findings.get(name, {}):
                failures.append(f"{ACCEPTED}: {name} / {rule} is accepted but no longer "
                                "found: remove it")
        return failures, {n: {r: len(w) for r, w in rs.items()} for n, rs in findings.items()}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# ---------------------------------------------------------------- locks

CREATED = re.compile(r'CREATE TABLE (?:IF NOT EXISTS )?"?(\w+)"?', re.I)
TOUCHES = re.compile(r'(?:ALTER TABLE (?:IF EXISTS )?(?:ONLY )?|'
                     r'CREATE (?:UNIQUE )?INDEX (?:IF NOT EXISTS )?"?\w+"? ON (?:ONLY )?|'
                     r'REFERENCES |LOCK TABLE )"?(\w+)"?', re.I)


def lock_target(migrations, applied):
    """(index of the last migration whose statements touch a table an earlier one made,
    that table)."""
    created, best = set(), None
    for i, name in enumerate(applied):
        for st in migrations[name]:
            for table in TOUCHES.findall(st["sql"]):
                if table in created and table != LEDGER:
                    best = (i, table)
        for st in migrations[name]:
            created.update(CREATED.findall(st["sql"]))
    if best is None:
        raise SystemExit("no migration touches an existing table: nothing to lock against")
    return best


def run_psql_file(cluster, database, sql):
    done = subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p",
         str(cluster.port), "-U", "postgres", "-d", database],
        input=sql, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"replaying migrations failed: {done.stderr[-2000:]}")


class Holder:
    """A session holding `mode` on `table` in an open transaction, as a request in flight
    does, until stopped."""

    def __init__(self, cluster, database, table, mode="ROW EXCLUSIVE"):
        self.cluster, self.database = cluster, database
        self.proc = subprocess.Popen(
            ["psql", "-X", "-q", "-h", "127.0.0.1", "-p", str(cluster.port), "-U",
             "postgres", "-d", database, "-c",
             f"BEGIN; LOCK TABLE {table} IN {mode} MODE; SELECT pg_sleep(300)"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env=dict(os.environ, PGAPPNAME=self.NAME))
        deadline = time.monotonic() + 15
        while cluster.psql(
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                f"WHERE c.relname = '{table}' AND l.mode = '{mode.title().replace(' ', '')}Lock'"
                " AND l.granted", database) == "0":
            if time.monotonic() > deadline:
                raise SystemExit(f"could not take {mode} on {table}")
            time.sleep(0.05)

    NAME = "pge-lock-holder"

    def stop(self):
        # pg_sleep does not notice its client leaving: the server ends the session.
        self.cluster.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          f"WHERE application_name = '{self.NAME}'", self.database)
        self.proc.wait(10)


def locks(pge, cluster, preamble, migrations, applied):
    """The lock_timeout and statement_timeout checks: (failures, figures)."""
    failures, figures = [], {}
    index, table = lock_target(migrations, applied)
    database = "pge_locks"
    cluster.psql(f"CREATE DATABASE {database}")
    before = applied[:index]
    replay = [terminated(preamble)] + [as_psql(st, f"m{i}") for i, st in enumerate(
        st for n in before for st in migrations[n])]
    replay += [f"INSERT INTO {LEDGER} (version, applied_at) VALUES ('{n}', 0);"
               for n in before]
    run_psql_file(cluster, database, "\n".join(replay) + "\n")
    figures["pending_migration"] = applied[index]
    figures["locked_table"] = table
    url = cluster.url(database)
    runs = [
        ("lock_timeout 1 s", {"PGE_MIGRATE_LOCK_TIMEOUT": "1s"}, 1.0, "55P03",
         "lock timeout"),
        ("statement_timeout 1 s", {"PGE_MIGRATE_LOCK_TIMEOUT": "60s",
                                   "PGE_MIGRATE_STATEMENT_TIMEOUT": "1s"}, 1.0, "57014",
         "statement timeout"),
        ("the default lock_timeout (5 s)", {}, 5.0, "55P03", "lock timeout"),
    ]
    holder = Holder(cluster, database, table)
    waits_forever = False
    try:
        for what, env, expected, state, words in runs:
            if waits_forever and state == "55P03":
                figures[what] = "skipped: no lock_timeout in force at all"
                continue
            clean = {k: v for k, v in os.environ.items() if not k.startswith("PGE_MIGRATE_")}
            seen = len(log_rows(cluster))
            started = time.monotonic()
            try:
                done = subprocess.run(
                    [pge, "migrate"], capture_output=True, text=True, timeout=expected + 10,
                    env=dict(clean, PGE_DATABASE_URL=url, RUST_LOG="info",
                             PGE_DATA_DIR=tempfile.mkdtemp(prefix="pge-migrate-"), **env))
                elapsed = time.monotonic() - started
            except subprocess.TimeoutExpired:
                failures.append(f"{what}: pge migrate still waited behind the lock on "
                                f"{table} after {expected + 10:.0f} s (nothing gives up)")
                waits_forever = waits_forever or state == "55P03"
                # Its session waits on, its client gone: the server ends it.
                cluster.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                             f"datname = '{database}' AND pid <> pg_backend_pid() AND "
                             f"application_name <> '{Holder.NAME}'")
                continue
            figures[what] = {"exit": done.returncode, "seconds": round(elapsed, 2)}
            deadline = time.monotonic() + 5
            while True:  # the collector writes the error a moment later
                errors = [r for r in log_rows(cluster)[seen:]
                          if r["database_name"] == database and r["error_severity"] == "ERROR"]
                if errors or done.returncode == 0 or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            states = sorted({r["sql_state_code"] for r in errors})
            figures[what]["server_errors"] = states
            if done.returncode == 0:
                failures.append(f"{what}: pge migrate succeeded behind a lock on {table}")
            elif state not in states:
                failures.append(f"{what}: pge migrate failed, but not with the server's "
                                f"{words} ({state}; got {states}): {done.stderr[-600:]}")
            elif not expected * 0.8 <= elapsed <= expected + 10:
                failures.append(f"{what}: gave up after {elapsed:.1f} s, expected about "
                                f"{expected:.0f} s")
            # Whatever happened, only the migrations before were applied.
            count = int(cluster.psql(f"SELECT count(*) FROM {LEDGER}", database))
            if count != len(before):
                failures.append(f"{what}: the ledger holds {count} migrations after the "
                                f"failed run, expected {len(before)}")
    finally:
        holder.stop()
    done = pglab.migrate(pge, url)
    if done.returncode != 0:
        failures.append(f"pge migrate failed once the lock was released: {done.stderr[-600:]}")
    elif int(cluster.psql(f"SELECT count(*) FROM {LEDGER}", database)) != len(applied):
        failures.append("pge migrate succeeded but left migrations pending")
    return failures, figures


# ---------------------------------------------------------------- replay and record

def journeys(serve):
    """An applicant's, a reviewer's and an administrator's journeys over HTTP: draft,
    simulation, two submissions, list, read, events, messages both ways, review, both
    decisions, the bank list, stats, the administrators' log, the platform status and
    the CSV export. Fails on an unexpected answer."""
    run = uuid.uuid4().hex[:8]
    applicant = serve.token("applicant", f"replay-{run}")
    reviewer = serve.token("reviewer", f"replay-{run}-r", bank="30004")
    admin = serve.token("admin", f"replay-{run}-admin")
    steps = []

    def call(expect, method, path, token, body=None, headers=None):
        status, answer_headers, answer = serve.call(method, path, token, body, headers)
        steps.append(f"{method} {path} {status}")
        if status != expect:
            raise SystemExit(f"journey: {method} {path}: {status} {answer}")
        return answer_headers, answer

    call(200, "PUT", "/api/v1/draft", applicant, {"answers": {"step": 1}})
    call(200, "GET", "/api/v1/draft", applicant)
    firm, amount, years = pglab.opslab.company()
    call(200, "POST", "/api/v1/simulations", applicant,
         {"company": firm, "requested_amount_cents": amount, "amortization_years": years})
    ids = []
    for _ in range(2):
        status, created = serve.submit(applicant)
        steps.append(f"POST /api/v1/loan-requests {status}")
        if status != 201:
            raise SystemExit(f"journey: submission: {status} {created}")
        ids.append(created["id"])
    call(200, "GET", "/api/v1/loan-requests?limit=10", applicant)
    call(200, "GET", f"/api/v1/loan-requests/{ids[0]}", applicant)
    call(200, "GET", f"/api/v1/loan-requests/{ids[0]}/events", applicant)
    call(201, "POST", f"/api/v1/loan-requests/{ids[0]}/messages", applicant,
         {"body": "Bonjour, voici ma demande."})
    call(200, "GET", "/api/v1/banks", reviewer)
    call(200, "GET", "/api/v1/loan-requests?status=submitted&limit=20", reviewer)
    for request, decision in zip(ids, ({"decision": "pre_approve"},
                                       {"decision": "reject", "reason": "Dossier incomplet"})):
        headers, _ = call(200, "GET", f"/api/v1/loan-requests/{request}", reviewer)
        call(200, "GET", f"/api/v1/loan-requests/{request}/messages", reviewer)
        headers, _ = call(200, "POST", f"/api/v1/loan-requests/{request}/review", reviewer,
                          headers={"if-match": headers.get("etag", "")})
        call(200, "POST", f"/api/v1/loan-requests/{request}/decision", reviewer, decision,
             {"if-match": headers.get("etag", "")})
    call(201, "POST", f"/api/v1/loan-requests/{ids[0]}/messages", reviewer,
         {"body": "Merci, nous revenons vers vous."})
    call(200, "GET", f"/api/v1/loan-requests/{ids[0]}/messages", applicant)
    call(200, "GET", "/api/v1/stats", admin)
    call(200, "GET", "/api/v1/admin/actions", admin)
    call(200, "GET", "/api/v1/platform-status", applicant)
    call(200, "GET", "/api/v1/exports/loan-requests.csv", reviewer)
    call(204, "DELETE", "/api/v1/draft", applicant)
    return steps


def record(pge, version):
    """The fixture: every statement the binary's API and worker send during `journeys`
    (pge_submit's inner statements are the function's own, not the binary's)."""
    cluster = pglab.PgCluster(version, settings=LOGGING)
    serve = worker = None
    database = "pge_record"
    try:
        cluster.psql(f"CREATE DATABASE {database}")
        done = pglab.migrate(pge, cluster.url(database))
        if done.returncode != 0:
            raise SystemExit(f"pge migrate failed:\n{done.stderr[-3000:]}")
        seen = len(log_rows(cluster))
        time.sleep(0.5)
        seen = len(log_rows(cluster))
        serve = pglab.Pge(pge, cluster.url(database),
                          extra_env={"PGE_WORKER_IN_PROCESS": "false"})
        steps = journeys(serve)
        worker = pglab.Pge(pge, cluster.url(database), command="worker", data=serve.data)
        deadline = time.monotonic() + 30
        while cluster.psql("SELECT count(*) FROM outbox_messages WHERE status <> 'sent'",
                           database) != "0":
            if time.monotonic() > deadline:
                raise SystemExit("the worker did not send the e-mails")
            time.sleep(0.2)
        worker.stop()
        serve.stop()
        worker = serve = None
        time.sleep(1)
        found = statements(log_rows(cluster)[seen:], database)
    finally:
        for proc in (worker, serve):
            if proc is not None:
                proc.stop()
        cluster.remove()
    # Not this script's own look-ups (psql), nor transaction control (the replay is one
    # transaction) or the readiness probe's `SELECT 1`.
    kept = [{"sql": st["sql"], "params": st["params"]} for st in found
            if st["application"] != "psql" and not TRANSACTION.match(st["sql"])
            and st["sql"] != "SELECT 1"]
    commit = subprocess.run(["git", "-C", pglab.ROOT, "describe", "--always", "--dirty"],
                            capture_output=True, text=True).stdout.strip()
    fixture = {
        "recorded_with": f"scripts/migration-check.py record (commit {commit}, "
                         f"PostgreSQL {version})",
        "journeys": steps,
        "statements": kept,
    }
    os.makedirs(os.path.dirname(FIXTURE), exist_ok=True)
    with open(FIXTURE, "w") as f:
        json.dump(fixture, f, indent=1, ensure_ascii=False)
        f.write("\n")
    log(f"recorded {len(kept)} statements ({len({k['sql'] for k in kept})} distinct) "
        f"into {FIXTURE}")


def literal(value):
    return "NULL" if value is None else "'" + value.replace("'", "''") + "'"


def as_psql(st, name):
    """A logged statement as psql input: as is, or PREPAREd under `name` and EXECUTEd
    with its logged parameters (text literals, typed by the statement)."""
    sql = st["sql"].rstrip().rstrip(";")
    if not st["params"]:
        return sql + ";"
    return (f"PREPARE {name} AS {sql};\n"
            f"EXECUTE {name}({', '.join(literal(p) for p in st['params'])});")


def replay_errors(cluster, database, statements, before=""):
    """The error lines of `statements` executed in order in one transaction, rolled back,
    after `before`."""
    # ECHO errors: psql prints each failed statement after its error; ON_ERROR_ROLLBACK:
    # a savepoint before each statement, so one failure does not hide the next ones.
    script = ["\\set ON_ERROR_STOP off", "\\set ON_ERROR_ROLLBACK on",
              "\\set VERBOSITY terse", "\\set ECHO errors", "BEGIN;",
              "SET LOCAL client_min_messages = warning;", before]
    script += [as_psql(st, f"q{i}") for i, st in enumerate(statements)]
    script.append("ROLLBACK;")
    ran = subprocess.run(
        ["psql", "-X", "-q", "-o", "/dev/null", "-h", "127.0.0.1", "-p", str(cluster.port),
         "-U", "postgres", "-d", database],
        input="\n".join(script) + "\n", capture_output=True, text=True)
    errors = [line for line in ran.stderr.splitlines() if line.strip()]
    if ran.returncode != 0 and not errors:
        errors = [f"psql exited {ran.returncode}"]
    return errors


def replay(pge, cluster):
    """The fixture's statements on a freshly migrated database, in one transaction
    rolled back, each under a savepoint so that every failure is reported: failures."""
    with open(FIXTURE) as f:
        fixture = json.load(f)
    database = "pge_replay"
    cluster.psql(f"CREATE DATABASE {database}")
    done = pglab.migrate(pge, cluster.url(database))
    if done.returncode != 0:
        raise SystemExit(f"pge migrate failed:\n{done.stderr[-3000:]}")
    failures = []
    errors = replay_errors(cluster, database, fixture["statements"])
    if errors:
        failures.append(f"replaying the previous release's SQL: {len(errors)} line(s) of "
                        "errors:\n" + "\n".join(e[:300] for e in errors[:12]))
    # The control: a contract broken on purpose (a NOT NULL column without a default, in
    # the rolled-back transaction) must make the same replay fail.
    broken = replay_errors(cluster, database, fixture["statements"],
                           "ALTER TABLE audit_events ADD COLUMN replay_canary integer NOT NULL;")
    if not any("replay_canary" in e for e in broken):
        failures.append("control: the replay did not fail on a NOT NULL column added "
                        "without a default to audit_events")
    left = int(cluster.psql("SELECT count(*) FROM loan_requests", database))
    if left:
        failures.append(f"the replay was not rolled back: {left} requests left")
    return failures, {"statements": len(fixture["statements"]),
                      "recorded_with": fixture["recorded_with"]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary")
    parser.add_argument("--version", type=int, default=16, choices=(15, 16))
    parser.add_argument("checks", nargs="*", metavar="lint|locks|replay|record")
    args = parser.parse_args()
    checks = args.checks or ["lint", "locks", "replay"]
    unknown = set(checks) - {"lint", "locks", "replay", "record"}
    if unknown:
        parser.error(f"unknown: {sorted(unknown)}")
    pge = pglab.pge_binary(args.binary)
    stop_on_sigterm()
    if checks == ["record"]:
        record(pge, args.version)
        return
    cluster = pglab.PgCluster(args.version, settings=LOGGING)
    report, failures = {"postgresql": cluster.server_version}, {}
    try:
        if {"lint", "locks"} & set(checks):
            preamble, migrations, sets, applied = capture(pge, cluster, "pge_lint")
            report["migrations"] = len(applied)
            report["session_settings_sent"] = sets
        if "lint" in checks:
            failures["lint"], report["lint_findings"] = lint(migrations, sets, args.version)
        if "locks" in checks:
            failures["locks"], report["locks"] = locks(pge, cluster, preamble, migrations,
                                                       applied)
        if "replay" in checks:
            failures["replay"], report["replay"] = replay(pge, cluster)
    finally:
        cluster.remove()
    pglab.verdict("migration checks", report, failures)


if __name__ == "__main__":
    main()
