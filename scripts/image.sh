#!/usr/bin/env bash
# Builds the container image without a container engine, measures it and starts it.
#
#   scripts/image.sh ROOTFS OCI_DIR
#
# ROOTFS is the folder of the image's files (scripts/release-build.sh OUT makes
# OUT/rootfs). The image is assembled with umoci as an OCI layout in OCI_DIR: one layer
# holding ROOTFS, and the configuration (ENV, USER, EXPOSE, ENTRYPOINT, CMD, LABEL) read
# from the Dockerfile's final stage, which must be `FROM scratch` plus
# `COPY --from=builder /out/rootfs/ /`: any other instruction there stops the script, so
# the image measured here cannot drift from the Dockerfile's.
#
# Prints the image's size as a registry stores it (compressed layer + config + manifest),
# its unpacked size (what `docker images` shows) and `du -sm` of its files (the GitLab
# build job's check), and fails when the unpacked size reaches IMAGE_MAX_MB (default 40:
# the target in docs/PERFORMANCE.md, "Targets"). Then it unpacks the image and starts
# `pge serve` from those files alone, as a pod would (read-only root, tmpfs on /tmp,
# /etc/hosts mounted, no /dev, uid 65532), twice: on the embedded default with its data
# under /tmp, then on PostgreSQL reached by a host name that only /etc/hosts knows (the
# static binary resolves it through glibc's NSS), on a database of its own. Each time it
# waits for /readyz and /metrics: the binary needs nothing the image lacks. The PostgreSQL
# run needs psql and the server at PGE_IMAGE_DATABASE_URL (default
# postgres://postgres@127.0.0.1:5432/postgres, which must be on 127.0.0.1); without them
# it is skipped, unless IMAGE_REQUIRE_DATABASE=1 (.ci/run). Needs root (umoci, unshare,
# mount, chroot); installs umoci with apt-get when it is missing.
# IMAGE_ISOLATION=chroot (GitLab's build-image job, an unprivileged container: no mount
# namespace) starts the files with chroot alone, as uid 65532, with /etc/hosts copied in
# and the unpacked copy's /tmp as its scratch space: the same start and checks, without
# the read-only root. The default, IMAGE_ISOLATION=namespace, is the pod's view above.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 ROOTFS OCI_DIR" >&2; exit 2; }
cd "$(dirname "$0")/.."
rootfs=$(realpath "$1") oci=$(realpath -m "$2")
if ! command -v umoci >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq umoci >/dev/null
fi
command -v umoci >/dev/null || { echo "error: umoci is needed (apt-get install umoci)" >&2; exit 1; }

# The final stage's configuration as umoci arguments, one per line (a command
# substitution, not `< <(...)`, so that a refusal stops the script).
config_lines=$(python3 - Dockerfile <<'PY'
import json, shlex, sys
sys.path.insert(0, "scripts")
from dockerfile_instructions import instructions
lines = instructions(sys.argv[1])
start = max(i for i, l in enumerate(lines) if l.upper().startswith("FROM "))
final = lines[start:]
def fail(msg):
    sys.exit(f"error: Dockerfile's final stage: {msg}")
if final[0].split()[1:] != ["scratch"]:
    fail(f"{final[0]!r}: scripts/image.sh builds `FROM scratch` images only")
args = []
for line in final[1:]:
    op, _, rest = line.partition(" ")
    op = op.upper()
    words = shlex.split(rest)
    if op == "COPY":
        if words != ["--from=builder", "/out/rootfs/", "/"]:
            fail(f"{line!r}: expected COPY --from=builder /out/rootfs/ / (scripts/image-rootfs.sh)")
    elif op in ("ENV", "LABEL"):
        if not all("=" in w for w in words):
            fail(f"{line!r}: use the KEY=value form")
        flag = "--config.env" if op == "ENV" else "--config.label"
        args += [f"{flag}={w}" for w in words]
    elif op == "USER":
        args.append(f"--config.user={words[0]}")
    elif op == "EXPOSE":
        args += [f"--config.exposedports={p if '/' in p else p + '/tcp'}" for p in words]
    elif op in ("ENTRYPOINT", "CMD"):
        flag = "--config.entrypoint" if op == "ENTRYPOINT" else "--config.cmd"
        args += [f"{flag}={w}" for w in json.loads(rest)]
    else:
        fail(f"{line!r}: {op} is not reproduced by scripts/image.sh")
print("\n".join(args))
PY
)
mapfile -t config <<<"$config_lines"

rm -rf "$oci"
work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ] && kill "$server" 2>/dev/null; then
    for _ in $(seq 100); do kill -0 "$server" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

umoci init --layout "$oci"
umoci new --image "$oci:pge"
umoci insert --image "$oci:pge" "$rootfs" /
umoci config --image "$oci:pge" --os linux --architecture amd64 "${config[@]}"
umoci gc --layout "$oci"

python3 - "$oci" "${IMAGE_MAX_MB:-40}" <<'PY'
import gzip, json, os, sys
oci = sys.argv[1]
def blob(digest):
    return os.path.join(oci, "blobs", *digest.split(":"))
index = json.load(open(os.path.join(oci, "index.json")))
(desc,) = [m for m in index["manifests"] if m["annotations"]["org.opencontainers.image.ref.name"] == "pge"]
manifest = json.load(open(blob(desc["digest"])))
layers = manifest["layers"]
stored = desc["size"] + manifest["config"]["size"] + sum(l["size"] for l in layers)
unpacked = 0
for l in layers:
    with gzip.open(blob(l["digest"])) as f:
        while chunk := f.read(1 << 20):
            unpacked += len(chunk)
print(f"image: {len(layers)} layer(s), {stored / 1e6:.1f} MB stored (compressed), "
      f"{unpacked / 1e6:.1f} MB unpacked (layer tar)")
limit = float(sys.argv[2])
if unpacked >= limit * 1e6:
    sys.exit(f"error: the image unpacks to {unpacked / 1e6:.1f} MB, over the {limit:g} MB limit (docs/PERFORMANCE.md, Targets)")
PY

umoci unpack --image "$oci:pge" "$work/run" >/dev/null
echo "du -sm of the image's files: $(du -sm "$work/run/rootfs" | cut -f1) MiB (GitLab build job: must be < 40)"

# Start the image's files alone, as a pod runs them: in a mount namespace of its own, the
# root filesystem read-only, an empty tmpfs on /tmp (the chart's emptyDir), /etc/hosts
# bind-mounted as the kubelet does, no /dev, no environment but the variables given, as
# uid 65532. unshare, sh, env and chroot each exec the next, so $server is pge's own pid.
# Free ports, so that nothing else answers.
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
printf '%s\n' '127.0.0.1 localhost' '127.0.0.1 pge-db.internal' >"$work/hosts"
: >"$work/run/rootfs/etc/hosts"   # the mount point the kubelet's bind mount needs
isolation=${IMAGE_ISOLATION:-namespace}
case $isolation in
  namespace) ;;
  chroot)
    cp "$work/hosts" "$work/run/rootfs/etc/hosts"
    mkdir -p "$work/run/rootfs/tmp" && chmod 1777 "$work/run/rootfs/tmp" ;;
  *) echo "error: IMAGE_ISOLATION must be namespace or chroot, not '$isolation'" >&2; exit 2 ;;
esac
start_pge() {  # start_pge VAR=VALUE...: starts `pge serve`, sets $server, $port, $metrics_port
  port=$(free_port)
  metrics_port=$(free_port)
  if [ "$isolation" = chroot ]; then
    env -i PGE_LISTEN_ADDR="127.0.0.1:$port" PGE_METRICS_ADDR="127.0.0.1:$metrics_port" \
      PGE_LOG_FORMAT=json RUST_LOG=warn "$@" "$(command -v chroot)" --userspec=65532:65532 \
      "$work/run/rootfs" /usr/local/bin/pge serve >"$work/serve.log" 2>&1 &
    server=$!
    return
  fi
  unshare --mount sh -c '
    root=$1; hosts=$2; shift 2
    mount --bind "$root" "$root" && mount -o remount,bind,ro "$root" &&
      mount --bind "$hosts" "$root/etc/hosts" &&
      mount -t tmpfs -o mode=1777,size=64m tmpfs "$root/tmp" &&
      exec env -i "$@" "$(command -v chroot)" --userspec=65532:65532 "$root" /usr/local/bin/pge serve
  ' sh "$work/run/rootfs" "$work/hosts" PGE_LISTEN_ADDR="127.0.0.1:$port" \
    PGE_METRICS_ADDR="127.0.0.1:$metrics_port" PGE_LOG_FORMAT=json RUST_LOG=warn "$@" \
    >"$work/serve.log" 2>&1 &
  server=$!
}
wait_ready() {  # wait_ready WHAT: /readyz and /metrics answer, else the log and exit 1
  for _ in $(seq 100); do
    if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && kill -0 "$server" 2>/dev/null; then
      if ! curl -fsS "http://127.0.0.1:$metrics_port/metrics" | grep -q '^# TYPE'; then
        echo "error: $1: /metrics did not answer on the metrics port" >&2
        cat "$work/serve.log" >&2
        exit 1
      fi
      echo "$1: /readyz answered 200, /metrics answered on the internal port"
      return
    fi
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
  done
  echo "error: $1: pge did not become ready from the image's files:" >&2
  cat "$work/serve.log" >&2
  exit 1
}
stop_pge() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  server=""
}

start_pge PGE_DATA_DIR=/tmp/pge PGE_WEB_DIR=/usr/share/pge/web
if [ "$isolation" = chroot ]; then how="chroot"; else how="read-only"; fi
wait_ready "started from the image's files alone ($how, as uid 65532, embedded default)"
# The web app the image carries (scripts/image-rootfs.sh with WEB_DIST): `/` and a
# client-side route answer its index.html. IMAGE_REQUIRE_WEB=1 (.ci/run) requires it.
if [ -f "$work/run/rootfs/usr/share/pge/web/index.html" ]; then
  for path in / /demandes; do
    if ! curl -fsS "http://127.0.0.1:$port$path" | grep -q '<div id="root">'; then
      echo "error: $path did not answer the web app's index.html from the image" >&2
      cat "$work/serve.log" >&2
      exit 1
    fi
  done
  echo "the web app answered / and a client-side route from the image's files"
elif [ "${IMAGE_REQUIRE_WEB:-0}" = 1 ]; then
  echo "error: the image carries no web app (build web/dist and pass WEB_DIST)" >&2
  exit 1
fi
stop_pge

# Then as in production: PostgreSQL reached by host name, which the static binary resolves
# through the image's nsswitch.conf and the mounted /etc/hosts (glibc's NSS linked in),
# on a database of its own that it migrates.
admin_url=${PGE_IMAGE_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
if ! command -v psql >/dev/null || ! psql -X -q -d "$admin_url" -c 'SELECT 1' >/dev/null 2>&1; then
  if [ "${IMAGE_REQUIRE_DATABASE:-0}" = 1 ]; then
    echo "error: PostgreSQL is not reachable at $admin_url (psql), and IMAGE_REQUIRE_DATABASE=1" >&2
    exit 1
  fi
  echo "skipped: the start on PostgreSQL by host name (no psql or no PostgreSQL at $admin_url)"
  exit 0
fi
database="pge_image_check_$$"
psql -X -q -d "$admin_url" -c "CREATE DATABASE $database"
drop_database() { psql -X -q -d "$admin_url" -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1 || true; }
trap 'cleanup; drop_database' EXIT
db_port=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.urlsplit(sys.argv[1]).port or 5432)' "$admin_url")
db_user=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.urlsplit(sys.argv[1]).username or "postgres")' "$admin_url")
start_pge PGE_DATA_DIR=/tmp/pge \
  PGE_DATABASE_URL="postgres://$db_user@pge-db.internal:$db_port/$database"
wait_ready "started on PostgreSQL at pge-db.internal (resolved through /etc/hosts)"
stop_pge
