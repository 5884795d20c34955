"""checkov's JSON report: a failure on failed checks, on parse errors, on a non-zero exit
and when nothing at all was scanned (wrong path or framework)."""
import json


def summarize(data, rc):
    """The report's lines and whether it fails, from checkov's JSON (one report or a list
    of them, one per framework) and its exit status."""
    out = []
    reports = data if isinstance(data, list) else [data]
    bad, scanned = False, 0
    for r in reports:
        if "summary" not in r:  # an empty report: nothing of this framework was found
            continue
        s = r["summary"]
        scanned += s["passed"] + s["failed"] + s["skipped"]
        out.append(f'{r["check_type"]}: passed {s["passed"]}, failed {s["failed"]}, skipped {s["skipped"]}, parsing errors {s["parsing_errors"]}')
        for f in r["results"]["failed_checks"]:
            bad = True
            out.append(f'  FAILED {f["check_id"]} {f["check_name"]} -- {f["resource"]} ({f["file_path"]}:{f["file_line_range"]})')
        if s["parsing_errors"]:
            bad = True
            out.append("  parse errors in: " + ", ".join(r["results"].get("parsing_errors", [])))
    if scanned == 0:
        out.append("checkov scanned nothing: wrong path or framework")
        bad = True
    if rc != 0:
        out.append(f"checkov exited {rc}")
        bad = True
    return out, bad


def main(args):
    """args: the report's path (its stderr beside it, <path>.err) and checkov's exit status."""
    path, rc = args[0], int(args[1])
    try:
        with open(path) as f:
            data = json.load(f)
    except Exception as e:
        print(f"checkov produced no JSON report (exit {rc}): {e}")
        with open(path + ".err") as f:
            print(f.read()[-3000:])
        return 1
    out, bad = summarize(data, rc)
    if out:
        print("\n".join(out))
    return 1 if bad else 0
