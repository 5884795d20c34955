"""scripts/helm-rollback.sh, run against a fake `helm` on the PATH that prints a simulated
`helm history -o json` and records its arguments: the rollback goes to the last revision
that worked, by number, never to a failed or pending one, never forward; with nothing to
go back to it fails clearly and rolls nothing back."""
import json
import os
import pathlib
import subprocess
import sys

from .common import finish

FAKE_HELM = """#!{python}
import json, os, sys
with open(os.environ["FAKE_HELM_LOG"], "a") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")
if sys.argv[1:2] == ["history"]:
    sys.stdout.write(open(os.environ["FAKE_HELM_HISTORY"]).read())
"""


def rev(n, status, description=None):
    """One entry of `helm history -o json`."""
    return {"revision": n, "updated": f"2026-03-0{min(n, 9)}T10:00:00.000000+01:00", "status": status,
            "chart": "pge-0.1.0", "app_version": "0.1.0",
            "description": description or {"failed": "Upgrade \"pge\" failed: context deadline exceeded"}.get(status, "Upgrade complete")}


def sup(n, description=None):
    return rev(n, "superseded", description)


# (name, history, the revision to roll back to, or None: refused, nothing rolled back)
SCENARIOS = [
    ("an ordinary upgrade", [sup(1), sup(2), rev(3, "deployed")], 2),
    ("the newest revision failed (no --atomic)", [sup(1), rev(2, "deployed"), rev(3, "failed")], 2),
    ("two failed in a row (no --atomic)", [sup(1), rev(2, "deployed"), rev(3, "failed"), rev(4, "failed")], 2),
    ("after an --atomic failure (3 failed, 4 is 2 again)",
     [sup(1), sup(2), rev(3, "failed"), rev(4, "deployed", "Rollback to 2")], 1),
    ("two --atomic failures in a row",
     [sup(1), sup(2), rev(3, "failed"), sup(4, "Rollback to 2"), rev(5, "failed"), rev(6, "deployed", "Rollback to 4")], 1),
    ("a second rollback goes further back, not forward",
     [sup(1), sup(2), sup(3), rev(4, "deployed", "Rollback to 2")], 1),
    ("a pending upgrade is skipped", [sup(1), rev(2, "deployed"), rev(3, "pending-upgrade")], 2),
    ("nothing to go back to: one revision", [rev(1, "deployed")], None),
    ("nothing to go back to: only failed before", [rev(1, "failed"), rev(2, "deployed")], None),
    ("nothing to go back to: back at the first revision", [sup(1), sup(2), rev(3, "deployed", "Rollback to 1")], None),
    ("no history", [], None),
]
CONTEXT = ["--kube-context", "group/pge:pge-staging", "--namespace", "pge"]
FLAGS = ["--wait", "--timeout", "15m"]


def run(script, history, work):
    """Runs `script` (scripts/helm-rollback.sh) with a fake helm first on the PATH that
    prints `history`; returns (the completed process, the argument lists helm was called with)."""
    work = pathlib.Path(work)
    (work / "bin").mkdir(parents=True, exist_ok=True)
    helm = work / "bin" / "helm"
    helm.write_text(FAKE_HELM.format(python=sys.executable))
    helm.chmod(0o755)
    (work / "history.json").write_text(json.dumps(history))
    log = work / "helm.log"
    log.write_text("")
    env = dict(os.environ, PATH=f"{work / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
               FAKE_HELM_LOG=str(log), FAKE_HELM_HISTORY=str(work / "history.json"), PYTHONDONTWRITEBYTECODE="1")
    env.pop("HELM", None)
    r = subprocess.run(["bash", str(script), "pge", *CONTEXT, *FLAGS], env=env, capture_output=True, text=True, timeout=60)
    return r, [json.loads(line) for line in log.read_text().splitlines()]


def check(script, work, scenarios=SCENARIOS):
    errors = []
    err = errors.append
    for i, (name, history, target) in enumerate(scenarios):
        r, calls = run(script, history, pathlib.Path(work) / f"rollback-{i}")
        out = (r.stdout + r.stderr).strip()
        history_calls = [c for c in calls if c[:1] == ["history"]]
        rollbacks = [c for c in calls if c[:1] == ["rollback"]]
        if len(history_calls) != 1 or not all(a in history_calls[0] for a in CONTEXT) or "json" not in history_calls[0]:
            err(f"{name}: helm history not called once with {' '.join(CONTEXT)} -o json: {history_calls}")
        if target is None:
            if r.returncode == 0 or rollbacks:
                err(f"{name}: expected a refusal and no rollback, got exit {r.returncode} and {rollbacks}: {out[-300:]}")
            elif "nothing to roll back to" not in out:
                err(f"{name}: refused without saying there is nothing to roll back to: {out[-300:]}")
            continue
        want = ["rollback", "pge", str(target), *CONTEXT, *FLAGS]
        if r.returncode != 0 or rollbacks != [want]:
            err(f"{name}: expected `helm {' '.join(want)}`, got exit {r.returncode} and {rollbacks}: {out[-300:]}")
    return errors


def main(args):
    """args: scripts/helm-rollback.sh's path and a scratch folder."""
    return finish(check(args[0], args[1]), f"{len(SCENARIOS)} simulated histories: each rolled back to the last revision "
                  "that worked, or refused with nothing rolled back")
