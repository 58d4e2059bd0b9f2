#!/usr/bin/env bash
# The tool's settings and conveniences: the configuration file and the environment (and which wins),
# --verbose with a 304 revalidation, mirror --json, progress lines off a terminal, --help on every command,
# and the bash completion script. Against a real server on 127.0.0.1 serving the bundled snapshot.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export XDG_CONFIG_HOME=$work/config
unset MCPREG_REGISTRY MCPREG_CACHE MCPREG_CATALOG MCPREG_CONFIG
mkdir -p "$XDG_CONFIG_HOME/mcpreg"

# max-age 0: every cached read is revalidated, so the second read is a 304.
start_serve --db :memory: --seed "$MCPREG_TEST_DATA_DIR/registry-seed.json" --max-age 0
[[ -n $registry ]] || { echo "FAIL: the server did not start: $(cat "$work/serve.err")"; exit 1; }
unreachable=http://127.0.0.1:9  # discard port: nothing listens there

# The configuration file gives the registry; the environment beats it; the command line beats both.
printf '# mcpreg settings\nregistry = %s\n\ncatalog = %s\n' "$registry" "$work/catalog.db" >"$XDG_CONFIG_HOME/mcpreg/config"
expect_exit 0 "$MCPREG" show io.github.github/github-mcp-server
grep -q '^io.github.github/github-mcp-server ' "$work/stdout" || fail "the config file's registry is used"
MCPREG_REGISTRY=$unreachable expect_exit 1 "$MCPREG" show io.github.github/github-mcp-server
MCPREG_REGISTRY=$unreachable expect_exit 0 "$MCPREG" --registry "$registry" show io.github.github/github-mcp-server
printf 'registry = %s\n' "$unreachable" >"$work/other.config"
MCPREG_CONFIG=$work/other.config expect_exit 1 "$MCPREG" show io.github.github/github-mcp-server
MCPREG_CONFIG=$work/other.config MCPREG_REGISTRY=$registry expect_exit 0 "$MCPREG" show io.github.github/github-mcp-server

# A broken configuration file is a usage error naming the file and line.
printf 'registry = %s\ncolour = blue\n' "$registry" >"$work/bad.config"
MCPREG_CONFIG=$work/bad.config expect_exit 2 "$MCPREG" list
grep -q "bad.config:2: unknown key 'colour'" "$work/stderr" || fail "unknown key: $(cat "$work/stderr")"
printf 'just words\n' >"$work/bad.config"
MCPREG_CONFIG=$work/bad.config expect_exit 2 "$MCPREG" list
grep -q "bad.config:1: expected 'key = value'" "$work/stderr" || fail "malformed line: $(cat "$work/stderr")"

# MCPREG_CACHE keeps responses; --verbose shows the first read stored and the second revalidated (304).
export MCPREG_CACHE=$work/cache.db
expect_exit 0 "$MCPREG" -v show io.github.github/github-mcp-server
grep -q "^mcpreg: GET $registry/v0.1/servers/io.github.github%2Fgithub-mcp-server/versions/latest: HTTP 200, cache miss$" \
    "$work/stderr" || fail "verbose first read: $(cat "$work/stderr")"
expect_exit 0 "$MCPREG" show io.github.github/github-mcp-server --verbose
grep -q ": HTTP 304, cache revalidated$" "$work/stderr" || fail "verbose revalidation: $(cat "$work/stderr")"
[[ -s $work/cache.db ]] || fail "MCPREG_CACHE names the cache file"
expect_exit 0 "$MCPREG" --no-cache -v show io.github.github/github-mcp-server
grep -q ": HTTP 200$" "$work/stderr" || fail "--no-cache: $(cat "$work/stderr")"
expect_exit 0 "$MCPREG" -v versions io.github.github/github-mcp-server
grep -q "/versions: HTTP 200, cache miss$" "$work/stderr" || fail "verbose versions: $(cat "$work/stderr")"
expect_exit 0 "$MCPREG" -v list --limit 2
grep -q "/v0.1/servers?limit=2: HTTP 200, cache miss$" "$work/stderr" || fail "verbose list: $(cat "$work/stderr")"
unset MCPREG_CACHE

# mirror and search take --db from the configuration file; mirror --json is one object.
expect_exit 0 "$MCPREG" mirror --json
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["full"] and r["added"] == r["fetched"] > 2000, r' \
    "$work/stdout" || fail "mirror --json: $(cat "$work/stdout")"
expect_exit 0 "$MCPREG" search github
MCPREG_CATALOG=$work/elsewhere.db expect_exit 2 "$MCPREG" search github

# Off a terminal, progress goes to stderr as plain lines (only for walks longer than a few seconds) and
# stdout carries the output alone.
expect_exit 0 "$MCPREG" list --all --json
python3 -c 'import json,sys; assert len(json.load(open(sys.argv[1]))) > 2000' "$work/stdout" || fail "list --all --json"
if grep -qv '^list: [0-9,]* entries, [0-9,]* pages, [0-9,]*/s, [0-9]*:[0-9][0-9]$' "$work/stderr"; then
    fail "list --all stderr holds only progress lines: $(head -3 "$work/stderr")"
fi

# Every command answers --help on stdout with exit 0.
for command in validate fmt serve list show versions login publish status mirror search resolve completion; do
    expect_exit 0 "$MCPREG" "$command" --help
    grep -q "usage: mcpreg" "$work/stdout" || fail "$command --help prints its usage"
done
expect_exit 0 "$MCPREG" --help
grep -q "Exit status" "$work/stdout" || fail "the main help documents exit codes"

# Bash completion: commands, a command's flags, and a flag's values.
expect_exit 0 "$MCPREG" completion bash
expect_exit 2 "$MCPREG" completion fish
"$MCPREG" completion bash >"$work/completion.bash"
complete_words() {
    bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _mcpreg; echo "${COMPREPLY[*]}"' _ \
        "$work/completion.bash" "$@"
}
[[ $(complete_words mcpreg mi) == mirror ]] || fail "completes commands: $(complete_words mcpreg mi)"
[[ $(complete_words mcpreg --registry http://x res) == resolve ]] || fail "skips global options' values"
[[ " $(complete_words mcpreg mirror --) " == *" --page-size "* ]] || fail "completes a command's flags"
[[ $(complete_words mcpreg resolve x --format vs) == vscode ]] || fail "completes --format values"
[[ $(complete_words mcpreg status x --set dep) == deprecated ]] || fail "completes --set values"
[[ $(complete_words mcpreg login gith) == "github github-oidc" ]] || fail "completes login methods"

kill -TERM "$server_pid"
wait "$server_pid" || fail "serve exits 0 on SIGTERM"
server_pid=
finish config
