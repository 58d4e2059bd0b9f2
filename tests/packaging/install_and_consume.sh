#!/usr/bin/env bash
# Installs mcpreg into a temporary prefix, then builds and runs a consumer with find_package(mcpreg CONFIG)
# and another with pkg-config. Arguments: the build tree and the source tree.
set -euo pipefail
build_dir=$1
source_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Sanitized builds need the sanitizer runtime in every program linked against the library.
extra_flags=${MCPREG_CONSUMER_FLAGS:-}

cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
cmake -S "$source_dir/tests/packaging/consumer" -B "$work/cmake-consumer" -G Ninja \
    -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_EXE_LINKER_FLAGS="$extra_flags" >"$work/log" 2>&1 ||
    { cat "$work/log"; exit 1; }
cmake --build "$work/cmake-consumer" >"$work/log" 2>&1 || { cat "$work/log"; exit 1; }
"$work/cmake-consumer/consumer" | grep -q '^mcpreg 0\.' || { echo "find_package consumer failed"; exit 1; }

export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig:$work/prefix/lib/x86_64-linux-gnu/pkgconfig"
# shellcheck disable=SC2046,SC2086
g++ $extra_flags "$source_dir/tests/packaging/consumer/main.cpp" -o "$work/pkg-consumer" \
    $(pkg-config --cflags --libs mcpreg)
"$work/pkg-consumer" | grep -q '^mcpreg 0\.' || { echo "pkg-config consumer failed"; exit 1; }
echo "find_package and pkg-config consumers built and ran"
