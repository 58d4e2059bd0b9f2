#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets from the bundled real snapshot. usage: seed.py SNAPSHOT OUT_DIR"""
import io
import json
import os
import sys
import urllib.parse
import zipfile


def write(directory, name, data):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as out:
        out.write(data if isinstance(data, bytes) else data.encode())


def zip_bytes(members, symlink=None):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
        if symlink:
            info = zipfile.ZipInfo(symlink[0])
            info.external_attr = (0o120777 << 16)
            archive.writestr(info, symlink[1])
    return buffer.getvalue()


def main():
    snapshot, out = sys.argv[1], sys.argv[2]
    entries = json.load(open(snapshot))
    # Every 8th entry keeps the corpora small while covering every shape the snapshot has.
    chosen = entries[::8]
    for i, entry in enumerate(chosen):
        server = entry["server"]
        write(f"{out}/server_json", f"entry-{i}.json", json.dumps(server))
        inputs = []
        for package in server.get("packages") or []:
            for variable in package.get("environmentVariables") or []:
                inputs.append(f"{variable.get('name', 'X')}=value")
            for argument in (package.get("packageArguments") or []) + (package.get("runtimeArguments") or []):
                inputs.append(f"{argument.get('name') or argument.get('valueHint') or 'arg'}=value")
        for remote in server.get("remotes") or []:
            for header in remote.get("headers") or []:
                inputs.append(f"{header.get('name', 'H')}=Bearer x")
        write(f"{out}/resolve", f"entry-{i}", json.dumps(server) + "\0" + "\n".join(inputs))
        write(f"{out}/cursor", f"cursor-{i}", f"{server['name']}:{server['version']}")
    for size in (1, 3, 20):
        for start in (0, 500, 1500):
            page = {"servers": entries[start:start + size], "metadata": {"nextCursor": "x:1.0.0", "count": size}}
            write(f"{out}/list_page", f"page-{start}-{size}.json", json.dumps(page))
    write(f"{out}/list_page", "flat-2025-07.json", json.dumps({"servers": [entries[0]["server"]], "metadata": {}}))
    for name in ("2025-12-01T00:00:00Z", "2025-12-01T00:00:00.123456+02:00", "latest", "true", "100", "github"):
        write(f"{out}/cursor", name.replace(":", "_"), name)

    body = json.dumps(dict(entries[0]["server"], name="io.modelcontextprotocol.anonymous/fuzz"))
    requests = {
        "list": "GET /v0.1/servers?limit=3&search=git HTTP/1.1\r\nHost: x\r\n\r\n",
        "get": "GET /v0.1/servers/io.github.github%2Fgithub-mcp-server/versions/latest HTTP/1.1\r\nHost: x\r\n"
               "Accept-Encoding: gzip\r\n\r\n",
        "etag": "GET /v0/servers?limit=1 HTTP/1.1\r\nIf-None-Match: \"abc\"\r\n\r\n",
        "head": "HEAD /v0.1/health HTTP/1.0\r\n\r\n",
        "search": "GET /v0.1/x/io.github.mcpreg/search?q=weather HTTP/1.1\r\n\r\n",
        "token": "POST /v0/auth/none HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
        "publish": f"POST /v0.1/publish HTTP/1.1\r\nAuthorization: Bearer x.y.z\r\nContent-Type: application/json\r\n"
                   f"Content-Length: {len(body)}\r\n\r\n{body}",
        "chunked": "POST /v0.1/validate HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n2\r\n1}\r\n0\r\n\r\n",
        "status": "PATCH /v0.1/servers/a%2Fb/versions/1.0.0/status HTTP/1.1\r\nContent-Length: 20\r\n\r\n"
                  "{\"status\":\"deleted\"}",
        "options": "OPTIONS /v0.1/servers HTTP/1.1\r\nOrigin: https://x\r\n\r\n",
    }
    for name, text in requests.items():
        write(f"{out}/engine_http", name, text)

    # Outgoing requests: method, target, then header names and values, then the body, split by 0xFF.
    sep = b"\xff"
    outgoing = {
        "get": [b"GET", b"/v0.1/servers?limit=3", b"Accept", b"application/json", b""],
        "post": [b"POST", b"/v0.1/auth/github-at", b"Content-Type", b"application/json", b"{\"github_token\":\"x\"}"],
        "bearer": [b"GET", b"/user", b"Authorization", b"Bearer gh-token", b"X-GitHub-Api-Version", b"2022-11-28", b""],
        "smuggle": [b"GET", b"/user", b"Authorization", b"Bearer x\r\n\r\nGET /other HTTP/1.1", b""],
    }
    for name, parts in outgoing.items():
        write(f"{out}/http_request", name, sep.join(parts))

    # Registry text for a terminal: plain, accented, and hostile (ESC, OSC 52, C1 CSI, DEL, bidi override).
    for i, entry in enumerate(chosen[:20]):
        write(f"{out}/terminal", f"description-{i}", entry["server"].get("description", ""))
    write(f"{out}/terminal", "hostile", "a\x1b[2Jb\x1b]52;c;Zm9v\x07c\u009b31md\x7fe\u202eevil")

    # DNS answers: a TXT answer with a proof record and another with two strings in one record.
    def dns_answer(records):
        question = b"\x07example\x03com\x00\x00\x10\x00\x01"
        out = b"\x12\x34\x81\x80\x00\x01" + len(records).to_bytes(2, "big") + b"\x00\x00\x00\x00" + question
        for strings in records:
            data = b"".join(len(s).to_bytes(1, "big") + s for s in strings)
            out += b"\xc0\x0c\x00\x10\x00\x01\x00\x00\x00\x3c" + len(data).to_bytes(2, "big") + data
        return out
    write(f"{out}/dns_answer", "proof", dns_answer([[b"v=MCPv1; k=ed25519; p=AAAA"]]))
    write(f"{out}/dns_answer", "split", dns_answer([[b"v=MCPv1; ", b"k=ed25519"], [b"other"]]))

    manifest = {"manifest_version": "0.3", "name": "fuzz", "version": "1.0.0", "author": {"name": "a"},
                "server": {"type": "node", "entry_point": "server/index.js",
                           "mcp_config": {"command": "node", "args": ["${__dirname}/server/index.js", "${user_config.dir}"],
                                          "env": {"HOME_DIR": "${HOME}"},
                                          "platform_overrides": {"win32": {"command": "node.exe"}}}},
                "user_config": {"dir": {"type": "directory", "title": "Dir", "required": True, "multiple": True}},
                "compatibility": {"platforms": ["linux", "darwin"], "runtimes": {"node": ">=18"}}}
    write(f"{out}/mcpb", "bundle.mcpb", zip_bytes({"manifest.json": json.dumps(manifest), "server/index.js": "1"}))
    write(f"{out}/mcpb", "traversal.mcpb", zip_bytes({"manifest.json": "{}", "../escape.txt": "x"}))
    write(f"{out}/mcpb", "symlink.mcpb", zip_bytes({"manifest.json": json.dumps(manifest)}, ("link", "/etc/passwd")))
    write(f"{out}/mcpb", "dxt.mcpb", zip_bytes({"manifest.json": json.dumps(dict(manifest, dxt_version="0.1"))}))


if __name__ == "__main__":
    main()
