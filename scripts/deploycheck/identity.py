"""Two Cognito user pools per environment (issue 28: MFA required of bank staff and admins,
not of every business owner), evaluated per environment with tfeval, so that a change of
the module's code or of an environment's arguments is caught alike:

  pools    the applicants' pool (module "cognito"): self sign-up, MFA OPTIONAL, group
           applicants only; the staff pool (module "cognito_staff"): users created by an
           admin only, MFA ON (TOTP), groups bank-reviewers and admins; both with TOTP on,
           threat protection enforced (Plus plan), high-risk sign-ins and compromised
           credentials blocked, never "no action"; the module refuses staff groups in a
           pool without MFA ON and admin-only creation (a precondition)
  trigger  the pre-token-generation trigger (custom:bank_id into access tokens, V2_0) on
           the staff pool only, invokable by Cognito, packaged from the unit-tested file;
           the CloudWatch alarm on its errors watches the staff pool's function
  irsa     the API's IAM role administers the staff pool only (its Cognito calls create
           reviewer accounts there); nothing gives it the applicants' pool
"""
import pathlib
import re

from . import tfeval
from .common import finish, q

ENVS = ("staging", "production")
SOURCE = "../../modules/cognito"
APPLICANTS, STAFF = "cognito", "cognito_staff"
# What each pool must be (evaluated resource attributes and module arguments).
EXPECTED = {
    APPLICANTS: {"mfa": "OPTIONAL", "admin_only": False, "groups": {"applicants"}, "trigger": 0},
    STAFF: {"mfa": "ON", "admin_only": True, "groups": {"bank-reviewers", "admins"}, "trigger": 1},
}
RISK_ACTIONS = {"MFA_IF_CONFIGURED", "MFA_REQUIRED", "BLOCK"}


def one(v):
    return v[0] if isinstance(v, list) and v else (v if isinstance(v, dict) else {})


def conditional(expr, scope):
    """`${var.X ? A : B}` evaluated in `scope` (A and B as written); anything else raises."""
    m = re.fullmatch(r"\$\{var\.(\w+)\s*\?\s*(.+?)\s*:\s*(.+?)\s*\}", str(expr))
    if not m:
        raise tfeval.EvalError(f"cannot evaluate {expr!r}: expected ${{var.<bool> ? A : B}}")
    return m.group(2) if scope.ref(f"var.{m.group(1)}") is True else m.group(3)


def count_of(body, scope):
    """How many instances a resource with `count = var.X ? 1 : 0` (or none) has."""
    if "count" not in body:
        return 1
    return int(conditional(body["count"], scope))


def modules(s):
    """{name: Module} of the environment scope `s`'s calls of the cognito module."""
    return {n: s.module(n) for n, b in s.folder.named("module").items() if q(b.get("source")) == SOURCE}


def pool_errors(env, name, m, want):
    """Errors of the pool of the module instance `m` (named `name`) against `want`."""
    errors = []
    err = errors.append
    res = m.folder.typed("resource")
    pools = {k: v for k, v in res.items() if k.startswith("aws_cognito_user_pool.")}
    if list(pools) != ["aws_cognito_user_pool.this"]:
        return [f"{env}: module {name}: expected one aws_cognito_user_pool.this, found {list(pools)}"]
    pool = pools["aws_cognito_user_pool.this"]
    v = m.scope.value
    mfa = v(pool.get("mfa_configuration", '"OFF"'))
    if mfa != want["mfa"]:
        err(f"{env}: module {name}: mfa_configuration is {mfa!r}, must be {want['mfa']!r}"
            + (" (TOTP required of every bank reviewer and admin: Cognito requires MFA per pool)" if want["mfa"] == "ON"
               else " (not every business owner needs an authenticator app before a first request)"))
    if one(pool.get("software_token_mfa_configuration")).get("enabled") is not True:
        err(f"{env}: module {name}: software_token_mfa_configuration must be enabled (TOTP, the pool's factor)")
    admin_only = v(one(pool.get("admin_create_user_config")).get("allow_admin_create_user_only", False))
    if admin_only is not want["admin_only"]:
        err(f"{env}: module {name}: allow_admin_create_user_only is {admin_only!r}, must be {want['admin_only']!r}"
            + (" (nobody signs up into the staff pool: the API or an operator creates each account)" if want["admin_only"]
               else " (applicants sign up by themselves)"))
    if v(pool.get("user_pool_tier", '"ESSENTIALS"')) != "PLUS" or v(one(pool.get("user_pool_add_ons")).get("advanced_security_mode", '"OFF"')) != "ENFORCED":
        err(f"{env}: module {name}: threat protection must be enforced (user_pool_tier PLUS, advanced_security_mode ENFORCED)")
    # The groups: the module makes one per element of var.groups, of its known ones.
    group = res.get("aws_cognito_user_group.this", {})
    known = m.folder.locals().get("groups", {})
    if not re.fullmatch(r"\$\{\{\s*for g in var\.groups\s*:\s*g\s*=>\s*local\.groups\[g\]\s*\}\}", str(group.get("for_each", ""))):
        err(f"{env}: module {name}: aws_cognito_user_group.this must make the groups of var.groups (for_each = {{ for g in var.groups : g => local.groups[g] }}), got {group.get('for_each')!r}")
    else:
        groups = m.arg("groups") if m.raw_arg("groups") is not None else None
        if not isinstance(groups, list) or set(groups) != want["groups"] or len(groups) != len(want["groups"]):
            err(f"{env}: module {name}: groups {groups!r}, must be {sorted(want['groups'])}")
        for g in groups or []:
            if g not in known:
                err(f"{env}: module {name}: group {g!r} is not one of the module's local.groups")
    # Adaptive authentication: risky sign-ins challenged, high risk and compromised
    # credentials blocked, in both pools.
    risk = [b for k, b in res.items() if k.startswith("aws_cognito_risk_configuration.")]
    if len(risk) != 1:
        err(f"{env}: module {name}: expected one aws_cognito_risk_configuration, found {len(risk)}")
    else:
        actions = one(one(risk[0].get("account_takeover_risk_configuration")).get("actions"))
        got = {lvl: v(one(actions.get(f"{lvl}_action")).get("event_action", '"NO_ACTION"')) for lvl in ("low", "medium", "high")}
        if got["high"] != "BLOCK":
            err(f"{env}: module {name}: high-risk sign-ins must be blocked, got {got['high']!r}")
        for lvl, a in got.items():
            if a not in RISK_ACTIONS:
                err(f"{env}: module {name}: {lvl}-risk sign-ins get {a!r}: challenge (MFA_IF_CONFIGURED, MFA_REQUIRED) or block them")
        cc = v(one(one(risk[0].get("compromised_credentials_risk_configuration")).get("actions")).get("event_action", '"NO_ACTION"'))
        if cc != "BLOCK":
            err(f"{env}: module {name}: compromised credentials must be blocked, got {cc!r}")
    return errors


def precondition_errors(folder):
    """The module itself refuses staff groups in a pool that does not require MFA or lets
    anyone sign up (a lifecycle precondition of the pool)."""
    pool = folder.typed("resource").get("aws_cognito_user_pool.this", {})
    conds = [str(p.get("condition", "")) for lc in pool.get("lifecycle", []) for p in lc.get("precondition", [])]
    for c in conds:
        if all(s in c for s in ('"bank-reviewers"', '"admins"', 'var.mfa_configuration == "ON"', "var.admin_create_user_only")):
            return []
    return ["modules/cognito: the user pool needs a precondition refusing the bank-reviewers and admins groups unless "
            "var.mfa_configuration == \"ON\" and var.admin_create_user_only"]


def pools(root="terraform"):
    errors = []
    for env in ENVS:
        try:
            s = tfeval.environment(root, env)
            mods = modules(s)
            if set(mods) != set(EXPECTED):
                errors.append(f"{env}: the calls of {SOURCE} are {sorted(mods)}: expected {APPLICANTS} (the applicants' pool) and {STAFF} (the staff pool)")
                continue
            for name, m in mods.items():
                errors += pool_errors(env, name, m, EXPECTED[name])
            if mods[APPLICANTS].arg("domain_prefix") == mods[STAFF].arg("domain_prefix"):
                errors.append(f"{env}: both pools have the hosted UI domain prefix {mods[STAFF].arg('domain_prefix')!r}")
            if mods[APPLICANTS].arg("name") == mods[STAFF].arg("name"):
                errors.append(f"{env}: both pools are named {mods[STAFF].arg('name')!r}")
        except tfeval.EvalError as e:
            errors.append(f"{env}: {e}")
    errors += precondition_errors(tfeval.Folder(pathlib.Path(root) / "modules/cognito"))
    return errors, ("applicants' pool: self sign-up, MFA OPTIONAL, applicants only; staff pool: admin-created users, "
                    "TOTP MFA ON, bank-reviewers and admins; threat protection enforced in both")


def trigger(root="terraform"):
    errors = []
    err = errors.append
    for env in ENVS:
        try:
            s = tfeval.environment(root, env)
            mods = modules(s)
            for name, want in EXPECTED.items():
                m = mods.get(name)
                if m is None:
                    err(f"{env}: no module {name}"); continue
                res = m.folder.typed("resource")
                pool = res.get("aws_cognito_user_pool.this", {})
                configs = [d['"lambda_config"'] for d in pool.get("dynamic", []) if '"lambda_config"' in d]
                static = pool.get("lambda_config")
                if static:
                    err(f"{env}: module {name}: a static lambda_config block: the trigger must be the staff pool's only (dynamic, on var.pre_token_generation)"); continue
                n = int(conditional(configs[0]["for_each"], m.scope).strip("[]") or 0) if configs else 0
                ptg = one(one(configs[0].get("content")).get("pre_token_generation_config")) if configs else {}
                if n != want["trigger"]:
                    err(f"{env}: module {name}: the pre-token-generation trigger is {'attached to' if n else 'missing from'} this pool: "
                        f"it belongs to the staff pool ({STAFF}) only (custom:bank_id of reviewers into access tokens)")
                if not n:
                    continue
                fn_ref = re.fullmatch(r"\$\{aws_lambda_function\.(\w+)(\[0\])?\.arn\}", str(ptg.get("lambda_arn", "")))
                fn = res.get(f"aws_lambda_function.{fn_ref.group(1)}") if fn_ref else None
                if q(ptg.get("lambda_version", "")) != "V2_0" or not fn:
                    err(f"{env}: module {name}: no pre_token_generation_config with lambda_version V2_0 and a function of the module (reviewers' access tokens would lack custom:bank_id)"); continue
                if count_of(fn, m.scope) != 1:
                    err(f"{env}: module {name}: the trigger's function is not created with it (count)")
                perms = [b for k, b in res.items() if k.startswith("aws_lambda_permission.") and q(b.get("principal", "")) == "cognito-idp.amazonaws.com"
                         and fn_ref.group(1) in str(b.get("function_name", "")) and count_of(b, m.scope) == 1]
                if not perms:
                    err(f"{env}: module {name}: no aws_lambda_permission lets cognito-idp.amazonaws.com invoke the trigger")
                elif any(str(p.get("source_arn")) != "${aws_cognito_user_pool.this.arn}" for p in perms):
                    err(f"{env}: module {name}: the trigger's permission must name its own pool (source_arn = aws_cognito_user_pool.this.arn)")
                archive = m.folder.typed("data").get("archive_file.pre_token_generation", {})
                if "pre_token_generation.py" not in str(fn.get("filename", "")) + str(archive.get("source_file", "")):
                    err(f"{env}: module {name}: the trigger is not packaged from trigger/pre_token_generation.py (the unit-tested source)")
            # The alarm on the trigger's errors: the staff pool's function.
            obs = [b for b in s.folder.named("module").values() if "cognito_trigger_function_name" in b]
            if not obs or any(b["cognito_trigger_function_name"] != f"${{module.{STAFF}.pre_token_generation_function_name}}" for b in obs):
                err(f"{env}: the alarm on the trigger's errors (cognito_trigger_function_name) must watch module.{STAFF}.pre_token_generation_function_name, "
                    f"got {[b.get('cognito_trigger_function_name') for b in obs]}")
        except tfeval.EvalError as e:
            err(f"{env}: {e}")
    return errors, "the pre-token-generation trigger (V2_0) and its alarm on the staff pool only"


def irsa(root="terraform"):
    errors = []
    err = errors.append
    text = (pathlib.Path(root) / "modules/irsa/main.tf").read_text()
    folder = tfeval.Folder(pathlib.Path(root) / "modules/irsa")
    doc = folder.typed("data").get("aws_iam_policy_document.api", {})
    cognito = [st for st in doc.get("statement", []) if any(str(a).strip('"').startswith("cognito-idp:") for a in st.get("actions", []))]
    if not cognito:
        err("modules/irsa: the API's policy has no Cognito statement (reviewer accounts)")
    for st in cognito:
        if st.get("resources") != ["${var.user_pool_arn}"]:
            err(f"modules/irsa: the API's Cognito statement must name var.user_pool_arn only (the staff pool), got {st.get('resources')}")
    if not re.search(r'variable "user_pool_arn"', (pathlib.Path(root) / "modules/irsa/variables.tf").read_text()) or "user_pool_arn" not in text:
        err("modules/irsa: no variable user_pool_arn")
    for env in ENVS:
        folder = pathlib.Path(root) / "environments" / env
        calls = tfeval.Folder(folder).named("module")
        api = [(n, b) for n, b in calls.items() if q(b.get("source")) == "../../modules/irsa" and q(b.get("component")) == "api"]
        if len(api) != 1:
            err(f"{env}: expected one irsa module with component api, found {[n for n, _ in api]}"); continue
        arn = api[0][1].get("user_pool_arn")
        if arn != f"${{module.{STAFF}.user_pool_arn}}":
            err(f"{env}: module {api[0][0]} (the API's role) administers {arn!r}: the staff pool only (module.{STAFF}.user_pool_arn), "
                "where reviewer accounts are created")
        for f in sorted(folder.glob("*.tf")):
            for line in f.read_text().splitlines():
                if re.search(rf"\bmodule\.{APPLICANTS}\.user_pool_arn\b", line) and not line.lstrip().startswith("#"):
                    err(f"{f.relative_to(root)}: the applicants' pool's ARN is given to IAM ({line.strip()}): no role administers that pool")
    return errors, "the API's role administers the staff pool only; nothing is granted on the applicants' pool"


CHECKS = {"pools": pools, "trigger": trigger, "irsa": irsa}


def main(args):
    """args: pools|trigger|irsa [the Terraform folder]."""
    errors, ok = CHECKS[args[0]](*args[1:2])
    return finish(errors, ok)
