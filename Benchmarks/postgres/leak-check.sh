#!/usr/bin/env bash
# Leak check: runs the PostgreSQL connection-churn suite under AddressSanitizer (LeakSanitizer on),
# so any PGconn, PGresult, notification or Swift buffer left unfreed fails the run.
#   Benchmarks/postgres/leak-check.sh     (uses BOXOFFICE_PG_URL, or starts a throwaway server)
set -euo pipefail
cd "$(dirname "$0")/../.."
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/Benchmarks/postgres/lsan.supp:print_suppressions=0:report_objects=1}
. Benchmarks/lib/leak-check.sh
leak_check postgres "${SCRATCH:-.build-pg-asan}" 'BoxOfficePostgresTests.ConnectionChurnTests'
