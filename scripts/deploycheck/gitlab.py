"""Checks of .gitlab-ci.yml: the pipeline's shape (stages, needs, no Docker-in-Docker,
staging deployed automatically and production by hand, images whose entrypoint is a
program, the PostgreSQL server of the test job) and the web app in it (one build job per
commit; each deploy and rollback job puts the matching build online after the API)."""
import re

from .common import finish, load_gitlab_ci

# Top-level keys that are not jobs.
RESERVED = {"stages", "variables", "default", "workflow", "include", "image", "services", "cache", "before_script", "after_script"}
# Images whose entrypoint is a program, not a shell: GitLab's runner would hand the job
# script to that program, so the job must clear it (entrypoint: [""]).
PROGRAM_ENTRYPOINTS = ("alpine/helm", "gcr.io/kaniko-project/executor", "hashicorp/terraform",
                       "amazon/aws-cli", "bitnami/kubectl", "bitnami/helm")
# A command run in web/ (npm --prefix web, cd web).
WEB = r"(--prefix[= ]web\b|\bcd web\b)"
# A rollback of the Helm release: plain (refused by `gate`) or by scripts/helm-rollback.sh.
ROLLBACK = r"\bhelm rollback\b|scripts/helm-rollback\.sh"


def contract(ci, test_sh):
    """Errors of the pipeline `ci` (.gitlab-ci.yml, parsed); `test_sh` is the text of
    scripts/test.sh. Returns (errors, the real jobs, extends resolved)."""
    stages = ci.get("stages", [])
    errors = []
    if stages != ["lint", "test", "build", "deploy"]:
        errors.append(f"stages must be lint, test, build, deploy (got {stages})")
    jobs = {k: v for k, v in ci.items() if k not in RESERVED and isinstance(v, dict)}
    def resolved(name, seen=()):
        job = dict(jobs[name])
        ext = job.get("extends", [])
        for parent in [ext] if isinstance(ext, str) else ext:
            if parent not in jobs:
                errors.append(f"{name}: extends unknown job {parent}")
                continue
            base = resolved(parent, seen + (name,))
            base.update(job)
            job = base
        return job
    real = {k: resolved(k) for k in jobs if not k.startswith(".")}
    for name, job in real.items():
        st = job.get("stage", "test")
        if st not in stages:
            errors.append(f"{name}: stage '{st}' is not declared")
        for need in job.get("needs", []) or []:
            n = need if isinstance(need, str) else need.get("job")
            if n not in real:
                errors.append(f"{name}: needs unknown job '{n}'")
            elif stages.index(real[n].get("stage", "test")) > stages.index(st):
                errors.append(f"{name}: needs '{n}' from a later stage")
        for svc in job.get("services", []) or []:
            s = svc if isinstance(svc, str) else svc.get("name", "")
            if "dind" in s:
                errors.append(f"{name}: Docker-in-Docker service is not allowed ({s})")
        if job.get("privileged"):
            errors.append(f"{name}: privileged")
    def script(name):
        return " ".join(map(str, real.get(name, {}).get("script", [])))

    if "scripts/test.sh" not in script("test"):
        errors.append("the test job must run scripts/test.sh")
    if not any("postgres" in str(s) for s in real.get("test", {}).get("services", [])):
        errors.append("the test job needs a PostgreSQL service")
    deploys = {n: j for n, j in real.items() if j.get("stage") == "deploy" and "helm upgrade" in script(n)}
    for env, manual in (("staging", False), ("production", True)):
        cand = [n for n, j in deploys.items() if isinstance(j.get("environment"), dict) and j["environment"].get("name") == env]
        if not cand:
            errors.append(f"no helm deploy job for environment {env}"); continue
        j = deploys[cand[0]]
        s = script(cand[0])
        for flag in ("--install", "--atomic", "--wait", "image.tag=$CI_COMMIT_SHA", "ingress.originVerify.value=$PGE_ORIGIN_VERIFY_SECRET"):
            if flag not in s:
                errors.append(f"{cand[0]}: helm command lacks {flag}")
        whens = [r.get("when", "on_success") for r in j.get("rules", [])]
        if manual and "manual" not in whens:
            errors.append(f"{cand[0]}: production must be when: manual")
        if not manual and "manual" in whens:
            errors.append(f"{cand[0]}: staging must deploy automatically")
        if not j["environment"].get("url"):
            errors.append(f"{cand[0]}: environment needs a url")
    # Images whose entrypoint is a program (PROGRAM_ENTRYPOINTS) must clear it.
    variables = ci.get("variables", {}) or {}
    for name, job in real.items():
        image = job.get("image", ci.get("default", {}).get("image", ci.get("image")))
        spec = image if isinstance(image, dict) else {"name": image}
        ref = str(spec.get("name") or "")
        ref = re.sub(r"\$\{?(\w+)\}?", lambda m: str(variables.get(m.group(1), m.group(0))), ref)
        repo = ref.split("@")[0].rsplit(":", 1)[0] if ":" in ref.split("/")[-1] else ref.split("@")[0]
        if repo.removeprefix("docker.io/") in PROGRAM_ENTRYPOINTS and spec.get("entrypoint") != [""]:
            errors.append(f"{name}: image {ref} has a program as entrypoint: set image: {{name: ..., entrypoint: [\"\"]}}")
    # scripts/test.sh runs scripts/fault-test.py, which starts a PostgreSQL server of its own
    # (initdb, pg_ctl, and the postgres user when run as root): the client alone is not enough.
    if "fault-test.py" in test_sh:
        test_job = real.get("test", {})
        lines = [str(l) for l in (test_job.get("before_script", []) or []) + (test_job.get("script", []) or [])]
        if not any("install" in l and re.search(r"(?<![\w-])postgresql(?![\w-])", l) for l in lines):
            errors.append("the test job runs scripts/fault-test.py (via scripts/test.sh) but does not install the PostgreSQL server package (postgresql)")
    wf = " ".join(str(r.get("if", "")) for r in ci.get("workflow", {}).get("rules", []))
    if "merge_request_event" not in wf:
        errors.append("workflow rules must enable merge-request pipelines")
    return errors, real


def contract_main(args):
    """args: .gitlab-ci.yml's path. Run from the repository's root."""
    with open("scripts/test.sh") as f:
        test_sh = f.read()
    errors, real = contract(load_gitlab_ci(args[0]), test_sh)
    return finish(errors, f"{len(real)} jobs ok")


def jobs_of(ci):
    """The pipeline's real jobs (not the hidden `.templates`), `extends` resolved."""
    jobs = {k: v for k, v in ci.items() if k not in RESERVED and isinstance(v, dict)}

    def resolved(name):
        job = {}
        ext = jobs[name].get("extends", [])
        for parent in [ext] if isinstance(ext, str) else ext:
            if parent in jobs:
                job.update(resolved(parent))
        job.update(jobs[name])
        return job
    return {k: resolved(k) for k in jobs if not k.startswith(".")}


def lines(ci, job, key):
    v = job.get(key, ci.get("default", {}).get(key) if key in ("before_script", "after_script") else None) or []
    return [str(line) for line in (v if isinstance(v, list) else [v])]


def script(ci, job):
    """The job's before_script and script lines, in the order they run."""
    return lines(ci, job, "before_script") + lines(ci, job, "script")


def image(ci, job):
    i = job.get("image", ci.get("default", {}).get("image", ci.get("image")))
    return str(i.get("name") if isinstance(i, dict) else i or "")


def env_of(job):
    e = job.get("environment")
    return e.get("name") if isinstance(e, dict) else e


def needs_of(job):
    return [x if isinstance(x, str) else x.get("job") for x in job.get("needs", []) or []]


def web(ci, mode):
    """Errors of the web app's jobs in the pipeline `ci`: its build job (mode "build") or
    the deploy and rollback jobs that upload it (mode "deploy"). Returns (errors, the
    build jobs found)."""
    real = jobs_of(ci)
    stages = ci.get("stages", [])
    errors = []
    builders = [n for n, j in real.items() if any(re.search(r"\bnpm\b.*\brun build\b", l) and re.search(WEB, l) for l in script(ci, j))]
    if len(builders) != 1:
        errors.append(f"expected exactly one job building the web app (npm --prefix web run build), found {builders}")
    if mode == "build" and len(builders) == 1:
        name = builders[0]
        job = real[name]
        s = script(ci, job)
        if not re.fullmatch(r"node:20([.-].*)?", image(ci, job)):
            errors.append(f"{name}: image {image(ci, job)!r}, expected node:20 (node:20-bookworm-slim)")
        if not any(re.search(r"\bnpm ci\b", l) and re.search(WEB, l) for l in s):
            errors.append(f"{name}: no `npm ci --prefix web` (install from the lock file)")
        ci_at = next((i for i, l in enumerate(s) if re.search(r"\bnpm ci\b", l)), None)
        build_at = next((i for i, l in enumerate(s) if re.search(r"\brun build\b", l)), None)
        if ci_at is not None and build_at is not None and ci_at > build_at:
            errors.append(f"{name}: npm ci must come before the build")
        paths = [str(p).rstrip("/") for p in (job.get("artifacts") or {}).get("paths", [])]
        if "web/dist" not in paths:
            errors.append(f"{name}: artifacts.paths must hold web/dist (got {paths})")
        variables = dict(ci.get("variables", {}) or {})
        variables.update(job.get("variables", {}) or {})
        npm_cache = variables.get("npm_config_cache") or variables.get("NPM_CONFIG_CACHE")
        m = next((re.search(r"--cache[= ](\S+)", l) for l in s if re.search(r"--cache[= ]", l)), None)
        npm_cache = m.group(1) if m else npm_cache
        cache = job.get("cache") or {}
        cache_paths = [str(p).rstrip("/") for c in (cache if isinstance(cache, list) else [cache]) for p in (c.get("paths") or [])]
        if not npm_cache:
            errors.append(f"{name}: npm's cache is not moved into the project (npm_config_cache: $CI_PROJECT_DIR/.npm), so it cannot be cached")
        else:
            rel = re.sub(r"^\$\{?CI_PROJECT_DIR\}?/", "", str(npm_cache).strip('"')).rstrip("/")
            if not any(rel == p or rel.startswith(p + "/") for p in cache_paths):
                errors.append(f"{name}: npm's cache {npm_cache} is not in the job's cache paths {cache_paths}")
        if job.get("stage", "test") not in stages or stages.index(job.get("stage", "test")) >= stages.index("deploy"):
            errors.append(f"{name}: must run before the deploy stage")
        for r in job.get("rules", []) or []:
            if r.get("when") == "manual":
                errors.append(f"{name}: must run on every commit, not by hand")
    elif mode == "deploy" and len(builders) == 1:
        web_job = builders[0]
        for env in ("staging", "production"):
            deploys = [n for n, j in real.items() if env_of(j) == env and any("helm upgrade" in l for l in script(ci, j))]
            rollbacks = [n for n, j in real.items() if env_of(j) == env and any(re.search(ROLLBACK, l) for l in script(ci, j))]
            if not deploys:
                errors.append(f"no helm deploy job for {env}")
            for n in deploys + rollbacks:
                j, s = real[n], script(ci, real[n])
                helm_at = next(i for i, l in enumerate(s) if re.search(r"helm upgrade|" + ROLLBACK, l))
                calls = [(i, l) for i, l in enumerate(s) if "scripts/deploy-web.sh" in l]
                if not calls:
                    errors.append(f"{n}: does not run scripts/deploy-web.sh (the web app of {env})"); continue
                at, call = calls[-1]
                if at < helm_at:
                    errors.append(f"{n}: scripts/deploy-web.sh runs before helm: the new app would call the old API")
                if not re.search(r'--env-file[= ]"?\$\{?PGE_WEB_DEPLOY\}?"?', call):
                    errors.append(f"{n}: deploy-web.sh must read the bucket, distribution and Cognito values from the Terraform output (--env-file \"$PGE_WEB_DEPLOY\")")
                ids = j.get("id_tokens") or {}
                # The web deploy role of an environment trusts its own audience only
                # (pge-<environment>, terraform/modules/gitlab-web-deploy).
                env_tokens = [k for k, t in ids.items() if isinstance(t, dict) and t.get("aud") == f"pge-{env}"]
                if not env_tokens:
                    errors.append(f"{n}: no ID token of audience pge-{env} (id_tokens: {{AWS_DEPLOY_ID_TOKEN: {{aud: pge-{env}}}}}): the upload needs {env}'s web deploy role")
                elif not any("AWS_WEB_IDENTITY_TOKEN_FILE" in l for l in s[:at]):
                    errors.append(f"{n}: the ID token is not given to the aws CLI (AWS_WEB_IDENTITY_TOKEN_FILE) before deploy-web.sh")
                installed = " ".join(l for l in s[:at] if "apk add" in l)
                if "alpine" in image(ci, j) and not (re.search(r"\baws-cli\b", installed) and re.search(r"\bbash\b", installed)):
                    errors.append(f"{n}: image {image(ci, j)} has neither bash nor the aws CLI: apk add bash aws-cli")
                if n in deploys:
                    needs = {(x if isinstance(x, str) else x.get("job")): (True if isinstance(x, str) else x.get("artifacts", True)) for x in j.get("needs", []) or []}
                    if not needs.get(web_job):
                        errors.append(f"{n}: needs [{web_job}] (with its artifacts) to upload that build")
                    m = re.search(r"--dist[= ](\S+)", call)
                    if m and m.group(1).strip('"').rstrip("/") != "web/dist":
                        errors.append(f"{n}: deploy-web.sh uploads {m.group(1)}, not {web_job}'s web/dist")
                    if not re.search(r'--release[= ]"?\$\{?CI_COMMIT_SHA\}?"?', call):
                        errors.append(f"{n}: deploy-web.sh --release \"$CI_COMMIT_SHA\" missing: the rollback job could not find this build")
                else:
                    if "--from-release" not in call:
                        errors.append(f"{n}: after helm rollback, deploy-web.sh --from-release <image tag of the revision> must put that revision's web app back")
    return errors, builders


def web_main(args):
    """args: .gitlab-ci.yml's path and build|deploy."""
    mode = args[1]
    errors, builders = web(load_gitlab_ci(args[0]), mode)
    return finish(errors, f"{builders[0]} builds the web app once per commit" if mode == "build"
                  else "every deploy and rollback job updates the web app after the API")


# --- issue 29, part 1: production gated on staging, a rollback that goes back, promoted
# images tagged ------------------------------------------------------------------------

def helm_jobs(ci, real, pattern):
    """{environment: [job names]} of the jobs whose scripts match `pattern`."""
    out = {}
    for n, j in real.items():
        if any(re.search(pattern, line) for line in script(ci, j)):
            out.setdefault(env_of(j), []).append(n)
    return out


def manual(job):
    return any(r.get("when") == "manual" for r in job.get("rules", []) or []) or job.get("when") == "manual"


def staging_gate(ci, real):
    """deploy-production needs the staging deploy and a smoke test of staging that needs
    it, in the same pipeline (so of the same commit); the smoke test runs on its own."""
    errors = []
    deploys = helm_jobs(ci, real, r"\bhelm upgrade\b")
    staging, production = deploys.get("staging", []), deploys.get("production", [])
    smokes = [n for n, j in real.items() if any(re.search(r'scripts/smoke-test\.sh "?\$\{?STAGING_URL\}?"?', line) for line in script(ci, j))]
    if not smokes:
        errors.append("no job runs scripts/smoke-test.sh \"$STAGING_URL\" (the smoke test of staging after its deploy)")
    for n in smokes:
        j = real[n]
        if not set(staging) & set(needs_of(j)):
            errors.append(f"{n}: needs the staging deploy job {staging}: it must test what was just deployed")
        if manual(j) or j.get("allow_failure"):
            errors.append(f"{n}: must run by itself after each staging deploy and count (not manual, no allow_failure)")
        if "alpine" in image(ci, j) and not all(re.search(rf"\b{t}\b", " ".join(l for l in script(ci, j) if "apk add" in l)) for t in ("bash", "curl", "jq")):
            errors.append(f"{n}: image {image(ci, j)}: apk add bash curl jq (scripts/smoke-test.sh)")
    for n in production:
        needs = set(needs_of(real[n]))
        if not staging or not set(staging) <= needs:
            errors.append(f"{n}: production deploys without a successful staging deploy of the same commit: needs {staging}")
        if not smokes or not set(smokes) & needs:
            errors.append(f"{n}: production deploys without the smoke test of staging: needs {smokes or ['<a smoke job>']}")
    if not production:
        errors.append("no helm deploy job for production")
    return errors


def rollback_target(ci, real):
    """No plain `helm rollback` (it goes to current - 1: the failed revision after an
    --atomic failure); each environment's rollback job runs scripts/helm-rollback.sh with
    the release's context and namespace, bash and jq installed before it."""
    errors = []
    for n, j in real.items():
        for line in script(ci, j):
            if re.search(r"\bhelm rollback\b", line):
                errors.append(f"{n}: `{line.strip()[:80]}`: helm rollback without a target revision goes to current - 1, the failed revision after an --atomic failure: run scripts/helm-rollback.sh")
    rollbacks = helm_jobs(ci, real, r"scripts/helm-rollback\.sh")
    for env in ("staging", "production"):
        if not rollbacks.get(env):
            errors.append(f"no rollback job for {env} (scripts/helm-rollback.sh with environment {env})")
        for n in rollbacks.get(env, []):
            s = script(ci, real[n])
            at = next(i for i, line in enumerate(s) if "scripts/helm-rollback.sh" in line)
            call = s[at]
            for flag in ("--kube-context", "--namespace", "--wait"):
                if flag not in call:
                    errors.append(f"{n}: scripts/helm-rollback.sh without {flag}")
            installed = " ".join(line for line in s[:at] if "apk add" in line)
            if "alpine" in image(ci, real[n]) and not (re.search(r"\bbash\b", installed) and re.search(r"\bjq\b", installed)):
                errors.append(f"{n}: scripts/helm-rollback.sh needs bash and jq installed before it (apk add bash jq)")
    return errors


def promotion(ci, real):
    """Each helm deploy job tags the image <environment>-<sha> (scripts/tag-deployed-image.sh,
    which ECR's lifecycle policy keeps) before `helm upgrade`, with the job's ID token."""
    errors = []
    for env, names in helm_jobs(ci, real, r"\bhelm upgrade\b").items():
        for n in names:
            s = script(ci, real[n])
            helm_at = next(i for i, line in enumerate(s) if "helm upgrade" in line)
            tags = [i for i, line in enumerate(s) if re.search(
                r'scripts/tag-deployed-image\.sh "?\$\{?ECR_REPOSITORY\}?"? "?\$\{?CI_COMMIT_SHA\}?"? "?(\$\{?CI_ENVIRONMENT_NAME\}?|%s)"?' % env, line)]
            if not tags or tags[0] > helm_at:
                errors.append(f"{n}: the image is not tagged {env}-<sha> before helm upgrade (scripts/tag-deployed-image.sh \"$ECR_REPOSITORY\" \"$CI_COMMIT_SHA\" \"$CI_ENVIRONMENT_NAME\"): ECR may expire what {env} runs")
                continue
            if not any("AWS_WEB_IDENTITY_TOKEN_FILE" in line for line in s[:tags[0]]):
                errors.append(f"{n}: the ID token is not given to the aws CLI (AWS_WEB_IDENTITY_TOKEN_FILE) before the image is tagged")
            if "alpine" in image(ci, real[n]) and not re.search(r"\bjq\b", " ".join(line for line in s[:tags[0]] if "apk add" in line)):
                errors.append(f"{n}: scripts/tag-deployed-image.sh needs jq (apk add jq)")
    return errors


def dashboards(ci, real):
    """Each helm deploy job provisions the dashboards of ops/grafana/ into its environment's
    Grafana (scripts/provision-dashboards.sh with the Terraform output PGE_DASHBOARDS_DEPLOY)
    after `helm upgrade`, with the ID token given to the aws CLI and curl and jq installed."""
    errors = []
    for env, names in helm_jobs(ci, real, r"\bhelm upgrade\b").items():
        for n in names:
            s = script(ci, real[n])
            helm_at = next(i for i, line in enumerate(s) if "helm upgrade" in line)
            runs = [i for i, line in enumerate(s) if re.search(r'scripts/provision-dashboards\.sh --env-file "?\$\{?PGE_DASHBOARDS_DEPLOY\}?"?', line)]
            if not runs or runs[0] < helm_at:
                errors.append(f"{n}: does not provision the dashboards after helm upgrade (scripts/provision-dashboards.sh --env-file \"$PGE_DASHBOARDS_DEPLOY\"): {env}'s Grafana keeps old panels")
                continue
            if not any("AWS_WEB_IDENTITY_TOKEN_FILE" in line for line in s[:runs[0]]):
                errors.append(f"{n}: the ID token is not given to the aws CLI (AWS_WEB_IDENTITY_TOKEN_FILE) before scripts/provision-dashboards.sh")
            installed = " ".join(line for line in s[:runs[0]] if "apk add" in line)
            if "alpine" in image(ci, real[n]) and not all(re.search(rf"\b{t}\b", installed) for t in ("bash", "curl", "jq", "aws-cli")):
                errors.append(f"{n}: scripts/provision-dashboards.sh needs bash, curl, jq and aws-cli (apk add)")
    return errors


GATES = {"staging": staging_gate, "rollback": rollback_target, "promote": promotion, "dashboards": dashboards}


def gate_main(args):
    """args: .gitlab-ci.yml's path and staging|rollback|promote|dashboards."""
    ci = load_gitlab_ci(args[0])
    return finish(GATES[args[1]](ci, jobs_of(ci)), {
        "staging": "deploy-production needs the staging deploy and its smoke test, of the same pipeline",
        "rollback": "rollback jobs go to the last revision that worked (scripts/helm-rollback.sh), no plain helm rollback",
        "promote": "deploy jobs tag the image <environment>-<sha> before helm upgrade",
        "dashboards": "deploy jobs provision the dashboards after helm upgrade (scripts/provision-dashboards.sh, PGE_DASHBOARDS_DEPLOY)"}[args[1]])
