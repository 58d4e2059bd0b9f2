#!/usr/bin/env python3
"""Prints the benchmark table (figure, reference, ratio, target) from the results bench/run.sh wrote.

Every figure is compared with a reference measured in the same run. Exits 1 when a target is missed.
usage: report.py RESULTS_DIR
"""
import json
import os
import sys


def load_gbench(path):
    """Median real time (ns) and counters of each benchmark in a Google Benchmark JSON file."""
    with open(path) as f:
        data = json.load(f)
    out = {}
    for b in data["benchmarks"]:
        if b.get("aggregate_name", "median") != "median":
            continue
        name = b.get("run_name", b["name"]).split("/")[0]
        scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b.get("time_unit", "ns")]
        out[name] = dict(b, time_ns=b["real_time"] * scale)
    return out


def human_time(ns):
    if ns >= 1e9:
        return f"{ns / 1e9:.2f} s"
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.1f} µs"
    return f"{ns:.0f} ns"


class Table:
    def __init__(self):
        self.rows = []
        self.missed = []

    def add(self, figure, value, reference, ratio, target=None):
        """target: (">=" or "<=", number) on the ratio, or None for a figure reported without one."""
        ok = ""
        if target:
            op, bound = target
            ok = "yes" if (ratio >= bound if op == ">=" else ratio <= bound) else "MISSED"
            if ok == "MISSED":
                self.missed.append(figure)
        target_text = f"{target[0]} {target[1]:g}" if target else ""
        self.rows.append((figure, value, reference, f"{ratio:.3g}x" if ratio is not None else "", target_text, ok))

    def section(self, title):
        self.rows.append((f"**{title}**", "", "", "", "", ""))

    def print(self):
        print("| figure | value | reference (same run) | ratio | target | met |")
        print("|---|---|---|---|---|---|")
        for row in self.rows:
            print("| " + " | ".join(row) + " |")


def main():
    results = sys.argv[1]
    t = Table()

    decode = load_gbench(os.path.join(results, "mcpreg_decode_bench.json"))
    mine = decode["typed_mcpreg_model"]
    mb_s = lambda b: f"{b['bytes_per_second'] / 1e6:.0f} MB/s"  # noqa: E731
    t.section("Typed decoding of a real 100-entry list page (85 KB)")
    for ref, label, target in [
        ("typed_simdjson_ondemand", "simdjson On-Demand into plain structs", (">=", 0.5)),
        ("dom_boost_json", "Boost.JSON DOM parse alone", (">=", 0.55)),
        ("typed_nlohmann", "nlohmann DOM + into plain structs", (">=", 5)),
        ("dom_boost_json_arena", "Boost.JSON DOM parse, arena", None),
        ("dom_rapidjson", "RapidJSON DOM parse", None),
        ("dom_simdjson", "simdjson DOM parse", None),
        ("dom_nlohmann", "nlohmann DOM parse", None),
    ]:
        t.add(f"mcpreg::model::parse_server_list vs {label}", mb_s(mine), mb_s(decode[ref]),
              decode[ref]["time_ns"] / mine["time_ns"], target)

    http_path = os.path.join(results, "http.json")
    with open(http_path) as f:
        http = json.load(f)
    t.section("Engine over HTTP, wrk, one core each (requests/s; engine vs nginx static files)")
    for name, label, target in [
        ("list_page_cached", "list page limit=100, cached", (">=", 0.9)),
        ("list_page_uncached", "list page limit=100, response cache off", (">=", 0.6)),
        ("version_document", "one version document", (">=", 1.0)),
        ("not_modified_304", "If-None-Match -> 304", (">=", 1.0)),
        ("not_found_404", "unknown server -> 404", (">=", 1.0)),
    ]:
        engine, nginx = http[name]["engine"], http[name]["nginx"]
        t.add(label, f"{engine['rate']:.0f}/s", f"{nginx['rate']:.0f}/s", engine["rate"] / nginx["rate"], target)
    engine, nginx = http["list_page_cached"]["engine"], http["list_page_cached"]["nginx"]
    t.add("list page cached, p99 latency (ratio: engine/nginx)", f"{engine['p99_us']:.0f} µs",
          f"{nginx['p99_us']:.0f} µs", engine["p99_us"] / nginx["p99_us"], ("<=", 1.25))

    core = load_gbench(os.path.join(results, "mcpreg_engine_bench.json"))
    t.section("Engine core in-process: publishes, and 100,000 versions (real entries, renamed)")
    t.add("publish over HTTP (4 connections; validation, auth, synced WAL commit)", f"{http['publish']['rate']:.0f}/s",
          "", None)
    pub, ins = core["publish_with_validation"], core["reference_sqlite_insert"]
    t.add("publish in-process vs one SQLite INSERT transaction", f"{1e9 / pub['time_ns']:.0f}/s",
          f"{1e9 / ins['time_ns']:.0f}/s", ins["time_ns"] / pub["time_ns"])
    first, deep = core["large_list_first_page"], core["large_list_deep_page"]
    t.add("100k: first page, cache off (ratio vs the 2,376-version snapshot's)", human_time(first["time_ns"]),
          human_time(core["list_page_100_uncached"]["time_ns"]),
          first["time_ns"] / core["list_page_100_uncached"]["time_ns"])
    t.add("100k: page at 95% depth vs first page (ratio: time)", human_time(deep["time_ns"]),
          human_time(first["time_ns"]), deep["time_ns"] / first["time_ns"], ("<=", 1.2))
    t.add("100k: ranked search 'github' (ratio vs the snapshot's)", human_time(core["large_search"]["time_ns"]),
          human_time(core["search_uncached"]["time_ns"]),
          core["large_search"]["time_ns"] / core["search_uncached"]["time_ns"])
    t.add("100k: get latest, cache off (ratio vs the snapshot's)", human_time(core["large_get_latest"]["time_ns"]),
          human_time(core["reference_small_get_latest"]["time_ns"]),
          core["large_get_latest"]["time_ns"] / core["reference_small_get_latest"]["time_ns"])
    t.add("100k: resident memory after the import (growth)", f"{first['rss_mib']:.0f} MiB",
          f"+{first['rss_growth_mib']:.0f} MiB", None)

    client = load_gbench(os.path.join(results, "mcpreg_cache_bench.json"))
    t.section("Client and cache")
    walk, raw = client["client_walk_100k_versions"], client["reference_engine_pages_100k"]
    t.add("client CPU per page, walk of 100k versions over 127.0.0.1 (ratio vs engine CPU per page)",
          f"{walk['client_cpu_ms_per_page']:.3f} ms", f"{raw['engine_cpu_ms_per_page']:.3f} ms",
          walk["client_cpu_ms_per_page"] / raw["engine_cpu_ms_per_page"])
    t.add("client CPU per page (ratio: to the 5 ms budget)", f"{walk['client_cpu_ms_per_page']:.3f} ms", "5 ms",
          walk["client_cpu_ms_per_page"] / 5, ("<=", 1))
    t.add("walk of 100k versions, wall (ratio vs the engine's raw page rate)", human_time(walk["time_ns"]),
          human_time(raw["time_ns"]), walk["time_ns"] / raw["time_ns"])
    get, get_ref = client["get_server_cached"], client["get_server_reference_engine"]
    t.add("cached get_server (ratio: to the 25 µs budget)", human_time(get["time_ns"]), "25 µs",
          get["time_ns"] / 25e3, ("<=", 1))
    t.add("cached get_server vs the engine answering in-process", human_time(get["time_ns"]),
          human_time(get_ref["time_ns"]), get["time_ns"] / get_ref["time_ns"])
    page, page_ref = client["list_page_cached"], client["list_page_reference_engine"]
    t.add("cached list page vs the engine answering in-process", human_time(page["time_ns"]),
          human_time(page_ref["time_ns"]), page["time_ns"] / page_ref["time_ns"])
    full, inc = client["mirror_full_100k_versions"], client["mirror_incremental_nothing_new"]
    t.add("full mirror of 100k versions (ratio: to a 10 s budget)", human_time(full["time_ns"]), "10 s",
          full["time_ns"] / 10e9, ("<=", 1))
    t.add("incremental mirror, nothing new (ratio: to a 20 ms budget)", human_time(inc["time_ns"]), "20 ms",
          inc["time_ns"] / 20e6, ("<=", 1))

    resolve = load_gbench(os.path.join(results, "mcpreg_resolve_bench.json"))
    t.section("Resolve")
    spec, dec = resolve["resolve_every_entry"], resolve["reference_decode_entries"]
    t.add(f"launch specs, every snapshot entry ({spec['resolved']:.0f} resolved, {spec['refused']:.0f} refused)",
          f"{spec['items_per_second'] / 1e6:.2f} M/s", f"decode {dec['items_per_second'] / 1e6:.2f} M/s",
          spec["items_per_second"] / dec["items_per_second"])

    with open(os.path.join(results, "scale_out.json")) as f:
        scale = json.load(f)
    t.section("Scale-out: engines over one PostgreSQL (durable commits) vs the SQLite engine (WAL, synchronous=FULL)")
    base = scale["sqlite"]
    for setup, label in [("postgres_1", "1 engine process"), ("postgres_2", "2 engine processes")]:
        figures = scale[setup]
        t.add(f"uncached list page limit=100, {label}", f"{figures['list_page']:.0f}/s",
              f"{base['list_page']:.0f}/s", figures["list_page"] / base["list_page"])
        t.add(f"publish (4 connections in all), {label}", f"{figures['publish']:.0f}/s",
              f"{base['publish']:.0f}/s", figures["publish"] / base["publish"])
    refused = sum(figures["publish_refused"] for figures in scale.values())
    if refused:
        t.missed.append(f"{refused} publishes refused in the scale-out benchmark")

    t.print()
    if t.missed:
        print(f"\n{len(t.missed)} target(s) missed: " + "; ".join(t.missed))
        sys.exit(1)
    print("\nevery target met")


if __name__ == "__main__":
    main()
