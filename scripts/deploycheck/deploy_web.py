"""scripts/deploy-web.sh run against the aws stand-in (aws_stub.py) on a sample build:
every asset uploaded immutable before any other file, the other files no-cache with
index.html last, config.json (no-cache, application/json, the given values) after them,
the invalidation of /index.html and /config.json last; a missing index.html and non-https
sign-in URLs refused before any AWS call; a kept release deployed back by --from-release;
with --sha256 (the digest GitLab's build job recorded), the tested build deployed and any
other build refused before any AWS call (issue 29, part 1)."""
import hashlib
import json
import os
import pathlib
import subprocess
import tempfile

from .common import finish

FILES = {"index.html": "<!doctype html>", "favicon.svg": "<svg/>", "robots.txt": "User-agent: *",
         "assets/index-AbC123.js": "export{}", "assets/index-DeF456.css": "body{}", "assets/logo-9f8e7d.svg": "<svg/>"}
V = {"--bucket": "pge-staging-frontend-123456789012", "--distribution-id": "E1ABCDEF23456",
     "--authority": "https://cognito-idp.eu-west-3.amazonaws.com/eu-west-3_AbCdEf123",
     "--client-id": "1example23456789abcdefghij",
     "--logout-url": "https://pge-staging.auth.eu-west-3.amazoncognito.com/logout",
     "--revocation-url": "https://pge-staging.auth.eu-west-3.amazoncognito.com/oauth2/revoke",
     # The staff pool's provider (reviewers and admins, MFA required): config.json's "staff".
     "--staff-authority": "https://cognito-idp.eu-west-3.amazonaws.com/eu-west-3_StAfF4567",
     "--staff-client-id": "3staff23456789abcdefghijkl",
     "--staff-logout-url": "https://pge-staging-staff.auth.eu-west-3.amazoncognito.com/logout",
     "--staff-revocation-url": "https://pge-staging-staff.auth.eu-west-3.amazoncognito.com/oauth2/revoke"}
STAFF = ("--staff-authority", "--staff-client-id", "--staff-logout-url", "--staff-revocation-url")
BUCKET = V["--bucket"]
OK = ("assets immutable first, other files no-cache with index.html last, config.json (the staff pool's provider when given), invalidation last; "
      "refusals before any AWS call; --from-release; --sha256: the tested build only")


def dist_digest(dist):
    """The digest scripts/web-dist-digest.sh prints, computed here independently: sha256 of
    the sorted `sha256sum` lines ("<hex>  ./<path>") of every file under `dist`."""
    dist = pathlib.Path(dist)
    paths = sorted((p for p in dist.rglob("*") if p.is_file()), key=lambda p: ("./" + p.relative_to(dist).as_posix()).encode())
    listing = "".join(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  ./{p.relative_to(dist).as_posix()}\n" for p in paths)
    return hashlib.sha256(listing.encode()).hexdigest()


def run_script(args, stub, log, store, **env):
    """Runs scripts/deploy-web.sh with `args`, the aws stand-in in the folder `stub` first on
    the PATH (calls logged to `log`, uploads kept in `store`), without the caller's
    PGE_WEB_* and AWS_* variables. (the completed process, the aws calls)"""
    envp = {k: v for k, v in os.environ.items() if not k.startswith(("PGE_WEB_", "AWS_"))}
    envp.update(PATH=str(stub) + ":" + envp["PATH"], AWS_STUB_LOG=str(log), AWS_STUB_STORE=str(store), **env)
    r = subprocess.run(["bash", "scripts/deploy-web.sh", *args], env=envp, capture_output=True, text=True)
    calls = [json.loads(line) for line in pathlib.Path(log).read_text().splitlines()] if pathlib.Path(log).exists() else []
    return r, calls


def opt(call, name):
    return call[call.index(name) + 1] if name in call else None


def uploads(calls, bucket=BUCKET):
    """(index of the call, key, Cache-Control, Content-Type) of each upload to `bucket`."""
    return [(i, c[3][len(f"s3://{bucket}/"):], opt(c, "--cache-control"), opt(c, "--content-type"))
            for i, c in enumerate(calls) if c[:2] == ["s3", "cp"] and c[3].startswith(f"s3://{bucket}/")]


def deploy_errors(calls, read_config, files=FILES, v=V):
    """Errors of the aws calls `calls` of a deploy of the build `files` with the options
    `v`; `read_config()` gives the config.json uploaded, parsed."""
    errors = []
    err = errors.append
    up = uploads(calls, v["--bucket"])
    keys = [k for _, k, _, _ in up]
    for f in files:
        if keys.count(f) != 1:
            err(f"{f} uploaded {keys.count(f)} times")
    assets = [u for u in up if u[1].startswith("assets/")]
    others = [u for u in up if u[1] in files and not u[1].startswith("assets/")]
    for i, k, cc, ct in assets:
        if cc != "public, max-age=31536000, immutable":
            err(f"{k}: Cache-Control {cc!r}, expected 'public, max-age=31536000, immutable'")
    for i, k, cc, ct in others:
        if cc != "no-cache":
            err(f"{k}: Cache-Control {cc!r}, expected 'no-cache'")
    if assets and others and max(a[0] for a in assets) > min(o[0] for o in others):
        err("an asset is uploaded after index.html or another entry file: a browser could load an index.html whose assets are missing")
    if others and others[-1][1] != "index.html":
        err(f"index.html must be the last file of the build uploaded (last: {others[-1][1]})")
    types = {k: ct for _, k, _, ct in up}
    for k, want in (("assets/index-AbC123.js", "javascript"), ("assets/index-DeF456.css", "text/css"), ("index.html", "text/html"), ("favicon.svg", "image/svg+xml")):
        if want not in (types.get(k) or ""):
            err(f"{k}: Content-Type {types.get(k)!r} (expected {want}; nosniff refuses a script of another type)")
    cfg = [u for u in up if u[1] == "config.json"]
    if len(cfg) != 1:
        err(f"config.json uploaded {len(cfg)} times")
    else:
        i, _, cc, ct = cfg[0]
        if cc != "no-cache" or ct != "application/json":
            err(f"config.json: Cache-Control {cc!r}, Content-Type {ct!r}: expected no-cache, application/json")
        if others and i < others[-1][0]:
            err("config.json must be written after the build's files")
        got = read_config()
        want = {"authority": v["--authority"], "client_id": v["--client-id"], "scope": "openid email", "logout_url": v["--logout-url"],
                "revocation_url": v["--revocation-url"]}
        if v.get("--staff-authority"):
            want["staff"] = {"authority": v["--staff-authority"], "client_id": v["--staff-client-id"], "scope": "openid email",
                             "logout_url": v["--staff-logout-url"], "revocation_url": v["--staff-revocation-url"]}
        if got != want:
            err(f"config.json is {got}, expected {want}")
    inval = [c for c in calls if c[:2] == ["cloudfront", "create-invalidation"]]
    if len(inval) != 1 or calls[-1] is not inval[0]:
        err("one CloudFront invalidation, after every upload, expected")
    else:
        c = inval[0]
        paths = c[c.index("--paths") + 1:]
        paths = paths[:next((n for n, p in enumerate(paths) if p.startswith("--")), len(paths))]
        if opt(c, "--distribution-id") != v["--distribution-id"] or sorted(paths) != ["/config.json", "/index.html"]:
            err(f"invalidation {c}: expected --distribution-id {v['--distribution-id']} --paths /index.html /config.json")
    if any(c[:2] in (["s3", "rm"], ["s3", "sync"]) or "--delete" in c for c in calls):
        err("deploy-web.sh deletes objects: the assets of earlier builds must stay for pages still open")
    return errors


def behaviour(work, stub):
    """Errors of scripts/deploy-web.sh (run from the repository's root), in the scratch
    folder `work`, with the aws stand-in of the folder `stub`."""
    work = pathlib.Path(work)
    dist = work / "dist"
    store = work / "store"
    for f, body in FILES.items():
        (dist / f).parent.mkdir(parents=True, exist_ok=True)
        (dist / f).write_text(body)
    errors = []
    err = errors.append

    def run(name, *extra, **over):
        args = []
        for k, v in {**V, **over}.items():
            if v is not None:
                args += [k, v]
        return run_script([*args, *extra], stub, work / f"{name}.log", store)

    # Without the staff pool (optional): config.json has no "staff" object.
    no_staff = {k: None for k in STAFF}
    r, calls = run("deploy-one-pool", "--dist", str(dist), **no_staff)
    if r.returncode != 0:
        err(f"deploy without the staff pool's values failed: {(r.stderr or r.stdout).strip()[-400:]}")
    else:
        errors += [f"without the staff pool: {e}" for e in deploy_errors(
            calls, lambda: json.loads((store / BUCKET / "config.json").read_text()), v={**V, **no_staff})]

    r, calls = run("deploy", "--dist", str(dist), "--release", "0123abc")
    if r.returncode != 0:
        err(f"deploy failed: {(r.stderr or r.stdout).strip()[-400:]}")
    else:
        errors += deploy_errors(calls, lambda: json.loads((store / BUCKET / "config.json").read_text()))
        if not (store / BUCKET / "releases/0123abc.tar.gz").exists():
            err("--release 0123abc did not keep the build as releases/0123abc.tar.gz")
        else:
            (dist / "index.html").write_text("<!doctype html><title>newer</title>")
            r2, _ = run("rollback", "--from-release", "0123abc", "--dist", str(work / "nowhere"))
            if r2.returncode != 0:
                err(f"--from-release failed: {(r2.stderr or r2.stdout).strip()[-300:]}")
            elif (store / BUCKET / "index.html").read_text() != FILES["index.html"]:
                err("--from-release did not upload the kept build's index.html")

    # The tested build only (--sha256): scripts/web-dist-digest.sh agrees with the digest
    # computed here; that digest deploys; a build that differs by one byte is refused first.
    digest = dist_digest(dist)
    d = subprocess.run(["bash", "scripts/web-dist-digest.sh", str(dist)], capture_output=True, text=True)
    if d.returncode != 0 or d.stdout.strip() != digest:
        err(f"scripts/web-dist-digest.sh printed {d.stdout.strip()!r} (exit {d.returncode}), expected {digest}: sha256 of the sorted sha256sum lines of every file")
    r, calls = run("tested", "--dist", str(dist), "--sha256", digest)
    if r.returncode != 0:
        err(f"deploy with --sha256 of the build itself failed: {(r.stderr or r.stdout).strip()[-300:]}")
    elif not any(c[:2] == ["s3", "cp"] for c in calls):
        err("deploy with --sha256 of the build uploaded nothing")
    other = work / "other-dist"
    for f, body in FILES.items():
        (other / f).parent.mkdir(parents=True, exist_ok=True)
        (other / f).write_text(body)
    (other / "assets/index-AbC123.js").write_text("export{} ")
    refusals = [("another-build", {}, ["--dist", str(other), "--sha256", digest], "a build whose digest is not the one recorded (--sha256)")]
    for name, over, extra, why in (*refusals,
        ("no-index", {}, ["--dist", str(work / "empty")], "a build without index.html"),
        ("http-authority", {"--authority": "http://cognito-idp.eu-west-3.amazonaws.com/eu-west-3_AbCdEf123"}, ["--dist", str(dist)], "an http authority"),
        ("http-logout", {"--logout-url": "http://pge-staging.auth.eu-west-3.amazoncognito.com/logout"}, ["--dist", str(dist)], "an http logout URL"),
        ("no-revocation", {"--revocation-url": None}, ["--dist", str(dist)], "no revocation URL (sign-out could not revoke the refresh token)"),
        ("no-bucket", {"--bucket": None}, ["--dist", str(dist)], "no bucket"),
        ("http-staff-authority", {"--staff-authority": "http://cognito-idp.eu-west-3.amazonaws.com/eu-west-3_StAfF4567"}, ["--dist", str(dist)], "an http staff authority"),
        ("staff-no-revocation", {"--staff-revocation-url": None}, ["--dist", str(dist)], "a staff provider without its revocation URL"),
        ("staff-applicants-client", {"--staff-client-id": V["--client-id"]}, ["--dist", str(dist)], "the applicants' client as the staff's"),
        ("staff-applicants-pool", {"--staff-authority": V["--authority"]}, ["--dist", str(dist)], "the applicants' authority as the staff's"),
    ):
        (work / "empty").mkdir(exist_ok=True)
        r, calls = run(name, *extra, **over)
        if r.returncode == 0:
            err(f"deploy-web.sh accepted {why}")
        elif calls:
            err(f"deploy-web.sh called aws before refusing {why}: {calls[0]}")
    return errors


def main(args):
    """args: a scratch folder (a fresh folder is made in it) and the aws stand-in's folder."""
    work = tempfile.mkdtemp(dir=args[0], prefix="deploy-web.")
    return finish(behaviour(work, args[1]), OK)
