"""What CI deploys is the `helm_values` output of each Terraform environment plus the
image tag. This evaluates that output offline: its literals as written, `var.*` from the
environment's terraform.tfvars.example and variable defaults, module outputs from the
sample values below (a reference without a sample is an error), and writes the values
file scripts/check-deploy.sh renders the chart with, as the deploy job does."""
import pathlib
import re
import sys

from .common import load_hcl, q

SAMPLES = {
    "module.ecr.repository_url": "123456789012.dkr.ecr.eu-west-3.amazonaws.com/pge",
    "data.aws_ecr_repository.pge.repository_url": "123456789012.dkr.ecr.eu-west-3.amazonaws.com/pge",
    "module.eks.pge_pods_security_group_id": "sg-0aaaaaaaaaaaaaaa1",
    "module.eks.cluster_security_group_id": "sg-0ccccccccccccccc2",
    "module.database_credentials.reader_role_arn": "arn:aws:iam::123456789012:role/pge-database-secrets",
    "module.database_credentials.app_secret_name": "pge-staging/database/app",
    "module.database_credentials.migration_secret_name": "pge-staging/database/migration",
    "module.api_role.role_arn": "arn:aws:iam::123456789012:role/pge-api",
    "module.worker_role.role_arn": "arn:aws:iam::123456789012:role/pge-worker",
    "module.network.vpc_cidr": "10.20.0.0/16",
    "module.network.endpoint_subnet_cidrs": ["10.20.3.0/28", "10.20.3.16/28", "10.20.3.32/28"],
    "module.cognito.user_pool_id": "eu-west-3_AbCdEf123",
    "module.cognito.spa_client_id": "1example23456789abcdefghij",
    "module.cognito.hosted_ui_domain": "pge-env.auth.eu-west-3.amazoncognito.com",
    "module.cognito_staff.user_pool_id": "eu-west-3_StAfF4567",
    "module.cognito_staff.spa_client_id": "3staff23456789abcdefghijkl",
    "module.cognito_staff.hosted_ui_domain": "pge-env-staff.auth.eu-west-3.amazoncognito.com",
    "module.ses.from_address": "no-reply@pge.example.fr",
    "module.ses.configuration_set_name": "pge-env",
    "module.s3.documents_bucket": "pge-env-documents-123456789012",
    "module.cloudfront.origin_certificate_arn": "arn:aws:acm:eu-west-3:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d",
    "module.network.alb_security_group_id": "sg-0123456789abcdef0",
    "module.network.public_subnet_cidrs": ["10.20.0.0/24", "10.20.1.0/24", "10.20.2.0/24"],
    "module.network.private_subnet_cidrs": ["10.20.16.0/20", "10.20.32.0/20", "10.20.48.0/20"],
    "module.cloudfront.origin_verify_header_name": "X-Origin-Verify",
    "module.observability.collector_namespace": "opentelemetry-operator-system",
    "module.observability.otlp_endpoint": "http://adot-col-otlp-ingest-collector.opentelemetry-operator-system.svc.cluster.local:4318",
}


class HelmValuesError(Exception):
    pass


def evaluate(expr, variables, where="helm_values"):
    """The value of the output expression `expr` (python-hcl2's rendering of
    `yamlencode({...})`), with `variables` for var.* and SAMPLES for the rest."""
    m = re.fullmatch(r"\$\{yamlencode\((.*)\)\}", expr, re.S)
    if not m:
        raise HelmValuesError(f"{where}: helm_values is not yamlencode({{...}}): {expr[:80]}")
    text = m.group(1)
    pos = 0

    def ref(name):
        if name.startswith("var."):
            if name[4:] not in variables:
                raise HelmValuesError(f"{where}: no value for {name} (default or terraform.tfvars.example)")
            return variables[name[4:]]
        if name not in SAMPLES:
            raise HelmValuesError(f"{where}: no sample value for {name}: add one to SAMPLES in scripts/deploycheck/helm_values.py")
        return SAMPLES[name]

    def ws():
        nonlocal pos
        while pos < len(text) and text[pos] in " \t\n,":
            pos += 1

    def value():
        nonlocal pos
        ws()
        c = text[pos]
        if c == "{":
            pos += 1
            obj = {}
            while True:
                ws()
                if text[pos] == "}":
                    pos += 1
                    return obj
                k = re.match(r'"([^"]*)"|([A-Za-z_][A-Za-z0-9_]*)', text[pos:])
                pos += k.end()
                ws()
                if text[pos] not in "=:":
                    raise HelmValuesError(f"{where}: expected = after {k.group(0)}")
                pos += 1
                obj[k.group(1) or k.group(2)] = value()
        if c == "[":
            pos += 1
            arr = []
            while True:
                ws()
                if text[pos] == "]":
                    pos += 1
                    return arr
                arr.append(value())
        if c == '"':
            end = pos + 1
            while text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            raw, pos = text[pos + 1:end], end + 1
            return re.sub(r"\$\{([^}]*)\}", lambda g: str(ref(g.group(1).strip())), raw)
        t = re.match(r"-?[0-9]+(\.[0-9]+)?|true|false|null|[A-Za-z_][A-Za-z0-9_.\-]*", text[pos:])
        if not t:
            raise HelmValuesError(f"{where}: cannot read helm_values at: {text[pos:pos + 40]}")
        pos += t.end()
        tok = t.group(0)
        if re.fullmatch(r"-?[0-9]+", tok):
            return int(tok)
        if re.fullmatch(r"-?[0-9]+\.[0-9]+", tok):
            return float(tok)
        if tok in ("true", "false"):
            return tok == "true"
        if tok == "null":
            return None
        return ref(tok)

    values = value()
    ws()
    if pos != len(text):
        raise HelmValuesError(f"{where}: unread text after helm_values: {text[pos:pos + 40]}")
    return values


def environment_values(envdir):
    """The helm_values of the environment folder `envdir`, evaluated."""
    envdir = pathlib.Path(envdir)
    variables = {}
    for f in envdir.glob("*.tf"):
        for block in load_hcl(f).get("variable", []):
            for name, body in block.items():
                if "default" in body:
                    variables[q(name)] = q(body["default"])
    example = envdir / "terraform.tfvars.example"
    if example.exists():
        variables.update({k: q(v) for k, v in load_hcl(example).items() if not k.startswith("__")})
    expr = None
    for f in envdir.glob("*.tf"):
        for block in load_hcl(f).get("output", []):
            for name, body in block.items():
                if q(name) == "helm_values":
                    expr = body["value"]
    if expr is None:
        raise HelmValuesError(f"{envdir}: no output helm_values")
    return evaluate(expr, variables, str(envdir))


def main(args):
    """args: the environment's folder and the values file to write."""
    import yaml

    envdir, out = args
    try:
        values = environment_values(envdir)
    except HelmValuesError as e:
        print(e, file=sys.stderr)
        return 1
    with open(out, "w") as f:
        yaml.safe_dump(values, f, sort_keys=False)
    print(yaml.safe_dump(values, sort_keys=False))
    return 0
