#!/usr/bin/env bash
# Runs every example against a real engine on 127.0.0.1 and checks what each prints.
set -uo pipefail
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
work=$(mktemp -d)
server_pid=
cleanup() { [[ -n $server_pid ]] && kill -9 "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
seed=$MCPREG_TEST_DATA_DIR/registry-seed.json

"$EXAMPLES_DIR/example_host_engine" "$seed" >"$work/host" 2>&1 || fail "host_engine: $(cat "$work/host")"
grep -q '^in-process: 30 servers on the first page$' "$work/host" || fail "host_engine in-process: $(cat "$work/host")"
grep -q '^over HTTP on port [0-9]*: 30 servers on the first page$' "$work/host" || fail "host_engine HTTP: $(cat "$work/host")"

"$MCPREG" serve --db :memory: --seed "$seed" --listen 127.0.0.1:0 >"$work/serve.out" 2>/dev/null &
server_pid=$!
for _ in $(seq 1 300); do grep -q '^listening on' "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
registry=$(sed -n '1s/^listening on //p' "$work/serve.out")

"$EXAMPLES_DIR/example_list_coroutine" "$registry" >"$work/list" 2>&1 || fail "list_coroutine exit"
[[ $(wc -l <"$work/list") -eq 902 ]] || fail "list_coroutine prints the 902 latest servers: $(wc -l <"$work/list")"
"$EXAMPLES_DIR/example_get_callback_future" io.github.github/github-mcp-server "$registry" >"$work/get" 2>&1
grep -q '^callback: io.github.github/github-mcp-server 0.26.0-rc.3$' "$work/get" || fail "callback: $(cat "$work/get")"
grep -q '^future: [0-9]* versions$' "$work/get" || fail "future: $(cat "$work/get")"
"$EXAMPLES_DIR/example_get_callback_future" com.example/none "$registry" >"$work/missing" 2>&1
grep -q 'Server not found' "$work/missing" || fail "callback error path: $(cat "$work/missing")"
"$EXAMPLES_DIR/example_blocking_list" "$registry" >"$work/blocking" 2>&1
grep -qx '2376 entries' "$work/blocking" || fail "blocking_list: $(cat "$work/blocking")"

if [[ $failures -ne 0 ]]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all examples ran"
