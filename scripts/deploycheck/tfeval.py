"""A small evaluator of the Terraform expressions the web app's deployment depends on:
string templates, references (var, local, module outputs, resource and data attributes)
and join(). Module variables resolve to the environment's module arguments, environment
variables to terraform.tfvars.example and defaults, resource attributes to the resource's
own argument of that name or to the sample values below. Anything else is an error, so a
check never passes on an expression it did not understand."""
import pathlib
import re

from .common import load_hcl, q

# What only AWS knows.
SAMPLES = {
    "data.aws_caller_identity.current.account_id": "123456789012",
    "data.aws_region.current.name": "eu-west-3",
    "data.aws_region.current.region": "eu-west-3",
    "aws_cognito_user_pool.this.id": "eu-west-3_AbCdEf123",
    "aws_cognito_user_pool.this.endpoint": "cognito-idp.eu-west-3.amazonaws.com/eu-west-3_AbCdEf123",
    "aws_cognito_user_pool_client.spa.id": "1example23456789abcdefghij",
    # The staff pool (module cognito_staff): other ids than the applicants' pool, so that
    # a check tells one pool from the other.
    "module.cognito_staff/aws_cognito_user_pool.this.id": "eu-west-3_StAfF4567",
    "module.cognito_staff/aws_cognito_user_pool.this.endpoint": "cognito-idp.eu-west-3.amazonaws.com/eu-west-3_StAfF4567",
    "module.cognito_staff/aws_cognito_user_pool_client.spa.id": "3staff23456789abcdefghijkl",
    "aws_cloudfront_distribution.this.id": "E1ABCDEF23456",
    "aws_cloudfront_distribution.this.arn": "arn:aws:cloudfront::123456789012:distribution/E1ABCDEF23456",
    "aws_iam_role.this.arn": "arn:aws:iam::123456789012:role/pge-env-ci-web-deploy",
    # The on-call's topics (oncall module, one pair a region).
    'aws_sns_topic.this["page"].arn': "arn:aws:sns:eu-west-3:123456789012:pge-env-oncall-page",
    'aws_sns_topic.this["ticket"].arn': "arn:aws:sns:eu-west-3:123456789012:pge-env-oncall-ticket",
}
# Attributes equal to one of the resource's arguments.
ALIASES = {("aws_s3_bucket", "id"): "bucket", ("aws_s3_bucket", "arn"): None}


class EvalError(Exception):
    pass


class Folder:
    def __init__(self, path):
        self.path = pathlib.Path(path)
        self.d = {}
        for f in sorted(self.path.glob("*.tf")):
            for k, blocks in load_hcl(f).items():
                self.d.setdefault(k, []).extend(blocks)

    def named(self, kind):
        out = {}
        for block in self.d.get(kind, []):
            for n, body in block.items():
                if not n.startswith("__"):
                    out[q(n)] = body
        return out

    def typed(self, kind):
        out = {}
        for block in self.d.get(kind, []):
            for t, named in block.items():
                for n, body in named.items():
                    if not n.startswith("__"):
                        out[f"{q(t)}.{q(n)}"] = body
        return out

    def locals(self):
        out = {}
        for block in self.d.get("locals", []):
            out.update({k: v for k, v in block.items() if not k.startswith("__")})
        return out

    def outputs(self):
        return {n: b["value"] for n, b in self.named("output").items()}

    def variables(self):
        return self.named("variable")


def _balanced(text, i, open_, close):
    """text[i] is just after an opening char: index of the matching closing char."""
    depth = 0
    while i < len(text):
        c = text[i]
        if c == '"':
            i += 1
            while text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif c == open_:
            depth += 1
        elif c == close:
            if depth == 0:
                return i
            depth -= 1
        i += 1
    raise EvalError(f"unbalanced {open_} in {text[:80]!r}")


class Scope:
    """Evaluation scope: a folder, the values of its variables (expressions of a parent
    scope, or literals) and the environment folder (for module.X)."""

    def __init__(self, folder, bindings, parent=None, tfvars=None, name=None):
        self.folder = folder
        self.name = name  # module.<name> of a module's scope (per-instance SAMPLES)
        self.bindings = bindings  # name -> (expression, scope) or literal
        self.parent = parent
        self.tfvars = tfvars or {}
        self._modules = {}

    # -- values ----------------------------------------------------------------------
    def value(self, v):
        """Evaluates a value as python-hcl2 renders it."""
        if isinstance(v, list):
            return [self.value(x) for x in v]
        if isinstance(v, dict):
            return {k: self.value(x) for k, x in v.items() if not k.startswith("__")}
        if not isinstance(v, str):
            return v
        if v.startswith('"<<') or v.startswith("<<"):
            body = q(v)
            m = re.match(r"<<(-?)(\w+)\n(.*)\n\s*\2$", body, re.S)
            if not m:
                raise EvalError(f"cannot read heredoc {body[:60]!r}")
            lines = m.group(3).split("\n")
            if m.group(1):
                indent = min((len(line) - len(line.lstrip()) for line in lines if line.strip()), default=0)
                lines = [line[indent:] for line in lines]
            return self.template("\n".join(lines) + "\n")
        if len(v) >= 2 and v[0] == v[-1] == '"':
            return self.template(v[1:-1])
        if v.startswith("${") and _balanced(v, 2, "{", "}") == len(v) - 1:
            return self.expr(v[2:-1].strip())
        return self.template(v)

    def template(self, text):
        out, i = [], 0
        while i < len(text):
            if text.startswith("$${", i):
                out.append("${"); i += 3
            elif text.startswith("${", i):
                end = _balanced(text, i + 2, "{", "}")
                out.append(str(self.expr(text[i + 2:end].strip())))
                i = end + 1
            elif text[i] == "\\" and i + 1 < len(text):
                out.append({"n": "\n", "t": "\t", '"': '"', "\\": "\\"}.get(text[i + 1], text[i + 1])); i += 2
            else:
                out.append(text[i]); i += 1
        return "".join(out)

    def expr(self, code):
        code = code.strip()
        m = re.fullmatch(r'join\(\s*"((?:[^"\\]|\\.)*)"\s*,\s*\[(.*)\]\s*\)', code, re.S)
        if m:
            sep = self.template(m.group(1))
            items = re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(2))
            return sep.join(self.template(x) for x in items)
        if re.fullmatch(r'"((?:[^"\\]|\\.)*)"', code):
            return self.template(code[1:-1])
        if re.fullmatch(r'[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*|\["[^"]*"\])+', code):
            return self.ref(code)
        raise EvalError(f"cannot evaluate `{code}`")

    # -- references ------------------------------------------------------------------
    def ref(self, name):
        parts = name.split(".")
        if parts[0] in ("var", "local") and len(parts) > 2:
            # An attribute of an object value: var.limits.body_bytes.
            value = self.ref(".".join(parts[:2]))
            for attr in parts[2:]:
                if not isinstance(value, dict) or attr not in value:
                    raise EvalError(f"{self.folder.path}: {name}: no attribute {attr}")
                value = value[attr]
            return value
        if parts[0] == "var":
            v = parts[1]
            if v in self.bindings:
                b = self.bindings[v]
                return b[1].value(b[0]) if isinstance(b, tuple) else b
            if v in self.tfvars:
                return self.tfvars[v]
            var = self.folder.variables().get(v)
            if var is not None and "default" in var:
                return self.value(var["default"])
            raise EvalError(f"{self.folder.path}: no value for var.{v}")
        if parts[0] == "local":
            loc = self.folder.locals()
            if parts[1] not in loc:
                raise EvalError(f"{self.folder.path}: no local.{parts[1]}")
            return self.value(loc[parts[1]])
        if parts[0] == "module":
            return self.module(parts[1]).output(parts[2])
        key = name
        if self.name and f"module.{self.name}/{key}" in SAMPLES:
            return SAMPLES[f"module.{self.name}/{key}"]
        if key in SAMPLES:
            return SAMPLES[key]
        if parts[0] == "data":
            raise EvalError(f"no sample value for {name} (deploycheck/tfeval.py SAMPLES)")
        rtype, rname, attr = parts[0], parts[1], parts[2]
        res = self.folder.typed("resource").get(f"{rtype}.{rname}")
        if res is None:
            raise EvalError(f"{self.folder.path}: no resource {rtype}.{rname}")
        arg = ALIASES.get((rtype, attr), attr)
        if arg and arg in res:
            return self.value(res[arg])
        raise EvalError(f"no sample value for {name} (deploycheck/tfeval.py SAMPLES)")

    def module(self, name):
        if name not in self._modules:
            calls = self.folder.named("module")
            if name not in calls:
                raise EvalError(f"{self.folder.path}: no module {name}")
            body = calls[name]
            child = Folder(self.folder.path / q(body["source"]))
            args = {k: (v, self) for k, v in body.items() if not k.startswith("__")}
            self._modules[name] = Module(child, Scope(child, args, parent=self, name=name))
        return self._modules[name]


class Module:
    def __init__(self, folder, scope):
        self.folder, self.scope = folder, scope

    def output(self, name):
        outs = self.folder.outputs()
        if name not in outs:
            raise EvalError(f"{self.folder.path}: no output {name}")
        return self.scope.value(outs[name])

    def arg(self, name):
        b = self.scope.bindings.get(name)
        if b is None:
            raise EvalError(f"module {self.folder.path}: argument {name} not passed")
        return b[1].value(b[0])

    def raw_arg(self, name):
        b = self.scope.bindings.get(name)
        return None if b is None else b[0]


def environment(root, env):
    folder = Folder(pathlib.Path(root) / "environments" / env)
    tfvars = {}
    example = folder.path / "terraform.tfvars.example"
    if example.exists():
        tfvars = {k: q(v) if isinstance(v, str) else v for k, v in load_hcl(example).items() if not k.startswith("__")}
        tfvars = {k: [q(x) for x in v] if isinstance(v, list) else v for k, v in tfvars.items()}
    return Scope(folder, {}, tfvars=tfvars)
