# Sourced by Benchmarks/*/leak-check.sh: runs a filtered `swift test` under AddressSanitizer
# (LeakSanitizer on) and fails on a sanitizer report or a failing test.
#   leak_check AREA SCRATCH FILTER
# AREA names the log and, when Benchmarks/AREA/lsan.supp exists, its suppressions. ASAN_OPTIONS and
# LSAN_OPTIONS set by the caller win over the defaults here.
leak_check() {
  local area=$1 scratch=$2 filter=$3 supp="$PWD/Benchmarks/$1/lsan.supp" log status=0
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
  if [ -f "$supp" ]; then
    export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$supp:print_suppressions=0}
  fi
  log=$(mktemp "/tmp/boxoffice-$area-leak.XXXXXX")
  swift test --scratch-path "$scratch" --sanitize=address --disable-xctest --filter "$filter" >"$log" 2>&1 || status=$?
  if grep -qE "ERROR: (Leak|Address)Sanitizer" "$log"; then
    grep -A40 -E "ERROR: (Leak|Address)Sanitizer" "$log" >&2
    rm -f "$log"
    echo "leak-check: sanitizer errors" >&2
    return 1
  fi
  if [ "$status" -ne 0 ]; then
    tail -40 "$log" >&2
    rm -f "$log"
    echo "leak-check: swift test failed ($status)" >&2
    return "$status"
  fi
  grep -E "Test run with" "$log" || true
  rm -f "$log"
  echo "leak-check: no leaks or memory errors reported"
}
