"""Checks of the Terraform code that need no provider: every .tf parses (python-hcl2),
the contract (providers pinned exactly, validations on the variables that need one, an
encrypted S3 backend with locking, the modules each environment uses), and the
validations that keep the issue's promises, evaluated on sample values."""
import pathlib
import re

from .common import finish, load_hcl, q
from .edge import FRANCE
from .tfeval import _balanced

# The modules each environment must use.
MODULES = ("network", "eks", "rds", "cognito", "ses", "s3", "cloudfront", "waf", "irsa")
# Variables whose names say they need a validation block.
NEEDS_VALIDATION = r"(^|_)(region|cidr|cidrs|domain|azs|country_codes|countries)$"


# --- python-hcl2 parses every .tf -------------------------------------------------------------

def parse_main(args):
    """args: the Terraform folder."""
    files = sorted(pathlib.Path(args[0]).rglob("*.tf"))
    bad = 0
    for f in files:
        try:
            load_hcl(f)
        except Exception as e:
            bad += 1
            print(f"{f}: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}")
    print(f"{len(files)} .tf files parsed, {bad} with syntax errors")
    return 1 if bad or not files else 0


# --- contract ------------------------------------------------------------------------------------

def file_errors(name, d):
    """Providers pinned exactly and validations, in the parsed .tf file `d`."""
    errors = []
    for block in d.get("terraform", []):
        for rp in block.get("required_providers", []):
            for provider, spec in rp.items():
                if provider.startswith("__"):
                    continue
                v = spec.get("version", "").strip('"') if isinstance(spec, dict) else ""
                if not re.fullmatch(r"=?\s*\d+\.\d+\.\d+", v):
                    errors.append(f"{name}: provider {provider} version not pinned exactly ({v!r})")
    for var in d.get("variable", []):
        for vname, body in var.items():
            vname = vname.strip('"')
            if re.search(NEEDS_VALIDATION, vname) and not body.get("validation"):
                errors.append(f"{name}: variable {vname} needs a validation block")
    return errors


def environment_errors(env, parsed, text):
    """An environment: `parsed`, its .tf files parsed; `text`, their text joined."""
    errors = []
    backend = None
    for d in parsed:
        for block in d.get("terraform", []):
            for b in block.get("backend", []):
                backend = b
    s3 = backend and backend.get('"s3"')
    if not s3:
        errors.append(f"{env}: no S3 backend")
    elif s3.get("use_lockfile") is not True or s3.get("encrypt") is not True:
        errors.append(f"{env}: the S3 backend needs encrypt = true and use_lockfile = true")
    for module in MODULES:
        if f'"../../modules/{module}"' not in text:
            errors.append(f"{env}: does not use module {module}")
    # The API's NetworkPolicy admits the load balancer's subnets, not the whole VPC.
    if not re.search(r"ingressCIDRs\s*=\s*module\.network\.public_subnet_cidrs\b", text):
        errors.append(f"{env}: helm_values must set networkPolicy.ingressCIDRs = module.network.public_subnet_cidrs (where the ALB's ENIs are)")
    if '"eu-west-3"' not in text:
        errors.append(f"{env}: region eu-west-3 (data in France) is not the default")
    return errors


def contract_main(args):
    """args: the Terraform folder."""
    root = pathlib.Path(args[0])
    errors = []
    for f in sorted(root.rglob("*.tf")):
        errors += file_errors(f, load_hcl(f))
    for env in ("staging", "production"):
        envdir = root / "environments" / env
        files = list(envdir.glob("*.tf"))
        errors += environment_errors(env, [load_hcl(f) for f in files], " ".join(p.read_text() for p in files))
    modules = [p.name for p in (root / "modules").iterdir() if p.is_dir()]
    for m in modules:
        for part in ("main.tf", "variables.tf", "outputs.tf", "versions.tf"):
            if not (root / "modules" / m / part).exists():
                errors.append(f"module {m} lacks {part}")
    return finish(errors, f"{len(modules)} modules, 2 environments ok")


# --- validations on sample values ----------------------------------------------------------------

# (folder, variable): (values to accept, values to refuse). The region is eu-west-3 only
# (data in France), Kubernetes 1.30 or later (the chart's preStop sleep), the country
# allow-list France whole or nobody shut out.
CASES = {
    ("environments/staging", "region"): (["eu-west-3"], ["eu-west-1", "eu-central-1", "eu-south-2", "us-east-1", ""]),
    ("environments/production", "region"): (["eu-west-3"], ["eu-west-1", "eu-central-1", "eu-south-2", "us-east-1", ""]),
    ("modules/eks", "kubernetes_version"): (["1.30", "1.31", "1.33", "1.40"], ["1.29", "1.28", "1.3", "1.30.1", "2.0", ""]),
    # Empty (everybody) or France with every overseas department and territory.
    ("modules/waf", "allowed_country_codes"): (
        [[], list(FRANCE), list(FRANCE) + ["DE"]],
        [["FR"], ["FR", "RE", "GP", "MQ", "GF"], [c for c in FRANCE if c != "WF"], [c for c in FRANCE if c != "RE"], ["fr"]]),
}


class Refused(Exception):
    pass


def regex(pattern, value):
    m = re.search(pattern, value)
    if not m:
        raise Refused(pattern)
    return m.group(0)


def can(thunk):
    try:
        thunk()
        return True
    except Exception:
        return False


FUNCS = {"regex": regex, "can": can, "contains": lambda lst, v: v in lst, "startswith": str.startswith,
         "endswith": str.endswith, "length": len, "tonumber": float, "split": lambda sep, s: s.split(sep),
         "alltrue": all, "anytrue": any, "setsubtract": lambda a, b: set(a) - set(b),
         "True": True, "False": False, "None": None}


def for_expressions(code):
    """HCL's list comprehensions, `[for x in xs : f(x)]`, as Python's `[(f(x)) for x in (xs)]`."""
    while (i := code.find("[for ")) >= 0:
        end = _balanced(code, i + 1, "[", "]")
        m = re.fullmatch(r"for\s+(\w+)\s+in\s+(.+?)\s*:\s*(.+)", code[i + 1:end].strip(), re.S)
        if not m:
            raise ValueError(f"cannot read the for expression {code[i:end + 1]!r}")
        code = f"{code[:i]}[({m.group(3)}) for {m.group(1)} in ({m.group(2)})]{code[end + 1:]}"
    return code


def evaluate(condition, var, value):
    """The condition of a validation of var.`var` (the subset of HCL the validations use,
    as Python), for the value `value`."""
    code = condition.strip()
    code = code[2:-1] if code.startswith("${") and code.endswith("}") else code
    code = for_expressions(code.replace(f"var.{var}", "V")).replace("&&", " and ").replace("||", " or ")
    code = re.sub(r"!(?!=)", " not ", code)
    code = re.sub(r"\bcan\(", "can(lambda: ", code)
    code = re.sub(r"\btrue\b", "True", re.sub(r"\bfalse\b", "False", re.sub(r"\bnull\b", "None", code)))
    # Globals, not locals: the lambdas made for can() must see them.
    return bool(eval(code, dict(FUNCS, V=value, __builtins__={})))


def validations(parsed, var):
    """The conditions of the validations of `var` in the parsed files `parsed`, or None."""
    for d in parsed:
        for block in d.get("variable", []):
            for name, body in block.items():
                if q(name) == var:
                    return [v["condition"] for v in body.get("validation", [])]
    return None


def validation_errors(folder, var, conds, good, bad):
    """Errors of the validations `conds` of var.`var`: `good` values they must accept,
    `bad` ones they must refuse. (errors, number of values tried)"""
    errors, tried = [], 0
    try:
        if not conds:
            raise ValueError(f"{folder}: variable {var} has no validation")
        for v in good:
            tried += 1
            if not all(evaluate(c, var, v) for c in conds):
                errors.append(f"{folder}: var.{var} refuses {v!r}, which it must accept")
        for v in bad:
            tried += 1
            if all(evaluate(c, var, v) for c in conds):
                errors.append(f"{folder}: var.{var} accepts {v!r}, which it must refuse")
    except Exception as e:
        errors.append(f"{folder}: var.{var}: cannot evaluate its validation: {type(e).__name__}: {e}")
    return errors, tried


def validations_main(args):
    """args: the Terraform folder."""
    root = pathlib.Path(args[0])

    def conditions(folder, var):
        return validations([load_hcl(f) for f in sorted((root / folder).glob("*.tf"))], var)

    def accepts(folder, var, value):
        conds = conditions(folder, var)
        if not conds:
            raise ValueError(f"{folder}: variable {var} has no validation")
        return all(evaluate(c, var, value) for c in conds)

    errors, tried = [], 0
    for (folder, var), (good, bad) in CASES.items():
        e, t = validation_errors(folder, var, conditions(folder, var), good, bad)
        errors += e
        tried += t
    # What the environments pass to those module variables, when written as a literal.
    for env in ("staging", "production"):
        for f in sorted((root / "environments" / env).glob("*.tf")):
            for block in load_hcl(f).get("module", []):
                for name, body in block.items():
                    src = pathlib.PurePosixPath("environments", env, q(body.get("source", "")))
                    folder = "/".join(p for p in str(src).split("/") if p not in ("..", "environments", env))
                    for (cfolder, var) in CASES:
                        if cfolder == folder and var in body and isinstance(body[var], str) and "${" not in body[var]:
                            tried += 1
                            if not accepts(cfolder, var, q(body[var])):
                                errors.append(f"environments/{env}: module {q(name)} passes {var} = {body[var]}, which {cfolder} refuses")
    return finish(errors, f"{tried} sample values accepted or refused as they must be")
