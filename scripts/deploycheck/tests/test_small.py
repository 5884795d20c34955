"""Unit tests of the checks that read one small input: checkov's report, the Dockerfile,
helm_values, deploy-web.sh's aws calls, the origin-verify value."""
import copy
import unittest

from deploycheck import chart, checkov, deploy_web, dockerfile, helm_values

DOCKERFILE = [
    "FROM node:20-bookworm-slim AS web", "WORKDIR /src/web", "COPY web/package.json web/package-lock.json ./",
    "RUN npm ci --no-audit --no-fund", "RUN npm run build",
    "FROM rust:1.95-slim-bookworm AS builder", "WORKDIR /src", "COPY --from=web /src/web/dist /src/web/dist",
    "RUN WEB_DIST=/src/web/dist scripts/release-build.sh /out",
    "FROM scratch", "COPY --from=builder /out/rootfs/ /", "ENV PGE_WEB_DIR=/usr/share/pge/web",
    "USER 65532:65532", "EXPOSE 8080 9090", 'ENTRYPOINT ["/pge"]',
]
FILES = {
    "scripts/release-build.sh": "# build\ncargo build --locked -p pge-api --bin pge --target x86_64-unknown-linux-musl\n",
    ".dockerignore": "*\n!Cargo.toml\n!Cargo.lock\n!.cargo/\n!api\n!scripts/release-build.sh\n!web\nweb/node_modules/\nweb/dist/\n",
    "Cargo.toml": '[workspace]\nmembers = ["api"]\n',
}


class Dockerfile(unittest.TestCase):
    def test_good(self):
        errors, members = dockerfile.contract(DOCKERFILE, FILES.__getitem__)
        self.assertEqual(errors, [])
        self.assertEqual(members, ["api"])

    def test_shell_distro_root_user_and_member_left_out(self):
        lines = [l.replace("FROM scratch", "FROM alpine:3.20").replace("USER 65532:65532", "USER root") for l in DOCKERFILE]
        files = dict(FILES, **{"Cargo.toml": '[workspace]\nmembers = ["api", "loadtest"]\n'})
        errors, _ = dockerfile.contract(lines, files.__getitem__)
        self.assertIn("final stage must be scratch or distroless/static, not alpine:3.20", errors)
        self.assertIn("final USER must be a numeric non-root uid, got root", errors)
        self.assertTrue(any("does not re-include loadtest" in e for e in errors), errors)

    def test_web_stage_without_lock_file(self):
        lines = [l.replace("npm ci", "npm install") for l in DOCKERFILE]
        self.assertIn("web stage: install from web/package-lock.json with npm ci", dockerfile.web_stage(lines))

    def test_cargo_settings_in_context(self):
        # Without .cargo/config.toml the build embeds the whole Swagger UI (9 MB more).
        errors = dockerfile.build_context(FILES[".dockerignore"].replace("!.cargo/\n", ""), ["api"])
        self.assertEqual(errors, [".dockerignore does not re-include .cargo (workspace members: ['api'])"])

    def test_node_modules_in_context(self):
        errors = dockerfile.build_context(FILES[".dockerignore"].replace("web/node_modules/\n", ""), ["api"])
        self.assertEqual(errors, [".dockerignore lets web/node_modules into the build context (add web/node_modules/ after !web/)"])


class Checkov(unittest.TestCase):
    REPORT = {"check_type": "terraform", "summary": {"passed": 3, "failed": 0, "skipped": 1, "parsing_errors": 0},
              "results": {"failed_checks": []}}

    def test_clean(self):
        out, bad = checkov.summarize([self.REPORT, {}], 0)
        self.assertFalse(bad)
        self.assertEqual(out, ["terraform: passed 3, failed 0, skipped 1, parsing errors 0"])

    def test_failed_check_parse_error_and_nothing_scanned(self):
        r = copy.deepcopy(self.REPORT)
        r["summary"].update(failed=1, parsing_errors=1)
        r["results"] = {"failed_checks": [{"check_id": "CKV_AWS_16", "check_name": "encrypted", "resource": "aws_db_instance.x",
                                           "file_path": "/main.tf", "file_line_range": [1, 9]}], "parsing_errors": ["/x.tf"]}
        out, bad = checkov.summarize(r, 1)
        self.assertTrue(bad)
        self.assertIn("  parse errors in: /x.tf", out)
        self.assertIn("checkov exited 1", out)
        self.assertTrue(checkov.summarize({}, 0)[1])


class HelmValues(unittest.TestCase):
    def test_evaluates_literals_variables_and_samples(self):
        expr = '${yamlencode({image = { repository = module.ecr.repository_url }, "api" = {replicas = 3, on = true, x = null}, env = "${var.name}-1", cidrs = [var.cidr]})}'
        values = helm_values.evaluate(expr, {"name": "pge", "cidr": "10.0.0.0/16"})
        self.assertEqual(values, {"image": {"repository": helm_values.SAMPLES["module.ecr.repository_url"]},
                                  "api": {"replicas": 3, "on": True, "x": None}, "env": "pge-1", "cidrs": ["10.0.0.0/16"]})

    def test_unknown_reference(self):
        with self.assertRaisesRegex(helm_values.HelmValuesError, "no sample value for module.nope.x"):
            helm_values.evaluate("${yamlencode({a = module.nope.x})}", {})
        with self.assertRaisesRegex(helm_values.HelmValuesError, "not yamlencode"):
            helm_values.evaluate("${jsonencode({})}", {})


class DeployWeb(unittest.TestCase):
    B = "s3://" + deploy_web.BUCKET + "/"

    def calls(self, asset_cc="public, max-age=31536000, immutable", index_last=True, paths=("/index.html", "/config.json")):
        types = {"js": "text/javascript", "css": "text/css", "html": "text/html", "svg": "image/svg+xml", "txt": "text/plain"}
        up = lambda k, cc, ct: ["s3", "cp", "/dist/" + k, self.B + k, "--cache-control", cc, "--content-type", ct]  # noqa: E731
        assets = [k for k in deploy_web.FILES if k.startswith("assets/")]
        others = ["favicon.svg", "robots.txt", "index.html"] if index_last else ["index.html", "favicon.svg", "robots.txt"]
        calls = [up(k, asset_cc, types[k.rsplit(".", 1)[1]]) for k in assets]
        calls += [up(k, "no-cache", types[k.rsplit(".", 1)[1]]) for k in others]
        calls += [up("config.json", "no-cache", "application/json")]
        calls += [["cloudfront", "create-invalidation", "--distribution-id", deploy_web.V["--distribution-id"], "--paths", *paths]]
        return calls

    CONFIG = {"authority": deploy_web.V["--authority"], "client_id": deploy_web.V["--client-id"], "scope": "openid email",
              "logout_url": deploy_web.V["--logout-url"], "revocation_url": deploy_web.V["--revocation-url"],
              "staff": {"authority": deploy_web.V["--staff-authority"], "client_id": deploy_web.V["--staff-client-id"], "scope": "openid email",
                        "logout_url": deploy_web.V["--staff-logout-url"], "revocation_url": deploy_web.V["--staff-revocation-url"]}}

    def test_good(self):
        self.assertEqual(deploy_web.deploy_errors(self.calls(), lambda: self.CONFIG), [])

    def test_staff_provider(self):
        # Given: the staff object, and no other; not given: none.
        without = {k: v for k, v in self.CONFIG.items() if k != "staff"}
        self.assertEqual(len(deploy_web.deploy_errors(self.calls(), lambda: without)), 1)
        no_staff = {**deploy_web.V, **{k: None for k in deploy_web.STAFF}}
        self.assertEqual(deploy_web.deploy_errors(self.calls(), lambda: without, v=no_staff), [])
        self.assertEqual(len(deploy_web.deploy_errors(self.calls(), lambda: self.CONFIG, v=no_staff)), 1)

    def test_mutable_assets_index_first_config_not_invalidated(self):
        errors = deploy_web.deploy_errors(self.calls(asset_cc="no-cache", index_last=False, paths=("/index.html",)), lambda: self.CONFIG)
        self.assertIn("assets/index-AbC123.js: Cache-Control 'no-cache', expected 'public, max-age=31536000, immutable'", errors)
        self.assertIn("index.html must be the last file of the build uploaded (last: robots.txt)", errors)
        self.assertTrue(any(e.startswith("invalidation ") for e in errors), errors)

    def test_wrong_config(self):
        errors = deploy_web.deploy_errors(self.calls(), lambda: dict(self.CONFIG, scope="openid"))
        self.assertEqual(len(errors), 1)
        self.assertTrue(errors[0].startswith("config.json is "))


class OriginVerify(unittest.TestCase):
    def test_values(self):
        self.assertEqual(chart.origin_verify_in_values("v.yaml", {"ingress": {"originVerify": {"value": ""}}}), [])
        self.assertEqual(chart.origin_verify_in_values("v.yaml", None), [])
        self.assertEqual(len(chart.origin_verify_in_values("v.yaml", {"ingress": {"originVerify": {"previousValue": "x" * 40}}})), 1)

    def test_terraform(self):
        self.assertEqual(chart.origin_verify_in_terraform("o.tf", "originVerify = { headerName = module.cloudfront.x }"), [])
        self.assertEqual(len(chart.origin_verify_in_terraform("o.tf", "originVerify = { value = var.secret }")), 1)


if __name__ == "__main__":
    unittest.main()
