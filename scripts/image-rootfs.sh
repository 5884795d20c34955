#!/usr/bin/env bash
# Lays out the files of the container image: the Dockerfile's final stage is `FROM scratch`
# plus this folder, nothing else.
#
#   scripts/image-rootfs.sh BINARY ROOTFS [WEB_DIST]
#
# - /usr/local/bin/pge: the binary, which must be static (no ELF interpreter): nothing
#   else in the image could load a shared library;
# - /etc/ssl/certs/ca-certificates.crt: the CA bundle the AWS SDK's TLS client reads
#   (rustls-native-certs), copied from the build machine (CA_BUNDLE overrides the path);
# - /etc/passwd and /etc/group naming the non-root user 65532 (`nonroot`, the Dockerfile's
#   USER), so tools that map uids to names find one;
# - /etc/nsswitch.conf: host names from /etc/hosts (mounted by the kubelet), then DNS,
#   both built into glibc since 2.34, so the static binary never loads an NSS module;
# - /tmp, sticky and world-writable, for when the root filesystem is not read-only;
# - /usr/share/pge/web: the built web app (`npm --prefix web run build` writes web/dist),
#   which `pge serve` serves from PGE_WEB_DIR (the Dockerfile sets that path), when
#   WEB_DIST is given, as the third argument or the variable of that name (so that
#   scripts/release-build.sh passes it through unchanged). A WEB_DIST without index.html
#   stops the script: an image without its app must not be built by mistake. Its gzip
#   copies are left out where a brotli one exists (below).
#
# Used by the Dockerfile's builder stage (through scripts/release-build.sh) and by
# scripts/image.sh, so the image measured on a machine without a container engine holds
# the same files as the one CI builds.
set -euo pipefail
[ $# -eq 2 ] || [ $# -eq 3 ] || { echo "usage: $0 BINARY ROOTFS [WEB_DIST]" >&2; exit 2; }
binary=$1 rootfs=$2 web_dist=${3:-${WEB_DIST:-}}
ca_bundle=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}

[ -f "$binary" ] || { echo "error: no binary at $binary" >&2; exit 1; }
[ -s "$ca_bundle" ] || { echo "error: no CA bundle at $ca_bundle (install ca-certificates)" >&2; exit 1; }
if [ -n "$web_dist" ] && [ ! -f "$web_dist/index.html" ]; then
  echo "error: no web app at $web_dist (no index.html): build it first (npm ci --prefix web && npm --prefix web run build)" >&2
  exit 1
fi
if readelf -l "$binary" | grep -q 'Requesting program interpreter'; then
  echo "error: $binary is dynamically linked; the image has no shared libraries" >&2
  exit 1
fi

rm -rf "$rootfs"
install -D -m 0755 "$binary" "$rootfs/usr/local/bin/pge"
install -D -m 0644 "$ca_bundle" "$rootfs/etc/ssl/certs/ca-certificates.crt"
printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' \
  'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' >"$rootfs/etc/passwd"
printf '%s\n' 'root:x:0:' 'nonroot:x:65532:' >"$rootfs/etc/group"
printf '%s\n' 'hosts: files dns' >"$rootfs/etc/nsswitch.conf"
chmod 0644 "$rootfs/etc/passwd" "$rootfs/etc/group" "$rootfs/etc/nsswitch.conf"
install -d -m 1777 "$rootfs/tmp"
if [ -n "$web_dist" ]; then
  # Readable by the image's non-root user, owned by root, writable by nobody else.
  install -d -m 0755 "$rootfs/usr/share/pge/web"
  cp -R "$web_dist/." "$rootfs/usr/share/pge/web/"
  # One precompressed copy per file is enough in the image: brotli, which every browser
  # asks for (Chromium even over plain HTTP); a client that takes only gzip gets the file
  # uncompressed. The gzip copies (0.8 MB with pdf.js in the app) would take the image
  # over its 40 MB.
  find "$rootfs/usr/share/pge/web" -type f -name '*.gz' -exec sh -c '[ -f "${1%.gz}.br" ] && rm "$1"; true' _ {} \;
  chmod -R u=rwX,go=rX "$rootfs/usr/share/pge/web"
fi
