"""The Dockerfile's contract: a multi-stage build with pinned base images, a final stage
from scratch or distroless/static running pge as a numeric non-root user with nothing to
RUN, a static release build of the workspace, the web app built by a node stage from its
lock file and handed to the image's files; the build context (.dockerignore) holding the
workspace and web/ without node_modules or dist."""
import re
import sys
import tomllib


def contract(lines, read):
    """Errors of the Dockerfile's instructions `lines` (dockerfile_instructions); `read`
    gives the text of another file of the repository (.dockerignore, Cargo.toml,
    scripts/release-build.sh). Returns (errors, workspace members)."""
    errors = []
    froms = [l for l in lines if l.upper().startswith("FROM ")]
    if len(froms) < 2:
        errors.append("not a multi-stage build (need a builder and a final stage)")
    for f in froms:
        image = f.split()[1]
        if image != "scratch" and (":" not in image.split("/")[-1] or image.endswith(":latest")):
            errors.append(f"base image not pinned by a version tag: {image}")
    final = lines[lines.index(froms[-1]):] if froms else []
    fimage = froms[-1].split()[1] if froms else ""
    if not (fimage == "scratch" or fimage.startswith("gcr.io/distroless/static")):
        errors.append(f"final stage must be scratch or distroless/static, not {fimage}")
    users = [l.split()[1] for l in final if l.upper().startswith("USER ")]
    if not users:
        errors.append("final stage has no USER")
    elif not re.fullmatch(r"[1-9][0-9]*(:[0-9]+)?", users[-1]):
        errors.append(f"final USER must be a numeric non-root uid, got {users[-1]}")
    ep = [l for l in final if l.upper().startswith("ENTRYPOINT ")]
    if not ep or "pge" not in ep[-1] or "[" not in ep[-1]:
        errors.append("final stage needs an exec-form ENTRYPOINT running pge")
    if any(l.upper().startswith("RUN ") for l in final):
        errors.append("final stage must not RUN anything (no shell in the image)")
    build = " ".join(lines)
    # The builder may delegate to the build script; its commands count as the builder's.
    if "scripts/release-build.sh" in build:
        build += " " + " ".join(l for l in read("scripts/release-build.sh").splitlines(keepends=True)
                                if not l.lstrip().startswith("#"))
        if "!scripts/release-build.sh" not in read(".dockerignore"):
            errors.append("the builder runs scripts/release-build.sh but .dockerignore leaves it out")
    for needle in ("--locked", "-p pge-api", "--bin pge"):
        if needle not in build:
            errors.append(f"builder does not build with {needle}")
    if "x86_64-unknown-linux-musl" not in build and "+crt-static" not in build:
        errors.append("builder does not link pge statically (musl target or +crt-static)")
    if fimage == "scratch" and not any(l.upper().startswith("COPY ") for l in final):
        errors.append("a scratch final stage must COPY the binary in")
    errors += web_stage(lines)
    final_env = {}
    for l in final:
        if l.upper().startswith("ENV "):
            for w in l.split()[1:]:
                k, _, v = w.partition("=")
                final_env[k] = v.strip('"')
    if final_env.get("PGE_WEB_DIR") != "/usr/share/pge/web":
        errors.append(f"final stage: ENV PGE_WEB_DIR=/usr/share/pge/web expected (scripts/image-rootfs.sh puts the app there), got {final_env.get('PGE_WEB_DIR')!r}")
    exposed = {p for l in final if l.upper().startswith("EXPOSE ") for p in l.split()[1:]}
    if exposed - {"8080", "8080/tcp", "9090", "9090/tcp"}:
        errors.append(f"final stage exposes {sorted(exposed)}: pge listens on 8080 (API) and 9090 (/metrics) only")
    members = tomllib.loads(read("Cargo.toml"))["workspace"]["members"]
    errors += build_context(read(".dockerignore"), members)
    return errors, members


def web_stage(lines):
    """The web app: a node stage builds web/ from its lock file; its dist reaches the
    image's files through the builder (scripts/image-rootfs.sh, WEB_DIST)."""
    errors = []
    stages, order = {}, []
    for l in lines:
        if l.upper().startswith("FROM "):
            w = l.split()
            alias = w[3] if len(w) >= 4 and w[2].upper() == "AS" else f"#{len(order)}"
            stages[alias] = (w[1], [])
            order.append(alias)
        elif order:
            stages[order[-1]][1].append(l)
    web = [a for a in order if stages[a][0].startswith("node")]
    if not web:
        errors.append("no node stage building the web app (FROM node:20-bookworm-slim AS web)")
        return errors
    wa = web[0]
    wimage, wbody = stages[wa]
    wtext = " ".join(wbody)
    if not re.fullmatch(r"node:20(\.[0-9]+)*-bookworm-slim", wimage):
        errors.append(f"web stage: {wimage}, expected node:20-bookworm-slim")
    if "web/package-lock.json" not in wtext or not re.search(r"\bnpm ci\b", wtext):
        errors.append("web stage: install from web/package-lock.json with npm ci")
    if not re.search(r"\bnpm run build\b", wtext):
        errors.append("web stage: npm run build missing")
    builder = next((a for a in order if stages[a][0].startswith("rust")), None)
    copies = [l.split() for l in (stages[builder][1] if builder else [])
              if l.upper().startswith("COPY ") and f"--from={wa}" in l.split()]
    if not copies:
        errors.append(f"the builder stage does not COPY --from={wa} the web app's dist")
        return errors
    dest = copies[0][-1].rstrip("/")
    workdir = next((l.split()[1] for l in stages[builder][1] if l.upper().startswith("WORKDIR ")), "/")
    m = re.search(r"\bWEB_DIST=(\S+)\s+(?:\S+=\S+\s+)*scripts/(?:release-build|image-rootfs)\.sh", " ".join(stages[builder][1]))
    if not m:
        errors.append("the builder does not hand the web app to scripts/image-rootfs.sh (WEB_DIST=<dist> scripts/release-build.sh)")
    else:
        given = m.group(1).rstrip("/")
        given = given if given.startswith("/") else workdir.rstrip("/") + "/" + given
        if given != dest:
            errors.append(f"WEB_DIST={m.group(1)} is not where the web stage's dist is copied ({dest})")
    return errors


def build_context(dockerignore, members):
    """.dockerignore excludes everything, then re-includes the workspace: every member
    (or cargo cannot load the workspace) and web/ without node_modules or dist."""
    errors = []
    ignore = [l.strip() for l in dockerignore.splitlines() if l.strip() and not l.startswith("#")]
    if not ignore or ignore[0] != "*":
        errors.append(".dockerignore must start with '*' (allow-list of the workspace)")
    included = {l[1:].strip("/") for l in ignore if l.startswith("!")}
    # .cargo/config.toml trims what Swagger UI embeds: without it the image's binary is 9 MB
    # larger (over the 40 MB target).
    for needed in ["Cargo.toml", "Cargo.lock", ".cargo"] + members:
        if needed not in included:
            errors.append(f".dockerignore does not re-include {needed} (workspace members: {members})")
    # The web stage reads web/ (sources and lock file), never a local node_modules or dist.
    if "web" not in included:
        errors.append(".dockerignore does not re-include web/ (the web stage's sources)")
    else:
        at = max(i for i, l in enumerate(ignore) if l.startswith("!") and l[1:].strip("/") == "web")
        later = [l.strip("/") for l in ignore[at + 1:] if not l.startswith("!")]
        for sub in ("node_modules", "dist"):
            if f"web/{sub}" not in later and f"**/{sub}" not in later:
                errors.append(f".dockerignore lets web/{sub} into the build context (add web/{sub}/ after !web/)")
    return errors


def read_file(path):
    with open(path) as f:
        return f.read()


def main(args):
    """args: the Dockerfile's path. Run from the repository's root."""
    # The repository's own parser of instructions (shared with scripts/image.sh).
    sys.path.insert(0, "scripts")
    from dockerfile_instructions import instructions

    errors, members = contract(instructions(args[0]), read_file)
    print("\n".join(errors) or f"Dockerfile contract ok (workspace members {members} in the build context)")
    return 1 if errors else 0
