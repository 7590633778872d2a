#!/usr/bin/env bash
# gRPC connection churn and hostile connections under AddressSanitizer/LeakSanitizer: every
# nghttp2 session, protobuf-c message, NIO channel and call stream must be freed. Fails on a leak,
# a memory error or a failing test.
#   Benchmarks/rpc/leak-check.sh
# Environment: SCRATCH=.build-rpc-asan
set -euo pipefail
cd "$(dirname "$0")/../.."
SCRATCH=${SCRATCH:-.build-rpc-asan}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/Benchmarks/rpc/lsan.supp:print_suppressions=0}
log=$(mktemp /tmp/boxoffice-rpc-leak.XXXXXX)
trap 'rm -f "$log"' EXIT
status=0
swift test --scratch-path "$SCRATCH" --sanitize=address --disable-xctest \
  --filter 'BoxOfficeRPCTests\.(ServerLiveTests|ClientOurServerTests|ClientLiveChannelTests/connectionChurnLeaksNoSockets|ClientLiveChannelTests/reconnectsAfterTheServerRestarts)' >"$log" 2>&1 || status=$?
if grep -qE "ERROR: (Leak|Address)Sanitizer" "$log"; then
  grep -A40 -E "ERROR: (Leak|Address)Sanitizer" "$log" >&2
  echo "leak-check: sanitizer errors" >&2
  exit 1
fi
if [ "$status" -ne 0 ]; then
  tail -40 "$log" >&2
  echo "leak-check: swift test failed ($status)" >&2
  exit "$status"
fi
grep -E "Test run with" "$log" || true
echo "leak-check: no leaks or memory errors reported"
