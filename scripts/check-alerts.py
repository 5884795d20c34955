#!/usr/bin/env python3
"""What promtool does not check in the alerts as code (run by scripts/check-alerts.sh):

- every alert has a severity (page or ticket), a summary, a description and a runbook_url
  of the form RUNBOOK_URL#anchor, whose anchor is a heading of docs/RUNBOOK.md;
- every alert, at each of its severities, has a promtool test where it fires, and a test
  where it stays silent (ops/prometheus/*.test.yml);
- the internal links of docs/RUNBOOK.md lead to its headings, and the dashboard panels it
  names (the table under "Where to look") are the panels of ops/grafana/launch-day.json.

Exits 1 and prints every problem found; prints a summary line when there is none.
Needs PyYAML.
"""

import glob
import json
import os
import re
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RULES = os.path.join(ROOT, "ops/prometheus/rules.yml")
TESTS = sorted(glob.glob(os.path.join(ROOT, "ops/prometheus/*.test.yml")))
RUNBOOK = os.path.join(ROOT, "docs/RUNBOOK.md")
DASHBOARD = os.path.join(ROOT, "ops/grafana/launch-day.json")
RUNBOOK_URL = "https://gitlab.com/pge/pge/-/blob/main/docs/RUNBOOK.md#"
SEVERITIES = ("page", "ticket")
ANNOTATIONS = ("summary", "description", "runbook_url")


def gitlab_anchor(heading):
    """The id GitLab gives a Markdown heading: lower case, punctuation dropped, spaces
    as hyphens, runs of hyphens as one."""
    text = re.sub(r"[`*_]", "", heading.strip()).lower()
    text = re.sub(r"[^\w\- ]", "", text)
    text = text.replace(" ", "-")
    return re.sub(r"-{2,}", "-", text)


def headings(markdown):
    """The anchors of a Markdown file's headings (outside fenced code), in order; a
    repeated heading gets -1, -2… as GitLab does."""
    anchors, seen, fenced = [], {}, False
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
            continue
        m = None if fenced else re.match(r"#{1,6} (.+)", line)
        if m:
            anchor = gitlab_anchor(m.group(1))
            if anchor in seen:
                seen[anchor] += 1
                anchor = "%s-%d" % (anchor, seen[anchor])
            else:
                seen[anchor] = 0
            anchors.append(anchor)
    return anchors


def section(markdown, title):
    """The lines of the `## title` section."""
    out, inside = [], False
    for line in markdown.splitlines():
        if line.startswith("## "):
            inside = line[3:].strip() == title
            continue
        if inside:
            out.append(line)
    return out


def panel_titles(dashboard):
    titles = []

    def walk(panels):
        for p in panels:
            if p.get("type") == "row":
                walk(p.get("panels", []))
            else:
                titles.append(p.get("title"))

    walk(dashboard.get("panels", []))
    return titles


def main():
    errors = []
    with open(RULES) as f:
        groups = yaml.safe_load(f)["groups"]
    alerts = [r for g in groups for r in g["rules"] if "alert" in r]
    with open(RUNBOOK) as f:
        runbook = f.read()
    anchors = set(headings(runbook))

    # 1. Labels and annotations; runbook sections.
    severities = {}
    for rule in alerts:
        name = rule["alert"]
        labels = rule.get("labels") or {}
        annotations = rule.get("annotations") or {}
        severity = labels.get("severity")
        if severity not in SEVERITIES:
            errors.append("%s: severity is %r, not one of %s" % (name, severity, "|".join(SEVERITIES)))
        severities.setdefault(name, set()).add(severity)
        for key in ANNOTATIONS:
            if not str(annotations.get(key, "")).strip():
                errors.append("%s (%s): no %s annotation" % (name, severity, key))
        url = str(annotations.get("runbook_url", ""))
        if url and not url.startswith(RUNBOOK_URL):
            errors.append("%s: runbook_url %s does not start with %s" % (name, url, RUNBOOK_URL))
        elif url and url[len(RUNBOOK_URL):] not in anchors:
            errors.append("%s: runbook_url's anchor #%s is no heading of docs/RUNBOOK.md"
                          % (name, url[len(RUNBOOK_URL):]))

    # 2. A test where each alert fires (at each severity), and one where it is silent.
    fired, silent = {}, set()
    if not TESTS:
        errors.append("no ops/prometheus/*.test.yml")
    for path in TESTS:
        with open(path) as f:
            tests = yaml.safe_load(f)
        if [os.path.normpath(os.path.join(os.path.dirname(path), r)) for r in tests.get("rule_files", [])] != [RULES]:
            errors.append("%s: rule_files is not [rules.yml]" % os.path.relpath(path, ROOT))
        for group in tests.get("tests", []):
            for case in group.get("alert_rule_test", []):
                expected = case.get("exp_alerts") or []
                if not expected:
                    silent.add(case["alertname"])
                for alert in expected:
                    severity = (alert.get("exp_labels") or {}).get("severity")
                    fired.setdefault(case["alertname"], set()).add(severity)
    for name, sevs in severities.items():
        for severity in sorted(s for s in sevs if s):
            if severity not in fired.get(name, set()):
                errors.append("%s (%s): no promtool test where it fires" % (name, severity))
        if name not in silent:
            errors.append("%s: no promtool test where it stays silent" % name)
    for name in sorted(set(fired) | silent):
        if name not in severities:
            errors.append("a test names %s, which is no alert of rules.yml" % name)

    # 3. The runbook's own links, and the dashboard panels it names.
    for target in re.findall(r"\]\(#([^)]+)\)", runbook):
        if target not in anchors:
            errors.append("docs/RUNBOOK.md links to #%s, which is no heading of it" % target)
    named = set()
    for line in section(runbook, "Where to look"):
        if line.startswith("|") and not line.startswith("|---"):
            cells = line.strip("|").split("|")
            if len(cells) >= 2:
                named.update(re.findall(r"\*([^*]+)\*", cells[1]))
    with open(DASHBOARD) as f:
        titles = panel_titles(json.load(f))
    for title in sorted(named - set(titles)):
        errors.append("docs/RUNBOOK.md names the panel %r, which ops/grafana/launch-day.json lacks" % title)
    for title in sorted(set(titles) - named):
        errors.append("the panel %r of ops/grafana/launch-day.json is not in docs/RUNBOOK.md's table" % title)

    if errors:
        print("\n".join(errors))
        return 1
    print("alerts: %d rules of %d alerts, each with severity, summary, description and a runbook section; "
          "each fires in a test and stays silent in one (%s); %d dashboard panels named in the runbook"
          % (len(alerts), len(severities), ", ".join(os.path.relpath(t, ROOT) for t in TESTS), len(titles)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
