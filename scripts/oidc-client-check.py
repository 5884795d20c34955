#!/usr/bin/env python3
"""An OpenID Connect client library (Authlib) against the dev provider of a real `pge`.

Starts `pge serve` on the embedded default (a fresh data folder, a free loopback port),
then, with Authlib's OAuth 2.0 client and nothing hand-written on the protocol side:
discovery; authorization code + PKCE (S256), the dev provider's sign-in form answered as
a user would; the ID token checked by Authlib against the provider's JWKS (issuer,
audience, nonce); the access token opening the API; a refresh; a revocation (RFC 7009),
after which a refresh fails; and every refusal read by Authlib as an RFC 6749 §5.2 error.
Exits non-zero on the first failure. Run by scripts/test.sh.

Usage: oidc-client-check.py --binary PATH/TO/pge
"""

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import warnings

import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session

# Authlib 1.9 says its `jose` module will move to joserfc before 2.0; it works as it is.
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from authlib.jose import JsonWebKey, jwt
    from authlib.oidc.core import CodeIDToken

CLIENT_ID = "pge-dev-client"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(binary: str, data_dir: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    env = dict(
        os.environ,
        PGE_DATA_DIR=data_dir,
        PGE_LISTEN_ADDR=f"127.0.0.1:{port}",
        PGE_PUBLIC_BASE_URL=origin,
        PGE_METRICS_ADDR="off",
        PGE_LOG_FORMAT="json",
    )
    log = open(os.path.join(data_dir, "pge.log"), "w")
    child = subprocess.Popen([binary, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(150):  # 30 s at most
        if child.poll() is not None:
            raise SystemExit(f"pge exited with {child.returncode}: see {log.name}")
        try:
            if requests.get(f"{origin}/readyz", timeout=1).ok:
                return child, origin
        except requests.RequestException:
            pass
        time.sleep(0.2)
    child.kill()
    raise SystemExit("pge did not become ready within 30 s")


def expect_oauth_error(error: str, call) -> None:
    try:
        call()
    except OAuthError as e:
        assert e.error == error, f"expected {error}, Authlib read {e.error}: {e.description}"
        assert e.description, "an error_description"
        return
    raise AssertionError(f"expected the provider to refuse with {error}")


def check(origin: str) -> None:
    discovery = requests.get(f"{origin}/dev-oidc/.well-known/openid-configuration", timeout=5).json()
    jwks = JsonWebKey.import_key_set(requests.get(discovery["jwks_uri"], timeout=5).json())
    client = OAuth2Session(
        CLIENT_ID,
        scope="openid",
        redirect_uri=f"{origin}/auth/callback",
        code_challenge_method="S256",
        token_endpoint_auth_method="none",
    )
    verifier = os.urandom(48).hex()
    nonce = os.urandom(16).hex()
    uri, state = client.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    # The user's browser: the sign-in page, then its form (the request's parameters are
    # its hidden fields) with a role and a name.
    page = requests.get(uri, timeout=5)
    assert page.status_code == 200, page.text
    form = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(uri).query))
    form.update(role="reviewer", name="Authlib Reviewer", bank_id="30004")
    answer = requests.post(discovery["authorization_endpoint"], data=form, allow_redirects=False, timeout=5)
    assert answer.status_code == 303, answer.text
    callback = answer.headers["location"]

    token = client.fetch_token(
        discovery["token_endpoint"], authorization_response=callback, code_verifier=verifier
    )
    claims = jwt.decode(
        token["id_token"],
        jwks,
        claims_cls=CodeIDToken,
        claims_options={"iss": {"essential": True, "value": discovery["issuer"]}},
        claims_params={"nonce": nonce, "client_id": CLIENT_ID},
    )
    claims.validate()
    assert claims["sub"] == "Authlib Reviewer", claims
    access = jwt.decode(token["access_token"], jwks)
    access.validate()
    assert access["token_use"] == "access" and access["client_id"] == CLIENT_ID, access
    # The code was single use: Authlib reads the refusal.
    expect_oauth_error(
        "invalid_grant",
        lambda: OAuth2Session(CLIENT_ID, redirect_uri=f"{origin}/auth/callback", token_endpoint_auth_method="none").fetch_token(
            discovery["token_endpoint"], authorization_response=callback, code_verifier=verifier
        ),
    )

    # The access token opens the API (the reviewer's bank's queue).
    queue = client.get(f"{origin}/api/v1/loan-requests", timeout=5)
    assert queue.status_code == 200, queue.text
    # The ID token does not.
    refused = requests.get(
        f"{origin}/api/v1/loan-requests", headers={"authorization": f"Bearer {token['id_token']}"}, timeout=5
    )
    assert refused.status_code == 401, refused.text

    # Refresh: new tokens for the same sign-in; the API takes the new access token.
    refresh_token = token["refresh_token"]
    renewed = client.refresh_token(discovery["token_endpoint"], refresh_token=refresh_token)
    assert renewed["access_token"] != token["access_token"]
    assert client.get(f"{origin}/api/v1/loan-requests", timeout=5).status_code == 200

    # Revocation, then the refresh token is refused (invalid_grant, read by Authlib).
    revoked = client.revoke_token(
        discovery["revocation_endpoint"], token=refresh_token, token_type_hint="refresh_token"
    )
    assert revoked.status_code == 200, revoked.text
    expect_oauth_error(
        "invalid_grant",
        lambda: client.refresh_token(discovery["token_endpoint"], refresh_token=refresh_token),
    )
    expect_oauth_error(
        "unsupported_grant_type",
        lambda: client.fetch_token(discovery["token_endpoint"], grant_type="password", username="a", password="b"),
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="pge-oidc-")
    child, origin = start(args.binary, data_dir)
    try:
        check(origin)
    except Exception:
        with open(os.path.join(data_dir, "pge.log")) as log:
            sys.stderr.write(log.read()[-4000:])
        raise
    finally:
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
        shutil.rmtree(data_dir, ignore_errors=True)
    print("oidc-client-check: Authlib ran code + PKCE, refresh and revocation; the access token opens the API")
    return 0


if __name__ == "__main__":
    sys.exit(main())
