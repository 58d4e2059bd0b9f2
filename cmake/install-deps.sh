#!/usr/bin/env bash
# Installs the Debian 12 packages mcpreg needs, only when one is missing.
# Idempotent and silent when there is nothing to do. Needs root (or sudo) to install.
#   cmake/install-deps.sh          library, tool and tests
#   cmake/install-deps.sh --bench  also the benchmark references
#   cmake/install-deps.sh --fuzz   also clang 14 with libFuzzer
set -euo pipefail

packages=(
    cmake ninja-build g++ pkg-config python3 clang-format
    libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
    libssl-dev openssl libsqlite3-dev libpq-dev zlib1g-dev libarchive-dev libc-ares-dev
    postgresql-15
    doctest-dev libbenchmark-dev
)
if [[ "${1:-}" == "--bench" ]]; then
    packages+=(wrk nginx-light rapidjson-dev libsimdjson-dev nlohmann-json3-dev)
fi
if [[ "${1:-}" == "--fuzz" ]]; then
    packages+=(clang-14 libclang-rt-14-dev)
fi

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "installing: ${missing[*]}" >&2
as_root=()
[[ $(id -u) -ne 0 ]] && as_root=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq >&2
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
