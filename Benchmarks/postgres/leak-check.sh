#!/usr/bin/env bash
# Leak check: runs the PostgreSQL connection-churn suite under AddressSanitizer (LeakSanitizer on),
# so any PGconn, PGresult, notification or Swift buffer left unfreed fails the run.
#   Benchmarks/postgres/leak-check.sh     (uses BOXOFFICE_PG_URL, or starts a throwaway server)
set -euo pipefail
cd "$(dirname "$0")/../.."
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-report_objects=1}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if swift test --scratch-path "${SCRATCH:-.build-pg-asan}" --sanitize=address --disable-xctest \
     --filter 'BoxOfficePostgresTests.ConnectionChurnTests' >"$log" 2>&1; then
  grep -E "Test run with|passed after" "$log" | tail -2
  echo "leak-check: PASS (no leaks reported by LeakSanitizer)"
else
  grep -E "ERROR: (Leak|Address)Sanitizer|SUMMARY|Direct leak|Indirect leak|✘|error:" "$log" | head -40
  echo "leak-check: FAIL (full log above; rerun with the same command to see it all)" >&2
  exit 1
fi
