#!/usr/bin/env bash
# Builds the libFuzzer targets (clang 14, ASan + UBSan) and runs each for SECONDS (default 30) from seed
# corpora made from the bundled snapshot. Prints each target's runs, coverage and corpus size; exits 1 on
# any finding (the crashing input is kept in build/fuzz/findings/).
#   fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds=${1:-30}
shift || true
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(server_json list_page engine_http cursor resolve mcpb http_request dns_answer terminal)

bash cmake/install-deps.sh --fuzz
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz

corpus=build/fuzz/corpus
findings=build/fuzz/findings
mkdir -p "$corpus" "$findings"
python3 fuzz/seed.py tests/data/registry-seed.json "$corpus/seeds"

failed=0
for target in "${targets[@]}"; do
    mkdir -p "$corpus/$target"
    log=build/fuzz/$target.log
    # -rss_limit_mb: the engine holds a registry; -timeout: any input taking 10 s is a hang.
    # Inputs that once found a bug (fuzz/regressions/TARGET) are replayed first, every run.
    regressions=()
    [[ -d fuzz/regressions/$target ]] && regressions=(fuzz/regressions/"$target")
    if build/fuzz/fuzz/fuzz_"$target" "$corpus/$target" "$corpus/seeds/$target" "${regressions[@]}" \
        -max_total_time="$seconds" \
        -rss_limit_mb=3072 -timeout=10 -max_len=65536 -print_final_stats=1 -artifact_prefix="$findings/$target-" \
        >"$log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
        features=$(grep -o 'ft: [0-9]*' "$log" | tail -1)
        echo "fuzz $target: ${seconds}s, $runs runs, $coverage, $features, corpus $(ls "$corpus/$target" | wc -l)"
    else
        echo "fuzz $target: FINDING (see $log and $findings/)"
        grep -m 20 -E "ERROR|SUMMARY|#0|#1|#2|#3" "$log" || tail -20 "$log"
        failed=1
    fi
done
exit "$failed"
