#!/usr/bin/env python3
"""Several `mcpreg serve` processes over one PostgreSQL database, on a server of its own (tests/postgres/server.sh:
it takes the server down and up again, so it shares it with no other test).

Checks what a load-balanced deployment relies on: a token issued by one engine is accepted by the others
(shared --jwt-key-file); a publish on one engine is visible on the others at once, and their cached pages
and ETags are replaced when its notification arrives; concurrent publishes of one server on two engines leave exactly one latest and never a
duplicate version; with the database down the engines answer 503 with a message, keep running, and recover
when it is back. Usage: scale_out_test.py MCPREG STATE_FILE SEED_FILE (STATE_FILE: where server.sh records its server)
"""
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

MCPREG, STATE, SEED = sys.argv[1:4]
HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA_URL = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"
PREFIX = "io.modelcontextprotocol.anonymous/"
failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        failures.append(what)


def call(base, path, method="GET", body=None, token=None, headers=None):
    """(status, headers, parsed body or text) of one request; never raises for an HTTP status."""
    request = urllib.request.Request(base + path, method=method,
                                     data=None if body is None else json.dumps(body).encode())
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, head, text = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, head, text = error.code, error.headers, error.read()
    try:
        return status, head, json.loads(text) if text else None
    except ValueError:
        return status, head, text.decode(errors="replace")


def server_json(name, version):
    return {"$schema": SCHEMA_URL, "name": PREFIX + name, "description": "scale-out test", "version": version}


def quoted(name):
    return urllib.request.quote(PREFIX + name, safe="")


def start_engine(uri, key_file, seed=None):
    command = [MCPREG, "serve", "--db", uri, "--listen", "127.0.0.1:0", "--auth", "none",
               "--jwt-key-file", key_file, "--threads", "4", "--db-pool", "4", "--max-age", "30"]
    if seed:
        command += ["--seed", seed]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = process.stdout.readline().strip()
    if not line.startswith("listening on "):
        process.kill()
        raise SystemExit("engine did not start: " + line)
    return process, line[len("listening on "):]


def main():
    uri = subprocess.run(["bash", os.path.join(HERE, "server.sh"), "start", STATE],
                         check=True, capture_output=True, text=True).stdout.strip()
    work = tempfile.mkdtemp(prefix="mcpreg-scale-")
    key_file = os.path.join(work, "jwt-key.pem")

    engines = []
    try:
        engines.append(start_engine(uri, key_file, SEED))  # the first one seeds the database
        engines.append(start_engine(uri, key_file))
        engines.append(start_engine(uri, key_file))
        a, b, c = (base for _, base in engines)

        # The seed is there for every engine.
        for base in (a, b, c):
            status, _, page = call(base, "/v0.1/servers?limit=100")
            check(status == 200 and page["metadata"]["count"] == 100, "every engine lists the seeded database")

        # A token from one engine works on the others.
        _, _, issued = call(a, "/v0/auth/none", "POST", {})
        token = issued["registry_token"]
        status, _, _ = call(b, "/v0/publish", "POST", server_json("shared-token", "1.0.0"), token)
        check(status == 200, "a token issued by engine A publishes on engine B")
        _, _, other = call(c, "/v0/auth/none", "POST", {})
        status, _, _ = call(a, "/v0/publish", "POST", server_json("shared-token", "1.1.0"), other["registry_token"])
        check(status == 200, "a token issued by engine C publishes on engine A")

        # A publish on one engine is in the others' next answers: at once for what they read from the database,
        # and, for pages they had cached, as soon as the change notification arrives (it is asynchronous: a
        # loaded machine can answer the client before the other engine's session has delivered it).
        list_path = "/v0.1/servers?search=" + urllib.request.quote("anonymous/visible") + "&limit=100"
        detail_path = "/v0.1/servers/" + quoted("visible") + "/versions/latest"
        call(a, "/v0/publish", "POST", server_json("visible", "1.0.0"), token)
        delays = []
        uncached_fresh = True
        for attempt in range(20):
            version = "2.%d.0" % attempt
            _, _, before = call(b, list_path)
            _, head, _ = call(b, detail_path)
            call(b, list_path)  # now from B's cache
            etag = head["ETag"]
            status, _, _ = call(a, "/v0/publish", "POST", server_json("visible", version), token)
            assert status == 200
            published = time.monotonic()
            status, _, direct = call(c, "/v0.1/servers/" + quoted("visible") + "/versions/" + version)
            uncached_fresh &= status == 200
            while True:
                _, _, after = call(b, list_path)
                status, _, latest = call(b, detail_path, headers={"If-None-Match": etag})
                if (after["metadata"]["count"] == before["metadata"]["count"] + 1 and status == 200
                        and latest["server"]["version"] == version):
                    delays.append(time.monotonic() - published)
                    break
                if time.monotonic() - published > 2:
                    break
        check(uncached_fresh, "20 times: a version published on A is found on C by the very next request")
        print("     cached pages on B replaced after: median %.1f ms, max %.1f ms (%d of 20)" % (
            1000 * sorted(delays)[len(delays) // 2] if delays else -1, 1000 * max(delays, default=-1), len(delays)))
        check(len(delays) == 20, "20 times: B's cached list page and latest version (new ETag, no 304) replaced "
                                 "within 2 s of a publish on A")

        # Concurrent publishes of one server on two engines.
        duplicates_refused = True
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            for round_ in range(15):
                body = server_json("race", "1.%d.0" % round_)
                statuses = sorted(f.result()[0] for f in [pool.submit(call, base, "/v0/publish", "POST", body, token)
                                                          for base in (a, b, a, b)])
                duplicates_refused &= statuses == [200, 400, 400, 400]
            check(duplicates_refused, "15 rounds of one version published 4 times at once on A and B: one 200, "
                                      "three 400 duplicates")
            versions = ["3.%d.%d" % (i // 10, i % 10) for i in range(40)]
            futures = [pool.submit(call, (a, b)[i % 2], "/v0/publish", "POST", server_json("race", v), token)
                       for i, v in enumerate(versions)]
            check(all(f.result()[0] == 200 for f in futures), "40 distinct versions published at once on A and B")
        for base in (a, b, c):
            _, _, listed = call(base, "/v0.1/servers/" + quoted("race") + "/versions")
            found = [item["server"]["version"] for item in listed["servers"]]
            latest = [item["server"]["version"] for item in listed["servers"]
                      if item["_meta"]["io.modelcontextprotocol.registry/official"]["isLatest"]]
            check(len(found) == 55 and len(set(found)) == 55, "55 versions, no duplicate, seen from " + base)
            check(latest == ["3.3.9"], "exactly one latest, the highest version, seen from " + base)

        # The database goes away and comes back.
        subprocess.run(["bash", os.path.join(HERE, "server.sh"), "down", STATE], check=True)
        status, head, problem = call(a, "/v0.1/servers?limit=7&search=down")
        check(status == 503 and "database is unavailable" in json.dumps(problem) and head["Retry-After"] == "1",
              "database down: 503 with a message and Retry-After")
        status, _, _ = call(b, "/v0/publish", "POST", server_json("after-restart", "1.0.0"), token)
        check(status == 503, "database down: a publish is 503 too")
        check(all(process.poll() is None for process, _ in engines), "database down: every engine keeps running")
        subprocess.run(["bash", os.path.join(HERE, "server.sh"), "up", STATE], check=True)
        deadline = time.monotonic() + 30
        status = 0
        while time.monotonic() < deadline and status != 200:
            status, _, _ = call(b, "/v0/publish", "POST", server_json("after-restart", "1.0.0"), token)
            if status != 200:
                time.sleep(0.2)
        check(status == 200, "database back: a publish succeeds")
        for base in (a, b, c):
            status, _, page = call(base, "/v0.1/servers/" + quoted("after-restart") + "/versions/latest")
            check(status == 200, "database back: the new version is visible on " + base)
    finally:
        for process, _ in engines:
            process.terminate()
        for process, _ in engines:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        subprocess.run(["rm", "-rf", work])
        subprocess.run(["bash", os.path.join(HERE, "server.sh"), "stop", STATE])
    if failures:
        print("%d check(s) failed" % len(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
