#!/usr/bin/env bash
# gRPC unary echo throughput: our rpc-echo-server against nghttpd serving a small static file
# (the machine's HTTP/2 ceiling) and a grpc-swift-2 echo server (the peer, built from the separate
# package Benchmarks/grpc-swift-peer), same h2load flags, same run. Prints req/s, p50/p99 latency,
# server RSS, server CPU time per request (robust on a busy machine) and the ratios
# boxoffice/nghttpd (goal >= 0.80) and boxoffice/grpc-swift-2 (goal >= 2.0). A real gRPC client
# (grpcio) checks echo correctness on each gRPC server while the load runs on it, since h2load
# counts any HTTP 200 as a success.
#
#   Benchmarks/rpc/run.sh                       # 200k requests per -m100 run, 50k per -m1 run, 3 rounds
#   ROUNDS=5 Benchmarks/rpc/run.sh              # rounds alternate the servers; ratios are of the medians
#   REQUESTS=50000 SCRATCH=.build-x Benchmarks/rpc/run.sh
#   PEER=skip Benchmarks/rpc/run.sh             # without the grpc-swift-2 peer
#   PEER_BIN=path/to/grpc-swift-echo-server Benchmarks/rpc/run.sh   # a peer built elsewhere
#   PEER_ARGS='--executor nio' Benchmarks/rpc/run.sh  # an opt-in peer variant (default: library defaults)
#   SERVER_ARGS='--max-message-size 65536' Benchmarks/rpc/run.sh  # extra flags for our rpc-echo-server
#   ONE_LOOP=skip Benchmarks/rpc/run.sh         # without the row of our server on one event loop
#
# Our server runs twice: with its default of one event loop per core ("boxoffice"), and with one
# event loop ("boxoffice-1loop"), the thread count nghttpd serves with by default. On a 2-core
# machine where h2load takes one core, the second row compares like with like; both are printed.
#
# The peer is built on demand (niced) with its package's own .build folder; its first release
# build takes 30+ minutes on a 2-core machine, later runs only check it is up to date. CI never
# runs this script.
set -euo pipefail
cd "$(dirname "$0")/../.."
requests=${REQUESTS:-200000}
rounds=${ROUNDS:-3}
scratch=${SCRATCH:-.build}
peer=${PEER:-build}
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

command -v h2load >/dev/null && command -v nghttpd >/dev/null || { echo "needs nghttp2-client and nghttp2-server" >&2; exit 1; }
swift build -c release --scratch-path "$scratch" --product rpc-echo-server >&2
server_bin="$scratch/release/rpc-echo-server"

# niced COMMAND...: runs COMMAND at nice 19, with every process and thread under it. `nice` alone is
# not enough: SwiftPM's libdispatch worker threads set their own priority from their QoS, so the
# compilers they spawn ran at nice 0 (seen here), competing with whoever is benchmarking.
niced() {
  nice -n 19 "$@" &
  local root=$!
  pids+=("$root")
  while kill -0 "$root" 2>/dev/null; do
    ps -eo pid=,ppid= | awk -v root="$root" '
      { parent[$1] = $2 }
      END { for (p in parent) { q = p; while (q in parent && q != root) q = parent[q]; if (q == root) print p } }' |
    while read -r pid; do
      for task in /proc/"$pid"/task/*; do renice -n 19 -p "${task##*/}" >/dev/null 2>&1 || true; done
    done
    sleep 1
  done
  wait "$root"
}

peer_bin=""
if [[ $peer == skip ]]; then
  echo "grpc-swift-2 peer skipped (PEER=skip)"
elif [[ -n ${PEER_BIN:-} ]]; then
  peer_bin=$PEER_BIN
  echo "grpc-swift-2 peer: $peer_bin (from PEER_BIN, not built by this script)"
else
  echo "building the grpc-swift-2 peer (niced; the first release build takes 30+ minutes; PEER=skip skips the peer)" >&2
  niced swift build -c release --package-path Benchmarks/grpc-swift-peer --product grpc-swift-echo-server >&2
  peer_bin="Benchmarks/grpc-swift-peer/.build/release/grpc-swift-echo-server"
fi

# A 22-byte message in a gRPC frame, and a 22-byte static file for nghttpd.
python3 - "$work" <<'PY'
import sys
payload = b"seat 12A, row 7, gate 3"[:22]
open(sys.argv[1] + "/body", "wb").write(b"\0" + len(payload).to_bytes(4, "big") + payload)
open(sys.argv[1] + "/small.txt", "wb").write(payload)
PY
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_grpc NAME BINARY [ARGS...]: starts a server that prints "LISTENING <port>"; sets started_pid,
# started_port.
start_grpc() {
  local name=$1 bin=$2
  shift 2
  "$bin" --port 0 "$@" >"$work/$name.server.out" 2>"$work/$name.server.err" &
  started_pid=$!
  pids+=("$started_pid")
  for _ in $(seq 100); do grep -q LISTENING "$work/$name.server.out" 2>/dev/null && break; sleep 0.1; done
  started_port=$(awk '/LISTENING/ {print $2}' "$work/$name.server.out")
  [[ -n $started_port ]] || { echo "$name did not start:" >&2; cat "$work/$name.server.err" >&2; exit 1; }
}
read -r -a server_args <<<"${SERVER_ARGS:-}"
start_grpc boxoffice "$server_bin" "${server_args[@]}"
ours_pid=$started_pid ours_port=$started_port
one_loop=${ONE_LOOP:-run}
if [[ $one_loop != skip ]]; then
  start_grpc boxoffice-1loop "$server_bin" "${server_args[@]}" --threads 1
  one_pid=$started_pid one_port=$started_port
fi
if [[ -n $peer_bin ]]; then
  read -r -a peer_args <<<"${PEER_ARGS:-}"
  [[ ${#peer_args[@]} == 0 ]] || echo "grpc-swift-2 peer started with: ${peer_args[*]}"
  start_grpc grpc-swift-2 "$peer_bin" "${peer_args[@]}"
  peer_pid=$started_pid peer_port=$started_port
fi
ng_port=$(free_port)
nghttpd --no-tls -d "$work" "$ng_port" >/dev/null 2>&1 &
pids+=($!); ng_pid=$!
for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/"$ng_port") 2>/dev/null && break; sleep 0.1; done

rss_mb() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
ticks_per_second=$(getconf CLK_TCK)

# run NAME PID URL FLAGS N [grpc]: prints "req/s p50_ms p99_ms cpu_us_per_request failed"; the
# caller decides what failed requests mean (h2load's output stays in $work/NAME.out).
run() {
  local name=$1 pid=$2 url=$3 flags=$4 n=$5 grpc=${6:-}
  local extra=()
  [[ -n $grpc ]] && extra=(-H 'content-type: application/grpc' -H 'te: trailers')
  local cpu_before cpu_after
  rm -f "$work/$name.log"  # h2load appends
  cpu_before=$(cpu_ticks "$pid")
  # shellcheck disable=SC2086
  h2load -n "$n" $flags -t 1 -d "$work/body" "${extra[@]}" --log-file "$work/$name.log" "$url" >"$work/$name.out" 2>&1 || true
  cpu_after=$(cpu_ticks "$pid")
  local rps failed
  rps=$(awk '/finished in/ {print $4}' "$work/$name.out")
  failed=$(awk '/^requests:/ {print $10 + $12 + $14}' "$work/$name.out")  # failed + errored + timeout
  [[ -n $rps && -n $failed ]] || { echo "h2load did not finish for $name:" >&2; cat "$work/$name.out" >&2; exit 1; }
  python3 - "$work/$name.log" "$rps" "$((cpu_after - cpu_before))" "$ticks_per_second" "$n" "$failed" <<'PY'
import sys
durations = sorted(int(line.split()[2]) for line in open(sys.argv[1]) if line.strip()) or [0]
pick = lambda q: durations[min(len(durations) - 1, int(q * len(durations)))] / 1000
cpu_us = int(sys.argv[3]) * 1e6 / int(sys.argv[4]) / int(sys.argv[5])
print("%s %.2f %.2f %.1f %s" % (sys.argv[2], pick(0.50), pick(0.99), cpu_us, sys.argv[6]))
PY
}

# Correctness alongside the load: a stock gRPC client checks every echo.
check() {
  python3 - "$1" "$2" <<'PY'
import os, sys, grpc
with grpc.insecure_channel("127.0.0.1:" + sys.argv[1]) as channel:
    echo = channel.unary_unary("/echo.Echo/Unary")
    for i in range(300):
        payload = os.urandom(1 + i * 7)
        assert echo(payload, timeout=30) == payload, "echo mismatch"
print("correctness (%s): 300 grpcio echo calls verified" % sys.argv[2])
PY
}
# checked_run NAME PID PORT FLAGS N: loads a gRPC server with the correctness check running alongside.
checked_run() {
  local name=$1 pid=$2 port=$3 flags=$4 n=$5
  check "$port" "$name" >"$work/check-$name.out" 2>&1 &
  local check_pid=$!
  local numbers verdict=ok
  numbers=$(run "$name" "$pid" "http://127.0.0.1:$port/echo.Echo/Unary" "$flags" "$n" grpc)
  wait "$check_pid" || verdict=failed
  echo "$numbers $verdict"
}
report_check() {
  if [[ $2 == ok ]]; then cat "$work/check-$1.out"; else echo "CORRECTNESS CHECK FAILED ($1):"; cat "$work/check-$1.out"; status=1; fi
}
row() { printf "%-14s %-16s %12s %9s %9s %9s %12s\n" "$@"; }
ratio() {  # ratio WHAT OURS_RPS THEIR_RPS FLAGS GOAL OURS_CPU THEIR_CPU
  python3 - "$@" <<'PY'
import sys
what, ours, theirs, flags, goal, our_cpu, their_cpu = sys.argv[1:]
cpu = "%.2fx CPU per request" % (float(our_cpu) / float(their_cpu)) if float(their_cpu) > 0 else "CPU ratio n/a (too few clock ticks; raise REQUESTS)"
print("ratio %s at %s: %.2f req/s (goal >= %s), %s" % (what, flags, float(ours) / float(theirs), goal, cpu))
PY
}

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

row flags server "req/s" "p50 ms" "p99 ms" "RSS MB" "CPU us/req"
status=0
for flags in "-c 16 -m 100" "-c 8 -m 1"; do
  n=$requests
  [[ $flags == *"-m 1" ]] && n=$((requests / 4))
  ng_rps_all=() ng_cpu_all=() our_rps_all=() our_cpu_all=() one_rps_all=() one_cpu_all=() peer_rps_all=() peer_cpu_all=() peer_comparable=yes
  for round in $(seq 1 "$rounds"); do
    # Servers alternate within a round, so a slow spell on a shared machine hits all of them.
    read -r ng_rps ng_p50 ng_p99 ng_cpu ng_failed < <(run nghttpd "$ng_pid" "http://127.0.0.1:$ng_port/small.txt" "$flags" "$n")
    [[ $ng_failed == 0 ]] || { echo "h2load reported failures for nghttpd:" >&2; cat "$work/nghttpd.out" >&2; exit 1; }
    row "$flags" nghttpd "$ng_rps" "$ng_p50" "$ng_p99" "$(rss_mb "$ng_pid")" "$ng_cpu"
    ng_rps_all+=("$ng_rps") ng_cpu_all+=("$ng_cpu")

    read -r our_rps our_p50 our_p99 our_cpu our_failed our_check < <(checked_run boxoffice "$ours_pid" "$ours_port" "$flags" "$n")
    [[ $our_failed == 0 ]] || { echo "h2load reported failures for boxoffice:" >&2; cat "$work/boxoffice.out" >&2; exit 1; }
    row "$flags" boxoffice "$our_rps" "$our_p50" "$our_p99" "$(rss_mb "$ours_pid")" "$our_cpu"
    our_rps_all+=("$our_rps") our_cpu_all+=("$our_cpu")

    if [[ $one_loop != skip ]]; then
      read -r one_rps one_p50 one_p99 one_cpu one_failed one_check < <(checked_run boxoffice-1loop "$one_pid" "$one_port" "$flags" "$n")
      [[ $one_failed == 0 ]] || { echo "h2load reported failures for boxoffice-1loop:" >&2; cat "$work/boxoffice-1loop.out" >&2; exit 1; }
      row "$flags" boxoffice-1loop "$one_rps" "$one_p50" "$one_p99" "$(rss_mb "$one_pid")" "$one_cpu"
      one_rps_all+=("$one_rps") one_cpu_all+=("$one_cpu")
    fi

    if [[ -n $peer_bin ]]; then
      read -r peer_rps peer_p50 peer_p99 peer_cpu peer_failed peer_check < <(checked_run grpc-swift-2 "$peer_pid" "$peer_port" "$flags" "$n")
      row "$flags" grpc-swift-2 "$peer_rps" "$peer_p50" "$peer_p99" "$(rss_mb "$peer_pid")" "$peer_cpu"
      peer_rps_all+=("$peer_rps") peer_cpu_all+=("$peer_cpu")
      if [[ $peer_failed != 0 ]]; then
        echo "h2load reported $peer_failed failed requests for grpc-swift-2:"; grep -E '^(requests|status codes):' "$work/grpc-swift-2.out"; status=1
      fi
      [[ $peer_failed == 0 && $peer_check == ok ]] || peer_comparable=no
    fi

    report_check boxoffice "$our_check"
    if [[ $one_loop != skip ]]; then report_check boxoffice-1loop "$one_check"; fi
    if [[ -n $peer_bin ]]; then report_check grpc-swift-2 "$peer_check"; fi
  done
  if (( rounds > 1 )); then echo "medians of $rounds rounds at $flags:"; fi
  ratio boxoffice/nghttpd "$(median "${our_rps_all[@]}")" "$(median "${ng_rps_all[@]}")" "$flags" 0.80 \
    "$(median "${our_cpu_all[@]}")" "$(median "${ng_cpu_all[@]}")"
  if [[ $one_loop != skip ]]; then
    ratio boxoffice-1loop/nghttpd "$(median "${one_rps_all[@]}")" "$(median "${ng_rps_all[@]}")" "$flags" 0.80 \
      "$(median "${one_cpu_all[@]}")" "$(median "${ng_cpu_all[@]}")"
  fi
  if [[ -z $peer_bin ]]; then :
  elif [[ $peer_comparable == yes ]]; then
    ratio boxoffice/grpc-swift-2 "$(median "${our_rps_all[@]}")" "$(median "${peer_rps_all[@]}")" "$flags" 2.0 \
      "$(median "${our_cpu_all[@]}")" "$(median "${peer_cpu_all[@]}")"
  else echo "ratio boxoffice/grpc-swift-2 at $flags: not comparable (the peer failed requests or the correctness check)"
  fi
done
exit $status
