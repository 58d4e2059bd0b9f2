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
if [[ -x "$build_dir/bin/mcpreg" ]]; then
    [[ -f "$work/prefix/share/bash-completion/completions/mcpreg" ]] || { echo "bash completion not installed"; exit 1; }
fi
cmake -S "$source_dir/tests/packaging/consumer" -B "$work/cmake-consumer" -G Ninja \
    -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_EXE_LINKER_FLAGS="$extra_flags" >"$work/log" 2>&1 ||
    { cat "$work/log"; exit 1; }
cmake --build "$work/cmake-consumer" >"$work/log" 2>&1 || { cat "$work/log"; exit 1; }
"$work/cmake-consumer/consumer" | grep -q '^mcpreg 0\.' || { echo "find_package consumer failed"; exit 1; }

# A model + client consumer needs none of the engine's or the resolver's libraries, at build or at run time.
cmake -S "$source_dir/tests/packaging/client_consumer" -B "$work/client-consumer" -G Ninja \
    -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_EXE_LINKER_FLAGS="$extra_flags" >"$work/log" 2>&1 ||
    { cat "$work/log"; exit 1; }
cmake --build "$work/client-consumer" -v >"$work/log" 2>&1 || { cat "$work/log"; exit 1; }
"$work/client-consumer/client_consumer" | grep -q '^mcpreg 0\..* client of https://registry.example$' ||
    { echo "client consumer failed"; exit 1; }
if grep -E -- '-lpq|libpq|-larchive|libarchive|-lsqlite3|libsqlite3|mcpreg_engine|mcpreg_resolve|mcpreg_cache' \
    "$work/log"; then
    echo "the model + client consumer was linked with the engine's or resolver's libraries"
    exit 1
fi
if readelf -d "$work/client-consumer/client_consumer" | grep -E 'NEEDED.*(libpq|libarchive|libsqlite3)'; then
    echo "the model + client consumer needs the engine's or resolver's libraries at run time"
    exit 1
fi

export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig:$work/prefix/lib/x86_64-linux-gnu/pkgconfig"
# shellcheck disable=SC2046,SC2086
g++ $extra_flags "$source_dir/tests/packaging/consumer/main.cpp" -o "$work/pkg-consumer" \
    $(pkg-config --cflags --libs mcpreg)
"$work/pkg-consumer" | grep -q '^mcpreg 0\.' || { echo "pkg-config consumer failed"; exit 1; }
# The C API: a C11 program through pkg-config, finding the installed libmcpreg_c.so by its SONAME.
cat >"$work/c_consumer.c" <<'C'
#include <mcpreg/mcpreg.h>
#include <stdio.h>
int main(void)
{
    printf("mcpreg_c %s\n", mcpreg_version_string());
    return 0;
}
C
# shellcheck disable=SC2046,SC2086
gcc -std=c11 -Wall -Wextra -pedantic -Werror "$work/c_consumer.c" -o "$work/c-consumer" $extra_flags \
    $(pkg-config --cflags --libs mcpreg_c)
libdir=$(pkg-config --variable=libdir mcpreg_c)
LD_LIBRARY_PATH=$libdir "$work/c-consumer" | grep -q '^mcpreg_c 0\.' || { echo "C consumer failed"; exit 1; }
[[ -e "$libdir/libmcpreg_c.so.0.1" ]] || { echo "libmcpreg_c.so.0.1 (the SONAME) is not installed"; exit 1; }
echo "find_package (all, and model + client alone), pkg-config and C consumers built and ran"
