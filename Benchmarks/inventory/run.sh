#!/usr/bin/env bash
# Hold decisions/s and sold-out answers/s through the inventory RPC (`boxoffice serve inventory`,
# our generated client in inventory-bench, unique holder + idempotency key per call, fixed
# concurrency), for each hold store, next to a raw anchor run in the same script on the same
# servers: redis-benchmark running the same GA hold Lua script (EVALSHA, same eleven keys) for the
# redis store, `pgbench -M prepared` running the same conditional GA UPDATE for the postgres store.
# Prints the numbers and the ratios RPC / anchor.
#
#   Benchmarks/inventory/run.sh     # CALLERS=32 PG_CLIENTS=16 RUN_SECONDS=5 REDIS_REQUESTS=100000
#
# Uses BOXOFFICE_PG_URL (superuser; default the dev server on 55432) and BOXOFFICE_REDIS_URL
# (default 127.0.0.1:56379); creates/drops database bo_bench_inventory and deletes its own Redis
# keys (prefix bench-inv-<pid>:) afterwards. Builds release products into .build-inventory-release
# unless INVENTORY_BIN_DIR points at existing ones. The machine is shared and noisy: read the ratios.
set -euo pipefail
cd "$(dirname "$0")/../.."
CALLERS=${CALLERS:-32}; PG_CLIENTS=${PG_CLIENTS:-16}; RUN_SECONDS=${RUN_SECONDS:-5}
REDIS_REQUESTS=${REDIS_REQUESTS:-100000}
ADMIN_URL=${BOXOFFICE_PG_URL:-postgresql://postgres@127.0.0.1:55432/postgres}
REDIS_URL=${BOXOFFICE_REDIS_URL:-redis://127.0.0.1:56379}
REDIS_HOSTPORT=${REDIS_URL#redis://}; REDIS_HOST=${REDIS_HOSTPORT%:*}; REDIS_PORT=${REDIS_HOSTPORT##*:}
DB=bo_bench_inventory
DB_URL="${ADMIN_URL%/*}/$DB"
PREFIX="bench-inv-$$:"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
SCRATCH=${SCRATCH:-.build-inventory-release}
WORK=$(mktemp -d)

if [ -z "${INVENTORY_BIN_DIR:-}" ]; then
  swift build -c release --scratch-path "$SCRATCH" --product inventory-bench >/dev/null
  swift build -c release --scratch-path "$SCRATCH" --product boxoffice >/dev/null
  INVENTORY_BIN_DIR=$SCRATCH/release
fi
BENCH=$INVENTORY_BIN_DIR/inventory-bench
BOXOFFICE=$INVENTORY_BIN_DIR/boxoffice

SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" --scan --pattern "${PREFIX}*" | xargs -r -n 500 redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" DEL >/dev/null || true
  psql -q -X "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
psql -q -X "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"

# Starts the service with store $1; sets PORT.
start_service() {
  "$BOXOFFICE" serve inventory --port 0 --store "$1" --pg-url "$DB_URL" --redis-url "$REDIS_URL" \
    --redis-prefix "$PREFIX" --log-level warning --log-format text --pg-connections "$PG_CLIENTS" \
    >"$WORK/server.out" 2>"$WORK/server.err" &
  SERVER_PID=$!
  for _ in $(seq 1 300); do
    PORT=$(sed -n 's/^LISTENING \([0-9]*\)$/\1/p' "$WORK/server.out")
    [ -n "$PORT" ] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  cat "$WORK/server.err" >&2; echo "inventory did not start" >&2; exit 1
}
stop_service() { kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true; SERVER_PID=""; }
event() { "$BENCH" create --target "127.0.0.1:$PORT" "$@" | sed -n 's/^EVENT //p'; }
rpc_rate() {
  local line
  line=$("$BENCH" run --target "127.0.0.1:$PORT" --event "$1" --callers "$CALLERS" --seconds "$RUN_SECONDS")
  echo "    rpc: $line" >&2
  echo "$line" | sed -n 's/^decisions_per_sec=\([0-9]*\).*/\1/p'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

declare -A RESULT
for STORE in redis postgres; do
  echo "== store $STORE (callers $CALLERS, ${RUN_SECONDS}s per RPC run)" >&2
  start_service "$STORE"
  OPEN=$(event --capacity 1000000); SOLD=$(event --capacity 1 --prefill 1); ANCHOR=$(event --capacity 1000000)
  RESULT[$STORE.holds.rpc]=$(rpc_rate "$OPEN")
  RESULT[$STORE.soldout.rpc]=$(rpc_rate "$SOLD")
  if [ "$STORE" = redis ]; then
    SHA=$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" SCRIPT LOAD "$("$BENCH" print-script)")
    now=$(date +%s%3N); expires=$((now + 3600000))
    anchor() {
      # shellcheck disable=SC2046
      redis-benchmark -h "$REDIS_HOST" -p "$REDIS_PORT" -c "$CALLERS" -n "$REDIS_REQUESTS" -r 100000000 -q \
        EVALSHA "$SHA" 11 $("$BENCH" print-keys --prefix "${PREFIX}inventory:" --event "$1") \
        "bh__rand_int__" "bb__rand_int__" "bk__rand_int__" "$now" "$expires" 0 "$now" GA 1 \
        | tr '\r' '\n' | sed -n 's/.*: \([0-9.]*\) requests per second.*/\1/p' | tail -1 | cut -d. -f1
    }
    RESULT[$STORE.holds.anchor]=$(anchor "$ANCHOR")
    RESULT[$STORE.soldout.anchor]=$(anchor "$SOLD")
    ANCHOR_NAME="redis-benchmark EVALSHA (GA hold script)"
  else
    anchor() {
      printf "UPDATE ga_pools SET held = held + 1, version = version + 1 WHERE event_id = %s AND code = 'GA' AND held + sold + 1 <= capacity;\n" "$1" >"$WORK/hold.pgbench"
      "$PGBIN/pgbench" -n -M prepared -c "$PG_CLIENTS" -j 2 -T "$RUN_SECONDS" -f "$WORK/hold.pgbench" "$DB_URL" 2>&1 \
        | sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' | cut -d. -f1
    }
    RESULT[$STORE.holds.anchor]=$(anchor "$ANCHOR")
    RESULT[$STORE.soldout.anchor]=$(anchor "$SOLD")
    ANCHOR_NAME="pgbench -M prepared (GA conditional UPDATE, $PG_CLIENTS clients)"
  fi
  stop_service
  RESULT[$STORE.anchor.name]=$ANCHOR_NAME
done

echo
printf "%-9s %-10s %14s %14s %8s   %s\n" store answer "rpc/s" "anchor/s" ratio anchor
for STORE in redis postgres; do
  for KIND in holds soldout; do
    printf "%-9s %-10s %14s %14s %8s   %s\n" "$STORE" "$KIND" "${RESULT[$STORE.$KIND.rpc]}" "${RESULT[$STORE.$KIND.anchor]}" \
      "$(ratio "${RESULT[$STORE.$KIND.rpc]}" "${RESULT[$STORE.$KIND.anchor]}")" "${RESULT[$STORE.anchor.name]}"
  done
done
