#!/usr/bin/env bash
# The contract of `mcpreg serve --auth`, `login`, `publish` and `status` against a real server on 127.0.0.1.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export XDG_CONFIG_HOME=$work/config  # tokens go here, not into the user's home

start_serve --db "$work/registry.db" --auth none --auth admin-key --admin-key sesame
[[ -n $registry ]] || { echo "FAIL: the server did not start: $(cat "$work/serve.err")"; exit 1; }
[[ -f $work/registry.db.jwt-key.pem ]] || fail "the signing key is kept beside the database"


cat >"$work/server.json" <<'JSON'
{"$schema": "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
 "name": "io.modelcontextprotocol.anonymous/cli-test", "description": "Published by the CLI test", "version": "1.0.0"}
JSON
expect_exit 1 "$MCPREG" --registry "$registry" publish "$work/server.json"
grep -q "run 'mcpreg login' first" "$work/stderr" || fail "publish without a token says how to get one"
expect_exit 0 "$MCPREG" --registry "$registry" login none
grep -q "^logged in to $registry" "$work/stdout" || fail "login output: $(cat "$work/stdout")"
[[ $(stat -c %a "$XDG_CONFIG_HOME/mcpreg/tokens.json") == 600 ]] || fail "the token store is private"
[[ $(stat -c %a "$XDG_CONFIG_HOME/mcpreg") == 700 ]] || fail "the folder of the token store is private"
# A token store others can read is ignored (and said so), and so is one planted as a symbolic link.
chmod 644 "$XDG_CONFIG_HOME/mcpreg/tokens.json"
expect_exit 1 "$MCPREG" --registry "$registry" publish "$work/server.json"
grep -q "ignoring the token store" "$work/stderr" || fail "a readable token store is ignored: $(cat "$work/stderr")"
mv "$XDG_CONFIG_HOME/mcpreg/tokens.json" "$work/elsewhere.json"
ln -s "$work/elsewhere.json" "$XDG_CONFIG_HOME/mcpreg/tokens.json"
expect_exit 1 "$MCPREG" --registry "$registry" publish "$work/server.json"
grep -q "symbolic link" "$work/stderr" || fail "a linked token store is ignored: $(cat "$work/stderr")"
# Logging in again replaces the link with a private file; the link's target is left alone.
expect_exit 0 "$MCPREG" --registry "$registry" login none
[[ ! -L "$XDG_CONFIG_HOME/mcpreg/tokens.json" ]] || fail "the link was replaced"
[[ $(stat -c %a "$work/elsewhere.json") == 644 ]] || fail "the link's target was not written through"
expect_exit 0 "$MCPREG" --registry "$registry" publish "$work/server.json"
grep -qx "published io.modelcontextprotocol.anonymous/cli-test 1.0.0 (latest)" "$work/stdout" || fail "publish output: $(cat "$work/stdout")"
expect_exit 1 "$MCPREG" --registry "$registry" publish "$work/server.json"
grep -q "cannot publish duplicate version" "$work/stderr" || fail "duplicate publish names the cause"
expect_exit 0 "$MCPREG" --registry "$registry" status io.modelcontextprotocol.anonymous/cli-test@1.0.0 --set deprecated --message "use 2"
"$MCPREG" --registry "$registry" show io.modelcontextprotocol.anonymous/cli-test --json >"$work/show.json"
grep -q '"status":"deprecated"' "$work/show.json" || fail "status was set: $(cat "$work/show.json")"
grep -q '"statusMessage":"use 2"' "$work/show.json" || fail "status message was set"
expect_exit 0 "$MCPREG" --registry "$registry" status io.modelcontextprotocol.anonymous/cli-test --set deleted
grep -q "(1 versions)" "$work/stdout" || fail "status of every version: $(cat "$work/stdout")"
expect_exit 1 "$MCPREG" --registry "$registry" show io.modelcontextprotocol.anonymous/cli-test

sed 's/anonymous\/cli-test/anonymous\/cli-other/' "$work/server.json" >"$work/other.json"
expect_exit 1 "$MCPREG" --registry "$registry" login admin --key wrong
expect_exit 0 "$MCPREG" --registry "$registry" login admin --key sesame
sed 's/io.modelcontextprotocol.anonymous\/cli-test/com.example\/admin-published/' "$work/server.json" >"$work/admin.json"
expect_exit 0 "$MCPREG" --registry "$registry" publish "$work/admin.json"  # the admin token covers every name

# A restart keeps rows and the signing key: the stored token still works.
kill -TERM "$server_pid"
wait "$server_pid"
port=${registry##*:}
"$MCPREG" serve --db "$work/registry.db" --listen "127.0.0.1:$port" >"$work/serve2.out" 2>/dev/null &
server_pid=$!
for _ in $(seq 1 300); do grep -q '^listening on' "$work/serve2.out" 2>/dev/null && break; sleep 0.1; done
sed 's/"1.0.0"/"2.0.0"/' "$work/admin.json" >"$work/admin2.json"
expect_exit 0 "$MCPREG" --registry "$registry" publish "$work/admin2.json"

# --auth dns and --auth http turn the domain-proof endpoints on (no outside network here: only their checks).
kill -TERM "$server_pid"
wait "$server_pid"
start_serve --db :memory: --auth dns --auth http
for method in dns http; do
    python3 - "$registry/v0.1/auth/$method" >"$work/auth.out" <<'PY'
import json, sys, urllib.request, urllib.error
body = json.dumps({"domain": "invalid..domain", "timestamp": "2026-01-01T00:00:00Z", "signed_timestamp": "00"}).encode()
try:
    urllib.request.urlopen(urllib.request.Request(sys.argv[1], data=body, method="POST"), timeout=10)
    print(200)
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode())
PY
    grep -q '^401 .*invalid domain format' "$work/auth.out" || fail "--auth $method: $(cat "$work/auth.out")"
done

expect_exit 2 "$MCPREG" --registry "$registry" publish "$work/missing.json"
expect_exit 2 "$MCPREG" --registry "$registry" status com.example/x --set archived
expect_exit 2 "$MCPREG" --registry "$registry" login frobnicate
expect_exit 2 "$MCPREG" serve --auth admin-key --db :memory:
expect_exit 2 "$MCPREG" serve --auth frobnicate --db :memory:
expect_exit 2 "$MCPREG" serve --auth github --github-api "not a url" --db :memory:

finish login/publish/status
