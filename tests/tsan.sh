#!/usr/bin/env bash
# The client, engine and cache concurrency tests under ThreadSanitizer: many coroutines and threads on one
# client, concurrent connections and publishers on one engine, caches shared between threads. Any data race
# or lock-order inversion fails the run. The engine's load tests run on SQLite and again on PostgreSQL.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash cmake/install-deps.sh
cmake --preset tsan >/dev/null
cmake --build --preset tsan

export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 history_size=4 suppressions=$PWD/tests/tsan.supp"
export MCPREG_LOAD_SECONDS=${MCPREG_LOAD_SECONDS:-8}
# TSan needs the classic address-space layout; kernels with high mmap entropy break its shadow mapping.
run() { setarch "$(uname -m)" -R "$@"; }
run build/tsan/tests/mcpreg_client_tests -tc="a pager walks*,completion tokens*,cancellation*,keep-alive*,the blocking client*,operation_timeout*"
run build/tsan/tests/mcpreg_engine_tests -tc="1?000 concurrent*,beyond max_connections*,stop() closes*,8 threads publishing*,64 readers*,the wire*,reads on their own connections*,token exchanges that hang*"
# The same engine load on PostgreSQL: the connection pool and the change listener's thread.
postgres_state=$(mktemp /tmp/mcpreg-tsan-pg.XXXXXX)
trap 'bash tests/postgres/server.sh stop "$postgres_state"' EXIT
bash tests/postgres/server.sh start "$postgres_state" >/dev/null
MCPREG_TEST_POSTGRES=$postgres_state run build/tsan/tests/mcpreg_engine_tests -tc="8 threads publishing*,64 readers*"
run build/tsan/tests/mcpreg_cache_tests -tc="against the engine*,a full mirror*,incremental sync*"
echo "ThreadSanitizer: no data race in the concurrency tests"
