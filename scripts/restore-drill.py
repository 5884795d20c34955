#!/usr/bin/env python3
"""The restore drill (issue 29, part 6; docs/RELIABILITY.md, "Restore drill"): backups
proven by a restore, on a real PostgreSQL (16, the version RDS runs; scripts/pglab.py).

1. A cluster of its own with WAL archiving (`archive_mode = on`, `archive_command`
   copying each segment to a folder, as RDS ships them to S3), `pge migrate` then
   `pge serve` on it.
2. A base backup (`pg_basebackup`, plain format, WAL streamed), checked with
   `pg_verifybackup`.
3. Load: applicants submit over HTTP from several threads; each 201's id and the time it
   was answered are recorded. The recovery target is a time in the middle of the load.
4. The cluster is stopped for good (the incident). The base backup is copied into a new
   data folder with `recovery.signal`, `restore_command` reading the archive and
   `recovery_target_time`; it is started, replays the WAL up to the target and promotes.
5. `pge serve` on the restored cluster; checks: every submission answered 201 before the
   target is there, readable over HTTP by its applicant, with its `submit` audit event,
   its outbox e-mail and its idempotency record; no request is half-written (every
   request has both, no audit event or e-mail lacks its request); nothing committed
   after the target is there; the restored API accepts a new submission.

Figures (backup size, WAL archived, restore time, and per GB) are printed as JSON;
docs/RELIABILITY.md keeps a run's. Exits non-zero when a check fails.

  scripts/restore-drill.py [--binary PATH] [--version 15|16] [--load-seconds N]
                           [--clients N] [--ballast-mb N]
"""

import argparse
import datetime
import os
import shutil
import subprocess
import threading
import time
import uuid

import pglab
from opslab import log, stop_on_sigterm

DB = "pge_restore"


def du(path):
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except OSError:
                pass
    return total


def load(api, tokens, seconds):
    """Submissions from one thread per token for `seconds`: a list of (id, answered at,
    wall clock) of every 201, and the count of every other outcome."""
    accepted, others, lock = [], {}, threading.Lock()
    halt = threading.Event()

    def client(token):
        while not halt.is_set():
            try:
                status, body = api.submit(token)
            except OSError as error:
                status, body = type(error).__name__, None
            answered = time.time()
            with lock:
                if status == 201:
                    accepted.append((body["id"], answered))
                else:
                    others[str(status)] = others.get(str(status), 0) + 1

    threads = [threading.Thread(target=client, args=(t,), daemon=True) for t in tokens]
    for t in threads:
        t.start()
    halt.wait(seconds)
    halt.set()
    for t in threads:
        t.join(30)
    return accepted, others


def wait_archived(cluster, seconds=60):
    """Switches to a new WAL segment and waits until the one just closed is archived."""
    segment = cluster.psql("SELECT pg_walfile_name(pg_switch_wal())")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        last = cluster.psql("SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver")
        if last and last >= segment:
            return segment
        time.sleep(0.2)
    raise SystemExit(f"WAL segment {segment} was not archived within {seconds} s")


def restore(source, backup, archive, target, settings):
    """A new cluster from `backup` + `archive` recovered to `target` (an aware datetime):
    (cluster, seconds to copy the backup, seconds from start to promoted)."""
    started = time.monotonic()
    workdir = pglab.tempfile.mkdtemp(prefix="pge-restored-")
    os.chmod(workdir, 0o755)
    data = os.path.join(workdir, "data")
    shutil.copytree(backup, data, symlinks=True)
    if source.as_user:
        subprocess.run(["chown", "-R", "postgres:postgres", workdir], check=True)
    os.chmod(data, 0o700)
    copied = time.monotonic() - started
    open(os.path.join(data, "recovery.signal"), "w").close()
    if source.as_user:
        shutil.chown(os.path.join(data, "recovery.signal"), "postgres", "postgres")
    recovery = dict(settings)
    recovery.update({
        "archive_mode": "off",
        "restore_command": f"cp {archive}/%f %p",
        "recovery_target_time": target.isoformat(sep=" ", timespec="microseconds"),
        "recovery_target_action": "promote",
        "recovery_target_inclusive": "false",
    })
    replay_started = time.monotonic()
    cluster = pglab.PgCluster(source.version, settings=recovery, data=data)
    cluster.restored_dir = workdir
    deadline = time.monotonic() + 120
    while cluster.psql("SELECT pg_is_in_recovery()") != "f":
        if time.monotonic() > deadline:
            raise SystemExit("the restored cluster did not promote within 120 s:\n"
                             + cluster.server_log()[-3000:])
        time.sleep(0.1)
    return cluster, copied, time.monotonic() - replay_started


def check(restored_api, cluster, accepted, target_ts, tokens_of, token):
    """The consistency checks: a list of failures (empty when all hold) and counts."""
    failures = []
    sql = lambda q: cluster.psql(q, DB)  # noqa: E731
    ids = set(sql("SELECT id FROM loan_requests").split())
    before = [(i, t) for i, t in accepted if t < target_ts]
    after = [(i, t) for i, t in accepted if t >= target_ts]
    missing = [i for i, _ in before if i not in ids]
    if missing:
        failures.append(f"{len(missing)} request(s) answered 201 before the target are "
                        f"missing, e.g. {missing[:3]}")
    if not before:
        failures.append("no submission was answered before the target: the drill proves "
                        "nothing")
    # (what, rows of, none of which may lack a row of, matching): half-written states.
    half = [
        ("request without its submit audit event", "loan_requests l", "audit_events a",
         "a.loan_request_id = l.id AND a.action = 'submit'"),
        ("request without its outbox e-mail", "loan_requests l", "outbox_messages o",
         "o.loan_request_id = l.id"),
        ("request without its idempotency record", "loan_requests l",
         "idempotency_records i", "i.loan_request_id = l.id"),
        ("audit event without its request", "audit_events a", "loan_requests l",
         "l.id = a.loan_request_id"),
        ("outbox e-mail without its request", "outbox_messages o", "loan_requests l",
         "l.id = o.loan_request_id"),
        ("idempotency record without its request", "idempotency_records i",
         "loan_requests l", "l.id = i.loan_request_id OR i.loan_request_id IS NULL"),
    ]
    for what, rows, others, matching in half:
        n = int(sql(f"SELECT count(*) FROM {rows} WHERE NOT EXISTS "
                    f"(SELECT 1 FROM {others} WHERE {matching})"))
        if n:
            failures.append(f"{n} {what}")
    # Nothing committed after the target: every request was created before it.
    late = int(sql("SELECT count(*) FROM loan_requests WHERE created_at >= "
                   f"to_timestamp({target_ts})"))
    if late:
        failures.append(f"{late} request(s) created after the recovery target are there")
    # The restored API serves them: a sample read by its applicant over HTTP.
    sample = [i for i, _ in before[:: max(1, len(before) // 20)]]
    unreadable = []
    for request_id in sample:
        status, _, body = restored_api.call("GET", f"/api/v1/loan-requests/{request_id}",
                                            tokens_of[request_id])
        if status != 200 or (body or {}).get("id") != request_id:
            unreadable.append((request_id, status))
    if unreadable:
        failures.append(f"not readable over HTTP on the restored API: {unreadable[:3]}")
    status, body = restored_api.submit(token)
    if status != 201:
        failures.append(f"the restored API refused a new submission: {status} {body}")
    return failures, {
        "answered_201": len(accepted),
        "answered_201_before_target": len(before),
        "answered_201_after_target": len(after),
        "of_those_after_restored": sum(1 for i, _ in after if i in ids),
        "requests_restored": len(ids),
        "read_back_over_http": len(sample),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary")
    parser.add_argument("--version", type=int, default=16, choices=(15, 16))
    parser.add_argument("--load-seconds", type=float, default=12)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--ballast-mb", type=int, default=0,
                        help="a table of that many MB besides pge's, before the base "
                        "backup, to measure restore time on a larger cluster")
    args = parser.parse_args()
    pge = pglab.pge_binary(args.binary)
    stop_on_sigterm()
    settings = {"wal_level": "replica", "max_wal_senders": "4"}
    source = pglab.PgCluster(args.version, settings=settings)
    archive = os.path.join(source.dir, "archive")
    os.mkdir(archive)
    if source.as_user:
        shutil.chown(archive, "postgres", "postgres")
    source.configure({"archive_mode": "on", "archive_command": f"cp %p {archive}/%f"})
    source.stop()
    source.start()
    restored, api, restored_api = None, None, None
    figures, failures = {"postgresql": source.server_version}, []
    try:
        source.psql(f"CREATE DATABASE {DB}")
        migrated = pglab.migrate(pge, source.url(DB))
        if migrated.returncode != 0:
            raise SystemExit(f"pge migrate failed:\n{migrated.stderr[-3000:]}")
        api = pglab.Pge(pge, source.url(DB))
        run = uuid.uuid4().hex[:8]
        subs = [f"drill-{run}-{i}" for i in range(args.clients)]
        tokens = [api.token("applicant", sub) for sub in subs]
        # Some requests before the backup: the backup holds data, not just the schema.
        for token in tokens:
            status, body = api.submit(token)
            if status != 201:
                raise SystemExit(f"a submission before the backup failed: {status} {body}")
        if args.ballast_mb:
            # Rows of about 1 kB, under the TOAST threshold: stored as written, not
            # compressed; each row's text differs.
            source.psql(f"""CREATE TABLE drill_ballast AS SELECT g AS id,
                            (SELECT string_agg(md5((g * 31 + k)::text), '')
                             FROM generate_series(1, 30) k) AS filler
                            FROM generate_series(1, {args.ballast_mb * 1000}) g""", DB)
            figures["ballast_mb"] = args.ballast_mb
        backup = os.path.join(source.dir, "base")
        backup_lsn = source.psql("SELECT pg_current_wal_lsn()")
        started = time.monotonic()
        source.pg(["pg_basebackup", "-h", "127.0.0.1", "-p", str(source.port), "-U",
                   "postgres", "-D", backup, "-Fp", "-X", "stream", "-c", "fast"])
        figures["base_backup_seconds"] = round(time.monotonic() - started, 2)
        source.pg(["pg_verifybackup", "-q", backup])
        figures["base_backup_bytes"] = du(backup)
        log(f"restore drill: base backup {figures['base_backup_bytes'] / 1e6:.1f} MB "
            f"(verified); {args.clients} clients submit for {args.load_seconds} s")
        # Which token submitted which request: to read it back as its applicant.
        token_of_sub = dict(zip(subs, tokens))
        load_started = time.time()
        accepted, others = load(api, tokens, args.load_seconds)
        load_ended = time.time()
        target_ts = (load_started + load_ended) / 2
        target = datetime.datetime.fromtimestamp(target_ts, datetime.timezone.utc)
        figures["load"] = {"seconds": round(load_ended - load_started, 1),
                           "answered_201": len(accepted), "other_answers": others}
        # Every WAL segment up to the end of the load reaches the archive.
        wait_archived(source)
        figures["wal_archived_bytes"] = du(archive)
        figures["wal_since_backup_bytes"] = int(source.psql(
            f"SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '{backup_lsn}')"))
        owners = dict(line.split("|", 1) for line in source.psql(
            "SELECT id, applicant_sub FROM loan_requests", DB).splitlines())
        api.stop()
        source.stop()  # the incident: the cluster is gone
        restored, copied, replayed = restore(source, backup, archive, target, settings)
        figures["restore_copy_seconds"] = round(copied, 2)
        figures["restore_replay_seconds"] = round(replayed, 2)
        restore_seconds = copied + replayed
        figures["restore_seconds"] = round(restore_seconds, 2)
        # Per GB of base backup (the WAL replayed is the load's, about half of
        # wal_since_backup_bytes: the target is mid-load).
        figures["restore_seconds_per_gb"] = round(
            restore_seconds / (figures["base_backup_bytes"] / 1e9), 1)
        figures["restore_copy_mb_per_second"] = round(
            figures["base_backup_bytes"] / 1e6 / max(copied, 1e-3))
        figures["recovery_target"] = target.isoformat(timespec="milliseconds")
        restored_api = pglab.Pge(pge, restored.url(DB), data=api.data)
        figures["restored_api_ready_seconds"] = round(restored_api.ready_after, 2)
        tokens_of = {i: token_of_sub[owners[i]] for i, _ in accepted if i in owners}
        missing_owner = [i for i, _ in accepted if i not in owners]
        if missing_owner:
            failures.append(f"{len(missing_owner)} request(s) answered 201 were not in the "
                            "source database before the incident")
        found, counts = check(restored_api, restored, accepted, target_ts, tokens_of,
                              tokens[0])
        failures += found
        figures["consistency"] = counts
    finally:
        for proc in (restored_api, api):
            if proc is not None and proc.proc.poll() is None:
                proc.stop()
        if api is not None:
            shutil.rmtree(api.data, ignore_errors=True)
        if restored is not None:
            restored.remove()
            shutil.rmtree(restored.restored_dir, ignore_errors=True)
        source.remove()
    pglab.verdict("restore drill", figures, failures)


if __name__ == "__main__":
    main()
