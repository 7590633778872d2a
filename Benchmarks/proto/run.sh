#!/usr/bin/env bash
# Encode+decode round trip of a HoldSeats request (10 seat ids) and its response (a hold of 10
# seats): Swift through protobuf-c vs Python protobuf (upb), in this one script on this machine,
# with the ratio. Also allocations per Swift round trip (malloc-counter.so preloaded).
#   Benchmarks/proto/run.sh [iterations]      (release build in .build-proto-bench)
set -euo pipefail
cd "$(dirname "$0")/../.."
iterations=${1:-50000}
scratch=${BOXOFFICE_BENCH_SCRATCH:-.build-proto-bench}
work=Benchmarks/.work/proto
mkdir -p "$work/py"

swift build --scratch-path "$scratch" -c release --product proto-bench >"$work/build.log" 2>&1 \
  || { cat "$work/build.log" >&2; exit 1; }
cc -O2 -shared -fPIC -o "$work/malloc-counter.so" Benchmarks/proto/malloc-counter.c

wkt=$(python3 -c 'import grpc_tools, os; print(os.path.join(os.path.dirname(grpc_tools.__file__), "_proto"))')
(cd Protos && python3 -m grpc_tools.protoc -I. -I"$wkt" --python_out="../$work/py" $(find . -name '*.proto' | sed 's|^\./||' | sort))
find "$work/py" -type d -exec touch {}/__init__.py \;

swift_line=$(LD_PRELOAD="$PWD/$work/malloc-counter.so" "$scratch/release/proto-bench" "$iterations")
# Timing without the counting shim; Swift and Python alternate three times, best of each kept
# (thread CPU time, so other engineers' load on the shared cores does not count).
runs=()
for _ in 1 2 3; do
  runs+=("$("$scratch/release/proto-bench" "$iterations")")
  runs+=("$(python3 Benchmarks/proto/bench_python.py "$work/py" "$iterations")")
done
python3 - "$swift_line" "${runs[@]}" <<'PY'
import json, sys
counted = json.loads(sys.argv[1])
runs = [json.loads(a) for a in sys.argv[2:]]
plain = min((r for r in runs if r["runtime"].startswith("swift")), key=lambda r: r["ns_per_round_trip"])
python = min((r for r in runs if r["runtime"].startswith("python")), key=lambda r: r["ns_per_round_trip"])
print(f"HoldSeats request ({plain['request_bytes']} B) + response ({plain['response_bytes']} B), "
      f"encode+decode each, {plain['iterations']} iterations")
print(f"  {plain['runtime']:<32} {plain['ns_per_round_trip']:>8} CPU ns/round trip  "
      f"{counted['allocations_per_round_trip']} allocations/round trip")
print(f"  {python['runtime']:<32} {python['ns_per_round_trip']:>8} CPU ns/round trip  "
      f"(upb arenas not countable from Python)")
print(f"  ratio swift/python: {plain['ns_per_round_trip'] / python['ns_per_round_trip']:.2f}")
PY
