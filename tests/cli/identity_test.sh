#!/usr/bin/env bash
# `mcpreg serve --auth github|github-oidc|oidc` and `mcpreg login github|github-oidc|oidc` against a fake
# GitHub and OpenID Connect issuer on 127.0.0.1 (RSA key made and used by the openssl tool).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export XDG_CONFIG_HOME=$work/config

openssl genrsa -out "$work/issuer.pem" 2048 2>/dev/null || { echo "FAIL: openssl genrsa"; exit 1; }
python3 "$(dirname "${BASH_SOURCE[0]}")/fake_identity.py" "$work/issuer.pem" >"$work/issuer.out" 2>"$work/issuer.err" &
issuer_pid=$!
trap 'kill $issuer_pid 2>/dev/null; cleanup' EXIT
for _ in $(seq 1 100); do grep -q '^port ' "$work/issuer.out" 2>/dev/null && break; sleep 0.1; done
issuer="http://127.0.0.1:$(sed -n 's/^port //p' "$work/issuer.out")"
[[ $issuer != "http://127.0.0.1:" ]] || { echo "FAIL: the fake issuer did not start: $(cat "$work/issuer.err")"; exit 1; }
fetch_value() { python3 -c 'import json,sys,urllib.request; print(json.load(urllib.request.urlopen(sys.argv[1]))["value"])' "$1"; }

expect_exit 2 "$MCPREG" serve --db :memory: --auth github-oidc --listen 127.0.0.1:0
grep -q -- "--github-oidc-audience" "$work/stderr" || fail "github-oidc without an audience names the option"
expect_exit 2 "$MCPREG" serve --db :memory: --auth oidc --oidc-issuer "$issuer" --listen 127.0.0.1:0
expect_exit 2 "$MCPREG" serve --db :memory: --oidc-extra-claims '{"not":"a list"}' --listen 127.0.0.1:0

start_serve --db :memory: --auth github --github-api "$issuer" --auth github-oidc --github-oidc-issuer "$issuer" --github-oidc-audience mcp-registry \
    --auth oidc --oidc-issuer "$issuer" --oidc-client-id registry-client --oidc-publish '*' --oidc-edit '*' \
    --oidc-extra-claims '[{"hd":"example.com"}]' --blocked-namespace io.github.blocked-org
[[ -n $registry ]] || { echo "FAIL: the server did not start: $(cat "$work/serve.err")"; exit 1; }

cat >"$work/server.json" <<'JSON'
{"$schema": "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
 "name": "io.github.octo-org/from-ci", "description": "Published from a workflow", "version": "1.0.0"}
JSON
sed 's/octo-org/someone-else/' "$work/server.json" >"$work/other.json"

# Outside a workflow there is no ID token to request.
expect_exit 2 env -u ACTIONS_ID_TOKEN_REQUEST_URL "$MCPREG" --registry "$registry" login github-oidc
grep -q "id-token: write" "$work/stderr" || fail "login github-oidc outside Actions says what is missing"
export ACTIONS_ID_TOKEN_REQUEST_URL="$issuer/token?api-version=2.0"
ACTIONS_ID_TOKEN_REQUEST_TOKEN=wrong expect_exit 1 "$MCPREG" --registry "$registry" login github-oidc
export ACTIONS_ID_TOKEN_REQUEST_TOKEN=runner-secret
expect_exit 1 "$MCPREG" --registry "$registry" login github-oidc --audience another-registry
grep -q "invalid audience" "$work/stderr" || fail "a token for another audience is refused with the reason"
expect_exit 0 "$MCPREG" --registry "$registry" login github-oidc
expect_exit 0 "$MCPREG" --registry "$registry" publish "$work/server.json"
expect_exit 1 "$MCPREG" --registry "$registry" publish "$work/other.json"

# An administrator: claim rules first, then '*' to publish and edit anything.
expect_exit 1 "$MCPREG" --registry "$registry" login oidc --token "$(fetch_value "$issuer/admin-token?hd=evil.example")"
grep -q "extra claims validation failed" "$work/stderr" || fail "a failed claim rule is named: $(cat "$work/stderr")"
expect_exit 0 "$MCPREG" --registry "$registry" login oidc --token "$(fetch_value "$issuer/admin-token")"
expect_exit 0 "$MCPREG" --registry "$registry" publish "$work/other.json"
expect_exit 0 "$MCPREG" --registry "$registry" status io.github.octo-org/from-ci@1.0.0 --set deprecated

# A GitHub access token: the user's namespace and the organisations the user administers.
sed 's/octo-org/alice/' "$work/server.json" >"$work/alice.json"
sed 's/octo-org/acme/' "$work/server.json" >"$work/acme.json"
sed 's/octo-org/beta/' "$work/server.json" >"$work/beta.json"
expect_exit 1 "$MCPREG" --registry "$registry" login github --token wrong
expect_exit 2 env -u GITHUB_TOKEN "$MCPREG" --registry "$registry" login github
expect_exit 0 env GITHUB_TOKEN=gh-token "$MCPREG" --registry "$registry" login github
for name in alice acme; do expect_exit 0 "$MCPREG" --registry "$registry" publish "$work/$name.json"; done
expect_exit 1 "$MCPREG" --registry "$registry" publish "$work/beta.json"
grep -q "403" "$work/stderr" || fail "a member (not owner) of beta may not publish there: $(cat "$work/stderr")"

finish identity
