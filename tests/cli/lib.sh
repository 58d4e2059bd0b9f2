# Shared pieces of the command-line contract tests. Source it; it sets `work` (a temporary folder removed on
# exit), `failures`, and stops any server started with start_serve.
failures=0
work=$(mktemp -d)
server_pid=
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# The interpreter itself rather than a version manager's shim in front of it (pyenv's adds ~0.3 s a call,
# and these tests call Python often).
mcpreg_python=$(command python3 -c 'import sys; print(sys.executable)')
python3() { command "$mcpreg_python" "$@"; }
cleanup() { [[ -n $server_pid ]] && kill -9 "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# expect_exit CODE COMMAND...: runs COMMAND with stdout and stderr in $work/stdout and $work/stderr.
expect_exit() {
    local expected=$1
    shift
    "$@" >"$work/stdout" 2>"$work/stderr"
    local code=$?
    [[ $code -eq $expected ]] || fail "$*: exit $code, expected $expected ($(head -c 300 "$work/stderr"))"
}

# start_serve ARGS...: starts `mcpreg serve ARGS --listen 127.0.0.1:0` in the background and sets `registry`
# to its URL (empty when it did not come up within 30 s).
start_serve() {
    "$MCPREG" serve "$@" --listen 127.0.0.1:0 >"$work/serve.out" 2>"$work/serve.err" &
    server_pid=$!
    for _ in $(seq 1 300); do
        grep -q '^listening on' "$work/serve.out" 2>/dev/null && break
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
    done
    registry=$(sed -n '1s/^listening on //p' "$work/serve.out")
}

# finish NAME: the closing line and exit status.
finish() {
    if [[ $failures -ne 0 ]]; then
        echo "$failures check(s) failed"
        exit 1
    fi
    echo "all $1 checks passed"
}
