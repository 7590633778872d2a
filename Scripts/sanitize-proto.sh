#!/usr/bin/env bash
# Leak and memory-error check of encode/decode: the proto test target (round trips of every
# message type, hostile inputs, JSON) and the cross-check vectors under AddressSanitizer with
# LeakSanitizer (on by default with ASan on Linux). Fails on any report.
#   Scripts/sanitize-proto.sh          (scratch folder .build-proto-asan)
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=${BOXOFFICE_ASAN_SCRATCH:-$PWD/.build-proto-asan}
package=${BOXOFFICE_PROTO_PACKAGE:-$PWD}   # a package path holding the same targets, if not this one
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=0}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/Scripts/sanitize-proto.supp:print_suppressions=0}

(cd "$package" && swift build --scratch-path "$scratch" --sanitize=address --product proto-crosscheck)
(cd "$package" && swift test --scratch-path "$scratch" --sanitize=address --filter BoxOfficeProtoTests)
bin=$(cd "$package" && swift build --scratch-path "$scratch" --sanitize=address --show-bin-path)
"$bin/proto-crosscheck" emit > "$scratch/vectors.jsonl"
"$bin/proto-crosscheck" verify < "$scratch/vectors.jsonl"
echo "sanitize-proto: no ASan/LSan reports"
