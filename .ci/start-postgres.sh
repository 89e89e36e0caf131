#!/usr/bin/env bash
# Start a throwaway PostgreSQL server on 127.0.0.1 for the tests and print its URL.
# Installs the server from the distribution's packages when it is missing.
set -euo pipefail
port="${CODEBENCH_PG_PORT:-54329}"
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi
bindir=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
datadir=$(mktemp -d /tmp/codebench-pg.XXXXXX)
chown postgres "$datadir"
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
as_postgres "$bindir/initdb" -D "$datadir" -U postgres -A trust --no-sync -E UTF8 >/dev/null
as_postgres "$bindir/pg_ctl" -D "$datadir" -l "$datadir/server.log" -w \
  -o "-h 127.0.0.1 -p $port -k $datadir -F -c fsync=off -c synchronous_commit=off -c max_connections=200" start >/dev/null
echo "postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
