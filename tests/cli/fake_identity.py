"""A fake OpenID Connect issuer and GitHub API on 127.0.0.1 for the command-line tests.

Serves the key set of an RSA key (PEM file, signed with the openssl tool) at /.well-known/jwks, an OpenID
configuration at /.well-known/openid-configuration, GitHub Actions' ID-token request endpoint at /token
(bearer "runner-secret", {"value": <ID token for ?audience=>}), an administrator's ID token at /admin-token,
and GitHub's /user and /user/memberships/orgs for the access token "gh-token" (user alice, admin of acme).
Prints "port N" once listening; stops itself after 120 s.
"""
import base64, json, subprocess, sys, threading, time, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

key_file = sys.argv[1]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def modulus() -> bytes:
    out = subprocess.run(["openssl", "rsa", "-in", key_file, "-noout", "-modulus"], capture_output=True, check=True)
    return bytes.fromhex(out.stdout.decode().strip().split("=", 1)[1])


def sign(claims: dict) -> str:
    header = {"alg": "RS256", "kid": "cli-key", "typ": "JWT"}
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key_file], input=signing_input.encode(),
                               capture_output=True, check=True).stdout
    return signing_input + "." + b64url(signature)


JWKS = json.dumps({"keys": [{"kty": "RSA", "kid": "cli-key", "use": "sig", "alg": "RS256",
                             "n": b64url(modulus()), "e": b64url((65537).to_bytes(3, "big"))}]})


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        issuer = f"http://127.0.0.1:{self.server.server_port}"
        now = int(time.time())
        if url.path.startswith("/user"):
            if self.headers.get("Authorization") != "Bearer gh-token":
                return self.reply(401, json.dumps({"message": "Bad credentials"}))
            if url.path == "/user":
                return self.reply(200, json.dumps({"login": "alice"}))
            return self.reply(200, json.dumps([{"state": "active", "role": "admin", "organization": {"login": "acme"}},
                                               {"state": "active", "role": "member", "organization": {"login": "beta"}}]))
        if url.path == "/.well-known/jwks":
            return self.reply(200, JWKS)
        if url.path == "/.well-known/openid-configuration":
            return self.reply(200, json.dumps({"issuer": issuer, "jwks_uri": issuer + "/.well-known/jwks"}))
        if url.path == "/token":
            if self.headers.get("Authorization") != "Bearer runner-secret" or query.get("api-version") != ["2.0"]:
                return self.reply(401, "{}")
            claims = {"iss": issuer, "aud": query.get("audience", [""])[0], "iat": now, "nbf": now, "exp": now + 600,
                      "sub": "repo:octo-org/octo-repo:ref:refs/heads/main", "repository_owner": "octo-org"}
            return self.reply(200, json.dumps({"value": sign(claims)}))
        if url.path == "/admin-token":
            claims = {"iss": issuer, "aud": "registry-client", "iat": now, "exp": now + 600, "sub": "admin-1",
                      "hd": query.get("hd", ["example.com"])[0]}
            return self.reply(200, json.dumps({"value": sign(claims)}))
        self.reply(404, "{}")


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"port {server.server_port}", flush=True)
threading.Timer(120, server.shutdown).start()
server.serve_forever()
