#!/usr/bin/env bash
# Connection churn under AddressSanitizer/LeakSanitizer: every hiredis reader, formatted command and
# reply tree, NIO channel and subscription stream must be freed. Fails on a leak, a memory error or
# a failing test.
#   Benchmarks/redis/leak-check.sh        (uses BOXOFFICE_REDIS_URL when set, else starts redis-server)
# Environment: SCRATCH=.build-redis-asan
set -euo pipefail
cd "$(dirname "$0")/../.."
. Benchmarks/lib/leak-check.sh
leak_check redis "${SCRATCH:-.build-redis-asan}" 'RedisConnectionChurnTests|RedisPipeliningLiveTests|RedisPubSubLiveTests|RedisFaultTests|RESPReaderTests|RESPCommandFormatterTests'
