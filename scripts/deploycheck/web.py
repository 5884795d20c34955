"""The web app's deployment, Terraform side: evaluated per environment with tfeval (sample
values for what only AWS knows): the web_deploy output scripts/deploy-web.sh reads, the
CSP CloudFront sends, the SPA behaviour, the Cognito client the app signs in with, the
documents bucket's CORS. Each check returns (errors, the summary when there is none)."""
import json
import pathlib
import re
import shutil
import subprocess

from . import tfeval
from .common import q
from .deploy_web import run_script
from .tfeval import Folder

ENVS = ("staging", "production")


def strs(v):
    return [q(x) for x in v] if isinstance(v, list) else [q(v)]


def one(v):
    return v[0] if isinstance(v, list) and v else (v if isinstance(v, dict) else {})


def ref_name(expr, rtype):
    m = re.fullmatch(r"\$\{%s\.(\w+)\.(id|arn)\}" % re.escape(rtype), str(expr))
    return m.group(1) if m else None


def web_deploy(root="terraform", work=".", stub=None, deploy_web="scripts/deploy-web.sh"):
    """The web_deploy output of each environment (the PGE_WEB_DEPLOY file scripts/deploy-web.sh
    reads) names its bucket, distribution, Cognito values and deploy role, and deploy-web.sh
    (run with the aws stand-in of the folder `stub`, in the scratch folder `work`) accepts
    it and writes the expected config.json (when `stub` is given)."""
    errors = []
    err = errors.append
    script = pathlib.Path(deploy_web).read_text()
    for env in ENVS:
        try:
            s = tfeval.environment(root, env)
            outs = s.folder.outputs()
            if "web_deploy" not in outs:
                err(f"{env}: no output web_deploy (the PGE_WEB_DEPLOY file of scripts/deploy-web.sh)"); continue
            text = s.value(outs["web_deploy"])
            kv = {}
            for line in text.splitlines():
                if line.strip() and not line.lstrip().startswith("#"):
                    k, sep, v = line.partition("=")
                    if not sep:
                        err(f"{env}: web_deploy: not a KEY=value line: {line!r}"); continue
                    kv[k.strip()] = v
            region = s.ref("var.region")
            expected = {
                "PGE_WEB_BUCKET": s.ref("module.s3.frontend_bucket"),
                "PGE_WEB_DISTRIBUTION_ID": s.ref("module.cloudfront.distribution_id"),
                "PGE_WEB_AUTHORITY": f"https://cognito-idp.{region}.amazonaws.com/{s.ref('module.cognito.user_pool_id')}",
                "PGE_WEB_CLIENT_ID": s.ref("module.cognito.spa_client_id"),
                "PGE_WEB_LOGOUT_URL": f"https://{s.ref('module.cognito.hosted_ui_domain')}/logout",
                "PGE_WEB_REVOCATION_URL": f"https://{s.ref('module.cognito.hosted_ui_domain')}/oauth2/revoke",
                # The staff pool's provider (config.json's staff object): reviewers and
                # admins sign in there, MFA required.
                "PGE_WEB_STAFF_AUTHORITY": f"https://cognito-idp.{region}.amazonaws.com/{s.ref('module.cognito_staff.user_pool_id')}",
                "PGE_WEB_STAFF_CLIENT_ID": s.ref("module.cognito_staff.spa_client_id"),
                "PGE_WEB_STAFF_LOGOUT_URL": f"https://{s.ref('module.cognito_staff.hosted_ui_domain')}/logout",
                "PGE_WEB_STAFF_REVOCATION_URL": f"https://{s.ref('module.cognito_staff.hosted_ui_domain')}/oauth2/revoke",
            }
            for k, want in expected.items():
                if kv.get(k) != want:
                    err(f"{env}: web_deploy {k}={kv.get(k)!r}, expected {want!r}")
            if kv.get("PGE_WEB_BUCKET") != s.module("cloudfront").arg("frontend_bucket"):
                err(f"{env}: web_deploy's bucket is not the one CloudFront serves (module cloudfront frontend_bucket)")
            m = re.search(r"PGE_WEB_DEPLOY_ROLE_ARN=\$\{module\.(\w+)\.\w+\}", str(outs["web_deploy"]))
            if not m:
                err(f"{env}: web_deploy has no PGE_WEB_DEPLOY_ROLE_ARN from a module (the role the deploy jobs assume)")
            else:
                role = s.module(m.group(1))
                if role.raw_arg("frontend_bucket_arn") != "${module.s3.frontend_bucket_arn}" or role.raw_arg("distribution_arn") != "${module.cloudfront.distribution_arn}":
                    err(f"{env}: module {m.group(1)} (the web deploy role) must be given module.s3.frontend_bucket_arn and module.cloudfront.distribution_arn")
            for k in kv:
                if not re.search(rf"\b{k}\b", script):
                    err(f"{env}: web_deploy sets {k}, which scripts/deploy-web.sh does not read")
            # What deploy-web.sh makes of it: exit 0 and the expected config.json.
            if stub is None:
                continue
            work_env = pathlib.Path(work) / f"web-deploy-{env}"
            shutil.rmtree(work_env, ignore_errors=True)
            (work_env / "dist").mkdir(parents=True)
            (work_env / "dist/index.html").write_text("<!doctype html>")
            (work_env / "token").write_text("id-token")
            (work_env / "web_deploy.env").write_text(text)
            r, _ = run_script(["--env-file", str(work_env / "web_deploy.env"), "--dist", str(work_env / "dist")], stub,
                              work_env / "log", work_env / "store", AWS_WEB_IDENTITY_TOKEN_FILE=str(work_env / "token"))
            if r.returncode != 0:
                err(f"{env}: scripts/deploy-web.sh refuses the web_deploy output: {(r.stderr or r.stdout).strip()[-300:]}")
            elif not (work_env / "store" / kv.get("PGE_WEB_BUCKET", "-") / "config.json").exists():
                err(f"{env}: scripts/deploy-web.sh wrote no config.json from the web_deploy output")
            else:
                got = json.loads((work_env / "store" / kv["PGE_WEB_BUCKET"] / "config.json").read_text())
                want = {"authority": expected["PGE_WEB_AUTHORITY"], "client_id": expected["PGE_WEB_CLIENT_ID"],
                        "scope": "openid email", "logout_url": expected["PGE_WEB_LOGOUT_URL"],
                        "revocation_url": expected["PGE_WEB_REVOCATION_URL"],
                        "staff": {"authority": expected["PGE_WEB_STAFF_AUTHORITY"], "client_id": expected["PGE_WEB_STAFF_CLIENT_ID"],
                                  "scope": "openid email", "logout_url": expected["PGE_WEB_STAFF_LOGOUT_URL"],
                                  "revocation_url": expected["PGE_WEB_STAFF_REVOCATION_URL"]}}
                if got != want:
                    err(f"{env}: config.json from web_deploy is {got}, expected {want}")
        except tfeval.EvalError as e:
            err(f"{env}: {e}")
    return errors, "web_deploy of both environments names their bucket, distribution, both pools' Cognito values and deploy role; deploy-web.sh accepts it"

def csp(root="terraform", config_rs="api/src/config.rs"):
    """The Content-Security-Policy CloudFront sends, for each environment: no unsafe-*,
    connect-src the documents bucket as the API signs its URLs and Cognito, form-action
    the hosted UI. `config_rs`: api/src/config.rs (path-style URLs or not)."""
    errors = []
    err = errors.append
    # The API presigns S3 URLs virtual-hosted style unless PGE_S3_FORCE_PATH_STYLE (a
    # test-only override the chart never sets) is on by default.
    config_rs = pathlib.Path(config_rs).read_text() if pathlib.Path(config_rs).exists() else ""
    path_style = bool(re.search(r'env = "PGE_S3_FORCE_PATH_STYLE", default_value_t = true', config_rs))
    for env in ENVS:
        try:
            s = tfeval.environment(root, env)
            cf = s.module("cloudfront")
            dist = one(list(cf.folder.typed("resource").get(k) for k in cf.folder.typed("resource") if k.startswith("aws_cloudfront_distribution.")))
            policy_name = ref_name(one(dist.get("default_cache_behavior")).get("response_headers_policy_id"), "aws_cloudfront_response_headers_policy")
            policy = cf.folder.typed("resource").get(f"aws_cloudfront_response_headers_policy.{policy_name}")
            if not policy:
                err(f"{env}: the SPA behaviour has no response headers policy of the module"); continue
            cspb = one(one(policy.get("security_headers_config")).get("content_security_policy"))
            if not cspb:
                err(f"{env}: the response headers policy sends no Content-Security-Policy"); continue
            if cspb.get("override") is not True:
                err(f"{env}: the CSP must override (override = true)")
            csp = cf.scope.value(cspb["content_security_policy"])
            directives = {}
            for part in [p.strip() for p in csp.split(";") if p.strip()]:
                name, *sources = part.split()
                if name in directives:
                    err(f"{env}: CSP directive {name} twice")
                directives[name] = sources
            for name, sources in directives.items():
                for src in sources:
                    if src.strip("'") in ("unsafe-inline", "unsafe-eval", "unsafe-hashes", "wasm-unsafe-eval") or "*" in src or src in ("http:", "https:") or src.startswith("http://"):
                        err(f"{env}: CSP {name} allows {src}")
            region = s.ref("var.region")
            bucket = s.ref("module.s3.documents_bucket")
            docs = f"https://s3.{region}.amazonaws.com" if path_style else f"https://{bucket}.s3.{region}.amazonaws.com"
            # Both pools' hosted UIs: the applicants' and the staff's.
            hosted = {"https://" + s.ref("module.cognito.hosted_ui_domain"), "https://" + s.ref("module.cognito_staff.hosted_ui_domain")}
            expected = {
                "default-src": {"'self'"}, "script-src": {"'self'"}, "style-src": {"'self'"},
                "img-src": {"'self'", "data:", "blob:"}, "font-src": {"'self'"},
                "connect-src": {"'self'", docs, f"https://cognito-idp.{region}.amazonaws.com"} | hosted,
                "frame-src": {"'self'", "blob:"}, "object-src": {"'none'"}, "base-uri": {"'self'"},
                "form-action": {"'self'"} | hosted, "frame-ancestors": {"'none'"},
            }
            for name, want in expected.items():
                got = set(directives.get(name, []))
                if got != want:
                    err(f"{env}: CSP {name}: missing {sorted(want - got)}, extra {sorted(got - want)} (documents bucket as the API signs: {docs})")
            for name in sorted(set(directives) - set(expected)):
                err(f"{env}: CSP has an unexpected directive {name}")
        except tfeval.EvalError as e:
            err(f"{env}: {e}")
    return errors, "CSP of both environments: no unsafe-inline, connect-src = self + documents bucket (virtual-hosted) + Cognito, form-action = self + both pools' hosted UIs"

def spa(root="terraform"):
    """The CloudFront distribution's SPA behaviour: S3 through origin access control, the
    viewer-request function sending client-side routes to /index.html (run with node
    when there is one), a cache policy honouring no-cache, security headers, origin
    verify, WAF and kept builds out of reach."""
    errors = []
    err = errors.append
    cf = Folder(f"{root}/modules/cloudfront")
    res = cf.typed("resource")
    dists = [b for k, b in res.items() if k.startswith("aws_cloudfront_distribution.")]
    if len(dists) != 1:
        err(f"expected one aws_cloudfront_distribution, found {len(dists)}")
    else:
        d = dists[0]
        origins = {q(o.get("origin_id")): o for o in d.get("origin", [])}
        dcb = one(d.get("default_cache_behavior"))
        front = origins.get(q(dcb.get("target_origin_id")), {})
        if not front.get("origin_access_control_id"):
            err("the default (SPA) behaviour must target the S3 origin read through origin access control")
        fa = [f for f in dcb.get("function_association", []) if q(f.get("event_type")) == "viewer-request"]
        fname = ref_name(fa[0].get("function_arn", "").replace(".arn}", ".id}"), "aws_cloudfront_function") if fa else None
        fn = res.get(f"aws_cloudfront_function.{fname}") if fname else None
        if not fn:
            err("the SPA behaviour has no viewer-request CloudFront function (client-side routes to /index.html)")
        else:
            code = tfeval.Scope(cf, {}).value(fn["code"])
            cases = {"/": "/index.html", "/requests/42": "/index.html", "/auth/callback": "/index.html",
                     "/index.html": "/index.html", "/config.json": "/config.json",
                     "/assets/index-AbC123.js": "/assets/index-AbC123.js", "/favicon.svg": "/favicon.svg"}
            node = shutil.which("node")
            if node:
                js = code + "\nconst cases = " + json.dumps(cases) + ";\nfor (const [uri, want] of Object.entries(cases)) {\n" \
                     "  const got = handler({request: {uri: uri, headers: {}}}).uri;\n" \
                     "  if (got !== want) { console.log(`${uri} -> ${got}, expected ${want}`); process.exitCode = 1; }\n}\n"
                r = subprocess.run([node, "-e", js], capture_output=True, text=True)
                if r.returncode != 0:
                    err("the CloudFront function does not rewrite exactly the paths without a dot to /index.html: " + (r.stdout + r.stderr).strip()[-500:])
            elif not (re.search(r"indexOf\('\.'\)\s*===\s*-1", code) and "'/index.html'" in code):
                err("the CloudFront function does not rewrite paths without a dot to /index.html")
        cp = ref_name(dcb.get("cache_policy_id"), "aws_cloudfront_cache_policy")
        pol = res.get(f"aws_cloudfront_cache_policy.{cp}") if cp else None
        if not pol:
            err(f"the SPA behaviour's cache policy must be one of the module ({dcb.get('cache_policy_id')}): Managed-CachingOptimized keeps no-cache files 1 s to a day")
        else:
            if pol.get("min_ttl") != 0:
                err(f"SPA cache policy min_ttl {pol.get('min_ttl')}: must be 0, so that index.html and config.json (no-cache) are revalidated")
            if not isinstance(pol.get("max_ttl"), int) or pol["max_ttl"] < 31536000:
                err("SPA cache policy max_ttl must allow the assets' year (31536000)")
            if pol.get("default_ttl") not in (0,):
                err(f"SPA cache policy default_ttl {pol.get('default_ttl')}: 0, so that a file without Cache-Control is not cached")
        hp = ref_name(dcb.get("response_headers_policy_id"), "aws_cloudfront_response_headers_policy")
        shc = one(one(res.get(f"aws_cloudfront_response_headers_policy.{hp}", {}).get("security_headers_config")))
        hsts = one(shc.get("strict_transport_security"))
        if not hsts or (hsts.get("access_control_max_age_sec") or 0) < 31536000:
            err("security headers: HSTS of a year or more missing")
        if not shc.get("content_type_options"):
            err("security headers: X-Content-Type-Options nosniff missing")
        if not q(one(shc.get("referrer_policy")).get("referrer_policy") or ""):
            err("security headers: Referrer-Policy missing")
        for o in d.get("ordered_cache_behavior", []):
            if q(o.get("path_pattern")) == "/api/*":
                break
        else:
            err("no /api/* behaviour")
        api = [o for o in origins.values() if o.get("custom_origin_config")]
        if not api or not any("origin_verify" in str(h.get("value")) for o in api for h in o.get("custom_header", [])):
            err("the API origin lost its origin-verify custom header")
        if not d.get("web_acl_id"):
            err("the distribution has no WAF web ACL")
        pols = cf.typed("data").get("aws_iam_policy_document.frontend", {})
        if not any(q(st.get("effect")) == "Deny" and any("releases/" in str(r) for r in st.get("resources", [])) for st in pols.get("statement", [])):
            err("the frontend bucket policy must keep releases/ (deploy-web.sh's kept builds) away from CloudFront")
    return errors, "SPA behaviour: S3 through OAC, the dot rule to /index.html, origin Cache-Control honoured from 0 s, security headers, origin verify and WAF kept"

def cognito(root="terraform"):
    """The Cognito SPA client: public (no secret), code flow, openid email, short tokens;
    the callback and logout URLs of each environment's domain, in both pools."""
    errors = []
    err = errors.append
    cog = Folder(f"{root}/modules/cognito")
    res = cog.typed("resource")
    outs = cog.outputs()
    name = ref_name(outs.get("spa_client_id", ""), "aws_cognito_user_pool_client")
    c = res.get(f"aws_cognito_user_pool_client.{name}") if name else None
    if not c:
        err("the cognito module has no output spa_client_id of an aws_cognito_user_pool_client")
    else:
        if c.get("generate_secret") is not False:
            err("SPA client: generate_secret must be false (a browser cannot keep a secret)")
        if strs(c.get("allowed_oauth_flows", [])) != ["code"]:
            err(f"SPA client: allowed_oauth_flows must be [\"code\"] (authorization code + PKCE), got {strs(c.get('allowed_oauth_flows', []))}")
        if c.get("allowed_oauth_flows_user_pool_client") is not True:
            err("SPA client: allowed_oauth_flows_user_pool_client must be true")
        if set(strs(c.get("allowed_oauth_scopes", []))) != {"openid", "email"}:
            err(f"SPA client: scopes must be openid email, got {strs(c.get('allowed_oauth_scopes', []))}")
        if "COGNITO" not in strs(c.get("supported_identity_providers", [])):
            err("SPA client: supported_identity_providers must include COGNITO")
        units = one(c.get("token_validity_units"))
        factor = {"seconds": 1 / 60, "minutes": 1, "hours": 60, "days": 1440}
        for tok in ("id_token", "access_token"):
            v = c.get(f"{tok}_validity")
            unit = q(units.get(tok, '"hours"'))
            if not isinstance(v, (int, float)) or not 5 <= v * factor.get(unit, 0) <= 1440:
                err(f"SPA client: {tok}_validity {v} {unit}: between 5 minutes and a day")
        if c.get("enable_token_revocation") is not True:
            err("SPA client: enable_token_revocation (sign-out revokes the refresh token)")
    # The trigger that puts a reviewer's bank into access tokens, on the staff pool only:
    # deploycheck/identity.py (trigger).
    if not any(k.startswith("aws_cognito_user_pool_domain.") for k in res):
        err("the cognito module has no hosted UI domain (aws_cognito_user_pool_domain)")
    for o in ("user_pool_id", "spa_client_id", "hosted_ui_domain", "issuer"):
        if o not in outs:
            err(f"the cognito module has no output {o}")
    for env in ENVS:
        try:
            s = tfeval.environment(root, env)
            domain = s.ref("var.domain")
            # Both pools (the applicants' and the staff's) sign in to the same app.
            for name in [n for n, b in s.folder.named("module").items() if q(b.get("source")) == "../../modules/cognito"] or ["cognito"]:
                m = s.module(name)
                where = env if name == "cognito" else f"{env}: module {name}"
                if m.arg("callback_urls") != [f"https://{domain}/auth/callback"]:
                    err(f"{where}: callback_urls {m.arg('callback_urls')}, expected [https://{domain}/auth/callback]")
                if m.arg("logout_urls") != [f"https://{domain}/"]:
                    err(f"{where}: logout_urls {m.arg('logout_urls')}, expected [https://{domain}/]")
        except tfeval.EvalError as e:
            err(f"{env}: {e}")
    return errors, "SPA client: public (no secret), code flow, openid email, short tokens; callback /auth/callback and logout / of each environment's domain"

def cors(root="terraform"):
    """The documents bucket's CORS: PUT and GET from the site's origin only, with the
    headers the API signs."""
    errors = []
    err = errors.append
    s3 = Folder(f"{root}/modules/s3")
    cors = [b for k, b in s3.typed("resource").items() if k.startswith("aws_s3_bucket_cors_configuration.") and "aws_s3_bucket.documents." in str(b.get("bucket"))]
    if not cors:
        err("the documents bucket has no CORS configuration (the browser uploads with presigned PUTs)")
    else:
        rules = cors[0].get("cors_rule", [])
        methods = {m for r in rules for m in strs(r.get("allowed_methods", []))}
        if not {"PUT", "GET"} <= methods or methods - {"PUT", "GET", "HEAD"}:
            err(f"documents CORS methods {sorted(methods)}: PUT and GET (HEAD at most besides)")
        for r in rules:
            headers = {h.lower() for h in strs(r.get("allowed_headers", []))}
            if "*" in headers:
                err("documents CORS allows every header (*)")
            if "PUT" in strs(r.get("allowed_methods", [])):
                missing = {"content-type", "content-length", "if-none-match", "x-amz-*"} - headers
                if missing:
                    err(f"documents CORS: the PUT rule lacks the signed headers {sorted(missing)}")
            if "etag" not in {h.lower() for h in strs(r.get("expose_headers", []))}:
                err("documents CORS: expose ETag")
        for env in ENVS:
            try:
                s = tfeval.environment(root, env)
                domain = s.ref("var.domain")
                mod = s.module("s3")
                for r in rules:
                    origins = mod.scope.value(r.get("allowed_origins"))
                    origins = origins if isinstance(origins, list) else [origins]
                    if origins != [f"https://{domain}"]:
                        err(f"{env}: documents CORS origins {origins}, expected the site's origin only [https://{domain}]")
            except tfeval.EvalError as e:
                err(f"{env}: {e}")
    return errors, "documents bucket CORS: PUT and GET from the site origin only, with content-type, content-length, if-none-match, x-amz-*"

CHECKS = {"web_deploy": web_deploy, "csp": csp, "spa": spa, "cognito": cognito, "cors": cors}


def main(args):
    """args: web_deploy|csp|spa|cognito|cors, then for web_deploy a scratch folder and the
    aws stand-in's folder."""
    errors, ok = CHECKS[args[0]](*(["terraform"] + args[1:] if args[0] == "web_deploy" else []))
    print("\n".join(errors) or ok)
    return 1 if errors else 0
