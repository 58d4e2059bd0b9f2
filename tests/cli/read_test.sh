#!/usr/bin/env bash
# The contract of `mcpreg list`, `show` and `versions` against a real `mcpreg serve` on 127.0.0.1: global
# options before or after the command, MCPREG_REGISTRY, the JSON shapes, and exit codes.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

start_serve --db :memory: --seed "$MCPREG_TEST_DATA_DIR/registry-seed.json"
[[ -n $registry ]] || { echo "FAIL: the server did not start"; exit 1; }

json_check() {  # file python-expression-over-d
    python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$1"
}

"$MCPREG" --registry "$registry" list --limit 5 >"$work/out" || fail "list exit"
[[ $(head -1 "$work/out" | awk '{print $1, $2, $3, $4}') == "NAME VERSION STATUS DESCRIPTION" ]] || fail "table header: $(head -1 "$work/out")"
[[ $(wc -l <"$work/out") -eq 6 ]] || fail "5 rows and a header: $(cat "$work/out")"
"$MCPREG" list --limit 5 --registry "$registry" >"$work/out2" || fail "--registry after the command"
cmp -s "$work/out" "$work/out2" || fail "--registry before and after give the same output"
MCPREG_REGISTRY=$registry "$MCPREG" list --limit 5 >"$work/out3" || fail "MCPREG_REGISTRY"
cmp -s "$work/out" "$work/out3" || fail "MCPREG_REGISTRY gives the same output"

"$MCPREG" --registry "$registry" list --all --json >"$work/all.json" || fail "list --all --json exit"
json_check "$work/all.json" 'isinstance(d, list) and len(d) == 2376 and all("server" in e and "_meta" in e for e in d)' ||
    fail "list --all --json is one array of the 2,376 ServerResponse objects"
json_check "$work/all.json" '[(e["server"]["name"], e["server"]["version"]) for e in d] == sorted((e["server"]["name"], e["server"]["version"]) for e in d)' ||
    fail "list --all keeps the registry's byte order"
"$MCPREG" --registry "$registry" list --search github --version latest --limit 3 --json >"$work/page.json"
json_check "$work/page.json" 'len(d["servers"]) == 3 and d["metadata"]["count"] == 3 and "nextCursor" in d["metadata"] and all("github" in e["server"]["name"].lower() for e in d["servers"])' ||
    fail "list --json is a page with its cursor"
"$MCPREG" --registry "$registry" list --updated-since 2025-12-18T00:00:00Z --all --json >"$work/recent.json"
json_check "$work/recent.json" 'all(e["_meta"]["io.modelcontextprotocol.registry/official"]["updatedAt"] > "2025-12-18" for e in d)' ||
    fail "--updated-since filters"

"$MCPREG" --registry "$registry" show io.github.github/github-mcp-server --json >"$work/show.json" || fail "show exit"
json_check "$work/show.json" 'd["server"]["name"] == "io.github.github/github-mcp-server" and d["_meta"]["io.modelcontextprotocol.registry/official"]["isLatest"]' ||
    fail "show --json is the latest ServerResponse"
"$MCPREG" --registry "$registry" show io.github.github/github-mcp-server@0.24.1 --json >"$work/show2.json"
json_check "$work/show2.json" 'd["server"]["version"] == "0.24.1"' || fail "show NAME@VERSION"
"$MCPREG" --registry "$registry" show io.github.github/github-mcp-server | head -1 | grep -q '^io.github.github/github-mcp-server ' ||
    fail "show prints a summary"
"$MCPREG" --registry "$registry" versions io.github.github/github-mcp-server --json >"$work/versions.json"
json_check "$work/versions.json" 'isinstance(d, list) and len(d) >= 3 and len({e["server"]["name"] for e in d}) == 1' ||
    fail "versions --json is an array"

expect_exit 1 "$MCPREG" --registry "$registry" show com.example/does-not-exist
grep -q "Server not found" "$work/stderr" || fail "not-found message names the server's answer"
expect_exit 1 "$MCPREG" --registry "$registry" versions com.example/does-not-exist
expect_exit 1 "$MCPREG" --registry http://127.0.0.1:1 list
expect_exit 2 "$MCPREG" --registry "$registry" list --limit 1000
expect_exit 2 "$MCPREG" --registry "$registry" list --updated-since yesterday
expect_exit 2 "$MCPREG" --registry "$registry" show
expect_exit 2 "$MCPREG" --registry "not a url" list
expect_exit 2 "$MCPREG" list --registry
expect_exit 0 "$MCPREG" list --help

finish list/show/versions
