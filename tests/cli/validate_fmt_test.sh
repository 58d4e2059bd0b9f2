#!/usr/bin/env bash
# The contract of `mcpreg validate` and `mcpreg fmt`: output lines, JSON equality and exit codes.
# Run by CTest with MCPREG (the tool) and MCPREG_TEST_DATA_DIR set.
set -uo pipefail

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# The interpreter itself rather than a version manager's shim in front of it (pyenv's adds ~0.3 s a call,
# and these tests call Python often).
mcpreg_python=$(command python3 -c 'import sys; print(sys.executable)')
python3() { command "$mcpreg_python" "$@"; }
expect_exit() {  # expected-code description command...
    local expected=$1 description=$2
    shift 2
    "$@" >"$work/out" 2>"$work/err"
    local code=$?
    [[ $code -eq $expected ]] || fail "$description: exit $code, expected $expected ($(head -c 300 "$work/err"))"
}
same_json() {  # a b: equal as JSON values
    python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1])) == json.load(open(sys.argv[2])) else 1)' "$1" "$2"
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
data=$MCPREG_TEST_DATA_DIR
examples=$data/spec/examples
snapshot=$data/registry-seed.json

# validate: exit codes and line format.
expect_exit 0 "valid example" "$MCPREG" validate "$examples/valid/with-package.json"
grep -q "^validated 1 server.json document in 1 file (.* ms): 1 valid, 0 invalid; 0 errors, 0 warnings$" "$work/out" ||
    fail "summary line of a valid document: $(cat "$work/out")"
expect_exit 1 "invalid example" "$MCPREG" validate "$examples/invalid/bad-name-pattern.json"
grep -qxF "$examples/invalid/bad-name-pattern.json#/name: schema-pattern: \"no-namespace-separator\" does not match pattern ^[a-zA-Z0-9.-]+/[a-zA-Z0-9._-]+\$" "$work/out" ||
    fail "issue line format: $(cat "$work/out")"
expect_exit 1 "valid and invalid together" "$MCPREG" validate "$examples/valid/minimal.json" "$examples/invalid/missing-name.json"
grep -q "missing-name.json#/name: schema-required: missing required property \"name\"" "$work/out" || fail "missing name line"
printf '{"name": ' >"$work/truncated.json"
expect_exit 2 "not JSON" "$MCPREG" validate "$work/truncated.json"
grep -q "truncated.json: not valid JSON" "$work/err" || fail "not-JSON message: $(cat "$work/err")"
expect_exit 2 "missing file" "$MCPREG" validate "$work/does-not-exist.json"
expect_exit 2 "unreadable file beats invalid" "$MCPREG" validate "$examples/invalid/missing-name.json" "$work/truncated.json"
expect_exit 2 "no PATH" "$MCPREG" validate
expect_exit 2 "unknown option" "$MCPREG" validate --frobnicate "$snapshot"
expect_exit 0 "stdin" bash -c "\"$MCPREG\" validate - < \"$examples/valid/minimal.json\""
expect_exit 0 "help" "$MCPREG" validate --help

expect_exit 1 "real snapshot" "$MCPREG" validate "$snapshot"
grep -q "^validated 2376 server.json documents in 1 file (.* ms): 2060 valid, 316 invalid; " "$work/out" ||
    fail "snapshot summary: $(tail -3 "$work/out")"
grep -q "registry-seed.json#/5/server/packages/0/version: reserved-version-string: version string 'latest' is reserved" "$work/out" ||
    fail "snapshot issue lines carry the pointer inside the array"
expect_exit 1 "snapshot --quiet" "$MCPREG" validate --quiet "$snapshot"
[[ $(wc -l <"$work/out") -le 3 ]] || fail "--quiet prints only the summary"
expect_exit 1 "--json" "$MCPREG" validate --json "$snapshot"
python3 -c '
import json, sys
report = json.load(open(sys.argv[1]))
summary = report["summary"]
assert summary["documents"] == 2376 and summary["valid"] == 2060, summary
doc = report["files"][0]["documents"][5]
assert doc["pointer"] == "/5/server" and not doc["valid"], doc
assert any(i["rule"] == "reserved-version-string" and i["path"] == "/5/server/packages/0/version" for i in doc["issues"])
' "$work/out" || fail "--json report"
echo '{"name": "com.example/server", "description": "d", "version": "1.0.0"}' >"$work/no-schema.json"
expect_exit 0 "\$schema is optional in the JSON Schema" "$MCPREG" validate "$work/no-schema.json"
expect_exit 1 "--official" "$MCPREG" validate --official "$work/no-schema.json"
grep -q "#/\$schema: schema-field-required" "$work/out" || fail "--official requires \$schema"
expect_exit 0 "--schema draft" "$MCPREG" validate --schema draft "$examples/generic-server-json/08-cargo-rust-package-example.json"
expect_exit 2 "--schema unknown" "$MCPREG" validate --schema 1999-01-01 "$examples/valid/minimal.json"

# fmt: the lossless round trip and --upgrade.
expect_exit 0 "fmt snapshot" "$MCPREG" fmt "$snapshot"
same_json "$work/out" "$snapshot" || fail "fmt of the snapshot is not the same JSON value"
for file in "$examples"/valid/*.json "$examples"/generic-server-json/*.json; do
    expect_exit 0 "fmt $file" "$MCPREG" fmt "$file"
    same_json "$work/out" "$file" || fail "fmt changed $file"
done
cat >"$work/old.json" <<'JSON'
{"$schema": "https://static.modelcontextprotocol.io/schemas/2025-07-09/server.schema.json",
 "name": "io.github.old/server", "description": "old", "version": "0.1.0", "status": "active",
 "packages": [{"registry_type": "npm", "identifier": "old", "version": "0.1.0", "transport": {"type": "stdio"},
               "environment_variables": [{"name": "TOKEN", "is_secret": true}]}]}
JSON
expect_exit 0 "fmt snake_case" "$MCPREG" fmt "$work/old.json"
same_json "$work/out" "$work/old.json" || fail "fmt changed a 2025-07-09 document"
expect_exit 0 "fmt --upgrade" "$MCPREG" fmt --upgrade "$work/old.json"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["$schema"] == "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json", d
assert "status" not in d and d["packages"][0]["registryType"] == "npm"
assert d["packages"][0]["environmentVariables"][0]["isSecret"] is True
' "$work/out" || fail "--upgrade output: $(cat "$work/out")"
"$MCPREG" fmt --upgrade "$work/old.json" >"$work/upgraded.json"
expect_exit 0 "upgraded document validates" "$MCPREG" validate "$work/upgraded.json"
expect_exit 0 "fmt --upgrade snapshot" "$MCPREG" fmt --upgrade "$snapshot"
python3 -c '
import json, sys
entries = json.load(open(sys.argv[1]))
assert len(entries) == 2376
assert all(e["server"]["$schema"].endswith("/2025-12-11/server.schema.json") for e in entries)
' "$work/out" || fail "--upgrade of the snapshot"
expect_exit 2 "fmt not JSON" "$MCPREG" fmt "$work/truncated.json"
echo '{"name": "a.b/c", "description": "d", "version": 7}' >"$work/wrong-type.json"
expect_exit 2 "fmt wrong type" "$MCPREG" fmt "$work/wrong-type.json"
grep -q "at /version: expected a string, found a number" "$work/err" || fail "fmt names the bad field: $(cat "$work/err")"
expect_exit 2 "fmt two paths" "$MCPREG" fmt "$snapshot" "$snapshot"
expect_exit 2 "unknown command" "$MCPREG" frobnicate
expect_exit 0 "--version" "$MCPREG" --version

if [[ $failures -ne 0 ]]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all validate/fmt checks passed"
