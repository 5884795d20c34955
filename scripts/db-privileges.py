#!/usr/bin/env python3
"""Least privilege on the real PostgreSQL (issue 29, part 5): ops/postgres/roles.sql
tested on a cluster of its own (16, the version RDS runs; scripts/pglab.py).

1. roles.sql as the administrator (no superuser: CREATEROLE, CREATEDB and the database's
   owner, as RDS's master user), `pge migrate` as `pge_migrator`, roles.sql again.
2. Every table, sequence and function of the schema is owned by `pge_migrator`; `pge_app`
   owns nothing and has no CREATE on the schema or the database, no TEMPORARY.
3. `pge serve` as `pge_app` (its own in-process worker off) becomes ready; an applicant
   submits over HTTP (201), reads the request back; a reviewer takes it in review and
   decides (UPDATEs); `pge worker` as `pge_app` sends the e-mails of the outbox (the
   files appear, the rows are marked sent).
4. As `pge_app`, each of DROP, ALTER, TRUNCATE, CREATE (table, index, temporary table,
   schema, function), writing the migration ledger and granting is refused with
   "permission denied" or "must be owner"; the same statement as `pge_migrator`, in a
   transaction rolled back, succeeds (so each refusal is the privilege, not a typo).

Exits non-zero when a check fails.

  scripts/db-privileges.py [--binary PATH] [--version 15|16]
"""

import argparse
import os
import re
import shutil
import subprocess
import time
import uuid

import pglab
from opslab import stop_on_sigterm

DB = "pge_least"
# The administrator who runs roles.sql: as RDS's master user, no superuser, but CREATEROLE
# and CREATEDB, and the owner of the database.
ADMIN = "pge_admin"
ROLES = os.path.join(pglab.ROOT, "ops", "postgres", "roles.sql")

# Statement -> what it would do; each must be refused to pge_app.
FORBIDDEN = {
    "DROP TABLE loan_requests CASCADE": "drop a table",
    "DROP FUNCTION pge_submit": "drop a function",
    "ALTER TABLE loan_requests ADD COLUMN x integer": "alter a table",
    "ALTER TABLE loan_requests DROP CONSTRAINT loan_requests_pkey CASCADE": "drop a constraint",
    "TRUNCATE loan_requests CASCADE": "truncate",
    "TRUNCATE audit_events": "truncate the audit trail",
    "CREATE TABLE intruder (id integer)": "create a table",
    "CREATE INDEX intruder_ix ON loan_requests (siren)": "create an index",
    "CREATE TEMPORARY TABLE intruder (id integer)": "create a temporary table",
    "CREATE SCHEMA intruder": "create a schema",
    "CREATE FUNCTION intruder() RETURNS integer LANGUAGE sql AS 'SELECT 1'":
        "create a function",
    "ALTER FUNCTION pge_submit(jsonb, text, bigint, integer, integer, text[], text, text, "
    "integer, text, uuid, text, text) SECURITY DEFINER": "alter the submission function",
    "ALTER SEQUENCE audit_events_id_seq RESTART": "reset a sequence",
    "CREATE TRIGGER intruder BEFORE INSERT ON loan_requests FOR EACH ROW "
    "EXECUTE FUNCTION suppress_redundant_updates_trigger()": "create a trigger",
    "DELETE FROM seaql_migrations": "rewrite the migration ledger",
    "INSERT INTO seaql_migrations VALUES ('m29991231_000001_forged', 0)":
        "forge a migration",
    "GRANT SELECT ON loan_requests TO PUBLIC": "grant",
    "COMMENT ON TABLE loan_requests IS 'x'": "comment (an owner's right)",
    "REINDEX TABLE loan_requests": "reindex",
}
REFUSED = re.compile(r"permission denied|must be owner|no privileges were granted")
# pge_migrator has no TEMPORARY either: that control runs as the administrator.
CONTROL_AS = {"CREATE TEMPORARY TABLE intruder (id integer)": "postgres"}


def psql(cluster, user, sql, db=DB):
    return subprocess.run(
        ["psql", "-X", "-qtA", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p",
         str(cluster.port), "-U", user, "-d", db, "-c", sql],
        capture_output=True, text=True)


def roles_sql(cluster):
    done = subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p",
         str(cluster.port), "-U", ADMIN, "-d", DB, "-f", ROLES],
        capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{ROLES} failed:\n{done.stderr}")


def url(cluster, user):
    return f"postgres://{user}@127.0.0.1:{cluster.port}/{DB}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary")
    parser.add_argument("--version", type=int, default=16, choices=(15, 16))
    args = parser.parse_args()
    pge = pglab.pge_binary(args.binary)
    stop_on_sigterm()
    cluster = pglab.PgCluster(args.version)
    failures, report = [], {"postgresql": cluster.server_version}
    serve = worker = None
    try:
        cluster.psql(f"CREATE ROLE {ADMIN} LOGIN CREATEROLE CREATEDB")
        cluster.psql(f"CREATE DATABASE {DB} OWNER {ADMIN}")
        roles_sql(cluster)
        migrated = pglab.migrate(pge, url(cluster, "pge_migrator"))
        if migrated.returncode != 0:
            raise SystemExit(f"pge migrate as pge_migrator failed:\n{migrated.stderr[-3000:]}")
        roles_sql(cluster)
        sql = lambda q: cluster.psql(q, DB)  # noqa: E731
        # 2. Ownership and rights.
        owned = sql("""SELECT c.relname || ':' || pg_get_userbyid(c.relowner) FROM pg_class c
                       WHERE c.relnamespace = 'public'::regnamespace
                       AND c.relkind IN ('r', 'p', 'S', 'v', 'm')
                       UNION ALL
                       SELECT p.proname || ':' || pg_get_userbyid(p.proowner) FROM pg_proc p
                       WHERE p.pronamespace = 'public'::regnamespace AND NOT EXISTS (
                         SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                         AND d.objid = p.oid AND d.deptype = 'e')""").split()
        not_migrators = [o for o in owned if not o.endswith(":pge_migrator")]
        if not owned or not_migrators:
            failures.append(f"objects not owned by pge_migrator: {not_migrators or 'none found'}")
        report["objects_owned_by_pge_migrator"] = len(owned)
        rights = sql(f"""SELECT has_schema_privilege('pge_app', 'public', 'CREATE'),
                                has_database_privilege('pge_app', '{DB}', 'CREATE'),
                                has_database_privilege('pge_app', '{DB}', 'TEMPORARY'),
                                (SELECT count(*) FROM pg_class WHERE relowner =
                                 'pge_app'::regrole)""")
        if rights != "f|f|f|0":
            failures.append(f"pge_app: schema CREATE|database CREATE|TEMPORARY|objects owned "
                            f"= {rights}, expected f|f|f|0")
        tables = sql("""SELECT count(*) FILTER (WHERE NOT (
                          has_table_privilege('pge_app', c.oid, 'SELECT')
                          AND has_table_privilege('pge_app', c.oid, 'INSERT')
                          AND has_table_privilege('pge_app', c.oid, 'UPDATE')
                          AND has_table_privilege('pge_app', c.oid, 'DELETE'))),
                        count(*) FILTER (WHERE has_table_privilege('pge_app', c.oid,
                          'TRUNCATE, REFERENCES, TRIGGER')),
                        count(*)
                        FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace
                        AND c.relkind IN ('r', 'p') AND c.relname <> 'seaql_migrations'""")
        lacking, extra, total = tables.split("|")
        if lacking != "0" or extra != "0" or total == "0":
            failures.append(f"pge_app on {total} tables: {lacking} lack a DML right, "
                            f"{extra} have TRUNCATE, REFERENCES or TRIGGER")
        # 3. The application as pge_app.
        serve = pglab.Pge(pge, url(cluster, "pge_app"),
                          extra_env={"PGE_WORKER_IN_PROCESS": "false"}, wait=False)
        try:
            serve.wait_ready(30)
        except SystemExit as error:
            raise SystemExit(f"pge serve as pge_app: {error}")
        report["serve_as_pge_app_ready_seconds"] = round(serve.ready_after, 2)
        run = uuid.uuid4().hex[:8]
        applicant = serve.token("applicant", f"least-{run}")
        reviewer = serve.token("reviewer", f"least-{run}-r", bank="30004")
        status, created = serve.submit(applicant)
        if status != 201:
            raise SystemExit(f"submission as pge_app: {status} {created}")
        request = created["id"]
        status, _, read = serve.call("GET", f"/api/v1/loan-requests/{request}", applicant)
        if status != 200:
            failures.append(f"reading the request back as pge_app: {status} {read}")
        status, headers, _ = serve.call("GET", f"/api/v1/loan-requests/{request}", reviewer)
        status, headers, body = serve.call("POST", f"/api/v1/loan-requests/{request}/review",
                                           reviewer, headers={"if-match": headers.get("etag", "")})
        if status != 200:
            failures.append(f"review as pge_app: {status} {body}")
        else:
            status, _, body = serve.call(
                "POST", f"/api/v1/loan-requests/{request}/decision", reviewer,
                {"decision": "pre_approve"}, {"if-match": headers.get("etag", "")})
            if status != 200:
                failures.append(f"decision as pge_app: {status} {body}")
        pending = int(sql("SELECT count(*) FROM outbox_messages WHERE status <> 'sent'"))
        worker = pglab.Pge(pge, url(cluster, "pge_app"), command="worker", data=serve.data)
        deadline = time.monotonic() + 30
        while int(sql("SELECT count(*) FROM outbox_messages WHERE status <> 'sent'")):
            if worker.proc.poll() is not None or time.monotonic() > deadline:
                failures.append("pge worker as pge_app did not send the outbox:\n"
                                + worker.tail(1500))
                break
            time.sleep(0.2)
        mail = os.path.join(serve.data, "mail")
        sent = len(os.listdir(mail)) if os.path.isdir(mail) else 0
        report["emails_sent_by_worker_as_pge_app"] = sent
        if pending and not sent:
            failures.append("the worker marked e-mails sent but wrote no file")
        for proc in (worker, serve):
            code = proc.stop()
            if code != 0:
                failures.append(f"pge {proc.command} as pge_app exited {code}:\n"
                                + proc.tail(1500))
        worker = serve = None
        # 4. What the app role must not do, and the control as the migrator.
        refused = {}
        for statement, what in FORBIDDEN.items():
            as_app = psql(cluster, "pge_app", statement)
            as_owner = psql(cluster, CONTROL_AS.get(statement, "pge_migrator"),
                            f"BEGIN; {statement}; ROLLBACK")
            if as_owner.returncode != 0:
                failures.append(f"control: pge_migrator cannot {what} either "
                                f"({statement}): {as_owner.stderr.strip()}")
            if as_app.returncode == 0 and not REFUSED.search(as_app.stderr):
                failures.append(f"pge_app could {what}: {statement}")
            elif not REFUSED.search(as_app.stderr):
                failures.append(f"pge_app: {statement}: refused for another reason: "
                                f"{as_app.stderr.strip()}")
            else:
                refused[what] = as_app.stderr.strip().splitlines()[0]
        report["refused_to_pge_app"] = refused
        still = sql("SELECT count(*) FROM loan_requests")
        if still != "1":
            failures.append(f"loan_requests holds {still} rows after the attempts, expected 1")
    finally:
        for proc in (worker, serve):
            if proc is not None:
                proc.stop()
        if serve is not None:
            shutil.rmtree(serve.data, ignore_errors=True)
        cluster.remove()
    pglab.verdict("least privilege", report, failures)


if __name__ == "__main__":
    main()
