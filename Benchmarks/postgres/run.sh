#!/usr/bin/env bash
# The seat-hold UPDATE through BoxOfficePostgres (pg-bench) versus `pgbench -M prepared`, same statement,
# same clients, same table reset before each run, in one script; prints TPS and the ratios to pgbench.
#
#   Benchmarks/postgres/run.sh            # CLIENTS=16 RUN_SECONDS=10 ROWS=200000 ROUNDS=3 PIPELINE_DEPTH=4
#
# Uses BOXOFFICE_PG_URL (a superuser URL; default the dev server on 55432) and creates/drops its own
# database `bo_bench_pg`. The machine is shared and noisy: runs alternate, and ratios are of the medians.
set -euo pipefail
cd "$(dirname "$0")/../.."
CLIENTS=${CLIENTS:-16}; SECONDS_PER_RUN=${RUN_SECONDS:-10}; ROWS=${ROWS:-200000}; ROUNDS=${ROUNDS:-3}
# Pipelined: PIPELINE_DEPTH times the tasks share the same CLIENTS connections, their statements pipelined.
PIPELINE_DEPTH=${PIPELINE_DEPTH:-4}
ADMIN_URL=${BOXOFFICE_PG_URL:-postgresql://postgres@127.0.0.1:55432/postgres}
DB=bo_bench_pg
DB_URL="${ADMIN_URL%/*}/$DB"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
SCRATCH=${SCRATCH:-.build-pg-release}

if [ -z "${PG_BENCH_BINARY:-}" ]; then
  swift build -c release --scratch-path "$SCRATCH" --product pg-bench >/dev/null
fi
BENCH=${PG_BENCH_BINARY:-$SCRATCH/release/pg-bench}

psql -q -X "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
trap 'psql -q -X "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
psql -q -X "$DB_URL" <<SQL
CREATE TABLE seats (id bigint PRIMARY KEY, status text NOT NULL DEFAULT 'available', held_by text,
                    held_until timestamptz, version int NOT NULL DEFAULT 0);
INSERT INTO seats (id) SELECT g FROM generate_series(1, $ROWS) g;
VACUUM ANALYZE seats;
SQL

reset_table() {
  psql -q -X "$DB_URL" -c "UPDATE seats SET status='available', held_by=NULL, held_until=NULL, version=0 WHERE status <> 'available'" \
    -c "VACUUM seats" -c "CHECKPOINT" >/dev/null
}
run_pgbench() {
  "$PGBIN/pgbench" -n -M prepared -c "$CLIENTS" -j 2 -T "$SECONDS_PER_RUN" -D rows="$ROWS" -f Benchmarks/postgres/hold.pgbench "$DB_URL" 2>&1 \
    | sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' | cut -d. -f1
}
run_ours() {  # $1 = tasks, $2 = pipeline depth (connections are always CLIENTS)
  "$BENCH" --url "$DB_URL" --clients "$1" --seconds "$SECONDS_PER_RUN" --rows "$ROWS" --connections "$CLIENTS" --depth "$2" \
    | sed -n 's/^tps=\([0-9]*\).*/\1/p'
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2))}'; }

pg=(); plain=(); piped=()
for round in $(seq 1 "$ROUNDS"); do
  reset_table; pg+=("$(run_pgbench)")
  reset_table; plain+=("$(run_ours "$CLIENTS" 1)")
  reset_table; piped+=("$(run_ours "$((CLIENTS * PIPELINE_DEPTH))" "$PIPELINE_DEPTH")")
  echo "round $round: pgbench=${pg[-1]} ours=${plain[-1]} ours-pipelined=${piped[-1]} TPS" >&2
done
PG=$(printf '%s\n' "${pg[@]}" | median)
PLAIN=$(printf '%s\n' "${plain[@]}" | median)
PIPED=$(printf '%s\n' "${piped[@]}" | median)
echo "seat-hold UPDATE, $CLIENTS clients, ${SECONDS_PER_RUN}s x $ROUNDS rounds, $ROWS seats (median TPS)"
printf '  pgbench -M prepared -c %-3s        %8s TPS  (anchor)\n' "$CLIENTS" "$PG"
printf '  BoxOfficePostgres, %3s connections %8s TPS  ratio %.2f (goal >= 0.90)\n' "$CLIENTS" "$PLAIN" "$(echo "$PLAIN / $PG" | bc -l)"
printf '  BoxOfficePostgres, %3s connections %8s TPS  ratio %.2f (%s tasks pipelined %s deep; goal > 1)\n' \
  "$CLIENTS" "$PIPED" "$(echo "$PIPED / $PG" | bc -l)" "$((CLIENTS * PIPELINE_DEPTH))" "$PIPELINE_DEPTH"
