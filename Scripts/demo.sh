#!/usr/bin/env bash
# The main job, end to end on a fresh machine: installs what is missing (Scripts/install-deps.sh),
# builds `boxoffice` (release: the default crowd is 50,000 shoppers), and runs a ticket drop on a
# local cluster the command starts and stops itself — PostgreSQL and Redis from the Debian binaries
# in a temporary folder, the four services on free ports. Live progress goes to stderr, the report
# to stdout; the exit status is 1 when anything was oversold or money was not conserved.
#
# Arguments go to `boxoffice drop`, e.g. `Scripts/demo.sh --users 5000 --seats 2000 --ga 500`,
# `--json`, `--history drop.jsonl`. BOXOFFICE_DEMO_BUILD=debug skips the (slower) release build.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/install-deps.sh
configuration=${BOXOFFICE_DEMO_BUILD:-release}
echo "== building boxoffice ($configuration)" >&2
swift build -c "$configuration" --product boxoffice >&2
bin=$(swift build -c "$configuration" --show-bin-path)/boxoffice
echo "== boxoffice drop $*" >&2
exec "$bin" drop "$@"
