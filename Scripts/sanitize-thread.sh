#!/usr/bin/env bash
# Data-race check of the runtimes: their test targets (default BoxOfficeRPCTests,
# BoxOfficePostgresTests and BoxOfficeRedisTests; BOXOFFICE_TSAN_TARGETS overrides) under
# ThreadSanitizer. Fails on any TSan report (halt_on_error) or failing test, and prints a one-line
# verdict. Too slow for CI. The Postgres and Redis tests use BOXOFFICE_PG_URL / BOXOFFICE_REDIS_URL
# when set, else the harness starts throwaway servers.
#
# Step 1 proves the check can fail: it compiles the runtimes' lock (AnnotatedMutex) with a tiny
# program under TSan and requires (a) no report for state touched only under the lock and (b) a
# report for a counter the same threads touch outside it (with the suite's suppressions on). A
# clean suite run is then not an artefact of TSan being off, of the lock annotations or of the
# suppressions hiding races.
# Step 2 builds the tests with -sanitize=thread (first build: several minutes) and runs the suite
# BOXOFFICE_TSAN_RUNS times (default 3: races are timing-dependent), each target in turn, with
#   BOXOFFICE_EXPECT_TSAN=1        a test checks the lock's TSan annotations are live;
#   BOXOFFICE_TEST_TIME_SCALE=10   live tests stretch their connect/keepalive budgets (and the
#                                  bounds checked against them) for TSan's slowdown.
#
#   Scripts/sanitize-thread.sh          (scratch folder .build-tsan; BOXOFFICE_TSAN_SCRATCH overrides;
#                                        BOXOFFICE_BUILD_JOBS sets swift build -j)
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=${BOXOFFICE_TSAN_SCRATCH:-$PWD/.build-tsan}
read -r -a targets <<< "${BOXOFFICE_TSAN_TARGETS:-BoxOfficeRPCTests BoxOfficePostgresTests BoxOfficeRedisTests}"
runs=${BOXOFFICE_TSAN_RUNS:-3}
jobs=${BOXOFFICE_BUILD_JOBS:-1}
mkdir -p "$scratch"
# One known false positive outside this project's code: a continuation resumed (e.g. by NIO's
# EventLoopFuture.get()) before its task has suspended; the Swift concurrency runtime does not
# tell TSan about that hand-off (swiftlang/swift#57803, SR-15498). race_top matches only when
# the racing access itself is inside these standard-library functions, so a race on our own
# state reached from a continuation body is still reported. The same hand-off shows up the other
# way round when the resumed task writes its own frame right after `UnsafeContinuation.resume` on
# the resuming thread read it (pattern sScc6resume9returning: the mangled name without its leading
# `$`, an anchor in TSan patterns). That entry matches only races with one side inside `resume`
# itself, i.e. on the continuation's task context, never on state of ours. Matches are counted
# in the verdict.
printf '%s\n' "race_top:withUnsafeThrowingContinuation" "race_top:withUnsafeContinuation" 'race:sScc6resume9returning' > "$scratch/tsan.supp"
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:abort_on_error=0:exitcode=66:second_deadlock_stack=1:print_suppressions=1:suppressions=$scratch/tsan.supp}
export BOXOFFICE_EXPECT_TSAN=1
export BOXOFFICE_TEST_TIME_SCALE=${BOXOFFICE_TEST_TIME_SCALE:-10}
export SWIFT_BACKTRACE=enable=no   # a crash report, not a minutes-long symbolication
logs="$scratch/tsan-logs"
rm -rf "$logs" && mkdir -p "$logs"

verdict() {
  echo "sanitize-thread: $1"
  [[ $1 == PASS* ]]
}

# --- Step 1: the annotations on their own.
control="$scratch/tsan-control"
mkdir -p "$control"
cat > "$control/main.swift" <<'EOF'
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

final class Shared: Sendable {
    let locked = AnnotatedMutex<[Int]>([])
    nonisolated(unsafe) var unlocked = 0
}

enum Control {
    static let shared = Shared()
    static let mode = CommandLine.arguments.dropFirst().first ?? "locked"
}

func work() {
    for index in 0..<1_000 {
        Control.shared.locked.withLock { $0.append(index) }
        if Control.mode == "unlocked" { Control.shared.unlocked += 1 }
    }
}

nonisolated func runThreads() -> Int {
    guard ThreadSanitizerAnnotations.hooks != nil else { return 2 }
    var threads: [pthread_t] = []
    for _ in 0..<4 {
        var thread = pthread_t()
        pthread_create(&thread, nil, { _ in work(); return nil }, nil)
        threads.append(thread)
    }
    for thread in threads { pthread_join(thread, nil) }
    return Control.shared.locked.withLock { $0.count } == 4_000 ? 0 : 1
}

exit(Int32(runThreads()))
EOF
# Accept the module's `package` declarations in a standalone build.
swiftc -swift-version 6 -sanitize=thread -g -package-name BoxOffice -module-name TSanControl \
  Sources/BoxOfficeLocks/AnnotatedMutex.swift Sources/BoxOfficeLocks/ThreadSanitizerAnnotations.swift \
  "$control/main.swift" -o "$control/tsan-control" 2> "$logs/control-build.log" \
  || { cat "$logs/control-build.log" >&2; verdict "FAIL (control program did not build)"; exit 1; }
set +e
"$control/tsan-control" locked > "$logs/control-locked.log" 2>&1; locked_rc=$?
TSAN_OPTIONS="exitcode=66:suppressions=$scratch/tsan.supp" "$control/tsan-control" unlocked > "$logs/control-unlocked.log" 2>&1; unlocked_rc=$?
set -e
if ((locked_rc != 0)) || grep -q "ThreadSanitizer" "$logs/control-locked.log"; then
  cat "$logs/control-locked.log" >&2
  verdict "FAIL (TSan reported state kept under AnnotatedMutex, or its hooks are missing: exit $locked_rc)"; exit 1
fi
if ! grep -q "WARNING: ThreadSanitizer: .*race" "$logs/control-unlocked.log"; then
  cat "$logs/control-unlocked.log" >&2
  verdict "FAIL (TSan missed a deliberate race: the check would be blind; exit $unlocked_rc)"; exit 1
fi
echo "control: locked state clean, deliberate race reported"

# --- Step 2: the suite.
nice -n 19 swift build --scratch-path "$scratch" --build-tests --sanitize=thread -j "$jobs"
failed_runs=0
reports=0
suppressed=0
summary=""
for ((run = 1; run <= runs; run++)); do
  for target in "${targets[@]}"; do
    log="$logs/run-$run-$target.log"
    set +e
    nice -n 19 swift test --scratch-path "$scratch" --skip-build --sanitize=thread \
      --filter "^$target\\." > "$log" 2>&1
    rc=$?
    set -e
    found=$(grep -c "ThreadSanitizer: \(WARNING\|ERROR\)\|^WARNING: ThreadSanitizer\|^==[0-9]*==ERROR: ThreadSanitizer" "$log" || true)
    reports=$((reports + found))
    for matched in $(grep -oE "ThreadSanitizer: Matched [0-9]+ suppressions" "$log" | grep -oE "[0-9]+"); do
      suppressed=$((suppressed + matched))
    done
    summary=$(grep -E "Test run with [0-9]+ tests" "$log" | tail -1 || true)
    echo "run $run/$runs $target: exit $rc, TSan reports $found; ${summary:-no test summary}"
    if ((rc != 0 || found != 0)); then
      failed_runs=$((failed_runs + 1))
      grep -E "^✘|SUMMARY: ThreadSanitizer" "$log" | head -20 >&2 || true
    fi
  done
done
if ((failed_runs == 0)); then
  verdict "PASS — $runs TSan runs of ${targets[*]}, 0 TSan reports, every test passed ($suppressed known runtime false positives suppressed; logs in $logs)"
else
  verdict "FAIL — $failed_runs of $((runs * ${#targets[@]})) target runs failed, $reports TSan reports (logs in $logs)"
fi
