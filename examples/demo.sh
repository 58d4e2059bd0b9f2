#!/usr/bin/env bash
# mcpreg's main job: builds the tool, validates the bundled real registry snapshot (2,376 entries of the
# official MCP registry, December 2025), hosts it with the embedded engine on a free loopback port, and
# browses, mirrors, searches and resolves it with the client. Installs missing Debian packages first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash cmake/install-deps.sh
cmake --preset release -DMCPREG_BUILD_TESTS=OFF >/dev/null
cmake --build --preset release --target mcpreg_tool >/dev/null
mcpreg=build/release/bin/mcpreg
snapshot=tests/data/registry-seed.json

if [[ -t 1 ]]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
section() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }

section "mcpreg $("$mcpreg" --version | cut -d' ' -f2): validating the bundled registry snapshot ($snapshot)"
# Real entries that break their own declared schema exist (mostly `repository: {}`): exit 1 is expected here.
status=0
"$mcpreg" validate --quiet "$snapshot" || status=$?
[[ $status -le 1 ]] || exit "$status"

section "A few of the issues found (mcpreg validate prints PATH#/json/pointer: rule-id: message)"
{ "$mcpreg" validate "$snapshot" || true; } | grep -v -e '^validated' -e '^  ' | awk -F': ' '!seen[$2]++' | head -n 6 || true

section "The official registry's publish profile on a spec example"
"$mcpreg" validate --official tests/data/spec/examples/generic-server-json/01-basic-server-with-npm-package.json || true

section "A 2025-07-09 (snake_case) document upgraded to the current schema with mcpreg fmt --upgrade"
printf '%s\n' '{"name": "io.github.example/legacy", "description": "An old entry", "version": "0.1.0",' \
    ' "packages": [{"registry_type": "npm", "identifier": "@example/legacy", "version": "0.1.0",' \
    '               "transport": {"type": "stdio"}, "environment_variables": [{"name": "TOKEN", "is_secret": true}]}]}' |
    "$mcpreg" fmt --upgrade -

section "Hosting the snapshot: mcpreg serve (embedded SQLite engine) on a free loopback port"
work=$(mktemp -d)
# max-age 2: long enough to show a fresh cache hit, short enough to show a revalidation a moment later.
"$mcpreg" serve --db :memory: --seed "$snapshot" --listen 127.0.0.1:0 --max-age 2 >"$work/serve.out" 2>"$work/serve.err" &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 300); do grep -q '^listening on' "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
registry=$(sed -n '1s/^listening on //p' "$work/serve.out")
[[ -n $registry ]] || { cat "$work/serve.err"; exit 1; }
echo "listening on $registry ($(sed -n 's/^mcpreg serve: //p' "$work/serve.err" | head -1))"
export MCPREG_REGISTRY=$registry

section "mcpreg list --limit 5 (the first page, in the registry's byte order)"
"$mcpreg" list --limit 5 2>/dev/null

section "mcpreg list --search filesystem --version latest (upstream's name-substring search)"
"$mcpreg" list --search filesystem --version latest --limit 5 2>/dev/null

section "mcpreg show io.github.github/github-mcp-server"
"$mcpreg" show io.github.github/github-mcp-server

section "mcpreg versions io.github.github/github-mcp-server"
"$mcpreg" versions io.github.github/github-mcp-server >"$work/versions.txt"
head -n 6 "$work/versions.txt"

section "mcpreg list --all --json: every entry through the cursor pager"
"$mcpreg" list --all --json >"$work/all.json"
head -c 300 "$work/all.json"
echo " ..."
echo "$(grep -o '"isLatest":' "$work/all.json" | wc -l) entries walked, $(wc -c <"$work/all.json") bytes"

section "mcpreg mirror: an offline catalog of the registry, then an incremental sync"
"$mcpreg" mirror --db "$work/catalog.db"
"$mcpreg" mirror --db "$work/catalog.db"

section "mcpreg search 'weather forecast' (ranked full-text search of the catalog, no network)"
"$mcpreg" search "weather forecast" --db "$work/catalog.db" --limit 5

section "mcpreg --cache: a read stored, answered from the cache while fresh, then revalidated (304)"
for _ in 1 2; do "$mcpreg" --cache "$work/http.db" -v show io.github.github/github-mcp-server >/dev/null; done
sleep 2.2
"$mcpreg" --cache "$work/http.db" -v show io.github.github/github-mcp-server >/dev/null

section "mcpreg resolve: an npm entry as an argv launch spec and as a VS Code configuration"
npm_entry=$("$mcpreg" list --all --json 2>/dev/null | python3 -c '
import json, sys
for e in json.load(sys.stdin):
    p = (e["server"].get("packages") or [{}])[0]
    if p.get("registryType") == "npm" and not p.get("environmentVariables") and not p.get("packageArguments"):
        print(e["server"]["name"]); break')
echo "$npm_entry:"
"$mcpreg" resolve "$npm_entry"
"$mcpreg" resolve "$npm_entry" --format vscode
echo

section "mcpreg resolve: a remote that needs a token (exit 3 lists the input), then given one"
"$mcpreg" resolve io.github.github/github-mcp-server || echo "(exit $?: inputs missing)"
"$mcpreg" resolve io.github.github/github-mcp-server --input "Authorization=Bearer <your token>" --format vscode
echo

kill -TERM "$server_pid"
wait "$server_pid" && echo "engine stopped cleanly"
