#!/usr/bin/env bash
# The contract of `mcpreg serve`: the first stdout line names the bound port (flushed even into a pipe or a
# file), the API answers, SIGTERM and SIGINT stop it with exit 0, and bad arguments exit 2.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
snapshot=$MCPREG_TEST_DATA_DIR/registry-seed.json

fetch() {  # url -> prints status and body
    python3 - "$1" <<'PY'
import sys, urllib.request, urllib.error
try:
    with urllib.request.urlopen(sys.argv[1], timeout=10) as r:
        print(r.status); print(r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code); print(e.read().decode())
except OSError as e:
    print(0); print(e)
PY
}

# Started with stdout redirected to a file: the line must be there before the server stops.
start_server() {  # extra serve arguments...
    "$MCPREG" serve --listen 127.0.0.1:0 "$@" >"$work/stdout" 2>"$work/stderr" &
    server_pid=$!
    for _ in $(seq 1 300); do
        grep -q '^listening on http://127.0.0.1:[0-9]\+$' "$work/stdout" 2>/dev/null && break
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
    done
    port=$(sed -n '1s|^listening on http://127.0.0.1:\([0-9]*\)$|\1|p' "$work/stdout")
    [[ -n $port ]] || fail "no 'listening on' line: $(cat "$work/stdout" "$work/stderr")"
}
stop_server() {  # signal
    kill -"$1" "$server_pid"
    local code=0
    for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    wait "$server_pid" || code=$?
    server_pid=
    [[ $code -eq 0 ]] || fail "exit status after SIG$1: $code"
}

start_server --db :memory: --seed "$snapshot"
[[ $(wc -l <"$work/stdout") -eq 1 ]] || fail "stdout holds only the listening line"
reply=$(fetch "http://127.0.0.1:$port/v0.1/servers?limit=3")
[[ $(head -1 <<<"$reply") == 200 ]] || fail "list: $reply"
grep -q '"count":3' <<<"$reply" || fail "list count: $reply"
reply=$(fetch "http://127.0.0.1:$port/v0/servers/io.github.github%2Fgithub-mcp-server/versions/latest")
grep -q '"name":"io.github.github/github-mcp-server"' <<<"$reply" || fail "detail: $reply"
[[ $(fetch "http://127.0.0.1:$port/servers" | head -1) == 404 ]] || fail "catch-all 404"
stop_server TERM

# A database file keeps its rows across restarts; SIGINT stops it as well. Output into a pipe.
"$MCPREG" serve --db "$work/registry.db" --seed "$MCPREG_TEST_DATA_DIR/spec/examples/valid/with-remote.json" \
    --listen 127.0.0.1:0 2>/dev/null | { read -r line; echo "$line" >"$work/piped"; cat >/dev/null; } &
for _ in $(seq 1 300); do [[ -s $work/piped ]] && break; sleep 0.1; done
grep -q '^listening on http://127.0.0.1:[0-9]\+$' "$work/piped" || fail "line not flushed into a pipe"
pkill -INT -f "serve --db $work/registry.db" || fail "no server to interrupt"
wait
start_server --db "$work/registry.db"
fetch "http://127.0.0.1:$port/v0.1/servers" | grep -q '"count":1' || fail "rows survive a restart"
stop_server INT

expect_exit 2 "$MCPREG" serve --listen nonsense
expect_exit 2 "$MCPREG" serve --db :memory: --listen 127.0.0.1:99999
expect_exit 2 "$MCPREG" serve --db :memory: --seed "$work/missing.json" --listen 127.0.0.1:0
expect_exit 2 "$MCPREG" serve --db /proc/forbidden/registry.db --listen 127.0.0.1:0
expect_exit 2 "$MCPREG" serve --frobnicate

# --admin-key still works but warns: a command line is visible to every user of the machine. The environment
# variable does not. (--listen nonsense stops each run once its options are read.)
expect_exit 2 "$MCPREG" serve --auth admin-key --admin-key sesame --listen nonsense
grep -q 'warning: --admin-key .*\$MCPREG_ADMIN_KEY' "$work/stderr" || fail "--admin-key warns: $(cat "$work/stderr")"
MCPREG_ADMIN_KEY=sesame expect_exit 2 "$MCPREG" serve --auth admin-key --listen nonsense
grep -q 'warning' "$work/stderr" && fail "\$MCPREG_ADMIN_KEY needs no warning: $(cat "$work/stderr")"

# A PostgreSQL location's passwords never reach standard error, even when libpq quotes the malformed part of the
# URI that holds one (nothing listens on port 1; the URI is refused before any connection).
for uri in 'postgresql://mcpreg:pw%zzSECRET1@127.0.0.1:1/r?sslpassword=SECRET2&password=SECRET3' \
    'postgresql://127.0.0.1:1/r?sslpassword=ssl%zzSECRET4&password=SECRET5' \
    'postgresql://mcpreg:SECRET6@127.0.0.1:1/r?connect_timeout=2'; do
    expect_exit 2 timeout 60 "$MCPREG" serve --db "$uri" --jwt-key-file "$work/jwt-key.pem" --listen 127.0.0.1:0
    grep -q 'SECRET' "$work/stderr" && fail "serve --db printed a password: $(cat "$work/stderr")"
done
expect_exit 0 "$MCPREG" serve --help

finish serve
