"""Observability in production (issue 30, part 6), checked on the Terraform code of
terraform/modules/observability and its neighbours, per environment where a value
matters (tfeval: variable defaults, terraform.tfvars.example, sample values for what only
AWS knows):

- rules: the Prometheus rule group namespace reads ops/prometheus/rules.yml itself
  (file() of that very path, no copy anywhere under terraform/), every environment loads
  it, every alert of the file has a severity page or ticket, and the workspace's alert
  manager sends a page to the page topic and a ticket to the ticket topic (its routes run
  on both severities), each SNS receiver signed for a region;
- alarms: every CloudWatch alarm (and every budget notification) notifies an on-call
  topic of its own region (module oncall, or oncall_us_east_1 for an alarm of the
  us-east-1 provider), the one its description's severity names; CloudFront's and the
  WAF's metrics are alarmed in us-east-1, the others in the default region; the alarms
  cover RDS (CPU, connections, free storage; replica lag when there is a replica), the
  load balancer's 5xx and unhealthy targets, CloudFront's 5xx rate, the WAF's blocked
  requests, SES's bounce and complaint rates (from the account's reputation and from the
  configuration set's event destination, thresholds from the variables whose validations
  keep them well below SES's pause);
- logs: every log group of every module is encrypted (kms_key_id) and kept at least a
  year (retention_in_days, a literal or a variable whose default and validation say so);
  the saved Logs Insights queries read the containers' application group, keep to pge's
  namespace, look a request id up and count 5xx by route, and use only fields of pge's log
  lines (as docs/RUNBOOK.md names them, under Fluent Bit's log_processed) and are named in
  docs/RUNBOOK.md;
- topics: every SNS topic is encrypted with a key of ours (not SNS's AWS-managed key,
  which CloudWatch cannot use), subscribed by e-mail or SMS only: pages by both, tickets
  by e-mail;
- pins: every EKS add-on of the observability module has an exact version
  (vX.Y.Z-eksbuild.N), ADOT installs after cert-manager, and docs/DEPLOYMENT.md names each
  version;
- telemetry: in the chart rendered from each environment's helm_values, the API and the
  worker send their traces to the ADOT add-on's OTLP/HTTP collector (the module's
  otlp_endpoint: a Service of its namespace, port 4318, its xray pipeline on), their
  NetworkPolicy lets them reach that port in that namespace, and opens /metrics to it;
- dashboards: scripts/provision-dashboards.sh against stand-ins of the aws CLI and of
  Grafana's HTTP API (a fake curl first on the PATH): the data source and every dashboard
  of ops/grafana/ as the files say, overwrite on, a token that lives 15 minutes and is
  deleted even when Grafana refuses a dashboard, refusals before any AWS call."""
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile

import yaml

from . import tfeval
from .common import finish, load_hcl, q
from .terraform import evaluate, validations

ENVS = ("staging", "production")
MODULE = "observability"
RULES = "ops/prometheus/rules.yml"
SEVERITIES = ("page", "ticket")
ONCALL_SOURCE = "../oncall"
# CloudWatch metrics that only exist in us-east-1 (CloudFront, and the WAF of a CloudFront
# distribution): their alarms must be there, and notify a topic there.
US_EAST_1_NAMESPACES = ("AWS/CloudFront", "AWS/WAFV2")
US_EAST_1 = "aws.us_east_1"
# (namespace, metric) each alarm set must cover.
REQUIRED_METRICS = {
    ("AWS/RDS", "CPUUtilization"): "RDS CPU",
    ("AWS/RDS", "DatabaseConnections"): "RDS connections",
    ("AWS/RDS", "FreeStorageSpace"): "RDS free storage",
    ("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count"): "ALB 5xx",
    ("AWS/ApplicationELB", "UnHealthyHostCount"): "ALB unhealthy targets",
    ("AWS/CloudFront", "5xxErrorRate"): "CloudFront 5xx rate",
    ("AWS/WAFV2", "BlockedRequests"): "WAF blocked requests",
    ("AWS/SES", "Reputation.BounceRate"): "SES bounce rate (account)",
    ("AWS/SES", "Reputation.ComplaintRate"): "SES complaint rate (account)",
    ("AWS/SES", "Bounce"): "SES bounces (configuration set)",
    ("AWS/SES", "Complaint"): "SES complaints (configuration set)",
}
# The variables of the SES thresholds: (values their validations must accept, refuse).
# SES reviews an account at 5 % bounces / 0.1 % complaints and pauses it at 10 % / 0.5 %.
SES_THRESHOLDS = {
    "ses_bounce_rate_alarm": ([0.01, 0.04, 0.05], [0, 0.06, 0.1, 0.2]),
    "ses_complaint_rate_alarm": ([0.0005, 0.0008, 0.001], [0, 0.002, 0.005, 0.01]),
}
MIN_RETENTION_DAYS = 365
ADDON_VERSION = re.compile(r"^v\d+\.\d+\.\d+-eksbuild\.\d+$")


# --- helpers ------------------------------------------------------------------------------

def code(v):
    """The code of one python-hcl2 value: `${x}` -> x, a quoted string as it is."""
    v = str(v).strip()
    return v[2:-1].strip() if v.startswith("${") and v.endswith("}") else v


def blocks(folder, kind, rtype):
    """{name: body} of the `kind` blocks (resource, data) of type `rtype` in `folder`'s .tf files."""
    out = {}
    for f in sorted(pathlib.Path(folder).glob("*.tf")):
        for block in load_hcl(f).get(kind, []):
            for t, named in block.items():
                if q(t) == rtype:
                    out.update({f"{f.name}:{q(n)}": b for n, b in named.items() if not n.startswith("__")})
    return out


def module_folders(root):
    return sorted(p for p in (pathlib.Path(root) / "modules").iterdir() if p.is_dir())


def module_calls(folder):
    out = {}
    for f in sorted(pathlib.Path(folder).glob("*.tf")):
        for block in load_hcl(f).get("module", []):
            out.update({q(n): b for n, b in block.items() if not n.startswith("__")})
    return out


def first(block, key):
    v = block.get(key) if isinstance(block, dict) else None
    return v[0] if isinstance(v, list) and v and isinstance(v[0], dict) else {}


# --- rules and alert routing ------------------------------------------------------------------

def rule_files(root, repo):
    """(errors, [(module folder, resource, resolved path)]) of the rule group namespaces."""
    errors, found = [], []
    repo = pathlib.Path(repo).resolve()
    for folder in module_folders(root):
        for name, body in blocks(folder, "resource", "aws_prometheus_rule_group_namespace").items():
            data = code(body.get("data", ""))
            m = re.fullmatch(r'file\(\s*"\$\{path\.module\}/([^"$]+)"\s*\)', data)
            if not m:
                errors.append(f"{folder.name}/{name}: data must be file(\"${{path.module}}/<path to {RULES}>\"), the file itself, not `{data[:60]}`")
                continue
            target = (folder / m.group(1)).resolve()
            if target != (repo / RULES).resolve():
                errors.append(f"{folder.name}/{name}: data reads {m.group(1)}, which is {target.relative_to(repo) if target.is_relative_to(repo) else target}, not {RULES}")
            elif not target.is_file():
                errors.append(f"{folder.name}/{name}: {RULES} does not exist")
            found.append((folder, name, target))
    return errors, found


def copies(root):
    """Rules files under terraform/: a copy that could drift from ops/prometheus/rules.yml."""
    out = []
    for p in sorted(pathlib.Path(root).rglob("*")):
        if p.is_file() and p.suffix in (".yml", ".yaml", ".json") and ".terraform" not in p.parts:
            text = p.read_text(errors="replace")
            if re.search(r"^\s*groups:", text, re.M) and re.search(r"\b(alert|record):", text):
                out.append(str(p))
    return out


def alerts(rules_path):
    """(name, severity) of every alert of a Prometheus rules file."""
    with open(rules_path) as f:
        data = yaml.safe_load(f)
    return [(r["alert"], (r.get("labels") or {}).get("severity")) for g in data.get("groups", []) for r in g.get("rules", [])
            if "alert" in r]


def matches(matchers, labels):
    """Alertmanager's `matchers` (label="v", label!="v", =~, !~) on `labels`."""
    for m in matchers or []:
        mm = re.fullmatch(r'\s*([A-Za-z_]\w*)\s*(=~|!~|!=|=)\s*"?([^"]*)"?\s*', m)
        if not mm:
            raise ValueError(f"cannot read the matcher {m!r}")
        name, op, value = mm.groups()
        have = labels.get(name, "")
        ok = {"=": have == value, "!=": have != value, "=~": re.fullmatch(value, have) is not None,
              "!~": re.fullmatch(value, have) is None}[op]
        if not ok:
            return False
    return True


def route(node, labels):
    """The receiver Alertmanager picks for `labels` (first matching child, `continue` off)."""
    for child in node.get("routes", []) or []:
        legacy = [f'{k}="{v}"' for k, v in (child.get("match") or {}).items()]
        if matches(list(child.get("matchers") or []) + legacy, labels):
            return route({**child, "receiver": child.get("receiver", node.get("receiver"))}, labels)
    return node.get("receiver")


def routing_errors(definition, topics, where):
    """Errors of an AMP alert manager definition: `topics` is {severity: topic ARN}."""
    errors = []
    try:
        config = yaml.safe_load(yaml.safe_load(definition)["alertmanager_config"])
    except Exception as e:
        return [f"{where}: the alert manager definition is not alertmanager_config YAML: {e}"]
    receivers = {r.get("name"): r for r in config.get("receivers", []) or []}
    for r in receivers.values():
        if set(r) - {"name", "sns_configs"}:
            errors.append(f"{where}: receiver {r.get('name')}: only SNS receivers reach the on-call ({sorted(set(r) - {'name', 'sns_configs'})})")
        for s in r.get("sns_configs", []) or []:
            if not (s.get("sigv4") or {}).get("region"):
                errors.append(f"{where}: receiver {r.get('name')}: an sns_config without sigv4.region (AMP cannot sign for SNS without it)")
    for severity, topic in topics.items():
        try:
            name = route(config.get("route") or {}, {"severity": severity, "alertname": "PgeSample"})
        except ValueError as e:
            errors.append(f"{where}: {e}")
            continue
        got = [s.get("topic_arn") for s in (receivers.get(name) or {}).get("sns_configs", []) or []]
        if got != [topic]:
            errors.append(f"{where}: an alert of severity {severity} goes to receiver {name!r}, topics {got}: it must reach the {severity} topic {topic} and only it")
    return errors


def rules(root="terraform", repo="."):
    errors, found = rule_files(root, repo)
    if not found and not errors:
        errors.append(f"no aws_prometheus_rule_group_namespace: the alerts of {RULES} are loaded nowhere")
    for c in copies(root):
        errors.append(f"{c}: a Prometheus rules file under terraform/: the rule groups must read {RULES} itself")
    rules_path = pathlib.Path(repo) / RULES
    names = []
    if rules_path.is_file():
        for name, severity in alerts(rules_path):
            names.append(name)
            if severity not in SEVERITIES:
                errors.append(f"{RULES}: alert {name} has severity {severity!r}: page or ticket (the alert manager routes on it)")
    folders = {f.name for f, _, _ in found}
    try:
        for env in ENVS:
            s = tfeval.environment(root, env)
            calls = {n: q(b.get("source", "")) for n, b in s.folder.named("module").items()}
            for folder in sorted(folders):
                if f"../../modules/{folder}" not in calls.values():
                    errors.append(f"{env}: does not use module {folder}: its Prometheus workspace would have no rules")
            if MODULE not in calls:
                continue
            mod = s.module(MODULE)
            definitions = mod.folder.typed("resource")
            ams = [b for k, b in definitions.items() if k.startswith("aws_prometheus_alert_manager_definition.")]
            if len(ams) != 1:
                errors.append(f"{env}: {len(ams)} alert manager definitions in module {MODULE}: one routes the alerts to the on-call")
                continue
            oncall = mod.scope.module("oncall")
            topics = {sev: oncall.output(f"{sev}_topic_arn") for sev in SEVERITIES}
            errors += routing_errors(mod.scope.value(ams[0]["definition"]), topics, f"{env}: alert manager")
    except (tfeval.EvalError, KeyError) as e:
        errors.append(f"cannot evaluate the alert manager definition: {e}")
    return errors, (f"the rule group reads {RULES} ({len(names)} alerts, each page or ticket) in both environments; "
                    "pages to the page topic, tickets to the ticket topic")


# --- alarms -------------------------------------------------------------------------------------

def metrics_of(alarm):
    """(namespace, metric) pairs an alarm reads: its own, its metric_query metrics, and the
    SCHEMA/MAX of a Metrics Insights expression."""
    out = []
    if alarm.get("metric_name"):
        out.append((q(alarm.get("namespace", "")), q(alarm["metric_name"])))
    for mq in alarm.get("metric_query", []) or []:
        m = first(mq, "metric")
        if m:
            out.append((q(m.get("namespace", "")), q(m.get("metric_name", ""))))
        e = q(mq.get("expression", "")) or ""
        mi = re.search(r'SELECT\s+\w+\((\w+)\)\s+FROM\s+SCHEMA\(\\?"([^"\\]+)\\?"', e)
        if mi:
            out.append((mi.group(2), mi.group(1)))
    return out


def for_each_values(alarm, key):
    """The values of `each.value.<key>` in an alarm's literal for_each map."""
    fe = alarm.get("for_each")
    return [q(v.get(key)) for v in fe.values()] if isinstance(fe, dict) else []


def oncall_calls(folder):
    """{module call name: provider of its aws ('aws' or 'aws.us_east_1')} of the oncall
    module calls of `folder`."""
    out = {}
    for name, body in module_calls(folder).items():
        if q(body.get("source", "")) == ONCALL_SOURCE:
            providers = body.get("providers") or {}
            out[name] = code(providers.get("aws", "aws")) if isinstance(providers, dict) else "aws"
    return out


def topic_refs(values, calls):
    """(call, severity) of each value, or None for a value that is no on-call topic."""
    out = []
    for v in values if isinstance(values, list) else [values]:
        m = re.fullmatch(r"module\.(\w+)\.(page|ticket)_topic_arn", code(v))
        out.append((m.group(1), m.group(2)) if m and m.group(1) in calls else None)
    return out


def notify_errors(where, provider, declared, actions, calls):
    """Errors of one list of actions: each an on-call topic of the alarm's region, of the
    severity its description declares."""
    errors = []
    refs = topic_refs(actions, calls)
    if not refs:
        errors.append(f"{where}: no action: nobody hears it (an on-call topic: module.oncall.page_topic_arn or ticket_topic_arn)")
    for v, ref in zip(actions if isinstance(actions, list) else [actions], refs):
        if ref is None:
            errors.append(f"{where}: action {code(v)} is not an on-call topic (module.<oncall>.page_topic_arn or ticket_topic_arn)")
            continue
        call, severity = ref
        if calls[call] != provider:
            errors.append(f"{where}: notifies module.{call}'s topic (provider {calls[call]}) from an alarm of provider {provider}: CloudWatch notifies topics of its own region only")
        if declared and severity != declared:
            errors.append(f"{where}: its description says {declared} but it notifies the {severity} topic")
    return errors


def alarm_errors(root="terraform"):
    errors, covered, count = [], set(), 0
    replicas = []
    for folder in module_folders(root):
        for name, db in blocks(folder, "resource", "aws_db_instance").items():
            if db.get("replicate_source_db"):
                replicas.append(f"{folder.name}/{name}")
    for folder in module_folders(root):
        calls = oncall_calls(folder)
        for name, alarm in blocks(folder, "resource", "aws_cloudwatch_metric_alarm").items():
            count += 1
            where = f"{folder.name}/{name}"
            provider = code(alarm.get("provider", "aws"))
            m = re.match(r"(page|ticket):", q(alarm.get("alarm_description", "")) or "")
            declared = m.group(1) if m else None
            if not declared:
                errors.append(f"{where}: alarm_description must start with its severity, page: or ticket:")
            errors += notify_errors(where, provider, declared, alarm.get("alarm_actions") or [], calls)
            if "ok_actions" in alarm:
                errors += notify_errors(f"{where} (ok_actions)", provider, declared, alarm.get("ok_actions") or [], calls)
            pairs = metrics_of(alarm)
            for ns, metric in pairs:
                if metric.startswith("${each.value."):
                    for v in for_each_values(alarm, metric[len("${each.value."):-1]):
                        covered.add((ns, v))
                else:
                    covered.add((ns, metric))
                want = US_EAST_1 if ns in US_EAST_1_NAMESPACES else "aws"
                if provider != want:
                    errors.append(f"{where}: {ns} metrics are {'only in us-east-1' if want == US_EAST_1 else 'in the default region'}: the alarm's provider must be {want}, not {provider}")
            if not pairs:
                errors.append(f"{where}: reads no metric the check understands")
            # The SES thresholds come from the variables whose validations keep them below SES's pause.
            if any(ns == "AWS/SES" for ns, _ in pairs):
                text = json.dumps(alarm)
                if not re.search(r"var\.ses_(bounce|complaint)_rate_alarm", text) or re.search(r'"threshold": [0-9]', text):
                    errors.append(f"{where}: an SES alarm's threshold must come from var.ses_bounce_rate_alarm or var.ses_complaint_rate_alarm (validated well below SES's pause)")
        for name, budget in blocks(folder, "resource", "aws_budgets_budget").items():
            notes = budget.get("notification", []) or []
            if not notes:
                errors.append(f"{folder.name}/{name}: a budget without notification tells nobody")
            for i, n in enumerate(notes):
                errors += notify_errors(f"{folder.name}/{name} notification {i + 1}", "aws", None, n.get("subscriber_sns_topic_arns") or [], calls)
    for key, what in REQUIRED_METRICS.items():
        if key not in covered:
            errors.append(f"no alarm on {what} ({key[0]} {key[1]})")
    for r in replicas:
        if ("AWS/RDS", "ReplicaLag") not in covered:
            errors.append(f"{r} is a read replica: alarm on its ReplicaLag")
    # The SES thresholds' validations, on sample values.
    obs = pathlib.Path(root) / "modules" / MODULE
    parsed = [load_hcl(f) for f in sorted(obs.glob("*.tf"))] if obs.is_dir() else []
    for var, (good, bad) in SES_THRESHOLDS.items():
        conds = validations(parsed, var)
        if not conds:
            errors.append(f"modules/{MODULE}: variable {var} has no validation (an SES threshold above SES's own)")
            continue
        for v in good:
            if not all(evaluate(c, var, v) for c in conds):
                errors.append(f"modules/{MODULE}: var.{var} refuses {v}, which it must accept")
        for v in bad:
            if all(evaluate(c, var, v) for c in conds):
                errors.append(f"modules/{MODULE}: var.{var} accepts {v}, at or above the rate SES reviews or pauses an account")
    return errors, f"{count} alarms and the budget notify an on-call topic of their region; {len(REQUIRED_METRICS)} metrics covered"


# --- logs ------------------------------------------------------------------------------------------

def retention_errors(where, folder, retention):
    c = code(retention)
    if re.fullmatch(r"\d+", c):
        return [] if int(c) >= MIN_RETENTION_DAYS else [f"{where}: retention_in_days = {c}, under {MIN_RETENTION_DAYS} days"]
    m = re.fullmatch(r"var\.(\w+)", c)
    if not m:
        return [f"{where}: retention_in_days = {c}: a literal or a variable of the module"]
    var = m.group(1)
    parsed = [load_hcl(f) for f in sorted(pathlib.Path(folder).glob("*.tf"))]
    default = None
    for d in parsed:
        for block in d.get("variable", []):
            for n, body in block.items():
                if q(n) == var:
                    default = body.get("default")
    errors = []
    if not isinstance(default, int) or default < MIN_RETENTION_DAYS:
        errors.append(f"{where}: var.{var} defaults to {default!r}, under {MIN_RETENTION_DAYS} days")
    conds = validations(parsed, var) or []
    if not conds or any(all(evaluate(cond, var, v) for cond in conds) for v in (0, 30, 90, 180, 364)):
        errors.append(f"{where}: var.{var} must have a validation refusing less than {MIN_RETENTION_DAYS} days (0 = forever is refused too)")
    return errors


def query_errors(queries, runbook_text, where):
    """The saved Logs Insights queries {name: text}."""
    errors = []
    runbook_fields = set(re.findall(r"\b([a-z_]+(?:\.[a-z_]+)*)\b", runbook_text))
    has_request = has_routes = False
    for name, text in queries.items():
        if 'kubernetes.namespace_name = "' not in text:
            errors.append(f"{where}: query {name!r} does not keep to pge's namespace (kubernetes.namespace_name)")
        if name not in runbook_text:
            errors.append(f"{where}: query {name!r} is not named in docs/RUNBOOK.md (where to look)")
        for field in re.findall(r"\blog_processed\.([A-Za-z_.]+[A-Za-z_])", text):
            if field not in runbook_fields:
                errors.append(f"{where}: query {name!r} reads log_processed.{field}: docs/RUNBOOK.md names no such field of pge's log lines")
        if re.search(r"\b(?<!log_processed\.)span\.(request_id|route)\b", text) or re.search(r"(^|[\s(|])(?<!\.)(message|status) *(=|>)", text):
            errors.append(f"{where}: query {name!r} reads a field of pge's line without log_processed. (Fluent Bit nests the JSON line there)")
        if re.search(r'filter\b.*\blog_processed\.span\.request_id\s*=\s*"', text):
            has_request = True
        if (re.search(r"log_processed\.status\s*>=\s*500", text)
                and re.search(r"stats\s+count\(\*\).*\bby\b[^|]*log_processed\.span\.route", text)):
            has_routes = True
    if not has_request:
        errors.append(f"{where}: no saved query filters on log_processed.span.request_id = \"...\" (everything about one request)")
    if not has_routes:
        errors.append(f"{where}: no saved query counts log_processed.status >= 500 by log_processed.span.route (errors by route)")
    return errors


def runbook_where_to_look(path="docs/RUNBOOK.md"):
    text = pathlib.Path(path).read_text()
    m = re.search(r"^## Where to look\n(.*?)(?=^## )", text, re.M | re.S)
    return m.group(1) if m else ""


def log_errors(root="terraform", runbook="docs/RUNBOOK.md"):
    errors, count = [], 0
    for folder in module_folders(root):
        for name, group in blocks(folder, "resource", "aws_cloudwatch_log_group").items():
            count += 1
            where = f"{folder.name}/{name}"
            if not code(group.get("kms_key_id", "")).strip('"'):
                errors.append(f"{where}: no kms_key_id: the log group must be encrypted with a key of ours")
            if "retention_in_days" not in group:
                errors.append(f"{where}: no retention_in_days: CloudWatch keeps it forever")
            else:
                errors += retention_errors(where, folder, group["retention_in_days"])
    where_to_look = runbook_where_to_look(runbook)
    try:
        for env in ENVS:
            mod = tfeval.environment(root, env).module(MODULE)
            defs = {k: b for k, b in mod.folder.typed("resource").items() if k.startswith("aws_cloudwatch_query_definition.")}
            if not defs:
                errors.append(f"{env}: no saved Logs Insights query (aws_cloudwatch_query_definition)")
            queries = {}
            for key, body in defs.items():
                groups = " ".join(code(g) for g in body.get("log_group_names", []) or [])
                if 'aws_cloudwatch_log_group.containers["application"]' not in groups:
                    errors.append(f"{env}: {key}: log_group_names must be the containers' application group, where Fluent Bit ships pge's lines")
                src = code(body.get("for_each", ""))
                if src.startswith("local."):
                    for qname, qtext in mod.scope.value("${" + src + "}").items():
                        queries[q(qname)] = qtext
                else:
                    queries[q(body.get("name", key))] = mod.scope.value(body.get("query_string", ""))
            errors += query_errors(queries, where_to_look, env)
    except tfeval.EvalError as e:
        errors.append(str(e))
    return errors, f"{count} log groups encrypted and kept a year or more; saved queries for a request id and for errors by route"


# --- topics ------------------------------------------------------------------------------------------

def topic_errors(root="terraform"):
    errors, count = [], 0
    for folder in module_folders(root):
        for name, topic in blocks(folder, "resource", "aws_sns_topic").items():
            count += 1
            key = code(topic.get("kms_master_key_id", "")).strip('"')
            if not key:
                errors.append(f"{folder.name}/{name}: no kms_master_key_id: the topic is not encrypted")
            elif "alias/aws/sns" in key:
                errors.append(f"{folder.name}/{name}: encrypted with SNS's AWS-managed key, which CloudWatch alarms and Budgets cannot use: a key of ours")
        for name, sub in blocks(folder, "resource", "aws_sns_topic_subscription").items():
            proto = code(sub.get("protocol", ""))
            if proto.startswith("each.value."):
                protos = set(re.findall(r'protocol\s*=\s*"(\w+)"', (folder / "main.tf").read_text()))
            else:
                protos = {q(proto)}
            if protos - {"email", "sms"}:
                errors.append(f"{folder.name}/{name}: protocols {sorted(protos)}: the on-call is reached by e-mail and SMS only")
    oncall = pathlib.Path(root) / "modules" / "oncall"
    if oncall.is_dir():
        text = " ".join(p.read_text() for p in oncall.glob("*.tf"))
        for topic, proto in (("page", "email"), ("page", "sms"), ("ticket", "email")):
            if not re.search(rf'topic\s*=\s*"{topic}",\s*protocol\s*=\s*"{proto}"', text):
                errors.append(f"modules/oncall: the {topic} topic has no {proto} subscription")
        if re.search(r'topic\s*=\s*"ticket",\s*protocol\s*=\s*"sms"', text):
            errors.append("modules/oncall: tickets by SMS: an SMS wakes the on-call, only pages may")
    else:
        errors.append("no module oncall (the on-call's topics)")
    if not count:
        errors.append("no SNS topic")
    return errors, f"{count} SNS topics encrypted with a key of ours; pages by e-mail and SMS, tickets by e-mail"


# --- pinned versions -------------------------------------------------------------------------------

def pin_errors(root="terraform", deployment="docs/DEPLOYMENT.md"):
    errors = []
    folder = pathlib.Path(root) / "modules" / MODULE
    addons = blocks(folder, "resource", "aws_eks_addon")
    if not addons:
        errors.append(f"modules/{MODULE}: no EKS add-on (the collectors)")
    doc = pathlib.Path(deployment).read_text()
    variables = {}
    for f in sorted(folder.glob("*.tf")):
        for block in load_hcl(f).get("variable", []):
            variables.update({q(n): b for n, b in block.items()})
    names = {}
    for key, addon in addons.items():
        names[q(addon.get("addon_name"))] = key
        version = code(addon.get("addon_version", ""))
        m = re.fullmatch(r"var\.(\w+)\.(\w+)", version)
        if m and isinstance((variables.get(m.group(1)) or {}).get("default"), dict):
            version = q(variables[m.group(1)]["default"].get(m.group(2), ""))
        else:
            version = q(version)
        if not ADDON_VERSION.fullmatch(version or ""):
            errors.append(f"modules/{MODULE}/{key}: add-on {q(addon.get('addon_name'))} not pinned to an exact version (vX.Y.Z-eksbuild.N): {version!r}")
        elif version not in doc:
            errors.append(f"modules/{MODULE}/{key}: docs/DEPLOYMENT.md does not name {q(addon.get('addon_name'))} {version}")
    if "adot" in names:
        deps = " ".join(code(d) for d in addons[names["adot"]].get("depends_on", []) or [])
        if "cert-manager" in names and names["cert-manager"].split(":")[1] not in deps:
            errors.append(f"modules/{MODULE}: the adot add-on must depend on the cert-manager add-on (its operator's webhooks need cert-manager)")
    for wanted in ("adot", "cert-manager", "amazon-cloudwatch-observability"):
        if wanted not in names:
            errors.append(f"modules/{MODULE}: no {wanted} add-on")
    return errors, f"{len(addons)} EKS add-ons pinned and named in docs/DEPLOYMENT.md"


# --- scripts/provision-dashboards.sh against stand-ins ----------------------------------------------

ENV = {"PGE_GRAFANA_URL": "https://g-0123456789.grafana-workspace.eu-central-1.amazonaws.com",
       "PGE_GRAFANA_WORKSPACE_ID": "g-0123456789", "PGE_GRAFANA_SERVICE_ACCOUNT_ID": "7",
       "PGE_GRAFANA_REGION": "eu-central-1",
       "PGE_PROMETHEUS_URL": "https://aps-workspaces.eu-west-3.amazonaws.com/workspaces/ws-0a1b2c3d/",
       "PGE_PROMETHEUS_REGION": "eu-west-3"}
STUB_DIR = pathlib.Path(__file__).resolve().parent


def run_provision(script, dashboards, work, env=ENV, refuse=None, store=None):
    """Runs the script with the stand-ins first on the PATH; `refuse` a dashboard uid the
    stand-in Grafana answers 400; `store` the stand-ins' state of an earlier run. (completed
    process, its aws calls, its Grafana requests, the store)"""
    run = pathlib.Path(tempfile.mkdtemp(dir=work))
    store = pathlib.Path(store) if store else run / "store"
    stubs = run / "bin"
    stubs.mkdir()
    py = sys.executable
    for tool, target in (("aws", "aws_stub.py"), ("curl", "grafana_stub.py")):
        (stubs / tool).write_text(f'#!/bin/sh\nPYTHONDONTWRITEBYTECODE=1 exec "{py}" "{STUB_DIR / target}" "$@"\n')
        (stubs / tool).chmod(0o755)
    envfile = run / "dashboards.env"
    envfile.write_text("".join(f"{k}={v}\n" for k, v in env.items()))
    envp = {k: v for k, v in os.environ.items() if not k.startswith(("PGE_", "AWS_", "GRAFANA_"))}
    envp.update(PATH=f"{stubs}:{envp['PATH']}", AWS_STUB_LOG=str(run / "aws.log"), AWS_STUB_STORE=str(store),
                GRAFANA_STUB_DIR=str(store / "grafana"), GRAFANA_STUB_REFUSE=refuse or "")
    glog = store / "grafana" / "requests.log"
    before = len(glog.read_text().splitlines()) if glog.exists() else 0
    r = subprocess.run(["bash", script, "--env-file", str(envfile), "--dashboards", str(dashboards)],
                       env=envp, capture_output=True, text=True)
    log = run / "aws.log"
    calls = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    requests = [json.loads(line) for line in glog.read_text().splitlines()[before:]] if glog.exists() else []
    return r, calls, requests, store


def token_errors(calls, what):
    errors = []
    made = [c for c in calls if c[:2] == ["grafana", "create-workspace-service-account-token"]]
    gone = [c for c in calls if c[:2] == ["grafana", "delete-workspace-service-account-token"]]
    if len(made) != 1:
        return [f"{what}: {len(made)} tokens minted, one expected"]
    c = made[0]
    ttl = int(c[c.index("--seconds-to-live") + 1]) if "--seconds-to-live" in c else None
    if ttl is None or ttl > 3600:
        errors.append(f"{what}: the token lives {ttl} seconds: an hour at most (it is a workspace admin)")
    for flag in ("--workspace-id", "--service-account-id", "--region"):
        want = {"--workspace-id": ENV["PGE_GRAFANA_WORKSPACE_ID"], "--service-account-id": ENV["PGE_GRAFANA_SERVICE_ACCOUNT_ID"],
                "--region": ENV["PGE_GRAFANA_REGION"]}[flag]
        if flag not in c or c[c.index(flag) + 1] != want:
            errors.append(f"{what}: the token is not minted with {flag} {want}")
    if len(gone) != 1 or calls.index(gone[0]) != len(calls) - 1:
        errors.append(f"{what}: the token is not deleted last ({len(gone)} deletions): it stays valid after the job")
    return errors


def datasource_errors(reqs, method, what):
    errors = []
    ds = [x for x in reqs if x["path"] in ("/api/datasources", "/api/datasources/uid/pge-prometheus") and x["method"] in ("POST", "PUT")]
    if [x["method"] for x in ds] != [method]:
        errors.append(f"{what}: the data source is not {'created (POST /api/datasources after a 404)' if method == 'POST' else 'updated (PUT /api/datasources/uid/pge-prometheus)'}: {[x['method'] for x in ds]}")
    for x in ds:
        body, jd = x["body"] or {}, (x["body"] or {}).get("jsonData") or {}
        if (body.get("type") != "prometheus" or body.get("uid") != "pge-prometheus" or body.get("isDefault") is not True
                or body.get("url") != ENV["PGE_PROMETHEUS_URL"].rstrip("/")):
            errors.append(f"{what}: the data source is not the default Prometheus on the workspace's URL: {body}")
        if jd.get("sigV4Auth") is not True or jd.get("sigV4Region") != ENV["PGE_PROMETHEUS_REGION"]:
            errors.append(f"{what}: the data source does not sign its queries for {ENV['PGE_PROMETHEUS_REGION']} (SigV4): {jd}")
    return errors


def posted_errors(reqs, wanted, dashboards, what):
    errors = []
    posted = {(x["body"] or {}).get("dashboard", {}).get("uid"): x["body"] for x in reqs if x["path"] == "/api/dashboards/db"}
    for uid, dash in wanted.items():
        body = posted.get(uid)
        if body is None:
            errors.append(f"{what}: dashboard {uid} ({dashboards}) is not provisioned")
            continue
        if body.get("overwrite") is not True:
            errors.append(f"{what}: dashboard {uid} posted without overwrite: the next deploy cannot update it")
        sent = dict(body.get("dashboard") or {})
        if sent.pop("id", "missing") is not None:
            errors.append(f"{what}: dashboard {uid} posted without id null (Grafana would look for another dashboard's id)")
        if sent != {k: v for k, v in dash.items() if k != "id"}:
            errors.append(f"{what}: dashboard {uid}: what is posted differs from its file in {dashboards}")
    if any(x.get("auth") != "live" for x in reqs):
        errors.append(f"{what}: a request to Grafana without a live minted token")
    return errors


def dashboard_errors(script="scripts/provision-dashboards.sh", dashboards="ops/grafana", work="."):
    files = sorted(pathlib.Path(dashboards).glob("*.json"))
    if not files:
        return [f"no dashboard in {dashboards}"], ""
    wanted = {}
    for f in files:
        d = json.loads(f.read_text())
        wanted[d["uid"]] = d
    errors = []
    r, calls, reqs, store = run_provision(script, dashboards, work)
    if r.returncode != 0:
        return [f"a healthy Grafana: the script failed: {r.stderr.strip()[-400:]}"], ""
    errors += token_errors(calls, "first run")
    errors += datasource_errors(reqs, "POST", "first run")
    errors += posted_errors(reqs, wanted, dashboards, "first run")
    # The next deploy, on the same Grafana: the data source updated, the dashboards overwritten.
    r, calls, reqs, _ = run_provision(script, dashboards, work, store=store)
    if r.returncode != 0:
        errors.append(f"second run: the script failed: {r.stderr.strip()[-400:]}")
    errors += token_errors(calls, "second run")
    errors += datasource_errors(reqs, "PUT", "second run")
    errors += posted_errors(reqs, wanted, dashboards, "second run")
    # A refused dashboard: the script fails, and the token is deleted all the same.
    refused = next(iter(wanted))
    r, calls, _, _ = run_provision(script, dashboards, work, refuse=refused)
    if r.returncode == 0:
        errors.append(f"Grafana refused dashboard {refused} (400) and the script succeeded")
    errors += token_errors(calls, "a refused dashboard")
    # Refusals before any AWS call.
    bad = pathlib.Path(tempfile.mkdtemp(dir=work))
    (bad / "x.json").write_text(json.dumps({"title": "no uid", "panels": []}))
    cases = (("an http Grafana URL", dict(ENV, PGE_GRAFANA_URL=ENV["PGE_GRAFANA_URL"].replace("https:", "http:")), dashboards),
             ("an http Prometheus URL", dict(ENV, PGE_PROMETHEUS_URL=ENV["PGE_PROMETHEUS_URL"].replace("https:", "http:")), dashboards),
             ("no service account", {k: v for k, v in ENV.items() if k != "PGE_GRAFANA_SERVICE_ACCOUNT_ID"}, dashboards),
             ("a dashboard without a uid", ENV, bad))
    for what, env, folder in cases:
        r, calls, _, _ = run_provision(script, folder, work, env=env)
        if r.returncode == 0 or calls:
            errors.append(f"{what}: not refused before any AWS call (exit {r.returncode}, {len(calls)} aws calls)")
    return errors, (f"{len(wanted)} dashboard(s) of {dashboards} posted as written with overwrite, then updated; the default "
                    "SigV4 data source created then updated; a 15-minute token deleted last, also when Grafana refuses; "
                    "bad values refused before any AWS call")


# --- the chart sends its traces to the collector ------------------------------------------------

def collector(root="terraform"):
    """(otlp endpoint, namespace, add-on configuration) of the observability module, as
    staging's Terraform evaluates them."""
    mod = tfeval.environment(root, "staging").module(MODULE)
    adot = next((b for k, b in mod.folder.typed("resource").items()
                 if k.startswith("aws_eks_addon.") and q(b.get("addon_name")) == "adot"), None)
    config = json.dumps(adot.get("configuration_values")) if adot else ""
    return mod.output("otlp_endpoint"), mod.output("collector_namespace"), config


def telemetry_errors(setname, docs, endpoint, namespace):
    """The rendered set `docs`: the API's and the worker's traces to `endpoint`, a Service
    of `namespace`, reachable through their NetworkPolicy; /metrics open to `namespace`."""
    errors = []
    m = re.fullmatch(r"https?://([a-z0-9-]+)\.([a-z0-9-]+)\.svc(?:\.cluster\.local)?:(\d+)", endpoint or "")
    if not m or m.group(2) != namespace:
        return [f"{setname}: the OTLP endpoint {endpoint!r} is not a Service of the collectors' namespace {namespace} with a port"]
    port = int(m.group(3))
    deps = {d["metadata"]["labels"].get("app.kubernetes.io/component"): d for d in docs if d.get("kind") == "Deployment"}
    pols = {p["spec"]["podSelector"]["matchLabels"].get("app.kubernetes.io/component"): p for p in docs if p.get("kind") == "NetworkPolicy"}
    for comp in ("api", "worker"):
        if comp not in deps:
            errors.append(f"{setname}: no {comp} Deployment")
            continue
        env = {e["name"]: e.get("value") for c in deps[comp]["spec"]["template"]["spec"]["containers"] for e in c.get("env", [])}
        if env.get("OTEL_EXPORTER_OTLP_ENDPOINT") != endpoint:
            errors.append(f"{setname}: {comp}: OTEL_EXPORTER_OTLP_ENDPOINT is {env.get('OTEL_EXPORTER_OTLP_ENDPOINT')!r}, not the collector's {endpoint} (helm_values telemetry.otlpEndpoint = module.observability.otlp_endpoint)")
        if env.get("OTEL_SERVICE_NAME") != f"pge-{comp}":
            errors.append(f"{setname}: {comp}: OTEL_SERVICE_NAME is {env.get('OTEL_SERVICE_NAME')!r}, not pge-{comp}")
        pol = pols.get(comp)
        if not pol:
            errors.append(f"{setname}: {comp}: no NetworkPolicy")
            continue
        def to_ns(peer):
            return (peer.get("namespaceSelector") or {}).get("matchLabels", {}).get("kubernetes.io/metadata.name")
        egress = [r for r in pol["spec"].get("egress", []) or []
                  if any(to_ns(p) == namespace for p in r.get("to", []) or []) and any(x.get("port") == port for x in r.get("ports", []) or [])]
        if not egress:
            errors.append(f"{setname}: {comp}: the NetworkPolicy does not let the pods reach the collector ({namespace}, port {port}): every trace would be dropped")
        ingress = [r for r in pol["spec"].get("ingress", []) or [] if any(to_ns(p) == namespace for p in r.get("from", []) or [])]
        if not ingress:
            errors.append(f"{setname}: {comp}: /metrics is not open to the collectors' namespace {namespace}: nothing is scraped")
    return errors


def telemetry(rendered, root="terraform"):
    from .chart import rendered_sets
    errors = []
    try:
        endpoint, namespace, config = collector(root)
    except tfeval.EvalError as e:
        return [str(e)], ""
    if not re.match(r"https?://adot-col-otlp-ingest-collector\.", endpoint) or not endpoint.endswith(":4318"):
        errors.append(f"modules/{MODULE}: otlp_endpoint {endpoint} is not the ADOT add-on's OTLP collector (adot-col-otlp-ingest-collector) on OTLP/HTTP's port 4318")
    if not re.search(r'otlpIngest[^}]*xray[^}]*enabled[^}]*true', config):
        errors.append(f"modules/{MODULE}: the adot add-on's otlpIngest collector has no xray pipeline enabled: the traces it receives go nowhere")
    if not re.search(r'prometheusMetrics[^}]*amp[^}]*enabled[^}]*true', config):
        errors.append(f"modules/{MODULE}: the adot add-on's prometheusMetrics collector has no amp pipeline enabled: nothing reaches the Prometheus workspace")
    sets = list(rendered_sets(rendered, "terraform-*.yaml"))
    if not sets:
        errors.append("no Terraform render of the chart")
    for setname, docs, _ in sets:
        errors += telemetry_errors(setname, docs, endpoint, namespace)
    return errors, f"{len(sets)} Terraform renders: API and worker traces to {endpoint}, reachable, /metrics open to {namespace}"


CHECKS = {"rules": rules, "alarms": alarm_errors, "logs": log_errors, "topics": topic_errors, "pins": pin_errors}


def main(args):
    """args: rules|alarms|logs|topics|pins, dashboards and a scratch folder, or telemetry and
    the folder of rendered manifests. Run from the repository's root."""
    if args[0] == "dashboards":
        errors, ok = dashboard_errors(work=args[1])
    elif args[0] == "telemetry":
        errors, ok = telemetry(args[1])
    else:
        errors, ok = CHECKS[args[0]]()
    return finish(errors, ok)
