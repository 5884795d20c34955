#!/usr/bin/env bash
# CycloneDX SBOMs of what the image ships (issue 29, part 2):
#   OUT/pge.cdx.json   the `pge` binary: the pge-api package and every crate it links
#                      (cargo-cyclonedx, for the target the image is built for)
#   OUT/web.cdx.json   the web app: the npm packages of web/package-lock.json that reach
#                      the browser (@cyclonedx/cyclonedx-npm, development ones left out)
# Run by scripts/release-build.sh when SBOM_DIR is set (.ci/run's image step) and by
# GitLab's sbom job, whose files the build-image job attaches to the pushed image (cosign
# attest) and GitLab keeps as the pipeline's CycloneDX reports. cargo-cyclonedx is
# installed once into ${PGE_TOOLS_DIR:-~/.cache/pge/tools} when missing; the npm tool is
# pinned and fetched by npx. Both read the lock files only: nothing is built.
#
#   scripts/sbom.sh OUT
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 OUT" >&2; exit 2; }
out=$(realpath -m "$1")
cd "$(dirname "$0")/.."

CARGO_CYCLONEDX_VERSION=0.5.9
# 6.0.1 declares engines node >=20.18.0: the Node 20 of the test job and of node:20 images.
CYCLONEDX_NPM="@cyclonedx/cyclonedx-npm@6.0.1"
TOOLS=${PGE_TOOLS_DIR:-$HOME/.cache/pge/tools}
root="$TOOLS/cargo-cyclonedx-$CARGO_CYCLONEDX_VERSION"
cdx="$root/bin/cargo-cyclonedx"
mkdir -p "$TOOLS" "$out"
if ! "$cdx" cyclonedx --version 2>/dev/null | grep -q " $CARGO_CYCLONEDX_VERSION\$"; then
  (
    flock 9
    if ! "$cdx" cyclonedx --version 2>/dev/null | grep -q " $CARGO_CYCLONEDX_VERSION\$"; then
      echo "installing cargo-cyclonedx $CARGO_CYCLONEDX_VERSION into $root (once)" >&2
      target=$(mktemp -d)
      # A host tool: without the image's flags (scripts/release-build.sh exports a static
      # RUSTFLAGS, with which no proc-macro of the tool's dependencies can be built).
      env -u RUSTFLAGS CARGO_TARGET_DIR="$target" cargo install --locked --quiet cargo-cyclonedx --version "$CARGO_CYCLONEDX_VERSION" --root "$root"
      rm -rf "$target"
    fi
  ) 9>"$TOOLS/.lock"
fi

# cargo-cyclonedx writes an SBOM beside the Cargo.toml of every member of the workspace
# (it has no package selection): under a name of this run's, the binary's package's kept,
# every other one removed, whatever happens.
name="pge-sbom-$$"
trap 'rm -f ./*/"$name.json"' EXIT
"$cdx" cyclonedx --manifest-path api/Cargo.toml --format json --spec-version 1.5 \
  --target x86_64-unknown-linux-gnu --override-filename "$name" --quiet
mv "api/$name.json" "$out/pge.cdx.json"

(cd web && npx --yes "$CYCLONEDX_NPM" --omit dev --package-lock-only --output-format JSON \
  --spec-version 1.5 --output-reproducible --output-file "$out/web.cdx.json")

# Each is CycloneDX JSON naming its subject and holding components.
python3 - "$out/pge.cdx.json" "$out/web.cdx.json" <<'PY'
import json, sys
for path, want in zip(sys.argv[1:], ("pge-api", "pge-web")):
    bom = json.load(open(path))
    name = bom.get("metadata", {}).get("component", {}).get("name")
    n = len(bom.get("components", []))
    if bom.get("bomFormat") != "CycloneDX" or n < 10 or name != want:
        sys.exit(f"error: {path}: not a CycloneDX SBOM of {want} with components (bomFormat {bom.get('bomFormat')!r}, {name}, {n} components)")
    print(f"{path}: CycloneDX {bom.get('specVersion')}, {name}, {n} components")
PY
