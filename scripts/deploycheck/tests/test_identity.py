"""Unit tests of deploycheck/identity.py (two Cognito user pools), on a copy of the
repository's Terraform with one thing changed at a time."""
import pathlib
import shutil
import tempfile
import unittest

from deploycheck import identity

TERRAFORM = pathlib.Path(__file__).resolve().parents[3] / "terraform"


class Pools(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = pathlib.Path(self.tmp.name, "terraform")
        shutil.copytree(TERRAFORM, self.root, ignore=shutil.ignore_patterns(".terraform", ".build"))

    def tearDown(self):
        self.tmp.cleanup()

    def sub(self, path, old, new):
        p = self.root / path
        text = p.read_text()
        self.assertIn(old, text)
        p.write_text(text.replace(old, new, 1))

    def errors(self, check):
        return identity.CHECKS[check](str(self.root))[0]

    def test_the_repository_passes(self):
        for check in identity.CHECKS:
            self.assertEqual(self.errors(check), [], check)

    def test_staff_pool_with_optional_mfa(self):
        self.sub("environments/staging/main.tf", '  mfa_configuration      = "ON"', '  mfa_configuration      = "OPTIONAL"')
        self.assertEqual(self.errors("pools"), [
            "staging: module cognito_staff: mfa_configuration is 'OPTIONAL', must be 'ON' (TOTP required of every bank reviewer "
            "and admin: Cognito requires MFA per pool)"])

    def test_applicants_pool_with_mfa_on_in_the_module(self):
        # The module's own code, not an argument: both environments' pools are wrong.
        self.sub("modules/cognito/main.tf", "  mfa_configuration        = var.mfa_configuration", '  mfa_configuration        = "ON"')
        errors = self.errors("pools")
        self.assertEqual(len(errors), 2, errors)
        self.assertTrue(all("module cognito: mfa_configuration is 'ON'" in e for e in errors), errors)

    def test_staff_pool_open_to_sign_up_and_holding_applicants(self):
        self.sub("environments/production/main.tf", "  admin_create_user_only = true", "  admin_create_user_only = false")
        self.sub("environments/production/main.tf", '  groups                 = ["bank-reviewers", "admins"]',
                 '  groups                 = ["applicants", "bank-reviewers", "admins"]')
        errors = self.errors("pools")
        self.assertTrue(any("allow_admin_create_user_only is False, must be True" in e for e in errors), errors)
        self.assertTrue(any("groups ['applicants', 'bank-reviewers', 'admins']" in e for e in errors), errors)

    def test_no_precondition(self):
        self.sub("modules/cognito/main.tf", 'var.mfa_configuration == "ON" && ', "")
        self.assertTrue(any("precondition" in e for e in self.errors("pools")))

    def test_trigger_on_the_applicants_pool(self):
        self.sub("environments/staging/main.tf", '  groups                 = ["applicants"]\n',
                 '  groups                 = ["applicants"]\n  pre_token_generation   = true\n')
        self.assertTrue(any(e.startswith("staging: module cognito: the pre-token-generation trigger is attached to this pool")
                            for e in self.errors("trigger")))

    def test_alarm_on_the_applicants_pool(self):
        self.sub("environments/production/main.tf", "module.cognito_staff.pre_token_generation_function_name",
                 "module.cognito.pre_token_generation_function_name")
        self.assertTrue(any("cognito_trigger_function_name" in e for e in self.errors("trigger")))

    def test_api_administers_the_applicants_pool(self):
        self.sub("environments/staging/main.tf", "user_pool_arn         = module.cognito_staff.user_pool_arn",
                 "user_pool_arn         = module.cognito.user_pool_arn")
        errors = self.errors("irsa")
        self.assertEqual(len(errors), 2, errors)


if __name__ == "__main__":
    unittest.main()
