#!/usr/bin/env python3
"""The engine over PostgreSQL with one and two processes, against the SQLite engine, in the same run.

Each setup serves the bundled snapshot; wrk measures (a) uncached `limit=100` list pages (response cache off,
so every request reads the database) and (b) publishes (validation, authorisation, one durable commit each).
Setups alternate, ROUNDS runs of each, and the median is kept. With two engines, one wrk per engine runs at
the same time and their rates add up. PostgreSQL runs durable here (fsync and synchronous_commit on); so does
the SQLite engine (WAL, synchronous=FULL, its default). Everything shares this machine's cores, so the
figures are ratios to the SQLite engine measured alongside, not absolute capacities.

usage: scale_out_bench.py MCPREG_TOOL SNAPSHOT OUT.json [--seconds N] [--rounds N]
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from http_bench import PUBLISH_SCRIPT, fetch  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER_SH = os.path.join(HERE, "..", "tests", "postgres", "server.sh")
LIST_TARGET = "/v0.1/servers?limit=100&cursor=io.github.github%2Fgithub-mcp-server"


def run_wrk(url, seconds, connections, script=None):
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s"]
    if script:
        command += ["-s", script]
    text = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)), int(errors.group(1)) if errors else 0


def parallel_wrk(urls, seconds, connections, scripts=None):
    """Total rate of one wrk per URL (with its script), run at the same time; and the refused requests."""
    results = [None] * len(urls)

    def one(i):
        results[i] = run_wrk(urls[i], seconds, connections, scripts[i] if scripts else None)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(urls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(r[0] for r in results), sum(r[1] for r in results)


def start_engine(tool, database, snapshot, key_file, extra):
    command = [tool, "serve", "--db", database, "--listen", "127.0.0.1:0", "--auth", "none",
               "--jwt-key-file", key_file, "--threads", "2", "--response-cache", "0", *extra]
    if snapshot:
        command += ["--seed", snapshot]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = process.stdout.readline()
    match = re.match(r"listening on (http://\S+)", line)
    if not match:
        process.kill()
        sys.exit(f"scale_out_bench: the engine did not start: {line!r}")
    return process, match.group(1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("tool")
    parser.add_argument("snapshot")
    parser.add_argument("out")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("scale_out_bench: wrk is missing (cmake/install-deps.sh --bench)")

    workdir = tempfile.mkdtemp(prefix="mcpreg-scale-bench-")
    state = os.path.join(workdir, "postgres.state")
    key_file = os.path.join(workdir, "jwt-key.pem")
    processes = []
    try:
        uri = subprocess.run(["bash", SERVER_SH, "start", state], check=True, capture_output=True,
                             text=True, env=dict(os.environ, MCPREG_POSTGRES_DURABLE="1")).stdout.strip()
        sqlite_engine = start_engine(args.tool, os.path.join(workdir, "registry.db"), args.snapshot, key_file, [])
        pg_first = start_engine(args.tool, uri, args.snapshot, key_file, ["--db-pool", "4"])
        pg_second = start_engine(args.tool, uri, None, key_file, ["--db-pool", "4"])
        processes += [sqlite_engine[0], pg_first[0], pg_second[0]]
        setups = {"sqlite": [sqlite_engine[1]], "postgres_1": [pg_first[1]],
                  "postgres_2": [pg_first[1], pg_second[1]]}

        def token_of(engine_url):
            """A registry token of that engine's deployment (tokens name their database: another one's are refused)."""
            status, _, body = fetch(engine_url + "/v0/auth/none", method="POST", body=b"")
            assert status == 200, body
            return json.loads(body)["registry_token"]

        tokens = {name: token_of(urls[0]) for name, urls in setups.items()}

        def publish_scripts(run, token):
            """One script per wrk of a run, each naming its servers apart: nothing is published twice (wrk's
            random numbers repeat from run to run)."""
            paths = []
            for i in range(2):
                paths.append(os.path.join(workdir, f"publish-{run}-{i}.lua"))
                with open(paths[-1], "w") as out:
                    out.write((PUBLISH_SCRIPT % token).replace("/bench-", f"/bench-{run}-{i}-"))
            return paths

        results = {name: {"list_page": [], "publish": [], "publish_refused": 0} for name in setups}
        for name, urls in setups.items():  # warm-up: connections, pools, page cache
            parallel_wrk([u + LIST_TARGET for u in urls], 1, 16 // len(urls))
        for round_ in range(args.rounds):
            for name, urls in setups.items():
                rate, _ = parallel_wrk([u + LIST_TARGET for u in urls], args.seconds, 16 // len(urls))
                results[name]["list_page"].append(rate)
                rate, refused = parallel_wrk(urls, args.seconds, 4 // len(urls),
                                             publish_scripts(f"{name}-{round_}", tokens[name]))
                results[name]["publish"].append(rate)
                results[name]["publish_refused"] += refused
                print(f"  round {round_ + 1} {name}: list page {results[name]['list_page'][-1]:.0f}/s, "
                      f"publish {rate:.0f}/s", file=sys.stderr)
        figures = {name: {"list_page": statistics.median(r["list_page"]), "publish": statistics.median(r["publish"]),
                          "publish_refused": r["publish_refused"]} for name, r in results.items()}
        with open(args.out, "w") as out:
            json.dump(figures, out, indent=2)
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)
        subprocess.run(["bash", SERVER_SH, "stop", state])
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
