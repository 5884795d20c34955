"""scripts/smoke-test.sh against a stand-in of a deployed environment (the web app, the
public and signed-in API, Cognito's token endpoint) on a loopback port: it passes a
healthy one, and fails on each defect a deploy could bring back: an edge that refuses
bodies over 8 KB, an API that answers without a token, a refresh token Cognito refuses,
no smoke account configured, a config.json without the staff pool's provider. The smoke
account is a reviewer of the staff pool: the stand-in's Cognito accepts its refresh token
with the staff client only."""
import json
import os
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .common import finish

ACCESS_TOKEN = "stand-in-access-token"
REFRESH = "stand-in-refresh-token"
CLIENT = "1example23456789abcdefghij"
STAFF_CLIENT = "3staff23456789abcdefghijkl"
CONFIG = {"authority": "https://cognito-idp.eu-west-3.amazonaws.com/eu-west-3_AbCdEf123", "client_id": CLIENT,
          "scope": "openid email", "logout_url": "https://auth.example.fr/logout",
          "staff": {"authority": "https://cognito-idp.eu-west-3.amazonaws.com/eu-west-3_StAfF4567", "client_id": STAFF_CLIENT,
                    "scope": "openid email", "logout_url": "https://staff.auth.example.fr/logout"}}


def handler(defect):
    """A request handler of the stand-in with `defect` (None: a healthy environment)."""

    class Site(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def answer(self, status, body, ctype="application/json"):
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", ctype)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def problem(self, status):
            self.answer(status, {"type": "/problems/x", "title": "x", "status": status, "detail": "x"}, "application/problem+json")

        def do_GET(self):
            if self.path == "/":
                self.answer(200, b'<!doctype html><div id="root"></div>', "text/html; charset=utf-8")
            elif self.path == "/config.json":
                self.answer(200, {k: v for k, v in CONFIG.items() if k != "staff"} if defect == "no-staff" else CONFIG)
            elif self.path == "/api/v1/banks":
                self.answer(200, [{"id": "30004", "name": "Banque"}])
            elif self.path == "/api/v1/loan-requests":
                # The API accepts access tokens only (never the ID token).
                if self.headers.get("authorization") == f"Bearer {ACCESS_TOKEN}" or defect == "no-auth":
                    self.answer(200, {"items": [], "next_cursor": None})
                else:
                    self.problem(401)
            else:
                self.problem(404)

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            if self.path == "/cognito":
                auth = json.loads(body)
                if (defect != "refused-refresh" and self.headers.get("x-amz-target") == "AWSCognitoIdentityProviderService.InitiateAuth"
                        and auth == {"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": STAFF_CLIENT, "AuthParameters": {"REFRESH_TOKEN": REFRESH}}):
                    self.answer(200, {"AuthenticationResult": {"AccessToken": ACCESS_TOKEN, "IdToken": "stand-in-id-token",
                                                               "ExpiresIn": 900, "TokenType": "Bearer"}}, "application/x-amz-json-1.1")
                else:
                    self.answer(400, {"__type": "NotAuthorizedException", "message": "Invalid Refresh Token"}, "application/x-amz-json-1.1")
            elif self.path == "/api/v1/simulations":
                if len(body) > 65536 or (defect == "8kb-edge" and len(body) > 8192):
                    self.answer(403, b"<html>403 ERROR: Request blocked.</html>", "text/html")  # CloudFront's WAF page
                elif b'"padding"' in body:
                    self.problem(422)
                else:
                    self.answer(200, {"eligible": True, "reasons": [], "terms": {}})
            else:
                self.problem(404)

    return Site


# (defect, whether the smoke account's refresh token is given, what the run must do)
CASES = [(None, True, "pass"), ("8kb-edge", True, "20 KiB body"), ("no-auth", True, "without a token"),
         ("refused-refresh", True, "renew PGE_SMOKE_STAFF_REFRESH_TOKEN"), (None, False, "PGE_SMOKE_STAFF_REFRESH_TOKEN is not set"),
         ("no-staff", True, "no staff provider")]


def run(script, defect, token):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler(defect))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        env = dict(os.environ, PGE_SMOKE_COGNITO_URL=f"{base}/cognito", PGE_SMOKE_STAFF_REFRESH_TOKEN=REFRESH if token else "")
        return subprocess.run(["bash", str(script), base], env=env, capture_output=True, text=True, timeout=120)
    finally:
        server.shutdown()
        server.server_close()


def check(script, cases=CASES):
    errors = []
    for defect, token, expect in cases:
        r = run(script, defect, token)
        out = (r.stdout + r.stderr).strip()
        name = f"{defect or 'a healthy environment'}{'' if token else ', no smoke account'}"
        if expect == "pass":
            if r.returncode != 0 or "FAIL" in out:
                errors.append(f"{name}: the smoke test must pass, got exit {r.returncode}:\n{out}")
        elif r.returncode == 0 or not any(line.startswith("FAIL") and expect in line for line in out.splitlines()):
            errors.append(f"{name}: the smoke test must fail with a line naming '{expect}', got exit {r.returncode}:\n{out}")
    return errors


def main(args):
    """args: scripts/smoke-test.sh's path."""
    return finish(check(args[0]), f"{len(CASES)} stand-in environments: the healthy one passes; an 8 KB edge, an API "
                  "without authentication, a refused refresh token, no smoke account, no staff provider each fail")
