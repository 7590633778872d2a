#!/usr/bin/env bash
# Hold-shaped Lua script through BoxOfficeRedis versus redis-benchmark running the same script via
# EVALSHA, against one throwaway redis-server, alternating in the same run (the machine is shared and
# noisy, so only the ratios mean anything). Prints ops/s (median of ROUNDS) and the ratios.
#   Benchmarks/redis/run.sh
# Environment: CLIENTS=50 PIPELINE=16 OPS=100000 PIPELINED_OPS=400000 ROUNDS=3 CONNECTIONS=1
#              SEATS=10000 SCRATCH=.build-redis
set -euo pipefail
cd "$(dirname "$0")/../.."
CLIENTS=${CLIENTS:-50}; PIPELINE=${PIPELINE:-16}; OPS=${OPS:-100000}; PIPELINED_OPS=${PIPELINED_OPS:-400000}
ROUNDS=${ROUNDS:-3}; CONNECTIONS=${CONNECTIONS:-1}; SEATS=${SEATS:-10000}; SCRATCH=${SCRATCH:-.build-redis}

swift build -c release --scratch-path "$SCRATCH" --product redis-bench >&2
BIN="$SCRATCH/release/redis-bench"

dir=$(mktemp -d /tmp/boxoffice-redis-bench.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --save '' --appendonly no --daemonize yes \
  --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >/dev/null
cleanup() { redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT
for _ in $(seq 1 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done

sha=$(redis-cli -p "$port" script load "$("$BIN" print-script)")
redis-cli -p "$port" set '{bench}:available' 1000000000000 >/dev/null

ours() {  # ops batch
  "$BIN" run --url "redis://127.0.0.1:$port" --callers "$CLIENTS" --ops "$1" --batch "$2" \
    --connections "$CONNECTIONS" --seats "$SEATS" | sed -n 's/^ops_per_sec=\([0-9]*\).*/\1/p'
}
theirs() {  # ops pipeline
  redis-benchmark -p "$port" -c "$CLIENTS" -n "$1" -P "$2" -r "$SEATS" --csv \
    EVALSHA "$sha" 2 '{bench}:seats' '{bench}:available' seat:__rand_int__ holder:__rand_int__ 1700000000000 \
    | tail -1 | awk -F'","' '{ printf "%d\n", $2 }'
}
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

theirs 20000 1 >/dev/null; ours 20000 1 >/dev/null  # warm up: fill the seat hash, load code paths

declare -a a_unp b_unp a_pip b_pip
for round in $(seq 1 "$ROUNDS"); do
  a_unp+=("$(theirs "$OPS" 1)");              b_unp+=("$(ours "$OPS" 1)")
  a_pip+=("$(theirs "$PIPELINED_OPS" "$PIPELINE")"); b_pip+=("$(ours "$PIPELINED_OPS" "$PIPELINE")")
  echo "round $round: redis-benchmark ${a_unp[-1]} / ours ${b_unp[-1]} unpipelined;" \
       "redis-benchmark -P $PIPELINE ${a_pip[-1]} / ours batch $PIPELINE ${b_pip[-1]} ops/s" >&2
done
ra=$(median "${a_unp[@]}"); rb=$(median "${b_unp[@]}"); pa=$(median "${a_pip[@]}"); pb=$(median "${b_pip[@]}")
echo "hold script (HGET + HSET 3 fields + DECR), $CLIENTS concurrent callers, our client on $CONNECTIONS connection(s), median of $ROUNDS"
printf '  unpipelined: redis-benchmark -c %s        %8d ops/s   ours %8d ops/s   ratio %.2f (goal >= 0.90)\n' \
  "$CLIENTS" "$ra" "$rb" "$(echo "$rb / $ra" | bc -l)"
printf '  pipelined:   redis-benchmark -c %s -P %s  %8d ops/s   ours %8d ops/s   ratio %.2f (goal >= 1.00)\n' \
  "$CLIENTS" "$PIPELINE" "$pa" "$pb" "$(echo "$pb / $pa" | bc -l)"
