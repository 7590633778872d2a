#!/usr/bin/env bash
# Fails when the committed generated code differs from a fresh generation: a changed, missing
# or new file under the generated folders (untracked files count, so a generator that starts
# writing a new file is caught too).
set -euo pipefail
cd "$(dirname "$0")/.."
generated=(Sources/CBoxOfficeProtos Sources/BoxOfficeAPI Sources/BoxOfficeProtoSamples)
# The test command builds into .build next; building the generator there too saves a second
# compile of BoxOfficeProto and boxoffice-codegen in a separate scratch folder.
BOXOFFICE_CODEGEN_SCRATCH=${BOXOFFICE_CODEGEN_SCRATCH:-.build} Scripts/generate.sh
changes=$(git status --porcelain --untracked-files=all -- "${generated[@]}")
if [ -n "$changes" ]; then
  echo "check-generated: generated files are stale; run Scripts/generate.sh and commit:" >&2
  echo "$changes" >&2
  exit 1
fi
echo "check-generated: generated code is fresh"
