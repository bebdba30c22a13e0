#!/usr/bin/env bash
# Start a throwaway PostgreSQL server for the test suite and export the CDP_PG_* variables the dbt profile
# reads. Source it (`. scripts/start_postgres.sh`); `stop_throwaway_postgres` stops it and removes its data.
# Runs as root (CI and the dev machines do): the server itself runs as the postgres user.
# Meant to be sourced from a script running with `set -euo pipefail`, so any failed step stops it.

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "PostgreSQL is not installed: installing it from Debian's packages" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-contrib >/dev/null
fi
PG_BIN=/usr/lib/postgresql/$(ls /usr/lib/postgresql | sort -V | tail -1)/bin
CDP_PG_PORT=${CDP_PG_PORT:-55432}
PG_DATA=$(mktemp -d /tmp/cdp-pg.XXXXXX)
chown postgres:postgres "$PG_DATA"
su postgres -c "$PG_BIN/initdb -D $PG_DATA -A trust -U postgres" >/dev/null
su postgres -c "$PG_BIN/pg_ctl -D $PG_DATA -l $PG_DATA/server.log -w -o '-p $CDP_PG_PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off' start" >/dev/null
psql -h 127.0.0.1 -p "$CDP_PG_PORT" -U postgres -qc "create database cdp"

export CDP_PG_HOST=127.0.0.1 CDP_PG_PORT CDP_PG_USER=postgres CDP_PG_DATABASE=cdp CDP_PG_PASSWORD=
export CDP_THROWAWAY_PG_DATA=$PG_DATA CDP_THROWAWAY_PG_BIN=$PG_BIN
echo "Throwaway PostgreSQL running on 127.0.0.1:$CDP_PG_PORT (data in $PG_DATA)" >&2

stop_throwaway_postgres() {
  su postgres -c "$CDP_THROWAWAY_PG_BIN/pg_ctl -D $CDP_THROWAWAY_PG_DATA -m fast stop" >/dev/null 2>&1 || true
  rm -rf "$CDP_THROWAWAY_PG_DATA"
}
