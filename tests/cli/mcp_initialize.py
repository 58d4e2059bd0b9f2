"""Starts an MCP server from an argv (one argument per line in a file, env lines NAME=VALUE first, as
`mcpreg resolve --format argv` prints them) and completes an `initialize` request/response over stdio.
Prints the server's name and exits 0; exits 1 with the reason otherwise. Bounded: gives up after 240 s."""
import json, os, selectors, subprocess, sys, time

lines = open(sys.argv[1]).read().splitlines()
env = dict(os.environ)
argv = []
for line in lines:
    if not argv and "=" in line and not line.startswith("-") and line.split("=", 1)[0].isidentifier():
        name, value = line.split("=", 1)
        env[name] = value
    else:
        argv.append(line)
process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
request = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
           "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                      "clientInfo": {"name": "mcpreg-test", "version": "1"}}}
process.stdin.write((json.dumps(request) + "\n").encode())
process.stdin.flush()
selector = selectors.DefaultSelector()
selector.register(process.stdout, selectors.EVENT_READ)
deadline = time.time() + 240
buffer = b""
try:
    while time.time() < deadline:
        if not selector.select(timeout=max(0.1, deadline - time.time())):
            continue
        chunk = os.read(process.stdout.fileno(), 65536)
        if not chunk:
            print("the server exited before answering"); sys.exit(1)
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if message.get("id") == 1:
                info = message.get("result", {}).get("serverInfo", {})
                if not info:
                    print("no serverInfo in", message); sys.exit(1)
                print(info.get("name", "?")); sys.exit(0)
    print("no answer within 240 s"); sys.exit(1)
finally:
    process.kill()
    process.wait()
