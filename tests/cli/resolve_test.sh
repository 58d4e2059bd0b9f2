#!/usr/bin/env bash
# The contract of `mcpreg resolve`: formats, exit codes, missing inputs; then end to end, a real npm server
# started with the resolved argv answers an MCP initialize over stdio (skipped only when npm is unreachable).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
examples=$MCPREG_TEST_DATA_DIR/spec/examples/generic-server-json
here=$(dirname "${BASH_SOURCE[0]}")

expect_exit 0 "$MCPREG" resolve --file "$examples/03-constant-fixed-arguments-needed-to-start-the-mcp-server.json"
printf 'dnx\nKnapcode.SampleMcpServer@0.4.0-beta\n--yes\n--\nmcp\nstart\n' | cmp -s - "$work/stdout" ||
    fail "argv format: one argument per line: $(cat "$work/stdout")"
expect_exit 3 "$MCPREG" resolve --file "$examples/01-basic-server-with-npm-package.json"
grep -q "^BRAVE_API_KEY" "$work/stdout" || fail "missing inputs are listed: $(cat "$work/stdout")"
expect_exit 3 "$MCPREG" resolve --file "$examples/01-basic-server-with-npm-package.json" --format json
python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["missing"][0]; assert m["name"]=="BRAVE_API_KEY" and m["isSecret"] and m["isRequired"]' \
    "$work/stdout" || fail "missing inputs as JSON: $(cat "$work/stdout")"
expect_exit 0 "$MCPREG" resolve --file "$examples/01-basic-server-with-npm-package.json" --input BRAVE_API_KEY=s3cret
grep -qx "BRAVE_API_KEY=\*\*\*\*\*\*\*\*" "$work/stdout" || fail "argv format masks secrets: $(cat "$work/stdout")"
grep -q "s3cret" "$work/stdout" && fail "a secret value was printed"
expect_exit 0 "$MCPREG" resolve --file "$examples/01-basic-server-with-npm-package.json" --input BRAVE_API_KEY=s3cret --format json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert set(d)=={"transport","command","args","env","cwd","url","headers","notes","warnings"} and d["command"]=="npx"' \
    "$work/stdout" || fail "json format keys: $(cat "$work/stdout")"
for format in vscode claude cursor; do
    expect_exit 0 "$MCPREG" resolve --file "$examples/01-basic-server-with-npm-package.json" --input BRAVE_API_KEY=s3cret --format $format
    grep -q "s3cret" "$work/stdout" && fail "$format config carries the secret"
done
expect_exit 0 "$MCPREG" resolve --file "$examples/10-complex-docker-server-with-multiple-arguments.json" --format posix \
    --input DB_USERNAME=u --input DB_PASSWORD=p --input db_type=redis --input database_name=app --runner docker=podman
grep -q "^podman run -i --rm --network host -e DB_TYPE=redis" "$work/stdout" || fail "posix + runner: $(cat "$work/stdout")"
expect_exit 0 "$MCPREG" resolve --file "$examples/11-server-with-remote-and-package-options.json" --input X-API-Key=k
grep -qx "X-API-Key: \*\*\*\*\*\*\*\*" "$work/stdout" || fail "a remote prints its URL and masked headers: $(cat "$work/stdout")"
# An MCPB bundle is downloaded before anything is resolved: loopback only here, and nothing listens.
sed 's#"identifier": *"[^"]*"#"identifier": "https://127.0.0.1:1/bundle.mcpb"#' \
    "$examples/12-mcp-bundle-mcpb-package-example.json" >"$work/bundle-entry.json"
expect_exit 1 "$MCPREG" resolve --file "$work/bundle-entry.json" --bundle-cache "$work/bundles"
grep -q "127.0.0.1:1" "$work/stderr" || fail "the bundle download failure is reported: $(cat "$work/stderr")"
expect_exit 2 "$MCPREG" resolve --file "$examples/01-basic-server-with-npm-package.json" --format yaml
expect_exit 2 "$MCPREG" resolve
expect_exit 1 "$MCPREG" resolve --file "$examples/11-server-with-remote-and-package-options.json" --package cargo

cat >"$work/lint.json" <<'JSON'
{"name": "io.github.acme/lint", "description": "d", "version": "1", "packages": [{"registryType": "npm",
 "identifier": "x", "version": "1", "transport": {"type": "stdio"},
 "packageArguments": [{"type": "named", "name": "port", "value": "1"}]}]}
JSON
expect_exit 0 "$MCPREG" resolve --file "$work/lint.json"
grep -qx "lint: /packages/0/packageArguments/0/name: named-argument-without-dashes: .*" "$work/stderr" ||
    fail "lint findings on stderr: $(cat "$work/stderr")"

# From a registry: the engine on 127.0.0.1 serving the snapshot.
start_serve --db :memory: --seed "$MCPREG_TEST_DATA_DIR/registry-seed.json"
[[ -n $registry ]] || { echo "FAIL: the server did not start: $(cat "$work/serve.err")"; exit 1; }
expect_exit 3 "$MCPREG" --registry "$registry" resolve io.github.github/github-mcp-server --format json
grep -q '"name":"Authorization"' "$work/stdout" || fail "the remote's header is a missing input: $(cat "$work/stdout")"
expect_exit 0 "$MCPREG" --registry "$registry" resolve io.github.github/github-mcp-server --input "Authorization=Bearer x" --format vscode
grep -q '${input:Authorization}' "$work/stdout" || fail "the secret header becomes a VS Code input: $(cat "$work/stdout")"
expect_exit 1 "$MCPREG" --registry "$registry" resolve io.github.nobody/nothing

# End to end with npm.
if ! timeout 60 npm view @modelcontextprotocol/server-filesystem version >/dev/null 2>&1; then
    echo "SKIP: the npm registry cannot be reached, so the npm end-to-end check did not run"
else
    mkdir -p "$work/allowed" "$work/npm-cache"
    cat >"$work/filesystem.json" <<'JSON'
{"$schema": "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
 "name": "io.github.modelcontextprotocol/server-filesystem", "description": "Filesystem tools", "version": "2026.8.31",
 "packages": [{"registryType": "npm", "identifier": "@modelcontextprotocol/server-filesystem", "version": "2026.8.31",
   "transport": {"type": "stdio"},
   "packageArguments": [{"type": "positional", "valueHint": "allowed_directory", "isRequired": true}]}]}
JSON
    expect_exit 0 "$MCPREG" resolve --file "$work/filesystem.json" --input "allowed_directory=$work/allowed"
    cp "$work/stdout" "$work/argv.txt"
    npm_config_cache=$work/npm-cache python3 "$here/mcp_initialize.py" "$work/argv.txt" >"$work/init.out" 2>&1 ||
        fail "the resolved npm server did not answer initialize: $(cat "$work/init.out")"
    grep -qi "filesystem" "$work/init.out" || fail "serverInfo names the filesystem server: $(cat "$work/init.out")"
fi

finish resolve
