#!/usr/bin/env bash
# The digest of a built web app: one sha256 over the sorted "sha256  ./path" lines of every
# file under DIST (the precompressed copies included). GitLab's build-web job records it
# (WEB_DIST_SHA256, a dotenv report), the test job's end-to-end tests refuse another build
# (scripts/web-test.sh) and the deploy jobs upload only a build with that digest
# (scripts/deploy-web.sh --sha256): what users get is the very build the tests ran.
#
#   scripts/web-dist-digest.sh DIST
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 DIST" >&2; exit 2; }
[ -f "$1/index.html" ] || { echo "web-dist-digest: no $1/index.html" >&2; exit 1; }
cd "$1"
# Plain find, sort and xargs: the same digest on Debian (the test job) and Alpine (deploy).
find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1
