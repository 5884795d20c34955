"""A pipeline you can trust and a supply chain checked on every commit (issue 29, parts 1
and 2), read off .gitlab-ci.yml, Terraform, the GitLab agents' configuration, deny.toml
and the scripts they run:

  image    the release image is started (scripts/image.sh on the built image's files)
           before build-image pushes it
  spa      one build of the web app: build-web records its digest (WEB_DIST_SHA256), the
           end-to-end tests run that build and the deploy jobs upload only that build
  render   each deploy lints and renders the chart with the environment's real values
           (the same --values, tag and origin value as the upgrade) before helm upgrade
  oidc     the AWS roles trust the main branch only, each environment's web deploy role
           its own audience only, which only that environment's jobs request; the GitLab
           agents admit protected branches of their own environment only
  supply   deny.toml's policy (no GPL/LGPL/AGPL, crates.io only), cargo deny offline in
           the test command, advisories and npm audit in GitLab, the SBOMs made
  sign     build-image signs the pushed image keyless and attaches the SBOMs; each deploy
           verifies the signature with the expected identity before it changes anything
"""
import os
import re
import tomllib

from .common import finish, load_gitlab_ci, load_hcl, q, yaml_docs
from .gitlab import env_of, jobs_of, script

ENVS = ("staging", "production")


def first(lines, pattern, start=0):
    return next((i for i, line in enumerate(lines) if i >= start and re.search(pattern, line)), None)


def deploy_jobs(ci, real):
    """{environment: job name} of the jobs running helm upgrade."""
    out = {}
    for n, j in real.items():
        if any("helm upgrade" in line for line in script(ci, j)):
            out[env_of(j)] = n
    return out


def image_started(ci, real):
    errors = []
    pushers = [n for n, j in real.items() if any(re.search(r"\bbuildah push\b", line) for line in script(ci, j))]
    if not pushers:
        return ["no job pushes the image (buildah push)"]
    for n in pushers:
        s = script(ci, real[n])
        push = first(s, r"\bbuildah push\b")
        build = first(s, r"\bbuildah build\b")
        run = first(s, r"scripts/image\.sh ")
        if run is None or run > push:
            errors.append(f"{n}: the image is pushed without being started first (scripts/image.sh on the built image's files before buildah push)")
            continue
        if build is not None and run < build:
            errors.append(f"{n}: scripts/image.sh runs before the image is built")
        call = s[run]
        m = re.search(r'scripts/image\.sh "?\$\{?(\w+)\}?"?', call)
        mounted = m and any(re.search(rf"\b{m.group(1)}=\$\(buildah mount\b", line) for line in s[:run])
        if not mounted:
            errors.append(f"{n}: scripts/image.sh must start the built image's own files (its first argument: the path `buildah mount` gave)")
        for flag in ("IMAGE_REQUIRE_WEB=1", "IMAGE_REQUIRE_DATABASE=1"):
            if flag not in call:
                errors.append(f"{n}: scripts/image.sh without {flag}: a check it would skip is not made")
        if "IMAGE_ISOLATION=chroot" not in call:
            errors.append(f"{n}: an unprivileged CI container has no mount namespace: IMAGE_ISOLATION=chroot")
        if not any(re.search(r"pg_ctl .*\bstart\b", line) for line in s[:run]):
            errors.append(f"{n}: IMAGE_REQUIRE_DATABASE=1 needs a PostgreSQL server started on 127.0.0.1 before scripts/image.sh")
    return errors


def spa(ci, real, root="."):
    errors = []
    builders = [n for n, j in real.items() if any(re.search(r"\bnpm\b.*\brun build\b", line) for line in script(ci, j))]
    if len(builders) != 1:
        return [f"expected exactly one job building the web app, found {builders}"]
    b = builders[0]
    s = script(ci, real[b])
    if first(s, r'WEB_DIST_SHA256=\$\(scripts/web-dist-digest\.sh web/dist\).*\b(\S+\.env)\b', first(s, r"run build") or 0) is None:
        errors.append(f"{b}: does not record the build's digest (WEB_DIST_SHA256=$(scripts/web-dist-digest.sh web/dist) into a dotenv file) after building")
    dotenv = ((real[b].get("artifacts") or {}).get("reports") or {}).get("dotenv")
    dotenv = dotenv if isinstance(dotenv, list) else [dotenv]
    line = s[first(s, r"WEB_DIST_SHA256=") or 0]
    if not any(d and str(d) in line for d in dotenv):
        errors.append(f"{b}: the digest's file is not its artifacts:reports:dotenv (the jobs that need {b} would not get WEB_DIST_SHA256)")
    # The test job runs the end-to-end tests on that build, never its own.
    tests = [n for n, j in real.items() if any("scripts/test.sh" in line for line in script(ci, j))]
    for n in tests:
        needs = [x if isinstance(x, str) else x.get("job") for x in real[n].get("needs", []) or []]
        if b not in needs:
            errors.append(f"{n}: runs the end-to-end tests without needing {b}: they would test a build of their own, not the one deployed")
    web_test = open(os.path.join(root, "scripts/web-test.sh")).read()
    if not re.search(r'WEB_DIST_SHA256.*\n(.*\n){0,4}.*web-dist-digest\.sh dist', web_test) or not re.search(r'"\$got" != "\$WEB_DIST_SHA256"', web_test):
        errors.append("scripts/web-test.sh: with WEB_DIST_SHA256 set, dist/ must be checked against it (scripts/web-dist-digest.sh) and not rebuilt")
    for env, n in deploy_jobs(ci, real).items():
        s = script(ci, real[n])
        calls = [line for line in s if "scripts/deploy-web.sh" in line and "--dist" in line]
        if not calls or not all(re.search(r'--sha256 "?\$\{?WEB_DIST_SHA256\}?"?', c) for c in calls):
            errors.append(f"{n}: scripts/deploy-web.sh --dist without --sha256 \"$WEB_DIST_SHA256\": another build than the tested one could be uploaded")
    deploy_web = open(os.path.join(root, "scripts/deploy-web.sh")).read()
    if "web-dist-digest.sh" not in deploy_web:
        errors.append("scripts/deploy-web.sh does not compute the build's digest (scripts/web-dist-digest.sh)")
    return errors


def render(ci, real):
    """helm lint --strict and helm template --validate, with the upgrade's own values, before
    the upgrade."""
    errors = []
    for env, n in deploy_jobs(ci, real).items():
        s = script(ci, real[n])
        up = first(s, r"helm upgrade")
        upgrade = s[up]
        must = ['--values "$PGE_HELM_VALUES"', '"image.tag=$CI_COMMIT_SHA"', '"ingress.originVerify.value=$PGE_ORIGIN_VERIFY_SECRET"']
        for what, pattern, extra in (("helm lint", r"\bhelm lint\b", ["--strict"]), ("helm template", r"\bhelm template\b", ["--validate", '--kube-context "$KUBE_CONTEXT"'])):
            at = first(s, pattern)
            if at is None or at > up:
                errors.append(f"{n}: no {what} of the chart before helm upgrade: {env}'s real values are not rendered and checked first")
                continue
            for flag in must + extra:
                if flag in upgrade or flag in extra:
                    if flag not in s[at]:
                        errors.append(f"{n}: {what} without {flag}: it does not check what helm upgrade will apply")
    return errors


def oidc(ci, real, root="."):
    errors = []

    def unq(x):
        if isinstance(x, dict):
            return {q(k): unq(v) for k, v in x.items()}
        if isinstance(x, list):
            return [unq(v) for v in x]
        return x

    def tf(*p):
        return unq(load_hcl(os.path.join(root, "terraform", *p)))

    def conditions(doc):
        out = {}
        for st in doc.get("statement", []):
            for c in st.get("condition", []):
                out[q(c["variable"]).split(":")[-1]] = (q(c["test"]), [q(v) for v in c["values"]])
        return out

    def assume(path):
        for d in tf(path).get("data", []):
            if "aws_iam_policy_document" in d and "assume" in d["aws_iam_policy_document"]:
                return conditions(d["aws_iam_policy_document"]["assume"])
        return {}

    main_sub = "project_path:${var.project_path}:ref_type:branch:ref:main"
    push = assume("modules/gitlab-oidc/main.tf")
    if push.get("sub") != ("StringEquals", [main_sub]):
        errors.append(f"gitlab-oidc: the push role must trust the main branch exactly (StringEquals sub {main_sub}), got {push.get('sub')}")
    web = assume("modules/gitlab-web-deploy/main.tf")
    if web.get("sub") != ("StringEquals", [main_sub]):
        errors.append(f"gitlab-web-deploy: the role must trust the main branch exactly (StringEquals sub {main_sub}), got {web.get('sub')}")
    if web.get("aud") != ("StringEquals", ["pge-${var.environment}"]):
        errors.append(f"gitlab-web-deploy: the role must trust its environment's audience only (StringEquals aud pge-${{var.environment}}), got {web.get('aud')}")
    provider = [r["aws_iam_openid_connect_provider"]["gitlab"] for r in tf("modules/gitlab-oidc/main.tf").get("resource", []) if "aws_iam_openid_connect_provider" in r]
    variables = {k: v for d in tf("modules/gitlab-oidc/variables.tf").get("variable", []) for k, v in d.items()}
    audiences = [q(a) for a in (variables.get("environment_audiences", {}).get("default") or [])]
    if not provider or "var.environment_audiences" not in str(provider[0].get("client_id_list")):
        errors.append("gitlab-oidc: the provider's client_id_list must hold the environments' audiences (var.environment_audiences)")
    seen = {}
    for env in ENVS:
        for m in tf(f"environments/{env}/main.tf").get("module", []):
            for name, body in m.items():
                if q(body.get("source")) == "../../modules/gitlab-web-deploy":
                    seen[env] = q(body.get("environment"))
        if seen.get(env) != env:
            errors.append(f"environments/{env}: its web deploy role must be for environment \"{env}\" (got {seen.get(env)!r}): it would trust another environment's jobs")
        if f"pge-{env}" not in audiences:
            errors.append(f"gitlab-oidc: environment_audiences {audiences} lacks pge-{env}")
    # In the pipeline: the audience pge-<env> only in jobs of that environment, and the
    # token given to deploy-web.sh and provision-dashboards.sh is that one.
    for n, j in real.items():
        for key, t in (j.get("id_tokens") or {}).items():
            aud = t.get("aud") if isinstance(t, dict) else None
            m = re.fullmatch(r"pge-(\w+)", str(aud))
            if m and m.group(1) != env_of(j):
                errors.append(f"{n}: requests an ID token of audience {aud} but its environment is {env_of(j)!r}: only {m.group(1)}'s jobs may")
            if aud and "$" in str(aud):
                errors.append(f"{n}: ID token {key} with a computed audience {aud!r}: name the environment's audience literally")
        env = env_of(j)
        s = script(ci, j)
        for at, line in enumerate(s):
            if re.search(r"scripts/(deploy-web|provision-dashboards)\.sh", line):
                writes = [(i, x) for i, x in enumerate(s[:at]) if re.search(r"\.aws-web-identity-token", x) and ">" in x]
                tokens = {k for k, t in (j.get("id_tokens") or {}).items() if isinstance(t, dict) and t.get("aud") == f"pge-{env}"}
                if not writes or not any(re.search(rf"\$\{{?{k}\}}?", writes[-1][1]) for k in tokens):
                    errors.append(f"{n}: {line.split()[0]} runs with a token other than the pge-{env} one: {env}'s web deploy role would refuse it, or another environment's would accept it")
    # The GitLab agents: one per environment, only protected branches of that environment.
    for env in ENVS:
        path = os.path.join(root, f".gitlab/agents/pge-{env}/config.yaml")
        if not os.path.exists(path):
            errors.append(f"no .gitlab/agents/pge-{env}/config.yaml (the agent of {env}'s cluster)")
            continue
        cfg = (yaml_docs(path) or [{}])[0]
        access = cfg.get("ci_access") or {}
        if access.get("groups"):
            errors.append(f"pge-{env} agent: ci_access.groups admits every project of a group")
        projects = access.get("projects") or []
        if not projects:
            errors.append(f"pge-{env} agent: no ci_access.projects")
        for p in projects:
            if p.get("protected_branches_only") is not True:
                errors.append(f"pge-{env} agent: project {p.get('id')} without protected_branches_only: true: any branch could reach the cluster")
            if p.get("environments") != [env]:
                errors.append(f"pge-{env} agent: project {p.get('id')} admits environments {p.get('environments')}, not [{env}] only")
            if "agent" in (p.get("access_as") or {}):
                errors.append(f"pge-{env} agent: access_as agent gives every job the agent's own rights; use ci_job")
    for env, n in deploy_jobs(ci, real).items():
        if "$KUBE_CONTEXT" not in " ".join(script(ci, real[n])):
            errors.append(f"{n}: helm does not go through the environment's agent (--kube-context \"$KUBE_CONTEXT\")")
    return errors


BANNED_LICENCES = re.compile(r"\b(A?GPL|LGPL)", re.I)


def supply(ci, real, root="."):
    errors = []
    path = os.path.join(root, "deny.toml")
    if not os.path.exists(path):
        return ["no deny.toml (cargo deny's policy)"]
    deny = tomllib.load(open(path, "rb"))
    lic = deny.get("licenses", {})
    allow = lic.get("allow", [])
    for a in allow:
        if BANNED_LICENCES.search(a):
            errors.append(f"deny.toml: licence {a} allowed: no GPL, LGPL or AGPL in the binary of a public service")
    if "EUPL-1.2" not in allow:
        errors.append("deny.toml: EUPL-1.2, pge's own licence, is not allowed")
    if (lic.get("private") or {}).get("ignore", False):
        errors.append("deny.toml: licenses.private.ignore: pge's own crates would not be checked")
    if lic.get("confidence-threshold", 0.8) < 0.9:
        errors.append("deny.toml: licenses.confidence-threshold under 0.9: a licence text guessed")
    if lic.get("exceptions"):
        for e in lic["exceptions"]:
            if any(BANNED_LICENCES.search(a) for a in e.get("allow", [])):
                errors.append(f"deny.toml: exception {e.get('crate') or e.get('name')} allows {e.get('allow')}")
    src = deny.get("sources", {})
    if src.get("unknown-registry") != "deny" or src.get("unknown-git") != "deny" or src.get("allow-git"):
        errors.append("deny.toml: [sources] must deny unknown registries and git sources (crates.io only)")
    if deny.get("bans", {}).get("wildcards") != "deny":
        errors.append("deny.toml: bans.wildcards must be deny")
    test_sh = open(os.path.join(root, "scripts/test.sh")).read()
    if not re.search(r"^scripts/supply-chain\.sh\s*$", test_sh, re.M):
        errors.append("scripts/test.sh (the README's test command) does not run scripts/supply-chain.sh")
    sc = open(os.path.join(root, "scripts/supply-chain.sh")).read() if os.path.exists(os.path.join(root, "scripts/supply-chain.sh")) else ""
    if not re.search(r"deny --offline .*check .*licenses bans sources", sc):
        errors.append("scripts/supply-chain.sh does not run cargo deny --offline check licenses bans sources")
    if not re.search(r"cargo install --locked .*cargo-deny --version", sc):
        errors.append("scripts/supply-chain.sh does not install a pinned cargo-deny when missing")
    if "SKIPPED npm audit" not in sc:
        errors.append("scripts/supply-chain.sh: a refused npm audit must be reported as skipped, with the registry's answer")
    jobs = {n: " ".join(script(ci, j)) for n, j in real.items()}
    for what, pattern in (("cargo deny check advisories", r"cargo-deny deny .*check .*advisories|cargo deny .*check .*advisories"),
                          ("npm audit --audit-level=high on web/", r"npm audit --prefix web --audit-level=high")):
        runs = [n for n, s in jobs.items() if re.search(pattern, s)]
        if not runs:
            errors.append(f"no GitLab job runs {what}")
        for n in runs:
            j = real[n]
            if j.get("allow_failure") or any(r.get("when") == "manual" for r in j.get("rules", []) or []):
                errors.append(f"{n}: {what} must run on every pipeline and count (no allow_failure, not manual)")
            if j.get("rules") and not any("merge_request_event" in str(r.get("if", "")) or not r.get("if") for r in j["rules"]):
                errors.append(f"{n}: {what} must run on merge requests too")
    # SBOMs: one script (scripts/sbom.sh) for .ci/run's image step and GitLab.
    sbom_sh = os.path.join(root, "scripts/sbom.sh")
    s = open(sbom_sh).read() if os.path.exists(sbom_sh) else ""
    if not re.search(r"CARGO_CYCLONEDX_VERSION=\d+\.\d+\.\d+", s) or not re.search(r'"@cyclonedx/cyclonedx-npm@\d+\.\d+\.\d+"', s):
        errors.append("scripts/sbom.sh must pin cargo-cyclonedx and @cyclonedx/cyclonedx-npm")
    rb = open(os.path.join(root, "scripts/release-build.sh")).read()
    run = open(os.path.join(root, ".ci/run")).read() if os.path.exists(os.path.join(root, ".ci/run")) else ""
    if not re.search(r'scripts/sbom\.sh "\$SBOM_DIR"', rb) or not re.search(r"SBOM_DIR=\S+ scripts/release-build\.sh", run):
        errors.append(".ci/run's image step does not make the SBOMs (SBOM_DIR=... scripts/release-build.sh, which runs scripts/sbom.sh)")
    makers = [n for n, s2 in jobs.items() if re.search(r"scripts/sbom\.sh (\S+)", s2)]
    if not makers:
        errors.append("no GitLab job runs scripts/sbom.sh")
    for n in makers:
        cdx = ((real[n].get("artifacts") or {}).get("reports") or {}).get("cyclonedx") or []
        if sorted(os.path.basename(str(c)) for c in cdx) != ["pge.cdx.json", "web.cdx.json"]:
            errors.append(f"{n}: artifacts:reports:cyclonedx must hold pge.cdx.json and web.cdx.json (got {cdx}): GitLab keeps them with the pipeline")
    return errors, makers


def sign(ci, real, makers):
    errors = []
    pushers = [n for n, j in real.items() if any(re.search(r"\bbuildah push\b", line) for line in script(ci, j))]
    for n in pushers:
        j = real[n]
        s = script(ci, j)
        push = first(s, r"\bbuildah push\b")
        tokens = {k for k, t in (j.get("id_tokens") or {}).items() if isinstance(t, dict) and t.get("aud") == "sigstore"}
        if "SIGSTORE_ID_TOKEN" not in tokens:
            errors.append(f"{n}: no id_tokens SIGSTORE_ID_TOKEN with aud sigstore: cosign cannot sign keyless with GitLab's OIDC")
        at = first(s, r"\bcosign sign\b")
        if at is None or at < push:
            errors.append(f"{n}: the pushed image is not signed (cosign sign after buildah push)")
        else:
            if "--key" in s[at]:
                errors.append(f"{n}: cosign sign with a key: keyless (GitLab's OIDC) is the policy")
            if "@" not in s[at] or "digest" not in s[at]:
                errors.append(f"{n}: cosign sign by tag: sign the digest buildah pushed (--digestfile)")
        for sbom in ("pge.cdx.json", "web.cdx.json"):
            if first(s, rf"cosign attest .*--type cyclonedx .*--predicate \S*{re.escape(sbom)}", push) is None:
                errors.append(f"{n}: {sbom} is not attached to the image (cosign attest --type cyclonedx --predicate .../{sbom})")
        needs = [x if isinstance(x, str) else x.get("job") for x in j.get("needs", []) or []]
        if makers and not set(makers) & set(needs):
            errors.append(f"{n}: does not need the SBOM job {makers}: it has no SBOM to attach")
    if not pushers:
        errors.append("no job pushes the image")
    for env, n in deploy_jobs(ci, real).items():
        s = script(ci, real[n])
        up = first(s, r"helm upgrade")
        at = first(s, r"\bcosign verify\b")
        if at is None or at > up:
            errors.append(f"{n}: the image's signature is not verified before helm upgrade (cosign verify)")
            continue
        call = s[at]
        if not re.search(r'--certificate-identity "?\$\{?CI_PROJECT_URL\}?//\.gitlab-ci\.yml@refs/heads/(\$\{?CI_DEFAULT_BRANCH\}?|main)"?', call):
            errors.append(f"{n}: cosign verify without --certificate-identity \"$CI_PROJECT_URL//.gitlab-ci.yml@refs/heads/$CI_DEFAULT_BRANCH\": any signer would do")
        if not re.search(r'--certificate-oidc-issuer "?\$\{?CI_SERVER_URL\}?"?', call):
            errors.append(f"{n}: cosign verify without --certificate-oidc-issuer \"$CI_SERVER_URL\"")
        if "--certificate-identity-regexp" in call or "--insecure-ignore" in call:
            errors.append(f"{n}: cosign verify loosened ({call[:80]})")
        if not re.search(r'"\$ECR_REPOSITORY:\$CI_COMMIT_SHA"|"\$ECR_REPOSITORY@', call):
            errors.append(f"{n}: cosign verify of another image than the one deployed ($ECR_REPOSITORY:$CI_COMMIT_SHA)")
        if "alpine" in str(real[n].get("image")) and not re.search(r"\bcosign\b", " ".join(line for line in s[:at] if "apk add" in line)):
            errors.append(f"{n}: cosign is not installed before it runs (apk add cosign)")
    return errors


OK = {
    "image": "the image is started from its own files (scripts/image.sh, database and web app required) before it is pushed",
    "spa": "one web build: its digest recorded, the end-to-end tests run it, the deploy jobs upload it only",
    "render": "each deploy lints and renders the chart with the environment's values before helm upgrade",
    "oidc": "AWS roles: main only, each environment's audience only for its own jobs; agents: protected branches of their environment",
    "supply": "deny.toml policy, cargo deny offline in the test command, advisories and npm audit in GitLab, SBOMs made",
    "sign": "the pushed image signed keyless with its SBOMs attached; verified with the expected identity before each deploy",
}


def main(args):
    """args: .gitlab-ci.yml's path and image|spa|render|oidc|supply|sign. Run from the
    repository's root."""
    ci = load_gitlab_ci(args[0])
    real = jobs_of(ci)
    mode = args[1]
    if mode == "image":
        errors = image_started(ci, real)
    elif mode == "spa":
        errors = spa(ci, real)
    elif mode == "render":
        errors = render(ci, real)
    elif mode == "oidc":
        errors = oidc(ci, real)
    elif mode == "supply":
        errors, _ = supply(ci, real)
    else:
        errors = sign(ci, real, supply(ci, real)[1])
    return finish(errors, OK[mode])
