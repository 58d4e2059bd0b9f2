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

# ---- Hostile registry text: nothing a registry says may drive the terminal ----
# An entry whose title, description, version, status message, package, remote and _meta hold ESC sequences
# (clearing the screen), OSC 52 (writing the clipboard), an 8-bit CSI (U+009B), DEL and bidi controls. Imported
# through --seed, which takes documents as they are. Every output, tables and --json alike, must be free of them,
# and the JSON must still carry the same values.
kill -TERM "$server_pid"
wait "$server_pid"
python3 - "$work/hostile.json" <<'PY'
import json, sys
evil = "\x1b[2J\x1b]52;c;ZWNobyBwd25lZA==\x07\u009b31m\x7f\u202eexe.txt\u2066"
server = {
    "$schema": "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
    "name": "io.example/hostile",
    "title": "Title " + evil,
    "description": "Description " + evil + "\r\nsecond line",
    "version": "1.0.0-" + evil,
    "repository": {"url": "https://github.com/example/hostile" + evil, "source": "github"},
    "packages": [{"registryType": "npm", "identifier": "hostile" + evil, "version": "1.0.0",
                  "transport": {"type": "stdio"}}],
    "remotes": [{"type": "streamable-http", "url": "https://hostile.example/mcp" + evil}],
    "_meta": {"io.modelcontextprotocol.registry/publisher-provided": {"key " + evil: "value " + evil}},
}
official = {"status": "deprecated", "statusMessage": "Message " + evil, "isLatest": True,
            "publishedAt": "2025-12-01T00:00:00Z", "updatedAt": "2025-12-01T00:00:00Z"}
json.dump([{"server": server, "_meta": {"io.modelcontextprotocol.registry/official": official}}],
          open(sys.argv[1], "w"))
PY
start_serve --db :memory: --seed "$work/hostile.json"
[[ -n $registry ]] || { echo "FAIL: the hostile server did not start: $(cat "$work/serve.err")"; exit 1; }

inert() {  # file...: valid UTF-8 without a code point a terminal acts on (C0 but \n, DEL, C1, bidi controls)
    python3 - "$@" <<'PY'
import sys
bad = (set(range(0x20)) - {0x0A}) | {0x7F} | set(range(0x80, 0xA0)) | {0x061C, 0x200E, 0x200F} \
    | set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A))
for path in sys.argv[1:]:
    try:
        text = open(path, "rb").read().decode("utf-8")
    except UnicodeDecodeError as e:
        sys.exit(f"{path}: not UTF-8 ({e})")
    found = sorted({f"U+{ord(c):04X}" for c in text if ord(c) in bad})
    if found:
        sys.exit(f"{path}: raw {', '.join(found)}")
PY
}
same_hostile() {  # file python-expression-giving-the-entries: the values came through unchanged
    python3 - "$work/hostile.json" "$1" "$2" <<'PY'
import json, sys
expected = json.load(open(sys.argv[1]))[0]
d = json.load(open(sys.argv[2]))
entries = eval(sys.argv[3])
ok = len(entries) == 1 and entries[0]["server"] == expected["server"] and all(
    entries[0]["_meta"]["io.modelcontextprotocol.registry/official"][k] == v
    for k, v in expected["_meta"]["io.modelcontextprotocol.registry/official"].items() if not k.endswith("At"))
sys.exit(0 if ok else 1)
PY
}
hostile=io.example/hostile
expect_exit 0 "$MCPREG" --registry "$registry" mirror --db "$work/hostile-catalog.db"
for command in "show $hostile" "list --search hostile" "list --all" "versions $hostile" \
    "search hostile --db $work/hostile-catalog.db"; do
    # shellcheck disable=SC2086  # the command's words
    expect_exit 0 "$MCPREG" --registry "$registry" -v $command
    inert "$work/stdout" "$work/stderr" || fail "$command printed raw controls"
    grep -q 'hostile' "$work/stdout" || fail "$command shows the entry: $(head -c 300 "$work/stdout")"
    # shellcheck disable=SC2086
    expect_exit 0 "$MCPREG" --registry "$registry" $command --json
    cp "$work/stdout" "$work/hostile-out.json"
    inert "$work/hostile-out.json" "$work/stderr" || fail "$command --json printed raw controls"
    case $command in
    show*) same_hostile "$work/hostile-out.json" '[d]' ;;
    "list --search"*) same_hostile "$work/hostile-out.json" 'd["servers"]' ;;
    *) same_hostile "$work/hostile-out.json" 'd' ;;
    esac || fail "$command --json carries the same values"
done
"$MCPREG" --registry "$registry" show "$hostile" >"$work/show.txt"
grep -qF 'status message: Message \x1b[2J\x1b]52;c;ZWNobyBwd25lZA==\x07\u009b31m\x7f\u202eexe.txt\u2066' \
    "$work/show.txt" || fail "show writes controls as visible escapes: $(cat "$work/show.txt")"
[[ $(wc -l <"$work/show.txt") -eq 7 ]] || fail "show: a description's line breaks make no lines of their own"
"$MCPREG" --registry "$registry" list >"$work/list.txt"
[[ $(wc -l <"$work/list.txt") -eq 2 ]] || fail "list: one row for the entry: $(cat "$work/list.txt")"
grep -q 'exe\.txt\\u2066  second line$' "$work/list.txt" || fail "list: line breaks in a cell are spaces"

# A registry whose error text is hostile, as problem+json and as a raw body (invalid UTF-8 included). The
# interpreter itself, not the python3 function: $! must be the server's own PID for the kill at exit.
"$mcpreg_python" - "$work/fake.port" <<'PY' &
import http.server, json, os, sys
evil = "\x1b[2J\x1b]52;c;ZWNobyBwd25lZA==\x07\u009b31m\x7f\u202eexe.txt"
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if "raw" in self.path:
            body, kind = ("gone " + evil + "\n").encode() + b"\xff\xc0\x9b", "text/plain"
        else:
            body, kind = json.dumps({"title": "Not Found", "status": 404, "detail": "gone " + evil}).encode(), \
                "application/problem+json"
        self.send_response(404)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
open(sys.argv[1] + ".tmp", "w").write(str(server.server_address[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()
PY
fake_pid=$!
trap 'kill "$fake_pid" 2>/dev/null; cleanup' EXIT
for _ in $(seq 1 100); do [[ -s $work/fake.port ]] && break; sleep 0.1; done
fake=http://127.0.0.1:$(cat "$work/fake.port")
for command in "show io.example/problem" "show io.example/raw" "versions io.example/raw"; do
    # shellcheck disable=SC2086
    expect_exit 1 "$MCPREG" --registry "$fake" -v $command
    inert "$work/stdout" "$work/stderr" || fail "$command: the registry's error text printed raw controls"
    grep -qF 'gone \x1b[2J\x1b]52;c;' "$work/stderr" || fail "$command: the error is shown: $(cat "$work/stderr")"
done

finish list/show/versions
