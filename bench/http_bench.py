#!/usr/bin/env python3
"""The engine over HTTP against nginx serving the same bytes as static files, with wrk.

The engine and nginx each get core 0, wrk gets core 1; every scenario alternates engine and nginx runs
(ROUNDS of each) and keeps the median, so both see the same machine. Also measures publishes per second
over HTTP (validation, authorisation and a durable SQLite write each). Writes a JSON object of figures.

usage: http_bench.py MCPREG_TOOL SNAPSHOT OUT.json [--seconds N] [--rounds N]
"""
import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ENGINE_CORE, WRK_CORE = "0", "1"


def start_engine(tool, snapshot, workdir, name, extra):
    log = open(os.path.join(workdir, name + ".log"), "w")
    process = subprocess.Popen(
        ["taskset", "-c", ENGINE_CORE, tool, "serve", "--db", os.path.join(workdir, name + ".db"),
         "--seed", snapshot, "--listen", "127.0.0.1:0", "--max-age", "3600", *extra],
        stdout=subprocess.PIPE, stderr=log, text=True)
    line = process.stdout.readline()
    match = re.match(r"listening on (http://\S+)", line)
    if not match:
        process.kill()
        sys.exit(f"http_bench: the engine did not start: {line!r}")
    return process, match.group(1)


def start_nginx(workdir, www):
    port = free_port()
    conf = os.path.join(workdir, "nginx.conf")
    with open(conf, "w") as out:
        out.write(f"""
worker_processes 1;
worker_cpu_affinity 01;
daemon off;
user root;
pid {workdir}/nginx.pid;
error_log {workdir}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000000;
    client_body_temp_path {workdir}/nginx-body;
    proxy_temp_path {workdir}/nginx-proxy;
    fastcgi_temp_path {workdir}/nginx-fastcgi;
    uwsgi_temp_path {workdir}/nginx-uwsgi;
    scgi_temp_path {workdir}/nginx-scgi;
    server {{
        listen 127.0.0.1:{port};
        root {www};
        default_type application/json;
        location = /v0.1/servers {{ alias {www}/page.json; }}
    }}
}}
""")
    process = subprocess.Popen(["nginx", "-c", conf, "-p", workdir], stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/version.json", timeout=1).read()
            return process, base
        except OSError:
            time.sleep(0.05)
    process.kill()
    sys.exit("http_bench: nginx did not start")


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url, headers=None, method="GET", body=None):
    request = urllib.request.Request(url, headers=headers or {}, method=method, data=body)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def wrk(url, seconds, headers=(), script=None, connections=16):
    command = ["taskset", "-c", WRK_CORE, "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for header in headers:
        command += ["-H", header]
    if script:
        command += ["-s", script]
    text = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    p99 = parse_duration(re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return {"rate": rate, "p99_us": p99, "non_2xx_3xx": int(errors.group(1)) if errors else 0}


def parse_duration(text):
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 1, "ms": 1e3, "s": 1e6}[unit]


def median_runs(runs):
    return {"rate": statistics.median(r["rate"] for r in runs),
            "p99_us": statistics.median(r["p99_us"] for r in runs),
            "non_2xx_3xx": max(r["non_2xx_3xx"] for r in runs)}


PUBLISH_SCRIPT = """
counter = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %s"
request = function()
    counter = counter + 1
    local body = '{"$schema":"https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",' ..
        '"name":"io.modelcontextprotocol.anonymous/bench-' .. counter .. '-' .. math.random(1, 1000000000) .. '",' ..
        '"description":"A server published by the benchmark","version":"1.0.0",' ..
        '"repository":{"url":"https://github.com/example/bench","source":"github"},' ..
        '"packages":[{"registryType":"npm","identifier":"@example/bench","version":"1.0.0",' ..
        '"transport":{"type":"stdio"},"environmentVariables":[{"name":"API_KEY","isSecret":true}]}]}'
    return wrk.format(nil, "/v0.1/publish", nil, body)
end
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("tool")
    parser.add_argument("snapshot")
    parser.add_argument("out")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", help="run just the scenarios whose name contains this")
    args = parser.parse_args()
    for program in ("wrk", "nginx", "taskset"):
        if not shutil.which(program):
            sys.exit(f"http_bench: {program} is missing (cmake/install-deps.sh --bench installs it)")

    workdir = tempfile.mkdtemp(prefix="mcpreg-http-bench-")
    processes = []
    try:
        cached, cached_url = start_engine(args.tool, args.snapshot, workdir, "cached", [])
        processes.append(cached)
        uncached, uncached_url = start_engine(args.tool, args.snapshot, workdir, "uncached",
                                              ["--response-cache", "0"])
        processes.append(uncached)
        publisher, publisher_url = start_engine(args.tool, args.snapshot, workdir, "publish", ["--auth", "none"])
        processes.append(publisher)

        page_path = "/v0.1/servers?limit=100"
        version_path = "/v0.1/servers/io.github.github%2Fgithub-mcp-server/versions/latest"
        www = os.path.join(workdir, "www")
        os.makedirs(www)
        status, headers, page = fetch(cached_url + page_path)
        assert status == 200, status
        engine_etag = headers["ETag"]
        with open(os.path.join(www, "page.json"), "wb") as out:
            out.write(page)
        status, _, version = fetch(cached_url + version_path)
        assert status == 200, status
        with open(os.path.join(www, "version.json"), "wb") as out:
            out.write(version)
        nginx, nginx_url = start_nginx(workdir, www)
        processes.append(nginx)
        nginx_page_etag = fetch(nginx_url + page_path)[1]["ETag"]

        # name: (engine URL, engine headers, nginx URL, nginx headers)
        scenarios = {
            "list_page_cached": (cached_url + page_path, [], nginx_url + page_path, []),
            "list_page_uncached": (uncached_url + page_path, [], nginx_url + page_path, []),
            "version_document": (cached_url + version_path, [], nginx_url + "/version.json", []),
            "not_modified_304": (cached_url + page_path, [f"If-None-Match: {engine_etag}"],
                                 nginx_url + page_path, [f"If-None-Match: {nginx_page_etag}"]),
            "not_found_404": (cached_url + "/v0.1/servers/io.example%2Fnothing/versions/latest", [],
                              nginx_url + "/nothing", []),
        }
        results = {"page_bytes": len(page), "version_bytes": len(version)}
        for name, (engine_url, engine_headers, nginx_target, nginx_headers) in scenarios.items():
            if args.only and args.only not in name:
                continue
            wrk(engine_url, 1, engine_headers)  # warm-up: caches, connections, page faults
            wrk(nginx_target, 1, nginx_headers)
            engine_runs, nginx_runs = [], []
            for _ in range(args.rounds):
                engine_runs.append(wrk(engine_url, args.seconds, engine_headers))
                nginx_runs.append(wrk(nginx_target, args.seconds, nginx_headers))
            results[name] = {"engine": median_runs(engine_runs), "nginx": median_runs(nginx_runs)}
            print(f"  {name}: engine {results[name]['engine']['rate']:.0f}/s, "
                  f"nginx {results[name]['nginx']['rate']:.0f}/s", file=sys.stderr)

        if args.only and args.only not in "publish":
            raise SystemExit(json.dumps(results, indent=2))
        status, _, token_body = fetch(publisher_url + "/v0/auth/none", method="POST", body=b"")
        assert status == 200, (status, token_body)
        token = json.loads(token_body)["registry_token"]
        script = os.path.join(workdir, "publish.lua")
        with open(script, "w") as out:
            out.write(PUBLISH_SCRIPT % token)
        publish = wrk(publisher_url, args.seconds, script=script, connections=4)
        results["publish"] = publish
        print(f"  publish: {publish['rate']:.0f}/s ({publish['non_2xx_3xx']} refused)", file=sys.stderr)
        results["publish_refused"] = publish["non_2xx_3xx"]
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(workdir, ignore_errors=True)

    with open(args.out, "w") as out:
        json.dump(results, out, indent=2)


if __name__ == "__main__":
    main()
