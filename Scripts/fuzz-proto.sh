#!/usr/bin/env bash
# Fuzzes the protobuf decoder (validation + protobuf-c unpack + copy-out, for every message type)
# with libFuzzer and ASan for a bounded time. Seeds: every generated sample's encoding plus
# hand-made hostile inputs. Fails on any crash, ASan report or leak.
#   Scripts/fuzz-proto.sh [seconds]     (default 60; scratch folder .build-proto-fuzz)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
scratch=${BOXOFFICE_FUZZ_SCRATCH:-$PWD/.build-proto-fuzz}
package=${BOXOFFICE_PROTO_PACKAGE:-$PWD}   # a package path holding the same targets, if not this one
work=$PWD/Benchmarks/.work/proto-fuzz
mkdir -p "$work/seeds" "$work/corpus"

# 1. Instrumented objects of the decoder and everything under it (Swift and C).
(cd "$package" && swift build --scratch-path "$scratch" --target ProtoFuzzTarget \
  -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address)
# 2. Linked with libFuzzer's main.
objects=()
for module in CBoxOfficeProtos BoxOfficeProto BoxOfficeAPI ProtoFuzzTarget; do
  while IFS= read -r -d '' object; do objects+=("$object"); done \
    < <(find "$scratch/debug/$module.build" -name '*.o' -print0 | sort -z)
done
swiftc -sanitize=fuzzer,address -o "$work/proto-fuzz" "${objects[@]}" -lprotobuf-c

# 3. Seeds: each sample's bytes (from proto-crosscheck) and a few hostile shapes.
(cd "$package" && swift build --scratch-path "$scratch/plain" --product proto-crosscheck >/dev/null)
"$scratch/plain/debug/proto-crosscheck" emit | python3 -c '
import json, sys, pathlib
out = pathlib.Path(sys.argv[1])
for i, line in enumerate(sys.stdin):
    (out / f"sample-{i:04d}").write_bytes(bytes.fromhex(json.loads(line)["hex"]))
hostile = {
    "truncated-varint": b"\x10\x80\x80", "length-past-end": b"\x1a\x64\x08\x00",
    "eleven-byte-varint": b"\x10" + b"\xff" * 10 + b"\x01", "bad-utf8": b"\x12\x02\xc3\x28",
    "group": b"\x0b\x0c", "field-zero": b"\x00\x01", "deep": b"\x1a\x02\x1a\x00" * 8,
}
for name, data in hostile.items():
    (out / name).write_bytes(data)
' "$work/seeds"

# 4. Bounded run; new inputs go to the working corpus, crashes to $work/crash-*.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
"$work/proto-fuzz" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$work/" -print_final_stats=1 "$work/corpus" "$work/seeds"
echo "fuzz-proto: ${seconds}s without a crash"
