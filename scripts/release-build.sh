#!/usr/bin/env bash
# Builds `pge` as the container image ships it and lays out the image's files.
#
#   scripts/release-build.sh OUT [CARGO_BUILD_ARGS...]
#
# The binary is the release profile (fat LTO, stripped) linked statically against glibc
# (`+crt-static`), so the image needs no libc of its own and benchmarks run the very
# binary that ships (scripts/bench.sh). `--target` keeps the flags off build scripts and
# proc macros, which must stay dynamic. The getrandom crate looks the C library's
# getrandom() up with dlsym, which a static binary cannot do, and would then read
# /dev/urandom: the cfg makes it call the system call, so the binary needs no /dev. OUT/rootfs receives the image's files
# (scripts/image-rootfs.sh; with WEB_DIST set, the built web app too). With CARGO_BUILD_ARGS (e.g. `-p pge-loadtest --bin
# loadtest`) a second build of those packages follows with the same flags, reusing the
# compiled dependencies.
#
# Run by the Dockerfile's builder stage, by .ci/run's image step (with SBOM_DIR) and by
# scripts/bench.sh.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 OUT [CARGO_BUILD_ARGS...]" >&2; exit 2; }
out=$(realpath -m "$1")
shift
cd "$(dirname "$0")/.."
target=x86_64-unknown-linux-gnu
export RUSTFLAGS="-C target-feature=+crt-static --cfg getrandom_backend=\"linux_getrandom\""
cargo build --release --locked -p pge-api --bin pge --target "$target"
if [ $# -gt 0 ]; then
  cargo build --release --locked --target "$target" "$@"
fi
scripts/image-rootfs.sh "${CARGO_TARGET_DIR:-target}/$target/release/pge" "$out/rootfs"
# With SBOM_DIR set (.ci/run's image step): the CycloneDX SBOMs of the binary and of the
# web app it carries (scripts/sbom.sh), as GitLab's sbom job makes them for the image.
if [ -n "${SBOM_DIR:-}" ]; then
  scripts/sbom.sh "$SBOM_DIR"
fi
