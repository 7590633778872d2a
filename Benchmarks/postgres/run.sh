#!/usr/bin/env bash
# The seat-hold UPDATE through BoxOfficePostgres (pg-bench) versus `pgbench -M prepared`, same statement,
# same clients, same table reset before each run, in one script; prints TPS and the ratios to pgbench.
#
#   Benchmarks/postgres/run.sh            # CLIENTS=16 RUN_SECONDS=10 ROWS=200000 ROUNDS=3 PIPELINE_DEPTH=4
#
# Uses BOXOFFICE_PG_URL (a superuser URL; default the dev server on 55432) and creates/drops its own
# database `bo_bench_pg`. The machine is shared and noisy: runs alternate, and ratios are of the medians.
# Besides TPS it prints each client's CPU time (user+sys) per transaction, the cost a client adds.
#   SYNCHRONOUS_COMMIT=off   the bench database commits without waiting for the WAL flush (for both
#                            clients), so TPS measures CPU, not the disk's flush rate
#   COMPARE_BINARY=path      also runs another pg-bench build (e.g. before a change) in the same rounds
#   REACTOR_GROUPS=2         also runs both modes with the client tasks on the reactor threads
#                            (PostgresClient.withReactorAffinity, one scope per group, like pgbench -j);
#                            0 leaves those rows out
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
SYNCHRONOUS_COMMIT=${SYNCHRONOUS_COMMIT:-on}
COMPARE_BINARY=${COMPARE_BINARY:-}
REACTOR_GROUPS=${REACTOR_GROUPS:-2}

if [ -z "${PG_BENCH_BINARY:-}" ]; then
  swift build -c release --scratch-path "$SCRATCH" --product pg-bench >/dev/null
fi
BENCH=${PG_BENCH_BINARY:-$SCRATCH/release/pg-bench}

psql -q -X "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
trap 'psql -q -X "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
psql -q -X "$ADMIN_URL" -c "ALTER DATABASE $DB SET synchronous_commit = $SYNCHRONOUS_COMMIT"
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
# Each run prints "<tps> <client CPU microseconds per transaction>".
TIMES=$(mktemp); OUT=$(mktemp)
trap 'rm -f "$TIMES" "$OUT"; psql -q -X "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
timed() { local TIMEFORMAT='%U %S'; { time "$@" >"$OUT" 2>&1; } 2>"$TIMES"; }
per_txn() { awk -v n="$1" '{printf "%.1f", ($1 + $2) * 1e6 / (n > 0 ? n : 1)}' "$TIMES"; }
run_pgbench() {
  timed "$PGBIN/pgbench" -n -M prepared -c "$CLIENTS" -j 2 -T "$SECONDS_PER_RUN" -D rows="$ROWS" -f Benchmarks/postgres/hold.pgbench "$DB_URL"
  local tps n
  tps=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' "$OUT" | cut -d. -f1)
  n=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$OUT")
  echo "$tps $(per_txn "$n")"
}
run_ours() {  # $1 = binary, $2 = tasks, $3 = pipeline depth, [$4 = reactor groups] (connections are always CLIENTS)
  timed "$1" --url "$DB_URL" --clients "$2" --seconds "$SECONDS_PER_RUN" --rows "$ROWS" --connections "$CLIENTS" --depth "$3" \
    ${4:+--reactor-groups "$4"}
  local tps n
  tps=$(sed -n 's/^tps=\([0-9]*\).*/\1/p' "$OUT")
  n=$(sed -n 's/^tps=[0-9]* ops=\([0-9]*\).*/\1/p' "$OUT")
  echo "$tps $(per_txn "$n")"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
column() { printf '%s\n' "${@:2}" | awk -v c="$1" '{print $c}' | median; }

pg=(); plain=(); piped=(); before=(); before_piped=(); near=(); near_piped=()
for round in $(seq 1 "$ROUNDS"); do
  reset_table; pg+=("$(run_pgbench)")
  reset_table; plain+=("$(run_ours "$BENCH" "$CLIENTS" 1)")
  reset_table; piped+=("$(run_ours "$BENCH" "$((CLIENTS * PIPELINE_DEPTH))" "$PIPELINE_DEPTH")")
  line="round $round: pgbench=${pg[-1]% *} ours=${plain[-1]% *} ours-pipelined=${piped[-1]% *}"
  if [ "$REACTOR_GROUPS" -gt 0 ]; then
    reset_table; near+=("$(run_ours "$BENCH" "$CLIENTS" 1 "$REACTOR_GROUPS")")
    reset_table; near_piped+=("$(run_ours "$BENCH" "$((CLIENTS * PIPELINE_DEPTH))" "$PIPELINE_DEPTH" "$REACTOR_GROUPS")")
    line="$line on-reactor=${near[-1]% *} on-reactor-pipelined=${near_piped[-1]% *}"
  fi
  if [ -n "$COMPARE_BINARY" ]; then
    reset_table; before+=("$(run_ours "$COMPARE_BINARY" "$CLIENTS" 1)")
    reset_table; before_piped+=("$(run_ours "$COMPARE_BINARY" "$((CLIENTS * PIPELINE_DEPTH))" "$PIPELINE_DEPTH")")
    line="$line compare=${before[-1]% *} compare-pipelined=${before_piped[-1]% *}"
  fi
  echo "$line TPS" >&2
done
PG=$(column 1 "${pg[@]}"); PG_CPU=$(column 2 "${pg[@]}")
report() {  # $1 = label, $2 = goal text, rest = runs
  local label=$1 goal=$2; shift 2
  local tps cpu
  tps=$(column 1 "$@"); cpu=$(column 2 "$@")
  printf '  %-44s %8.0f TPS  ratio %.2f (%s)  client CPU %6.1f us/txn (%.2fx pgbench)\n' \
    "$label" "$tps" "$(echo "$tps / $PG" | bc -l)" "$goal" "$cpu" "$(echo "$cpu / $PG_CPU" | bc -l)"
}
echo "seat-hold UPDATE, $CLIENTS clients, ${SECONDS_PER_RUN}s x $ROUNDS rounds, $ROWS seats, synchronous_commit=$SYNCHRONOUS_COMMIT (medians)"
printf '  %-44s %8.0f TPS  (anchor)                     client CPU %6.1f us/txn\n' "pgbench -M prepared -c $CLIENTS -j 2" "$PG" "$PG_CPU"
report "BoxOfficePostgres, $CLIENTS connections" "goal >= 0.90" "${plain[@]}"
report "BoxOfficePostgres, $((CLIENTS * PIPELINE_DEPTH)) tasks pipelined $PIPELINE_DEPTH deep" "goal > 1" "${piped[@]}"
if [ "$REACTOR_GROUPS" -gt 0 ]; then
  report "  tasks on $REACTOR_GROUPS reactor threads, $CLIENTS conns" "goal >= 0.90" "${near[@]}"
  report "  tasks on $REACTOR_GROUPS reactor threads, pipelined" "goal > 1" "${near_piped[@]}"
fi
if [ -n "$COMPARE_BINARY" ]; then
  report "compare build, $CLIENTS connections" "same run" "${before[@]}"
  report "compare build, pipelined $PIPELINE_DEPTH deep" "same run" "${before_piped[@]}"
fi
