#!/usr/bin/env bash
# Starts (or stops) a PostgreSQL 15 and a Redis 7 on loopback for tests, in a data folder.
#   Scripts/dev-servers.sh start DIR   -> prints `export BOXOFFICE_PG_URL=...` / `BOXOFFICE_REDIS_URL=...`
#   Scripts/dev-servers.sh stop DIR
# PostgreSQL refuses to run as root, so when run as root the data folder belongs to `postgres`.
set -euo pipefail
cmd=${1:?start|stop}; dir=$(mkdir -p "${2:?data dir}" && cd "$2" && pwd)
PG_PORT=${BOXOFFICE_TEST_PG_PORT:-55432}; REDIS_PORT=${BOXOFFICE_TEST_REDIS_PORT:-56379}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "$cmd" in
start)
  mkdir -p "$dir/pg" "$dir/redis"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir/pg" && chmod 700 "$dir/pg"
  if [ ! -f "$dir/pg/PG_VERSION" ]; then
    as_pg "$PGBIN/initdb" -D "$dir/pg" -U postgres --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
  fi
  if ! as_pg "$PGBIN/pg_ctl" -D "$dir/pg" status >/dev/null 2>&1; then
    as_pg "$PGBIN/pg_ctl" -D "$dir/pg" -l "$dir/pg/server.log" -w -t 60 start \
      -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $dir/pg -c max_connections=300 -c fsync=on" >/dev/null \
      || { cat "$dir/pg/server.log" >&2; exit 1; }
  fi
  if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$dir/redis" --daemonize yes \
      --pidfile "$dir/redis/redis.pid" --logfile "$dir/redis/redis.log" --save '' --appendonly no >/dev/null
    for _ in $(seq 1 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  fi
  echo "export BOXOFFICE_PG_URL=postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
  echo "export BOXOFFICE_REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
  ;;
stop)
  [ -f "$dir/pg/PG_VERSION" ] && as_pg "$PGBIN/pg_ctl" -D "$dir/pg" -m fast -w stop >/dev/null 2>&1 || true
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
