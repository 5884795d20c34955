"""Unit tests of the GitLab CI checks, on a small pipeline built here."""
import copy
import unittest

from deploycheck import gitlab

TEST_SH = "python3 scripts/fault-test.py\n"


def deploy(env, when, helm="helm upgrade --install --atomic --wait pge helm/pge --set image.tag=$CI_COMMIT_SHA "
                            "--set-string ingress.originVerify.value=$PGE_ORIGIN_VERIFY_SECRET"):
    return {"stage": "deploy", "image": {"name": "alpine/helm:3.17.2", "entrypoint": [""]},
            "needs": ["build-image", "build-web"], "id_tokens": {"AWS_TOKEN": {"aud": "sts.amazonaws.com"}, "AWS_DEPLOY_ID_TOKEN": {"aud": f"pge-{env}"}},
            "rules": [{"when": when}], "environment": {"name": env, "url": f"https://{env}.example.fr"},
            "script": ["apk add bash aws-cli", 'export AWS_WEB_IDENTITY_TOKEN_FILE="$PWD/token"', helm,
                       'scripts/deploy-web.sh --env-file "$PGE_WEB_DEPLOY" --dist web/dist --release "$CI_COMMIT_SHA"']}


def pipeline():
    return {
        "stages": ["lint", "test", "build", "deploy"],
        "variables": {"npm_config_cache": "$CI_PROJECT_DIR/.npm"},
        "workflow": {"rules": [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]},
        "test": {"stage": "test", "services": ["postgres:16"],
                 "before_script": ["apt-get install -y --no-install-recommends postgresql postgresql-client"],
                 "script": ["scripts/test.sh"]},
        "build-image": {"stage": "build", "needs": ["test"], "script": ["scripts/release-build.sh"]},
        "build-web": {"stage": "build", "image": "node:20-bookworm-slim", "cache": {"paths": [".npm/"]},
                      "script": ["npm ci --prefix web", "npm --prefix web run build"], "artifacts": {"paths": ["web/dist/"]}},
        "deploy-staging": deploy("staging", "on_success"),
        "deploy-production": deploy("production", "manual"),
    }


class Contract(unittest.TestCase):
    def test_good(self):
        errors, real = gitlab.contract(pipeline(), TEST_SH)
        self.assertEqual(errors, [])
        self.assertEqual(len(real), 5)

    def test_unknown_need_automatic_production_and_helm_entrypoint(self):
        ci = pipeline()
        ci["build-image"]["needs"] = ["tests"]
        ci["deploy-production"]["rules"] = [{"when": "on_success"}]
        del ci["deploy-staging"]["image"]["entrypoint"]
        errors, _ = gitlab.contract(ci, TEST_SH)
        self.assertIn("build-image: needs unknown job 'tests'", errors)
        self.assertIn("deploy-production: production must be when: manual", errors)
        self.assertTrue(any(e.startswith("deploy-staging: image alpine/helm:3.17.2 has a program as entrypoint") for e in errors), errors)

    def test_postgresql_server_and_origin_verify(self):
        ci = pipeline()
        ci["test"]["before_script"] = ["apt-get install -y postgresql-client"]
        ci["deploy-staging"]["script"][2] = ci["deploy-staging"]["script"][2].split(" --set-string")[0]
        errors, _ = gitlab.contract(ci, TEST_SH)
        self.assertIn("the test job runs scripts/fault-test.py (via scripts/test.sh) but does not install the PostgreSQL server package (postgresql)", errors)
        self.assertIn("deploy-staging: helm command lacks ingress.originVerify.value=$PGE_ORIGIN_VERIFY_SECRET", errors)


class Web(unittest.TestCase):
    def test_good(self):
        self.assertEqual(gitlab.web(pipeline(), "build"), ([], ["build-web"]))
        self.assertEqual(gitlab.web(pipeline(), "deploy"), ([], ["build-web"]))

    def test_build_without_cache_or_artifact(self):
        ci = pipeline()
        ci["build-web"]["cache"] = {"paths": ["web/node_modules/"]}
        ci["build-web"]["artifacts"] = {"paths": ["web/build/"]}
        errors, _ = gitlab.web(ci, "build")
        self.assertIn("build-web: artifacts.paths must hold web/dist (got ['web/build'])", errors)
        self.assertIn("build-web: npm's cache $CI_PROJECT_DIR/.npm is not in the job's cache paths ['web/node_modules']", errors)

    def test_deploy_without_artifact_env_file_or_rollback(self):
        ci = copy.deepcopy(pipeline())
        ci["deploy-staging"]["needs"] = ["build-image"]
        ci["deploy-production"]["script"][3] = "scripts/deploy-web.sh --dist web/dist --release $CI_COMMIT_SHA"
        ci["rollback-staging"] = dict(deploy("staging", "manual", helm="helm rollback pge"))
        errors, _ = gitlab.web(ci, "deploy")
        self.assertIn("deploy-staging: needs [build-web] (with its artifacts) to upload that build", errors)
        self.assertTrue(any(e.startswith("deploy-production: deploy-web.sh must read") for e in errors), errors)
        self.assertTrue(any(e.startswith("rollback-staging: after helm rollback") for e in errors), errors)


DASHBOARDS = 'scripts/provision-dashboards.sh --env-file "$PGE_DASHBOARDS_DEPLOY"'


def gated():
    """pipeline() with the staging gate, the image tagged before helm and the rollback jobs."""
    ci = pipeline()
    tag = 'scripts/tag-deployed-image.sh "$ECR_REPOSITORY" "$CI_COMMIT_SHA" "$CI_ENVIRONMENT_NAME"'
    for name in ("deploy-staging", "deploy-production"):
        ci[name]["script"].insert(2, tag)
        ci[name]["script"][0] = "apk add bash aws-cli jq curl"
        ci[name]["script"].append(DASHBOARDS)
    ci["smoke-staging"] = {"stage": "deploy", "image": "alpine:3.21", "needs": ["deploy-staging"],
                           "environment": {"name": "staging", "action": "access"},
                           "script": ["apk add bash curl jq", 'scripts/smoke-test.sh "$STAGING_URL"']}
    ci["deploy-production"]["needs"] = ["build-image", "build-web", "deploy-staging", "smoke-staging"]
    for env in ("staging", "production"):
        ci[f"rollback-{env}"] = dict(deploy(env, "manual", helm='scripts/helm-rollback.sh "$HELM_RELEASE" --kube-context "$KUBE_CONTEXT" '
                                            '--namespace "$HELM_NAMESPACE" --wait --timeout 15m'))
        ci[f"rollback-{env}"]["script"] = ["apk add bash jq aws-cli", *ci[f"rollback-{env}"]["script"][1:3],
                                           'scripts/deploy-web.sh --env-file "$PGE_WEB_DEPLOY" --from-release "$release"']
    return ci


class Gate(unittest.TestCase):
    def errors(self, ci, gate):
        return gitlab.GATES[gate](ci, gitlab.jobs_of(ci))

    def test_good(self):
        ci = gated()
        for gate in gitlab.GATES:
            self.assertEqual(self.errors(ci, gate), [], gate)
        self.assertEqual(gitlab.web(ci, "deploy"), ([], ["build-web"]))

    def test_production_without_staging_or_smoke(self):
        ci = gated()
        ci["deploy-production"]["needs"] = ["build-image", "build-web"]
        errors = self.errors(ci, "staging")
        self.assertIn("deploy-production: production deploys without a successful staging deploy of the same commit: needs ['deploy-staging']", errors)
        self.assertIn("deploy-production: production deploys without the smoke test of staging: needs ['smoke-staging']", errors)
        del ci["smoke-staging"]
        self.assertIn('no job runs scripts/smoke-test.sh "$STAGING_URL" (the smoke test of staging after its deploy)', self.errors(ci, "staging"))

    def test_plain_helm_rollback(self):
        ci = gated()
        ci["rollback-production"]["script"][2] = 'helm rollback "$HELM_RELEASE" --kube-context "$KUBE_CONTEXT" --wait'
        errors = self.errors(ci, "rollback")
        self.assertTrue(any(e.startswith("rollback-production: `helm rollback") for e in errors), errors)
        self.assertIn("no rollback job for production (scripts/helm-rollback.sh with environment production)", errors)

    def test_image_not_tagged_before_helm(self):
        ci = gated()
        ci["deploy-production"]["script"].append(ci["deploy-production"]["script"].pop(2))
        errors = self.errors(ci, "promote")
        self.assertEqual(len(errors), 1, errors)
        self.assertTrue(errors[0].startswith("deploy-production: the image is not tagged production-<sha> before helm upgrade"), errors)


    def test_dashboards_before_helm_or_without_curl(self):
        ci = gated()
        s = ci["deploy-staging"]["script"]
        s.insert(2, s.pop())
        ci["deploy-production"]["script"][0] = "apk add bash aws-cli jq"
        self.assertEqual(self.errors(ci, "dashboards"), [
            "deploy-staging: does not provision the dashboards after helm upgrade (scripts/provision-dashboards.sh --env-file \"$PGE_DASHBOARDS_DEPLOY\"): staging's Grafana keeps old panels",
            "deploy-production: scripts/provision-dashboards.sh needs bash, curl, jq and aws-cli (apk add)"])
        ci["deploy-production"]["script"].remove(DASHBOARDS)
        self.assertIn("deploy-production: does not provision the dashboards after helm upgrade (scripts/provision-dashboards.sh --env-file \"$PGE_DASHBOARDS_DEPLOY\"): production's Grafana keeps old panels",
                      self.errors(ci, "dashboards"))


if __name__ == "__main__":
    unittest.main()
