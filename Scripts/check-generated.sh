#!/usr/bin/env bash
# Fails when the committed generated code differs from a fresh generation.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x Scripts/generate.sh ] || { echo "check-generated: no Scripts/generate.sh yet"; exit 0; }
Scripts/generate.sh
if ! git diff --quiet -- Sources/CBoxOfficeProtos Sources/BoxOfficeAPI Sources/BoxOfficeProtoSamples Protos; then
  echo "check-generated: generated files are stale; run Scripts/generate.sh and commit:" >&2
  git diff --stat -- Sources/CBoxOfficeProtos Sources/BoxOfficeAPI Sources/BoxOfficeProtoSamples Protos >&2
  exit 1
fi
