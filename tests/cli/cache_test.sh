#!/usr/bin/env bash
# The contract of `mcpreg mirror`, `mcpreg search` and the global --cache / --offline options, against a
# real server on 127.0.0.1 serving the bundled snapshot.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export XDG_CONFIG_HOME=$work/config

start_serve --db :memory: --seed "$MCPREG_TEST_DATA_DIR/registry-seed.json" --auth none
[[ -n $registry ]] || { echo "FAIL: the server did not start: $(cat "$work/serve.err")"; exit 1; }
total=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$MCPREG_TEST_DATA_DIR/registry-seed.json")

expect_exit 2 "$MCPREG" --registry "$registry" mirror
expect_exit 0 "$MCPREG" --registry "$registry" mirror --db "$work/catalog.db"
grep -qx "mirrored $registry: $total fetched, $total added, 0 updated, 0 deleted (full)" "$work/stdout" ||
    fail "first mirror: $(cat "$work/stdout")"
expect_exit 0 "$MCPREG" --registry "$registry" login none
cat >"$work/server.json" <<'JSON'
{"$schema": "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
 "name": "io.modelcontextprotocol.anonymous/zebra-weather", "description": "Forecasts for zebras", "version": "1.0.0"}
JSON
expect_exit 0 "$MCPREG" --registry "$registry" publish "$work/server.json"
expect_exit 0 "$MCPREG" --registry "$registry" mirror --db "$work/catalog.db"
grep -q ": [0-9]* fetched, 1 added, 0 updated, 0 deleted (incremental)$" "$work/stdout" ||
    fail "incremental mirror: $(cat "$work/stdout")"

expect_exit 0 "$MCPREG" search zebra --db "$work/catalog.db"
grep -q "io.modelcontextprotocol.anonymous/zebra-weather" "$work/stdout" || fail "search finds the new entry"
expect_exit 0 "$MCPREG" search "weather forecast" --db "$work/catalog.db" --json --limit 3
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert isinstance(d, list) and 1 <= len(d) <= 3 and "server" in d[0]' \
    "$work/stdout" || fail "search --json prints an array of ServerResponse objects"
expect_exit 1 "$MCPREG" search qqqxxyyzz --db "$work/catalog.db"
expect_exit 2 "$MCPREG" search anything --db "$work/missing.db"
expect_exit 2 "$MCPREG" search --db "$work/catalog.db"

# --cache keeps read responses; --offline answers from it alone.
expect_exit 2 "$MCPREG" --registry "$registry" --offline show io.github.github/github-mcp-server
expect_exit 0 "$MCPREG" --registry "$registry" --cache "$work/cache.db" show io.github.github/github-mcp-server --json
cp "$work/stdout" "$work/online.json"
expect_exit 0 "$MCPREG" --registry "$registry" list --limit 5 --cache "$work/cache.db"
kill -TERM "$server_pid"
wait "$server_pid"
server_pid=
expect_exit 0 "$MCPREG" --registry "$registry" --cache "$work/cache.db" --offline show io.github.github/github-mcp-server --json
cmp -s "$work/stdout" "$work/online.json" || fail "offline show prints what the online one did"
expect_exit 0 "$MCPREG" --registry "$registry" --cache "$work/cache.db" show io.github.github/github-mcp-server
expect_exit 1 "$MCPREG" --registry "$registry" --cache "$work/cache.db" --offline show io.github.nobody/never-seen
grep -q "not in the cache" "$work/stderr" || fail "an offline miss says so: $(cat "$work/stderr")"
# The catalog answers without the registry too.
expect_exit 0 "$MCPREG" search github --db "$work/catalog.db"

finish cache
