#!/usr/bin/env bash
# Rolls a Helm release back to the last revision that worked, by its number. Plain
# `helm rollback RELEASE` goes to "current - 1", which after an `--atomic` failure is the
# failed revision (and a second click goes forward again). This script reads
# `helm history -o json` and picks the newest revision, older than the current one, that
#   - is `deployed` or `superseded` (never `failed`, `pending-*`, `uninstall*`, `unknown`),
#   - and runs older code than the current one: a revision written by a rollback
#     ("Rollback to N", as Helm describes it) runs N's, so after an --atomic failure
#     (N superseded, N+1 failed, N+2 "Rollback to N") the target is older than N, and a
#     second run goes further back, never forward;
# then runs `helm rollback RELEASE <that revision>`. No such revision: a clear error and
# exit 1, nothing rolled back.
#
#   scripts/helm-rollback.sh RELEASE [--kube-context C] [--namespace N] [other helm rollback flags]
#   HELM=/path/to/helm   the helm binary (default: helm on the PATH)
#   --dry-run            print the target and the command, run nothing but `helm history`
#
# --kube-context and --namespace (-n) go to `helm history` and `helm rollback`, the other
# flags (--wait, --timeout 15m, ...) to `helm rollback` only. Needs jq.
set -euo pipefail

die() { echo "helm-rollback: $*" >&2; exit 1; }
[ $# -ge 1 ] && [ -n "$1" ] && [ "${1#-}" = "$1" ] || die "usage: $0 RELEASE [--kube-context C] [--namespace N] [helm rollback flags]"
release=$1
shift
HELM=${HELM:-helm}
command -v jq >/dev/null || die "jq is needed to read helm history -o json"

target_args=() # --kube-context and --namespace: for both commands
rollback_args=()
dry_run=0
while [ $# -gt 0 ]; do
  case $1 in
    --kube-context | --namespace | -n)
      [ $# -ge 2 ] || die "$1 needs a value"
      target_args+=("$1" "$2")
      shift 2
      ;;
    --kube-context=* | --namespace=*) target_args+=("$1"); shift ;;
    --dry-run) dry_run=1; shift ;;
    *) rollback_args+=("$1"); shift ;;
  esac
done

history=$("$HELM" history "$release" "${target_args[@]}" --max 256 -o json) ||
  die "helm history $release failed"

# The choice, in jq: each revision's code is its own number, or for a revision written by
# a rollback the code of the revision it went back to (followed through chains). Prints
# "ok TARGET CURRENT RUNNING", "none - CURRENT RUNNING" or "empty".
choice=$(jq -r '
  def code($by; $r):
    if ($by[($r | tostring)].description // "") | test("^Rollback to [0-9]+$")
    then code($by; ($by[($r | tostring)].description | ltrimstr("Rollback to ") | tonumber))
    else $r end;
  if type != "array" or length == 0 then "empty"
  else
    (map({key: (.revision | tostring), value: .}) | from_entries) as $by
    | (map(.revision) | max) as $current
    | code($by; $current) as $running
    | [ .[] | select(.revision < $current)
            | select(.status == "deployed" or .status == "superseded")
            | select(code($by; .revision) < $running) ]
    | if length == 0 then "none - \($current) \($running)"
      else "ok \(max_by(.revision).revision) \($current) \($running)" end
  end' <<<"$history") || die "cannot read the output of helm history -o json"

read -r verdict target current running <<<"$choice"
[ "$verdict" != empty ] || die "release $release has no history: nothing to roll back to"
echo "helm history of $release (newest last):"
jq -r '.[] | "  \(.revision)\t\(.status)\t\(.chart)\t\(.app_version // "")\t\(.description // "")"' <<<"$history"
[ "$verdict" = ok ] ||
  die "release $release: no deployed or superseded revision older than revision $current runs older code than it (it runs revision $running's): nothing to roll back to; redeploy an earlier pipeline instead"
echo "current revision $current (runs revision $running's code): rolling back to revision $target"
if [ "$dry_run" = 1 ]; then
  echo "dry run: $HELM rollback $release $target ${target_args[*]} ${rollback_args[*]}"
  exit 0
fi
exec "$HELM" rollback "$release" "$target" "${target_args[@]}" "${rollback_args[@]}"
