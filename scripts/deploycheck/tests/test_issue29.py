"""Unit tests of issue 29's checks on inputs built here: the signing and verification of
the image (trust.sign), the EKS calendar (cluster.version's dates), the Pod Security
standard (cluster.pss), the SDK calls read from code (privilege.sdk_calls), the chart's
least privilege (privilege.chart)."""
import datetime
import os
import tempfile
import unittest

import yaml

from deploycheck import cluster, privilege, trust


def pipeline():
    deploy = {"stage": "deploy", "image": {"name": "alpine/helm:3.17.2", "entrypoint": [""]},
              "environment": {"name": "staging"},
              "script": ["apk add --no-cache bash aws-cli jq curl cosign",
                         'cosign verify "$ECR_REPOSITORY:$CI_COMMIT_SHA" --certificate-identity '
                         '"$CI_PROJECT_URL//.gitlab-ci.yml@refs/heads/$CI_DEFAULT_BRANCH" --certificate-oidc-issuer "$CI_SERVER_URL"',
                         "helm upgrade --install pge helm/pge"]}
    build = {"stage": "build", "needs": ["sbom"], "id_tokens": {"SIGSTORE_ID_TOKEN": {"aud": "sigstore"}},
             "script": ["buildah build .", 'buildah push --digestfile image.digest "$ECR_REPOSITORY:$CI_COMMIT_SHA"',
                        'cosign sign --yes "$ECR_REPOSITORY@$(cat image.digest)"',
                        'cosign attest --yes --type cyclonedx --predicate sbom/pge.cdx.json "$ECR_REPOSITORY@$(cat image.digest)"',
                        'cosign attest --yes --type cyclonedx --predicate sbom/web.cdx.json "$ECR_REPOSITORY@$(cat image.digest)"']}
    return {"stages": ["lint", "test", "build", "deploy"], "build-image": build, "deploy-staging": deploy,
            "sbom": {"stage": "build", "script": ["scripts/sbom.sh sbom"]}}


class Sign(unittest.TestCase):
    def run_sign(self, ci):
        from deploycheck.gitlab import jobs_of
        return trust.sign(ci, jobs_of(ci), ["sbom"])

    def test_good(self):
        self.assertEqual(self.run_sign(pipeline()), [])

    def test_signed_with_a_key_by_tag_verified_by_anyone(self):
        ci = pipeline()
        ci["build-image"]["script"][2] = 'cosign sign --key cosign.key "$ECR_REPOSITORY:$CI_COMMIT_SHA"'
        ci["deploy-staging"]["script"][1] = 'cosign verify "$ECR_REPOSITORY:$CI_COMMIT_SHA" --certificate-identity-regexp ".*" --certificate-oidc-issuer "$CI_SERVER_URL"'
        errors = self.run_sign(ci)
        self.assertTrue(any("with a key" in e for e in errors), errors)
        self.assertTrue(any("sign by tag" in e for e in errors), errors)
        self.assertTrue(any("any signer would do" in e for e in errors), errors)

    def test_verified_after_the_upgrade(self):
        ci = pipeline()
        s = ci["deploy-staging"]["script"]
        s[1], s[2] = s[2], s[1]
        self.assertTrue(any("not verified before helm upgrade" in e for e in self.run_sign(ci)))


class Calendar(unittest.TestCase):
    def test_dates_are_aws_standard_support(self):
        self.assertEqual(cluster.STANDARD_SUPPORT_ENDS["1.35"], datetime.date(2027, 3, 27))
        self.assertLess(cluster.STANDARD_SUPPORT_ENDS["1.34"], datetime.date(2026, 12, 6))

    def test_version_out_of_support_on_a_later_day(self):
        root = os.path.join(os.path.dirname(__file__), "..", "..", "..")
        errors, versions = cluster.version(root, today=datetime.date(2027, 4, 1))
        self.assertTrue(any("left EKS standard support" in e for e in errors), errors)


def pod(**container_sc):
    sc = {"runAsNonRoot": True, "allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]},
          "seccompProfile": {"type": "RuntimeDefault"}}
    sc.update(container_sc)
    return {"kind": "Deployment", "metadata": {"name": "pge-api"},
            "spec": {"template": {"spec": {"containers": [{"name": "api", "securityContext": sc}],
                                           "volumes": [{"name": "tmp", "emptyDir": {}}]}}}}


class PodSecurity(unittest.TestCase):
    def check(self, *docs):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "set.yaml"), "w") as f:
                yaml.safe_dump_all(docs, f)
            return cluster.pss(d)

    def test_restricted_pod(self):
        self.assertEqual(self.check(pod()), [])

    def test_escalation_capability_and_host_path(self):
        p = pod(allowPrivilegeEscalation=True, capabilities={"drop": ["ALL"], "add": ["SYS_ADMIN"]})
        p["spec"]["template"]["spec"]["volumes"].append({"name": "host", "hostPath": {"path": "/"}})
        errors = self.check(p)
        self.assertEqual(len(errors), 3, errors)


class SdkCalls(unittest.TestCase):
    def test_calls_mapped_and_unknown_ones_reported(self):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "mail.rs"), "w") as f:
                f.write("use aws_sdk_sesv2 as ses;\nclient\n    .send_email()\n    .send().await;\nclient.list_buckets()\n    .send();\n")
            used, unknown = privilege.sdk_calls(d)
        self.assertEqual(used["worker"], {"ses:SendEmail"})
        self.assertEqual(len(unknown), 1, unknown)


if __name__ == "__main__":
    unittest.main()
