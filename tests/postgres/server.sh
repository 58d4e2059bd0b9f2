#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server for the tests, from Debian's packages, in a temporary directory, listening
# only on a Unix socket there. Run as an unprivileged user: `postgres` when called as root, else the caller.
#   server.sh start STATE   initdb + start; STATE (a file) receives the directory and the connection URI,
#                           which is also printed
#   server.sh uri STATE     the connection URI of the running server
#   server.sh restart STATE / down STATE / up STATE / stop STATE (stop also removes the directory)
set -euo pipefail
command=$1
state=$2
bin=/usr/lib/postgresql/15/bin
as_owner=()
[[ $(id -u) -eq 0 ]] && as_owner=(runuser -u postgres --)

uri_of() { echo "postgresql:///mcpreg?host=$1&port=5432&user=mcpreg"; }

case $command in
start)
    [[ -x $bin/initdb ]] || { echo "PostgreSQL 15 is not installed (cmake/install-deps.sh installs it)" >&2; exit 1; }
    if [[ -f $state ]]; then "$0" stop "$state" || true; fi
    dir=$(mktemp -d /tmp/mcpreg-pg.XXXXXX)  # short: a Unix socket path has a 107-byte limit
    [[ ${#as_owner[@]} -gt 0 ]] && chown postgres: "$dir"
    echo "$dir" >"$state"
    "${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U mcpreg --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; exit 1; }
    cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$dir'
max_connections = 200
CONF
    # Tests need no durability; MCPREG_POSTGRES_DURABLE=1 (benchmarks) keeps PostgreSQL's durable defaults.
    if [[ -z ${MCPREG_POSTGRES_DURABLE:-} ]]; then
        printf 'fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n' >>"$dir/data/postgresql.conf"
    fi
    "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null ||
        { cat "$dir/server.log" >&2; exit 1; }
    "${as_owner[@]}" "$bin/psql" -q -h "$dir" -U mcpreg -d postgres -c "CREATE DATABASE mcpreg" >/dev/null
    uri_of "$dir" >>"$state"
    uri_of "$dir"
    ;;
uri) sed -n 2p "$state" ;;
restart)
    dir=$(head -1 "$state")
    "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -m fast restart >/dev/null
    ;;
down)  # the server goes away at once, as in a crash; `up` starts it again
    dir=$(head -1 "$state")
    "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -w -t 60 -m immediate stop >/dev/null
    ;;
up)
    dir=$(head -1 "$state")
    "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null
    ;;
stop)
    [[ -f $state ]] || exit 0
    dir=$(head -1 "$state")
    "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -w -t 60 -m fast stop >/dev/null 2>&1 || true
    rm -rf "$dir" "$state"
    ;;
*) echo "usage: server.sh start|uri|restart|down|up|stop STATE" >&2; exit 2 ;;
esac
