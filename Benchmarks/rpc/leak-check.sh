#!/usr/bin/env bash
# gRPC connection churn and hostile connections under AddressSanitizer/LeakSanitizer: every
# nghttp2 session, protobuf-c message, NIO channel and call stream must be freed. Fails on a leak,
# a memory error or a failing test.
#   Benchmarks/rpc/leak-check.sh
# Environment: SCRATCH=.build-rpc-asan
set -euo pipefail
cd "$(dirname "$0")/../.."
. Benchmarks/lib/leak-check.sh
leak_check rpc "${SCRATCH:-.build-rpc-asan}" 'BoxOfficeRPCTests\.(ServerLiveTests|ClientOurServerTests|ClientLiveChannelTests/connectionChurnLeaksNoSockets|ClientLiveChannelTests/reconnectsAfterTheServerRestarts)'
