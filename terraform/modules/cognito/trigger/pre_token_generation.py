"""Cognito pre-token-generation trigger (V2_0 event): puts the user's `custom:bank_id`
into the access token.

The API takes access tokens (docs/SECURITY.md, "Tokens"), and Cognito writes custom
attributes into ID tokens only: without this trigger a reviewer's access token would not
say which bank's requests they may see, and the API would refuse it (403). The attribute
is set by the platform's admins (`POST /api/v1/banks/{id}/reviewers`, AdminCreateUser);
users cannot write it (the app client's write_attributes exclude it). Nothing else is
added, removed or looked up: no I/O, well within Cognito's 5 s budget for a trigger.
"""

CLAIM = "custom:bank_id"


def handler(event, context):  # noqa: ARG001 (Lambda's signature)
    attributes = (event.get("request") or {}).get("userAttributes") or {}
    bank = attributes.get(CLAIM)
    access = {"claimsToAddOrOverride": {CLAIM: bank}} if isinstance(bank, str) and bank else {}
    response = event.setdefault("response", {})
    response["claimsAndScopeOverrideDetails"] = {"accessTokenGeneration": access}
    return event
