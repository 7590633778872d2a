#!/usr/bin/env bash
# gRPC unary echo throughput: our rpc-echo-server against nghttpd serving a small static file
# (the machine's HTTP/2 ceiling), same h2load flags, same run. Prints req/s, p50/p99 latency,
# server RSS, server CPU time per request (robust on a busy machine) and our/nghttpd ratios. A real gRPC client (grpcio) checks echo correctness while
# the load runs, since h2load counts any HTTP 200 as a success.
#
#   Benchmarks/rpc/run.sh                       # 200k requests per -m100 run, 50k per -m1 run
#   REQUESTS=50000 SCRATCH=.build-x Benchmarks/rpc/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
requests=${REQUESTS:-200000}
scratch=${SCRATCH:-.build}
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

command -v h2load >/dev/null && command -v nghttpd >/dev/null || { echo "needs nghttp2-client and nghttp2-server" >&2; exit 1; }
swift build -c release --scratch-path "$scratch" --product rpc-echo-server >&2
server_bin="$scratch/release/rpc-echo-server"

# A 22-byte message in a gRPC frame, and a 22-byte static file for nghttpd.
python3 - "$work" <<'PY'
import sys
payload = b"seat 12A, row 7, gate 3"[:22]
open(sys.argv[1] + "/body", "wb").write(b"\0" + len(payload).to_bytes(4, "big") + payload)
open(sys.argv[1] + "/small.txt", "wb").write(payload)
PY
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

"$server_bin" --port 0 >"$work/server.out" 2>"$work/server.err" &
pids+=($!); ours_pid=$!
for _ in $(seq 100); do grep -q LISTENING "$work/server.out" 2>/dev/null && break; sleep 0.1; done
ours_port=$(awk '/LISTENING/ {print $2}' "$work/server.out")
ng_port=$(free_port)
nghttpd --no-tls -d "$work" "$ng_port" >/dev/null 2>&1 &
pids+=($!); ng_pid=$!
for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/"$ng_port") 2>/dev/null && break; sleep 0.1; done

rss_mb() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
ticks_per_second=$(getconf CLK_TCK)

# run NAME PID URL FLAGS N [grpc]: prints "req/s p50_ms p99_ms cpu_us_per_request"
run() {
  local name=$1 pid=$2 url=$3 flags=$4 n=$5 grpc=${6:-}
  local extra=()
  [[ -n $grpc ]] && extra=(-H 'content-type: application/grpc' -H 'te: trailers')
  local cpu_before cpu_after
  rm -f "$work/$name.log"  # h2load appends
  cpu_before=$(cpu_ticks "$pid")
  # shellcheck disable=SC2086
  h2load -n "$n" $flags -t 1 -d "$work/body" "${extra[@]}" --log-file "$work/$name.log" "$url" >"$work/$name.out" 2>&1
  cpu_after=$(cpu_ticks "$pid")
  local rps
  rps=$(awk '/finished in/ {print $4}' "$work/$name.out")
  grep -q "0 failed, 0 errored" "$work/$name.out" || { echo "h2load reported failures for $name:" >&2; cat "$work/$name.out" >&2; exit 1; }
  python3 - "$work/$name.log" "$rps" "$((cpu_after - cpu_before))" "$ticks_per_second" "$n" <<'PY'
import sys
durations = sorted(int(line.split()[2]) for line in open(sys.argv[1]) if line.strip())
pick = lambda q: durations[min(len(durations) - 1, int(q * len(durations)))] / 1000
cpu_us = int(sys.argv[3]) * 1e6 / int(sys.argv[4]) / int(sys.argv[5])
print("%s %.2f %.2f %.1f" % (sys.argv[2], pick(0.50), pick(0.99), cpu_us))
PY
}

# Correctness alongside the load: a stock gRPC client checks every echo.
check() {
  python3 - "$ours_port" <<'PY'
import os, sys, grpc
with grpc.insecure_channel("127.0.0.1:" + sys.argv[1]) as channel:
    echo = channel.unary_unary("/echo.Echo/Unary")
    for i in range(300):
        payload = os.urandom(1 + i * 7)
        assert echo(payload, timeout=30) == payload, "echo mismatch"
print("correctness: 300 grpcio echo calls verified")
PY
}

printf "%-14s %-10s %12s %9s %9s %9s %12s\n" flags server "req/s" "p50 ms" "p99 ms" "RSS MB" "CPU us/req"
status=0
for flags in "-c 16 -m 100" "-c 8 -m 1"; do
  n=$requests
  [[ $flags == *"-m 1" ]] && n=$((requests / 4))
  read -r ng_rps ng_p50 ng_p99 ng_cpu < <(run nghttpd "$ng_pid" "http://127.0.0.1:$ng_port/small.txt" "$flags" "$n")
  printf "%-14s %-10s %12s %9s %9s %9s %12s\n" "$flags" nghttpd "$ng_rps" "$ng_p50" "$ng_p99" "$(rss_mb "$ng_pid")" "$ng_cpu"
  check >"$work/check.out" 2>&1 &
  check_pid=$!
  read -r our_rps our_p50 our_p99 our_cpu < <(run ours "$ours_pid" "http://127.0.0.1:$ours_port/echo.Echo/Unary" "$flags" "$n" grpc)
  printf "%-14s %-10s %12s %9s %9s %9s %12s\n" "$flags" boxoffice "$our_rps" "$our_p50" "$our_p99" "$(rss_mb "$ours_pid")" "$our_cpu"
  if wait "$check_pid"; then cat "$work/check.out"; else echo "CORRECTNESS CHECK FAILED:"; cat "$work/check.out"; status=1; fi
  python3 -c "import sys; print('ratio boxoffice/nghttpd at %s: %.2f req/s (goal >= 0.80), %.1fx CPU per request' % (sys.argv[3], float(sys.argv[1]) / float(sys.argv[2]), float(sys.argv[4]) / max(float(sys.argv[5]), 0.01)))" \
    "$our_rps" "$ng_rps" "$flags" "$our_cpu" "$ng_cpu"
done
exit $status
