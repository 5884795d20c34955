"""Unit tests of the edge checks (deploycheck/edge.py), on a small web ACL and two
environments written here."""
import unittest

from deploycheck import edge
from deploycheck.tests.test_terraform import tree

API_PATH = ('byte_match_statement {\n search_string = "/api/"\n positional_constraint = "STARTS_WITH"\n'
            ' field_to_match {\n uri_path {}\n }\n text_transformation {\n priority = 0\n type = "URL_DECODE"\n }\n }\n')
NO_CREDENTIAL = ('not_statement {\n statement {\n size_constraint_statement {\n comparison_operator = "GT"\n size = 0\n'
                 ' field_to_match {\n single_header {\n name = "authorization"\n }\n }\n'
                 ' text_transformation {\n priority = 0\n type = "NONE"\n }\n }\n }\n }\n')


def managed(name, override="none", extra=""):
    return (f'rule {{\n name = "{name}"\n priority = 10\n override_action {{\n {override} {{}}\n }}\n'
            f' statement {{\n managed_rule_group_statement {{\n vendor_name = "AWS"\n name = "{name}"\n{extra} }}\n }}\n }}\n')


CRS_OVERRIDE = ' rule_action_override {\n name = "SizeRestrictions_BODY"\n action_to_use {\n count {}\n }\n }\n'
ACL = ('resource "aws_wafv2_web_acl" "this" {\n'
       ' association_config {\n request_body {\n cloudfront {\n default_size_inspection_limit = "KB_64"\n }\n }\n }\n'
       ' dynamic "rule" {\n for_each = length(var.allowed_country_codes) > 0 ? [1] : []\n content {\n name = "geo"\n'
       ' action {\n block {}\n }\n statement {\n not_statement {\n statement {\n geo_match_statement {\n'
       ' country_codes = var.allowed_country_codes\n }\n }\n }\n }\n }\n }\n'
       ' rule {\n name = "body"\n action {\n block {}\n }\n statement {\n size_constraint_statement {\n'
       ' comparison_operator = "GT"\n size = var.api_limits.body_bytes\n field_to_match {\n body {\n oversize_handling = "MATCH"\n }\n }\n'
       ' text_transformation {\n priority = 0\n type = "NONE"\n }\n }\n }\n }\n'
       ' rule {\n name = "anonymous"\n action {\n block {}\n }\n statement {\n rate_based_statement {\n limit = 3000\n'
       ' aggregate_key_type = "IP"\n scope_down_statement {\n and_statement {\n statement {\n' + API_PATH + ' }\n'
       ' statement {\n' + NO_CREDENTIAL + ' }\n }\n }\n }\n }\n }\n'
       ' rule {\n name = "credential"\n action {\n block {}\n }\n statement {\n rate_based_statement {\n'
       ' limit = var.api_limits.per_credential\n aggregate_key_type = "CUSTOM_KEYS"\n'
       ' custom_key {\n header {\n name = "authorization"\n text_transformation {\n priority = 0\n type = "NONE"\n }\n }\n }\n'
       ' custom_key {\n ip {}\n }\n }\n }\n }\n'
       ' rule {\n name = "ceiling"\n action {\n block {}\n }\n statement {\n rate_based_statement {\n limit = 100000\n'
       ' aggregate_key_type = "IP"\n scope_down_statement {\n' + API_PATH + ' }\n }\n }\n }\n'
       + "".join(managed(g, extra=CRS_OVERRIDE if g == edge.CRS else "") for g in edge.ESTABLISHED)
       + ' dynamic "rule" {\n for_each = { for g in var.trial : g.name => g }\n content {\n name = rule.key\n'
       ' override_action {\n count {}\n }\n statement {\n managed_rule_group_statement {\n vendor_name = "AWS"\n'
       ' name = rule.key\n }\n }\n }\n }\n}\n')
WAF_VARS = ('variable "allowed_country_codes" {\n default = []\n}\n'
            'variable "api_limits" {\n default = { per_credential = 3000, body_bytes = 65536 }\n}\n'
            'output "allowed_country_codes" {\n value = var.allowed_country_codes\n}\n')
ENV = ('module "waf" {\n source = "../../modules/waf"\n allowed_country_codes = var.allowed_country_codes\n}\n'
       'module "cloudfront" {\n source = "../../modules/cloudfront"\n geo_restriction_countries = module.waf.allowed_country_codes\n}\n'
       'variable "allowed_country_codes" {\n default = []\n}\n')
FRANCE = '["' + '", "'.join(edge.FRANCE) + '"]'


def files(acl=ACL, production_countries=FRANCE, limit="64 * 1024"):
    return {"terraform/modules/waf/main.tf": acl, "terraform/modules/waf/variables.tf": WAF_VARS,
            "terraform/modules/cloudfront/variables.tf": 'variable "geo_restriction_countries" {\n default = []\n}\n',
            "terraform/environments/staging/main.tf": ENV, "terraform/environments/production/main.tf": ENV,
            "terraform/environments/production/terraform.tfvars.example": f"allowed_country_codes = {production_countries}\n",
            "api/src/extract.rs": f"pub const BODY_LIMIT: usize = {limit};\n"}


class Edge(unittest.TestCase):
    def run_check(self, name, **kw):
        with tree(files(**kw)) as root:
            if name == "body":
                return edge.body(f"{root}/terraform", f"{root}/api/src/extract.rs")[0]
            return edge.CHECKS[name](f"{root}/terraform")[0]

    def test_good(self):
        for name in edge.CHECKS:
            self.assertEqual(self.run_check(name), [], name)

    def test_api_limit(self):
        with tree({"extract.rs": "pub const BODY_LIMIT: usize = 64 * 1_024;\n"}) as root:
            self.assertEqual(edge.api_limit(f"{root}/extract.rs"), 65536)

    def test_8kb_rule_back_in_block(self):
        errors = self.run_check("body", acl=ACL.replace(CRS_OVERRIDE, ""))
        self.assertTrue(errors and all("SizeRestrictions_BODY is left in block" in e for e in errors), errors)

    def test_rest_of_the_set_counted(self):
        acl = ACL.replace(CRS_OVERRIDE, CRS_OVERRIDE + CRS_OVERRIDE.replace("SizeRestrictions_BODY", "GenericLFI_BODY"))
        self.assertTrue(any("GenericLFI_BODY overridden to count" in e for e in self.run_check("body", acl=acl)))

    def test_body_limit_not_the_apis(self):
        errors = self.run_check("body", limit="128 * 1024")
        self.assertTrue(any("cannot hold that limit" in e for e in errors), errors)
        errors = self.run_check("body", acl=ACL.replace('"KB_64"', '"KB_16"'))
        self.assertTrue(any("body inspection limit is KB_16" in e for e in errors), errors)
        errors = self.run_check("body", acl=ACL.replace("size = var.api_limits.body_bytes", "size = 8192"))
        self.assertTrue(any("blocks bodies over 8192 bytes" in e for e in errors), errors)

    def test_fr_only(self):
        errors = self.run_check("geo", production_countries='["FR"]')
        self.assertEqual(len(errors), 3, errors)
        self.assertIn("shuts out RE, GP, MQ, GF, YT, PM, BL, MF, NC, PF, WF", errors[0])
        errors = self.run_check("geo", production_countries=FRANCE.replace(', "WF"', ""))
        self.assertTrue(errors and all(e.endswith("shuts out WF (France's overseas departments and territories have country codes of their own)") for e in errors), errors)

    def test_rate_counts_static_files(self):
        errors = self.run_check("rate", acl=ACL.replace('search_string = "/api/"', 'search_string = "/"'))
        # The per-credential rule counts only requests with a credential: no path scope needed.
        self.assertEqual(len(errors), 4, errors)
        self.assertTrue(all("counts requests outside /api/" in e and "credential" not in e for e in errors), errors)

    def test_rate_per_shared_address(self):
        acl = ACL.replace("limit = 100000", "limit = 3000")
        self.assertTrue(any("rate rule ceiling keys on the address alone" in e for e in self.run_check("rate", acl=acl)))
        acl = ACL.replace('aggregate_key_type = "CUSTOM_KEYS"', 'aggregate_key_type = "IP"')
        self.assertTrue(any("no rate rule keyed per credential" in e for e in self.run_check("rate", acl=acl)))

    def test_new_group_blocks_at_once(self):
        acl = ACL.replace(" dynamic \"rule\" {\n for_each = { for g", managed("AWSManagedRulesAnonymousIpList") + " dynamic \"rule\" {\n for_each = { for g")
        self.assertTrue(any("AWSManagedRulesAnonymousIpList blocks from its first deployment" in e for e in self.run_check("managed", acl=acl)))
        acl = ACL.replace(" override_action {\n count {}\n }", " override_action {\n none {}\n }")
        self.assertTrue(any("must be counted" in e for e in self.run_check("managed", acl=acl)))


if __name__ == "__main__":
    unittest.main()
