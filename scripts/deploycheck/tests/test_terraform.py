"""Unit tests of the Terraform checks, on small .tf texts (parsed with python-hcl2, as the
checks see them) written here."""
import pathlib
import tempfile
import unittest

from deploycheck import terraform, terraform_refs, tfeval, web
from deploycheck.common import loads_hcl


def tree(files):
    """A temporary folder holding `files` ({relative path: text})."""
    tmp = tempfile.TemporaryDirectory()
    for name, text in files.items():
        p = pathlib.Path(tmp.name, name)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return tmp


VERSIONS = 'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws", version = "%s" }\n  }\n}\n'


class Contract(unittest.TestCase):
    def test_pinned_provider_and_validated_variable(self):
        d = loads_hcl(VERSIONS % "5.100.0" + 'variable "vpc_cidr" {\n  type = string\n  validation {\n'
                      '    condition     = can(cidrhost(var.vpc_cidr, 0))\n    error_message = "x"\n  }\n}\n')
        self.assertEqual(terraform.file_errors("v.tf", d), [])

    def test_loose_provider_and_unvalidated_region(self):
        d = loads_hcl(VERSIONS % "~> 5.0" + 'variable "region" {\n  type = string\n}\n')
        self.assertEqual(terraform.file_errors("v.tf", d), ["v.tf: provider aws version not pinned exactly ('~> 5.0')",
                                                            "v.tf: variable region needs a validation block"])

    ENV = ('terraform {\n  backend "s3" {\n    encrypt      = true\n    use_lockfile = %s\n  }\n}\n'
           + "".join(f'module "{m}" {{\n  source = "../../modules/{m}"\n}}\n' for m in terraform.MODULES)
           + 'variable "region" {\n  default = "eu-west-3"\n}\n'
           + 'output "helm_values" {\n  value = { ingressCIDRs = module.network.public_subnet_cidrs }\n}\n')

    def test_environment(self):
        text = self.ENV % "true"
        self.assertEqual(terraform.environment_errors("staging", [loads_hcl(text)], text), [])

    def test_environment_without_locking_or_waf(self):
        text = (self.ENV % "false").replace('"../../modules/waf"', '"../../modules/firewall"')
        self.assertEqual(terraform.environment_errors("staging", [loads_hcl(text)], text),
                         ["staging: the S3 backend needs encrypt = true and use_lockfile = true", "staging: does not use module waf"])


class Validations(unittest.TestCase):
    def conds(self, condition):
        d = loads_hcl('variable "kubernetes_version" {\n  validation {\n    condition     = %s\n    error_message = "x"\n  }\n}\n' % condition)
        return terraform.validations([d], "kubernetes_version")

    def test_accepts_and_refuses(self):
        conds = self.conds('can(regex("^1\\\\.([3-9][0-9])$", var.kubernetes_version))')
        good, bad = terraform.CASES[("modules/eks", "kubernetes_version")]
        self.assertEqual(terraform.validation_errors("modules/eks", "kubernetes_version", conds, good, bad), ([], len(good) + len(bad)))

    def test_too_loose(self):
        conds = self.conds('can(regex("^1\\\\.([0-9]+)$", var.kubernetes_version))')
        errors, _ = terraform.validation_errors("modules/eks", "kubernetes_version", conds, ["1.30"], ["1.29"])
        self.assertEqual(errors, ["modules/eks: var.kubernetes_version accepts '1.29', which it must refuse"])

    def test_for_expression_and_setsubtract(self):
        d = loads_hcl('variable "allowed_country_codes" {\n  validation {\n'
                      '    condition     = alltrue([for c in var.allowed_country_codes : can(regex("^[A-Z]{2}$", c))])\n'
                      '    error_message = "x"\n  }\n  validation {\n'
                      '    condition     = length(var.allowed_country_codes) == 0 || length(setsubtract(["FR", "RE"], var.allowed_country_codes)) == 0\n'
                      '    error_message = "x"\n  }\n}\n')
        conds = terraform.validations([d], "allowed_country_codes")
        self.assertEqual(terraform.validation_errors("m", "allowed_country_codes", conds, [[], ["FR", "RE"], ["RE", "FR", "DE"]],
                                                     [["FR"], ["fr", "RE"], ["FR", "RE", "d"]]), ([], 6))

    def test_no_validation(self):
        errors, _ = terraform.validation_errors("m", "region", None, ["eu-west-3"], [])
        self.assertEqual(errors, ["m: var.region: cannot evaluate its validation: ValueError: m: variable region has no validation"])


REFS = {
    "environments/staging/main.tf": 'module "net" {\n  source = "../../modules/net"\n  name   = var.name\n}\n'
                                    'variable "name" {\n  type = string\n}\n'
                                    'output "vpc" {\n  value = module.net.vpc_id\n}\n',
    "modules/net/main.tf": 'variable "name" {\n  type = string\n}\nlocals {\n  tag = "${var.name}-net"\n}\n'
                           'resource "aws_vpc" "this" {\n  cidr_block = "10.0.0.0/16"\n  tags = { Name = local.tag }\n}\n'
                           'output "vpc_id" {\n  value = aws_vpc.this.id\n}\n',
}


class References(unittest.TestCase):
    def test_good(self):
        with tree(REFS) as root:
            errors, folders, refs, calls = terraform_refs.check(root)
        self.assertEqual((errors, len(folders), refs, calls), ([], 2, 5, 1))

    def test_missing_output_local_and_argument(self):
        files = dict(REFS)
        files["environments/staging/main.tf"] = files["environments/staging/main.tf"].replace("module.net.vpc_id", "module.net.id").replace(
            "  name   = var.name\n", "  name   = var.name\n  size   = 1\n")
        files["modules/net/main.tf"] = files["modules/net/main.tf"].replace("local.tag", "local.tags")
        with tree(files) as root:
            errors, *_ = terraform_refs.check(root)
        self.assertEqual(sorted(errors), sorted([
            "environments/staging/main.tf: module.net.id: ../../modules/net has no such output",
            "modules/net/main.tf: local.tags is not declared in a locals block",
            "environments/staging: module net passes size, which ../../modules/net does not declare"]))


COGNITO = {
    "modules/cognito/main.tf": '''resource "aws_cognito_user_pool_client" "spa" {
  name                                 = "spa"
  generate_secret                      = false
  allowed_oauth_flows                  = ["code"]
  allowed_oauth_flows_user_pool_client = true
  allowed_oauth_scopes                 = ["openid", "email"]
  supported_identity_providers         = ["COGNITO"]
  callback_urls                        = var.callback_urls
  id_token_validity                    = 60
  access_token_validity                = 60
  token_validity_units {
    id_token     = "minutes"
    access_token = "minutes"
  }
  enable_token_revocation = true
}
resource "aws_cognito_user_pool_domain" "this" {
  domain = "pge"
}
resource "aws_cognito_user_pool" "this" {
  lambda_config {
    pre_token_generation_config {
      lambda_arn     = aws_lambda_function.pre_token_generation.arn
      lambda_version = "V2_0"
    }
  }
}
data "archive_file" "pre_token_generation" {
  source_file = "${path.module}/trigger/pre_token_generation.py"
}
resource "aws_lambda_function" "pre_token_generation" {
  filename = data.archive_file.pre_token_generation.output_path
}
resource "aws_lambda_permission" "cognito" {
  function_name = aws_lambda_function.pre_token_generation.function_name
  principal     = "cognito-idp.amazonaws.com"
}
variable "callback_urls" {
  type = list(string)
}
variable "logout_urls" {
  type = list(string)
}
''',
    "modules/cognito/outputs.tf": "".join(f'output "{o}" {{\n  value = aws_cognito_user_pool_client.spa.id\n}}\n'
                                          for o in ("user_pool_id", "spa_client_id", "hosted_ui_domain", "issuer")),
}
for env in web.ENVS:
    COGNITO[f"environments/{env}/main.tf"] = f'''locals {{
  app_url = "https://${{var.domain}}"
}}
variable "domain" {{
  default = "{env}.pge.example.fr"
}}
module "cognito" {{
  source        = "../../modules/cognito"
  callback_urls = ["${{local.app_url}}/auth/callback"]
  logout_urls   = ["${{local.app_url}}/"]
}}
'''


class Web(unittest.TestCase):
    def test_cognito_good(self):
        with tree(COGNITO) as root:
            errors, _ = web.cognito(root)
        self.assertEqual(errors, [])

    def test_cognito_secret_implicit_flow_and_callback(self):
        files = dict(COGNITO)
        files["modules/cognito/main.tf"] = files["modules/cognito/main.tf"].replace("generate_secret                      = false", "generate_secret = true").replace(
            '["code"]', '["code", "implicit"]')
        files["environments/production/main.tf"] = files["environments/production/main.tf"].replace("/auth/callback", "/callback")
        with tree(files) as root:
            errors, _ = web.cognito(root)
        self.assertIn("SPA client: generate_secret must be false (a browser cannot keep a secret)", errors)
        self.assertIn("SPA client: allowed_oauth_flows must be [\"code\"] (authorization code + PKCE), got ['code', 'implicit']", errors)
        self.assertIn("production: callback_urls ['https://production.pge.example.fr/callback'], expected [https://production.pge.example.fr/auth/callback]", errors)


class TfEval(unittest.TestCase):
    def test_templates_join_and_heredoc(self):
        with tree({"main.tf": 'variable "d" {\n  default = "x.fr"\n}\nlocals {\n  url = "https://${var.d}/"\n'
                              '  csp = join("; ", ["a ${local.url}", "b"])\n  text = <<-EOT\n    K=${var.d}\n    EOT\n}\n'}) as root:
            s = tfeval.Scope(tfeval.Folder(root), {})
            self.assertEqual(s.ref("local.csp"), "a https://x.fr/; b")
            self.assertEqual(s.ref("local.text"), "K=x.fr\n")
            with self.assertRaisesRegex(tfeval.EvalError, "no local.nope"):
                s.ref("local.nope")
            with self.assertRaisesRegex(tfeval.EvalError, "cannot evaluate"):
                s.expr("upper(var.d)")


if __name__ == "__main__":
    unittest.main()
