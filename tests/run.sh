#!/usr/bin/env bash
# Builds mcpreg with the dev preset (Debug, warnings as errors, AddressSanitizer + UndefinedBehaviorSanitizer)
# and runs the whole test suite. Installs missing Debian packages first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash cmake/install-deps.sh
cmake --preset dev >/dev/null
cmake --build --preset dev
ctest --preset dev
