"""The Python binding: host the bundled snapshot in-process, then resolve an entry into a command line.
    MCPREG_C_LIBRARY=build/dev/bindings/c/libmcpreg_c.so python3 examples/python_resolve.py tests/data/registry-seed.json
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "bindings", "python"))
import mcpreg  # noqa: E402

with mcpreg.Engine(seed_file=sys.argv[1]) as engine:
    url = engine.listen()
    with mcpreg.Client(url) as client:
        server = client.get("io.github.github/github-mcp-server")
        try:
            resolution = server.resolve()
        except mcpreg.MissingInputs as missing:
            print("needs", ", ".join(m["name"] for m in missing.missing))
            resolution = server.resolve(inputs={m["name"]: "Bearer <token>" for m in missing.missing})
        print(server.name, "->", resolution.url or " ".join(resolution.argv))
