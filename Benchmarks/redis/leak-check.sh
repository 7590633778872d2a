#!/usr/bin/env bash
# Connection churn under AddressSanitizer/LeakSanitizer: every hiredis reader, formatted command and
# reply tree, NIO channel and subscription stream must be freed. Fails on a leak, a memory error or
# a failing test.
#   Benchmarks/redis/leak-check.sh        (uses BOXOFFICE_REDIS_URL when set, else starts redis-server)
# Environment: SCRATCH=.build-redis-asan
set -euo pipefail
cd "$(dirname "$0")/../.."
SCRATCH=${SCRATCH:-.build-redis-asan}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/Benchmarks/redis/lsan.supp:print_suppressions=0}
log=$(mktemp /tmp/boxoffice-redis-leak.XXXXXX)
trap 'rm -f "$log"' EXIT
status=0
swift test --scratch-path "$SCRATCH" --sanitize=address --disable-xctest \
  --filter 'RedisConnectionChurnTests|RedisPipeliningLiveTests|RedisPubSubLiveTests|RedisFaultTests|RESPReaderTests|RESPCommandFormatterTests' >"$log" 2>&1 || status=$?
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
