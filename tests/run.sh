#!/usr/bin/env bash
# The whole test suite: builds mcpreg with the dev preset (Debug, warnings as errors, AddressSanitizer +
# UndefinedBehaviorSanitizer) and runs every test; then the concurrency tests under ThreadSanitizer; then each
# libFuzzer target for 12 seconds (fuzz/run.sh). Installs missing Debian packages first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash cmake/install-deps.sh
cmake --preset dev >/dev/null
cmake --build --preset dev
ctest --preset dev
bash tests/tsan.sh
bash fuzz/run.sh "${MCPREG_FUZZ_SECONDS:-12}"
