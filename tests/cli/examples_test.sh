#!/usr/bin/env bash
# Runs every example against a real engine on 127.0.0.1 and checks what each prints.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
seed=$MCPREG_TEST_DATA_DIR/registry-seed.json

"$EXAMPLES_DIR/example_host_engine" "$seed" >"$work/host" 2>&1 || fail "host_engine: $(cat "$work/host")"
grep -q '^in-process: 30 servers on the first page$' "$work/host" || fail "host_engine in-process: $(cat "$work/host")"
grep -q '^over HTTP on port [0-9]*: 30 servers on the first page$' "$work/host" || fail "host_engine HTTP: $(cat "$work/host")"

start_serve --db :memory: --seed "$seed"

"$EXAMPLES_DIR/example_list_coroutine" "$registry" >"$work/list" 2>&1 || fail "list_coroutine exit"
[[ $(wc -l <"$work/list") -eq 902 ]] || fail "list_coroutine prints the 902 latest servers: $(wc -l <"$work/list")"
"$EXAMPLES_DIR/example_get_callback_future" io.github.github/github-mcp-server "$registry" >"$work/get" 2>&1
grep -q '^callback: io.github.github/github-mcp-server 0.26.0-rc.3$' "$work/get" || fail "callback: $(cat "$work/get")"
grep -q '^future: [0-9]* versions$' "$work/get" || fail "future: $(cat "$work/get")"
"$EXAMPLES_DIR/example_get_callback_future" com.example/none "$registry" >"$work/missing" 2>&1
grep -q 'Server not found' "$work/missing" || fail "callback error path: $(cat "$work/missing")"
"$EXAMPLES_DIR/example_blocking_list" "$registry" >"$work/blocking" 2>&1
grep -qx '2376 entries' "$work/blocking" || fail "blocking_list: $(cat "$work/blocking")"

"$EXAMPLES_DIR/example_resolve_entry" io.github.github/github-mcp-server "$registry" >"$work/resolve" 2>&1
[[ $? -eq 3 ]] || fail "resolve_entry asks for the token first: $(cat "$work/resolve")"
grep -q '^needs Authorization (secret)' "$work/resolve" || fail "resolve_entry lists the input: $(cat "$work/resolve")"
"$EXAMPLES_DIR/example_resolve_entry" io.github.github/github-mcp-server "$registry" "Authorization=Bearer x" >"$work/resolve" 2>&1
grep -q '^connect to https://' "$work/resolve" || fail "resolve_entry: $(cat "$work/resolve")"

"$EXAMPLES_DIR/example_c_list" "$registry" >"$work/c_list" 2>"$work/c_list.err" || fail "c_list: $(cat "$work/c_list.err")"
[[ $(wc -l <"$work/c_list") -eq 902 ]] || fail "c_list prints the 902 latest servers"
grep -qx '902 servers' "$work/c_list.err" || fail "c_list count: $(cat "$work/c_list.err")"
if [[ -n ${MCPREG_C_LIBRARY:-} ]]; then
    LD_PRELOAD=${MCPREG_PYTHON_PRELOAD:-} ASAN_OPTIONS=detect_leaks=0 \
        python3 "$(dirname "${BASH_SOURCE[0]}")/../../examples/python_resolve.py" "$seed" >"$work/py" 2>&1 ||
        fail "python_resolve: $(cat "$work/py")"
    grep -q '^io.github.github/github-mcp-server -> https://' "$work/py" || fail "python_resolve: $(cat "$work/py")"
fi

finish examples
