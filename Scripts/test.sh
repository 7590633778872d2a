#!/usr/bin/env bash
# The test command: installs what is missing, starts PostgreSQL and Redis on loopback,
# builds, runs the Swift tests and the Python (stock gRPC client) tests, stops the servers.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/install-deps.sh
data=${BOXOFFICE_TEST_DATA:-$PWD/.data/test}
eval "$(Scripts/dev-servers.sh start "$data")"
trap 'Scripts/dev-servers.sh stop "$data"' EXIT
Scripts/check-generated.sh
swift build --build-tests -Xswiftc -warnings-as-errors
swift test --skip-build --parallel
if compgen -G "Tests/Python/test_*.py" >/dev/null; then
  python3 -m pytest -q Tests/Python
fi
