#!/usr/bin/env bash
# The whole benchmark suite in one command: installs the reference libraries and tools (Debian packages),
# builds the bench preset, runs every benchmark with its reference in the same run, prints the table of
# figure, reference, ratio and target, and exits 1 when a target is missed. Takes about ten minutes.
#   bench/run.sh              everything
#   RESULTS=DIR bench/run.sh  keep the raw results in DIR (default build/bench/results)
set -euo pipefail
cd "$(dirname "$0")/.."

bash cmake/install-deps.sh --bench
cmake --preset bench > /dev/null
cmake --build --preset bench

results=${RESULTS:-build/bench/results}
mkdir -p "$results"
# Repetitions run in random interleaved order, so a figure and its reference share the machine's state.
gbench() {
    local name=$1 repetitions=$2
    echo "bench: $name" >&2
    "build/bench/bench/$name" --benchmark_repetitions="$repetitions" --benchmark_enable_random_interleaving=true \
        --benchmark_report_aggregates_only=true --benchmark_out="$results/$name.json" \
        --benchmark_out_format=json > /dev/null
}
gbench mcpreg_decode_bench 10
gbench mcpreg_engine_bench 5
gbench mcpreg_cache_bench 3
gbench mcpreg_resolve_bench 5
echo "bench: engine and nginx over HTTP (wrk)" >&2
python3 bench/http_bench.py build/bench/bin/mcpreg tests/data/registry-seed.json "$results/http.json"
echo "bench: engines over PostgreSQL against the SQLite engine (wrk)" >&2
python3 bench/scale_out_bench.py build/bench/bin/mcpreg tests/data/registry-seed.json "$results/scale_out.json"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(date -u +%Y-%m-%d)"
python3 bench/report.py "$results"
