#!/usr/bin/env bash
# mcpreg's main job: builds the tool and runs it over the bundled real registry snapshot (2,376 entries
# of the official MCP registry, December 2025). Installs missing Debian packages first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash cmake/install-deps.sh
cmake --preset release -DMCPREG_BUILD_TESTS=OFF >/dev/null
cmake --build --preset release --target mcpreg_tool >/dev/null
mcpreg=build/release/bin/mcpreg
snapshot=tests/data/registry-seed.json

if [[ -t 1 ]]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
section() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }

section "mcpreg $("$mcpreg" --version | cut -d' ' -f2): validating the bundled registry snapshot ($snapshot)"
# Real entries that break their own declared schema exist (mostly `repository: {}`): exit 1 is expected here.
status=0
"$mcpreg" validate --quiet "$snapshot" || status=$?
[[ $status -le 1 ]] || exit "$status"

section "A few of the issues found (mcpreg validate prints PATH#/json/pointer: rule-id: message)"
{ "$mcpreg" validate "$snapshot" || true; } | grep -v -e '^validated' -e '^  ' | awk -F': ' '!seen[$2]++' | head -n 6 || true

section "The official registry's publish profile on a spec example"
"$mcpreg" validate --official tests/data/spec/examples/generic-server-json/01-basic-server-with-npm-package.json || true

section "A 2025-07-09 (snake_case) document upgraded to the current schema with mcpreg fmt --upgrade"
printf '%s\n' '{"name": "io.github.example/legacy", "description": "An old entry", "version": "0.1.0",' \
    ' "packages": [{"registry_type": "npm", "identifier": "@example/legacy", "version": "0.1.0",' \
    '               "transport": {"type": "stdio"}, "environment_variables": [{"name": "TOKEN", "is_secret": true}]}]}' |
    "$mcpreg" fmt --upgrade -
