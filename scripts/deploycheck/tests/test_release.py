"""Unit tests of the release checks: the rollback's choice of revision (deploycheck/rollback.py
against a naive script) and ECR's lifecycle rules (deploycheck/ecr.py)."""
import pathlib
import tempfile
import unittest

from deploycheck import ecr, rollback

SCRIPT = pathlib.Path(__file__).resolve().parents[2] / "helm-rollback.sh"
# What the rollback jobs ran before: helm's own choice, current - 1.
NAIVE = '#!/usr/bin/env bash\nhelm history "$1" "${@:2:4}" --max 256 -o json >/dev/null\nexec helm rollback "$@"\n'


class Rollback(unittest.TestCase):
    def scenarios(self, *names):
        return [s for s in rollback.SCENARIOS if s[0] in names]

    def test_script_goes_back_to_what_worked(self):
        with tempfile.TemporaryDirectory() as work:
            chosen = self.scenarios("after an --atomic failure (3 failed, 4 is 2 again)", "nothing to go back to: one revision")
            self.assertEqual(rollback.check(SCRIPT, work, chosen), [])

    def test_plain_helm_rollback_is_caught(self):
        with tempfile.TemporaryDirectory() as work:
            naive = pathlib.Path(work, "naive.sh")
            naive.write_text(NAIVE)
            errors = rollback.check(naive, work, self.scenarios("the newest revision failed (no --atomic)", "no history"))
            self.assertEqual(len(errors), 2, errors)
            self.assertTrue(errors[0].startswith("the newest revision failed (no --atomic): expected `helm rollback pge 2 "), errors)


def rule(priority, status, count, prefixes=None, count_type="imageCountMoreThan"):
    sel = {"tagStatus": status, "countType": count_type, "countNumber": count}
    if prefixes:
        sel["tagPrefixList"] = prefixes
    return {"rulePriority": priority, "description": "d", "selection": sel, "action": {"type": "expire"}}


class Lifecycle(unittest.TestCase):
    def test_kept(self):
        rules = [rule(4, "any", 200), rule(1, "tagged", 9999, ["production-"]), rule(2, "tagged", 100, ["staging-"]),
                 rule(3, "untagged", 7, count_type="sinceImagePushed")]
        self.assertEqual(ecr.lifecycle_errors(rules), [])

    def test_the_200_newest_only(self):
        errors = ecr.lifecycle_errors([rule(1, "untagged", 7, count_type="sinceImagePushed"), rule(2, "any", 200)])
        self.assertEqual(len(errors), 2, errors)
        self.assertTrue(errors[0].startswith("an image production runs (tags production-<sha> and <sha>) falls first under rule 2"), errors)

    def test_an_age_rule_first_or_too_few_kept(self):
        errors = ecr.lifecycle_errors([rule(1, "tagged", 90, ["production"], "sinceImagePushed"),
                                       rule(2, "tagged", 9999, ["production-"]), rule(3, "tagged", 10, ["staging-"])])
        self.assertEqual([e.split(" (")[0] for e in errors], ["an image production runs", "an image staging runs"])


if __name__ == "__main__":
    unittest.main()
