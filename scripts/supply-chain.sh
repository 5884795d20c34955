#!/usr/bin/env bash
# The supply-chain checks that can run on any machine (issue 29, part 2), in the README's
# test command (scripts/test.sh):
#   - cargo deny --offline check licenses bans sources: the licence policy of deny.toml
#     (no GPL, LGPL or AGPL in the binary), banned crates, crates.io as the only source.
#     cargo-deny is installed, once, into ${PGE_TOOLS_DIR:-~/.cache/pge/tools}/cargo-deny-<v>
#     when it is missing (several minutes on 2 cores; nothing to install by hand).
#   - npm audit --audit-level=high on the web app: tried, and reported as SKIPPED with the
#     registry's own answer when its audit endpoint refuses (it answers 405 from the
#     machines of this project); a report of vulnerabilities fails. GitLab's npm-audit job
#     runs it for real on every pipeline, and the deny-advisories job runs
#     `cargo deny check advisories` (the RustSec database is fetched from GitHub there).
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_DENY_VERSION=0.20.2
TOOLS=${PGE_TOOLS_DIR:-$HOME/.cache/pge/tools}
root="$TOOLS/cargo-deny-$CARGO_DENY_VERSION"
deny="$root/bin/cargo-deny"

mkdir -p "$TOOLS"
if ! "$deny" --version 2>/dev/null | grep -qx "cargo-deny $CARGO_DENY_VERSION"; then
  (
    # One install at a time (scripts/check-deploy.sh shares the folder and the lock).
    flock 9
    if ! "$deny" --version 2>/dev/null | grep -qx "cargo-deny $CARGO_DENY_VERSION"; then
      echo "installing cargo-deny $CARGO_DENY_VERSION into $root (once)" >&2
      target=$(mktemp -d)
      CARGO_TARGET_DIR=$target cargo install --locked --quiet cargo-deny --version "$CARGO_DENY_VERSION" --root "$root"
      rm -rf "$target"
    fi
  ) 9>"$TOOLS/.lock"
fi

echo "== cargo deny --offline check licenses bans sources (deny.toml)"
# Offline, deny reads the crates from cargo's cache: a new machine has none yet.
cargo fetch --locked --quiet
"$deny" deny --offline --locked --log-level error check licenses bans sources
echo "cargo deny: licences, bans and sources ok"

echo "== npm audit --audit-level=high (web/)"
audit_log=$(mktemp)
trap 'rm -f "$audit_log"' EXIT
if npm audit --prefix web --audit-level=high >"$audit_log" 2>&1; then
  tail -n 3 "$audit_log"
  echo "npm audit: no vulnerability of high severity or above"
elif grep -q 'audit endpoint returned an error' "$audit_log" && ! grep -qiE '^[0-9]+ (high|critical|moderate|low) severity|vulnerabilit(y|ies) \(' "$audit_log"; then
  # The registry did not answer the audit: nothing was checked, and this says so.
  echo "SKIPPED npm audit: the registry's audit endpoint refused the request from this machine:"
  grep -E 'npm (warn|error) audit' "$audit_log" | sed 's/^/  /'
  echo "  (nothing was audited here; GitLab's npm-audit job runs npm audit --audit-level=high on every pipeline)"
else
  cat "$audit_log"
  echo "error: npm audit found vulnerabilities of high severity or above in web/" >&2
  exit 1
fi
