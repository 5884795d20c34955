"""Unit tests of the observability checks (deploycheck/observability.py), on small inputs
written here."""
import unittest

from deploycheck import observability as obs
from deploycheck.tests.test_terraform import tree

PAGE, TICKET = "arn:aws:sns:eu-west-3:1:page", "arn:aws:sns:eu-west-3:1:ticket"
AM = """alertmanager_config: |
  route:
    receiver: ticket
    routes:
      - receiver: page
        matchers:
          - severity="page"
  receivers:
    - name: page
      sns_configs:
        - topic_arn: %s
          sigv4:
            region: eu-west-3
    - name: ticket
      sns_configs:
        - topic_arn: %s
          sigv4:
            region: eu-west-3
"""


class Routing(unittest.TestCase):
    def test_pages_and_tickets_to_their_topics(self):
        self.assertEqual(obs.routing_errors(AM % (PAGE, TICKET), {"page": PAGE, "ticket": TICKET}, "x"), [])

    def test_page_to_the_ticket_topic(self):
        errors = obs.routing_errors(AM % (TICKET, TICKET), {"page": PAGE, "ticket": TICKET}, "x")
        self.assertEqual(len(errors), 1, errors)
        self.assertTrue(errors[0].startswith("x: an alert of severity page goes to receiver 'page'"), errors)

    def test_no_region_and_legacy_match(self):
        am = (AM % (PAGE, TICKET)).replace("          sigv4:\n            region: eu-west-3\n", "", 1).replace(
            '        matchers:\n          - severity="page"', "        match:\n          severity: page")
        self.assertEqual(obs.routing_errors(am, {"page": PAGE, "ticket": TICKET}, "x"),
                         ["x: receiver page: an sns_config without sigv4.region (AMP cannot sign for SNS without it)"])

    def test_matchers(self):
        self.assertTrue(obs.matches(['severity=~"page|ticket"', 'slo!="x"'], {"severity": "page"}))
        self.assertFalse(obs.matches(['severity="page"'], {"severity": "ticket"}))


RULES = "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        labels:\n          severity: %s\n"
MODULE = 'resource "aws_prometheus_rule_group_namespace" "pge" {\n  name = "pge"\n  data = %s\n}\n'


class RuleFiles(unittest.TestCase):
    def files(self, data, extra=None):
        return tree({"ops/prometheus/rules.yml": RULES % "page", "terraform/modules/observability/main.tf": MODULE % data, **(extra or {})})

    def test_the_file_itself(self):
        with self.files('file("${path.module}/../../../ops/prometheus/rules.yml")') as d:
            errors, found = obs.rule_files(f"{d}/terraform", d)
            self.assertEqual(errors, [])
            self.assertEqual(len(found), 1)
            self.assertEqual(obs.copies(f"{d}/terraform"), [])
            self.assertEqual(obs.alerts(f"{d}/ops/prometheus/rules.yml"), [("A", "page")])

    def test_a_copy_and_inline_rules(self):
        with self.files('file("${path.module}/rules.yml")', {"terraform/modules/observability/rules.yml": RULES % "page"}) as d:
            errors, _ = obs.rule_files(f"{d}/terraform", d)
            self.assertEqual(errors, ["observability/main.tf:pge: data reads rules.yml, which is terraform/modules/observability/rules.yml, not ops/prometheus/rules.yml"])
            self.assertEqual(len(obs.copies(f"{d}/terraform")), 1)
        with self.files('"groups: []"') as d:
            errors, _ = obs.rule_files(f"{d}/terraform", d)
            self.assertTrue(errors[0].startswith("observability/main.tf:pge: data must be file("), errors)


CALLS = {"oncall": "aws", "oncall_us_east_1": "aws.us_east_1"}


class Notify(unittest.TestCase):
    def test_topic_of_its_region_and_severity(self):
        self.assertEqual(obs.notify_errors("a", "aws", "page", ["${module.oncall.page_topic_arn}"], CALLS), [])
        self.assertEqual(obs.notify_errors("a", "aws.us_east_1", "ticket", ["${module.oncall_us_east_1.ticket_topic_arn}"], CALLS), [])

    def test_wrong_region_severity_or_topic(self):
        self.assertEqual(obs.notify_errors("a", "aws.us_east_1", "page", ["${module.oncall.page_topic_arn}"], CALLS),
                         ["a: notifies module.oncall's topic (provider aws) from an alarm of provider aws.us_east_1: CloudWatch notifies topics of its own region only"])
        self.assertEqual(obs.notify_errors("a", "aws", "page", ["${module.oncall.ticket_topic_arn}"], CALLS),
                         ["a: its description says page but it notifies the ticket topic"])
        self.assertEqual(obs.notify_errors("a", "aws", "page", ['"arn:aws:sns:eu-west-3:1:other"'], CALLS),
                         ['a: action "arn:aws:sns:eu-west-3:1:other" is not an on-call topic (module.<oncall>.page_topic_arn or ticket_topic_arn)'])
        self.assertTrue(obs.notify_errors("a", "aws", "page", [], CALLS)[0].startswith("a: no action"))


class Metrics(unittest.TestCase):
    def test_metric_queries_and_metrics_insights(self):
        alarm = {"metric_query": [{"id": '"a"', "metric": [{"namespace": '"AWS/RDS"', "metric_name": '"CPUUtilization"'}]},
                                  {"id": '"b"', "expression": '"SELECT MAX(UnHealthyHostCount) FROM SCHEMA(\\"AWS/ApplicationELB\\", LoadBalancer)"'}]}
        self.assertEqual(obs.metrics_of(alarm), [("AWS/RDS", "CPUUtilization"), ("AWS/ApplicationELB", "UnHealthyHostCount")])


VAR = 'variable "days" {\n  type = number\n  default = %d\n%s}\n'
VALIDATION = '  validation {\n    condition = contains([365, 400, 731], var.days)\n    error_message = "x"\n  }\n'


class Retention(unittest.TestCase):
    def test_literal_and_variable(self):
        self.assertEqual(obs.retention_errors("g", ".", 400), [])
        self.assertEqual(obs.retention_errors("g", ".", 30), ["g: retention_in_days = 30, under 365 days"])
        with tree({"v.tf": VAR % (365, VALIDATION)}) as d:
            self.assertEqual(obs.retention_errors("g", d, "${var.days}"), [])
        with tree({"v.tf": VAR % (30, "")}) as d:
            self.assertEqual(obs.retention_errors("g", d, "${var.days}"), [
                "g: var.days defaults to 30, under 365 days",
                "g: var.days must have a validation refusing less than 365 days (0 = forever is refused too)"])


RUNBOOK = "*Everything about one request*: span.request_id, message, status. *Errors by route*: span.route"
REQUEST = ('fields @timestamp, log_processed.message\n| filter kubernetes.namespace_name = "pge" and '
           'log_processed.span.request_id = "ID"\n')
ROUTES = ('filter kubernetes.namespace_name = "pge" and log_processed.status >= 500\n'
          '| stats count(*) as errors by log_processed.span.route, log_processed.status\n')


class Queries(unittest.TestCase):
    def test_good(self):
        self.assertEqual(obs.query_errors({"Everything about one request": REQUEST, "Errors by route": ROUTES}, RUNBOOK, "e"), [])

    def test_unprefixed_field_unknown_field_and_missing_queries(self):
        errors = obs.query_errors({"Everything about one request": REQUEST.replace("log_processed.span", "span"),
                                   "Other": 'filter kubernetes.namespace_name = "pge" and log_processed.user_email = "x"\n'}, RUNBOOK, "e")
        self.assertEqual(errors, [
            "e: query 'Everything about one request' reads a field of pge's line without log_processed. (Fluent Bit nests the JSON line there)",
            "e: query 'Other' is not named in docs/RUNBOOK.md (where to look)",
            "e: query 'Other' reads log_processed.user_email: docs/RUNBOOK.md names no such field of pge's log lines",
            'e: no saved query filters on log_processed.span.request_id = "..." (everything about one request)',
            "e: no saved query counts log_processed.status >= 500 by log_processed.span.route (errors by route)"])


ENDPOINT = "http://adot-col-otlp-ingest-collector.otel.svc.cluster.local:4318"


def rendered(port=4318, endpoint=ENDPOINT, ns="otel"):
    docs = []
    for comp in ("api", "worker"):
        docs.append({"kind": "Deployment", "metadata": {"labels": {"app.kubernetes.io/component": comp}},
                     "spec": {"template": {"spec": {"containers": [{"name": comp, "env": [
                         {"name": "OTEL_EXPORTER_OTLP_ENDPOINT", "value": endpoint}, {"name": "OTEL_SERVICE_NAME", "value": f"pge-{comp}"}]}]}}}})
        peer = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": ns}}}
        docs.append({"kind": "NetworkPolicy", "spec": {"podSelector": {"matchLabels": {"app.kubernetes.io/component": comp}},
                                                       "ingress": [{"from": [peer], "ports": [{"port": 9090}]}],
                                                       "egress": [{"to": [peer], "ports": [{"port": port}]}]}})
    return docs


class Telemetry(unittest.TestCase):
    def test_good(self):
        self.assertEqual(obs.telemetry_errors("s", rendered(), ENDPOINT, "otel"), [])

    def test_wrong_port_endpoint_and_namespace(self):
        self.assertEqual(obs.telemetry_errors("s", rendered(port=4317)[:2], ENDPOINT, "otel"), [
            "s: api: the NetworkPolicy does not let the pods reach the collector (otel, port 4318): every trace would be dropped",
            "s: no worker Deployment"])
        errors = obs.telemetry_errors("s", rendered(endpoint=""), ENDPOINT, "otel")
        self.assertTrue(errors[0].startswith("s: api: OTEL_EXPORTER_OTLP_ENDPOINT is ''"), errors)
        self.assertEqual(obs.telemetry_errors("s", rendered(ns="monitoring"), ENDPOINT, "otel")[1],
                         "s: api: /metrics is not open to the collectors' namespace otel: nothing is scraped")
        self.assertTrue(obs.telemetry_errors("s", rendered(), "http://collector:4318", "otel")[0].startswith("s: the OTLP endpoint"))


def call(op, **flags):
    out = ["grafana", op]
    for k, v in flags.items():
        out += [f"--{k.replace('_', '-')}", v]
    return out


MINT = call("create-workspace-service-account-token", region="eu-central-1", workspace_id="g-0123456789",
            service_account_id="7", seconds_to_live="900")
DELETE = call("delete-workspace-service-account-token", token_id="1")


class Tokens(unittest.TestCase):
    def test_minted_short_and_deleted_last(self):
        self.assertEqual(obs.token_errors([MINT, DELETE], "r"), [])

    def test_long_lived_or_left_valid(self):
        long = [x if x != "900" else "86400" for x in MINT]
        self.assertEqual(obs.token_errors([long, DELETE], "r"), ["r: the token lives 86400 seconds: an hour at most (it is a workspace admin)"])
        self.assertEqual(obs.token_errors([MINT], "r"), ["r: the token is not deleted last (0 deletions): it stays valid after the job"])
        self.assertEqual(obs.token_errors([], "r"), ["r: 0 tokens minted, one expected"])


if __name__ == "__main__":
    unittest.main()
