"""Unit tests of the chart checks, on a small rendered set built here."""
import copy
import json
import unittest

from deploycheck import chart

SC = {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]}, "runAsNonRoot": True}
RES = {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "1Gi"}}
PSC = {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}
SECRET = {"valueFrom": {"secretKeyRef": {"name": "db", "key": "url"}}}
COMMON = {"PGE_ENV": "production", "PGE_SES_FROM": "a@b.fr", "PGE_S3_BUCKET": "docs"}


def container(name, args, env, ports=()):
    return {"name": name, "args": args, "imagePullPolicy": "IfNotPresent", "securityContext": SC, "resources": RES,
            "envFrom": [{"configMapRef": {"name": "pge"}}],
            "env": [{"name": k, **v} for k, v in env.items()], "ports": [{"name": n, "containerPort": p} for n, p in ports]}


def deployment(comp, c, extra_spec=None, extra_pod=None):
    return {"kind": "Deployment", "metadata": {"name": f"pge-{comp}", "labels": {"app.kubernetes.io/component": comp}},
            "spec": {**(extra_spec or {}), "template": {"metadata": {"annotations": {"prometheus.io/port": "9090"}},
                                                        "spec": {"securityContext": PSC, "containers": [c], **(extra_pod or {})}}}}


def rendered():
    api = container("api", ["serve"], {"PGE_DATABASE_URL": SECRET, "PGE_CURSOR_SECRET": SECRET,
                                       "PGE_LISTEN_ADDR": {"value": "0.0.0.0:8080"}, "PGE_METRICS_ADDR": {"value": "0.0.0.0:9090"},
                                       "PGE_WORKER_IN_PROCESS": {"value": "false"}},
                    [("http", 8080), ("metrics", 9090)])
    api["livenessProbe"] = {"httpGet": {"path": "/healthz"}}
    api["readinessProbe"] = {"httpGet": {"path": "/readyz"}}
    api["lifecycle"] = {"preStop": {"sleep": {"seconds": 5}}}
    worker = container("worker", ["worker"], {"PGE_DATABASE_URL": SECRET, "PGE_METRICS_ADDR": {"value": "0.0.0.0:9090"}}, [("metrics", 9090)])
    migrate = container("migrate", ["migrate"], {"PGE_DATABASE_URL": SECRET})
    cond = [{"field": "http-header", "httpHeaderConfig": {"httpHeaderName": "X-Origin-Verify", "values": ["s"]}}]
    return [
        {"kind": "ConfigMap", "metadata": {"name": "pge"}, "data": {
            **COMMON, "PGE_COGNITO_REGION": "eu-west-3", "PGE_COGNITO_USER_POOL_ID": "p",
            "PGE_COGNITO_CLIENT_IDS": "1example23456789abcdefghij", "PGE_COGNITO_DOMAIN": "pge-env.auth.eu-west-3.amazoncognito.com",
            "PGE_COGNITO_STAFF_USER_POOL_ID": "eu-west-3_StAfF4567", "PGE_COGNITO_STAFF_CLIENT_IDS": "3staff23456789abcdefghijkl",
            "PGE_COGNITO_STAFF_DOMAIN": "pge-env-staff.auth.eu-west-3.amazoncognito.com"}},
        deployment("api", api, {"strategy": {"rollingUpdate": {"maxUnavailable": 0}}},
                   {"topologySpreadConstraints": [{"topologyKey": "topology.kubernetes.io/zone"}]}),
        deployment("worker", worker),
        {"kind": "Job", "metadata": {"name": "pge-migrate", "annotations": {"helm.sh/hook": "pre-install,pre-upgrade"}},
         "spec": {"template": {"spec": {"securityContext": PSC, "containers": [migrate]}}}},
        {"kind": "HorizontalPodAutoscaler", "spec": {"minReplicas": 3, "behavior": {"scaleUp": {"policies": [{}]}}}},
        {"kind": "PodDisruptionBudget"},
        {"kind": "ServiceAccount", "metadata": {"annotations": {"eks.amazonaws.com/role-arn": "arn"}}},
        {"kind": "NetworkPolicy", "spec": {"podSelector": {"matchLabels": {"app.kubernetes.io/component": "api"}}, "ingress": [
            {"from": [{"ipBlock": {"cidr": "10.0.0.0/24"}}], "ports": [{"port": 8080}]},
            {"from": [{"namespaceSelector": {}}], "ports": [{"port": 9090}]}]}},
        {"kind": "Ingress", "metadata": {"annotations": {"alb.ingress.kubernetes.io/conditions.pge-api": json.dumps(cond)}},
         "spec": {"ingressClassName": "alb", "rules": [{"http": {"paths": [{"backend": {"service": {"name": "pge-api"}}}]}}]}},
    ]


DECLARED = {"PGE_ENV", "PGE_LISTEN_ADDR", "PGE_METRICS_ADDR", "PGE_DATABASE_URL", "PGE_COGNITO_REGION", "PGE_COGNITO_USER_POOL_ID",
            "PGE_COGNITO_CLIENT_IDS", "PGE_COGNITO_DOMAIN", "PGE_SES_FROM", "PGE_S3_BUCKET", "PGE_CURSOR_SECRET", "PGE_WORKER_IN_PROCESS",
            "PGE_COGNITO_STAFF_USER_POOL_ID", "PGE_COGNITO_STAFF_CLIENT_IDS", "PGE_COGNITO_STAFF_DOMAIN"}


def api_of(docs):
    return docs[1]["spec"]["template"]["spec"]["containers"][0]


class Contract(unittest.TestCase):
    def test_good(self):
        self.assertEqual(chart.contract("set.yaml", rendered(), "kind: x"), [])

    def test_rollout_writable_root_and_secret_word(self):
        docs = rendered()
        docs[1]["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] = 1
        api_of(docs)["securityContext"] = dict(SC, readOnlyRootFilesystem=False)
        api_of(docs)["imagePullPolicy"] = "Always"
        errors = chart.contract("set.yaml", docs, "password: x")
        self.assertIn("set.yaml: pge-api/api: imagePullPolicy 'Always', expected IfNotPresent (the tag is an immutable commit SHA)", errors)
        self.assertIn("set.yaml: API rolling update needs maxUnavailable: 0", errors)
        self.assertIn("set.yaml: pge-api/api: container securityContext is not hardened", errors)
        self.assertIn("set.yaml: 'password:' appears in the rendered chart", errors)

    def test_metrics_open_to_any_address_and_no_origin_condition(self):
        docs = rendered()
        docs[7]["spec"]["ingress"][1]["from"] = [{"ipBlock": {"cidr": "0.0.0.0/0"}}]
        docs[8]["metadata"]["annotations"] = {}
        errors = chart.contract("set.yaml", docs, "")
        self.assertIn("set.yaml: NetworkPolicy api: the metrics port must be open to the monitoring namespace only", errors)
        self.assertTrue(any("no origin-verify http-header condition" in e for e in errors), errors)

    def test_no_api(self):
        self.assertEqual(chart.contract("set.yaml", rendered()[2:], ""), ["set.yaml: no API Deployment"])


class Env(unittest.TestCase):
    def test_good(self):
        self.assertEqual(chart.env_errors("set.yaml", rendered(), DECLARED), ([], 3))

    def test_misspelt_loopback_and_test_only(self):
        docs = copy.deepcopy(rendered())
        docs[0]["data"]["PGE_SES_FROM_ADDRESS"] = docs[0]["data"].pop("PGE_SES_FROM")
        docs[0]["data"]["PGE_S3_FORCE_PATH_STYLE"] = "true"
        env = api_of(docs)["env"]
        next(e for e in env if e["name"] == "PGE_METRICS_ADDR")["value"] = "127.0.0.1:9090"
        errors, _ = chart.env_errors("set.yaml", docs, DECLARED | {"PGE_S3_FORCE_PATH_STYLE"})
        self.assertIn("set.yaml: api: PGE_SES_FROM_ADDRESS is not a variable of pge (api/src declares 16)", errors)
        self.assertIn("set.yaml: api: PGE_S3_FORCE_PATH_STYLE is a test-only override", errors)
        self.assertIn("set.yaml: api: missing ['PGE_SES_FROM']", errors)
        self.assertTrue(any("PGE_METRICS_ADDR must be 0.0.0.0" in e for e in errors), errors)


class WebSignin(unittest.TestCase):
    def test_good(self):
        self.assertEqual(chart.web_signin_errors("t.yaml", rendered()), ([], 1))

    def test_spa_client_not_first_and_no_domain(self):
        docs = rendered()
        docs[0]["data"]["PGE_COGNITO_CLIENT_IDS"] = "legacy,1example23456789abcdefghij"
        del docs[0]["data"]["PGE_COGNITO_DOMAIN"]
        errors, seen = chart.web_signin_errors("t.yaml", docs)
        self.assertEqual(seen, 1)
        self.assertEqual(len(errors), 2)

    def test_staff_pool_missing_or_sharing_a_client(self):
        docs = rendered()
        docs[0]["data"]["PGE_COGNITO_STAFF_CLIENT_IDS"] = "3staff23456789abcdefghijkl,1example23456789abcdefghij"
        del docs[0]["data"]["PGE_COGNITO_STAFF_DOMAIN"]
        errors, _ = chart.web_signin_errors("t.yaml", docs)
        self.assertTrue(any("both the applicants' and the staff's" in e for e in errors), errors)
        self.assertTrue(any(e.startswith("t.yaml: PGE_COGNITO_STAFF_DOMAIN=None") for e in errors), errors)
        del docs[0]["data"]["PGE_COGNITO_STAFF_USER_POOL_ID"]
        errors, _ = chart.web_signin_errors("t.yaml", docs)
        self.assertTrue(any(e.startswith("t.yaml: PGE_COGNITO_STAFF_USER_POOL_ID=None") for e in errors), errors)


if __name__ == "__main__":
    unittest.main()
