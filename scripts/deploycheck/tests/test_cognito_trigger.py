"""The Cognito pre-token-generation trigger (terraform/modules/cognito/trigger), run on
V2_0 events shaped as Cognito sends them: a reviewer's access token gets their bank, an
applicant's gets nothing, and nothing else of the event is touched."""
import copy
import importlib.util
import pathlib
import unittest

SOURCE = pathlib.Path(__file__).resolve().parents[3] / "terraform/modules/cognito/trigger/pre_token_generation.py"
spec = importlib.util.spec_from_file_location("pre_token_generation", SOURCE)
trigger = importlib.util.module_from_spec(spec)
spec.loader.exec_module(trigger)


def event(attributes):
    """A V2_0 pre-token-generation event (as Cognito's documentation shows it)."""
    return {
        "version": "2",
        "triggerSource": "TokenGeneration_HostedAuth",
        "region": "eu-west-3",
        "userPoolId": "eu-west-3_AbCdEfGhI",
        "userName": "7f3c…",
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "spa"},
        "request": {
            "userAttributes": attributes,
            "groupConfiguration": {"groupsToOverride": ["bank-reviewers"], "iamRolesToOverride": [], "preferredRole": None},
            "scopes": ["openid", "email"],
        },
        "response": {"claimsAndScopeOverrideDetails": None},
    }


class Trigger(unittest.TestCase):
    def test_a_reviewers_access_token_gets_their_bank(self):
        sent = event({"sub": "7f3c", "email": "r@bank.example", "custom:bank_id": "30004"})
        before = copy.deepcopy(sent)
        out = trigger.handler(sent, None)
        self.assertEqual(
            out["response"]["claimsAndScopeOverrideDetails"],
            {"accessTokenGeneration": {"claimsToAddOrOverride": {"custom:bank_id": "30004"}}},
        )
        # Only the response changed: no group, scope or ID token claim is touched.
        out_rest = {k: v for k, v in out.items() if k != "response"}
        before_rest = {k: v for k, v in before.items() if k != "response"}
        self.assertEqual(out_rest, before_rest)

    def test_an_applicant_or_an_empty_attribute_gets_nothing(self):
        for attributes in ({"sub": "a1", "email": "a@example.fr"}, {"sub": "a2", "custom:bank_id": ""}):
            out = trigger.handler(event(attributes), None)
            self.assertEqual(out["response"]["claimsAndScopeOverrideDetails"], {"accessTokenGeneration": {}})

    def test_an_event_without_request_or_response_is_answered(self):
        out = trigger.handler({"version": "2"}, None)
        self.assertEqual(out["response"]["claimsAndScopeOverrideDetails"], {"accessTokenGeneration": {}})


if __name__ == "__main__":
    unittest.main()
