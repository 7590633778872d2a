#!/usr/bin/env bash
# The test command: installs what is missing, starts PostgreSQL and Redis on loopback,
# checks the generated code is fresh, builds warning-free, runs every Swift test target
# (one target at a time: each target's tests run in parallel, but two targets' live-server
# tests at once overload a 2-core machine) and the Python tests (stock gRPC clients and
# servers, protobuf cross-checks, raw HTTP/2 abuse), then stops the servers.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/install-deps.sh
data=${BOXOFFICE_TEST_DATA:-$PWD/.data/test}
eval "$(Scripts/dev-servers.sh start "$data")"
trap 'Scripts/dev-servers.sh stop "$data"' EXIT
Scripts/check-generated.sh
swift build --build-tests -Xswiftc -warnings-as-errors

failed=()
for dir in Tests/*Tests; do
  target=$(basename "$dir")
  echo "=== swift test: $target"
  swift test --skip-build --filter "^$target\." || failed+=("$target")
done
echo "=== pytest: Tests/Python"
python3 -m pytest -q Tests/Python || failed+=("Tests/Python")

if ((${#failed[@]})); then
  echo "FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "all test suites passed"
