#!/usr/bin/env bash
# Regenerates the wire contract's code from every .proto under Protos/:
#   Sources/CBoxOfficeProtos  protoc-c output (plus the well-known types they import and
#                             google/protobuf/descriptor.proto, which the generator decodes with)
#   Sources/BoxOfficeAPI      Swift written by boxoffice-codegen from the descriptor set
# Deterministic: sorted inputs, relative paths, no timestamps. Scripts/check-generated.sh
# runs this and fails on any diff.
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C

wkt_root=${BOXOFFICE_WKT_INCLUDE:-/usr/include}
scratch=${BOXOFFICE_CODEGEN_SCRATCH:-.build-codegen}
if ! command -v protoc-c >/dev/null || [ ! -f "$wkt_root/google/protobuf/descriptor.proto" ]; then
  echo "generate: needs protoc-c (protobuf-c-compiler) and $wkt_root/google/protobuf/*.proto (libprotobuf-dev)" >&2
  exit 1
fi

# Every .proto under Protos/, by import name.
mapfile -t protos < <(cd Protos && find . -name '*.proto' -type f | sed 's|^\./||' | sort)
[ ${#protos[@]} -gt 0 ] || { echo "generate: no .proto files under Protos/" >&2; exit 1; }

# The google/protobuf files they import, transitively, plus descriptor.proto for the generator.
imports_of() { sed -n 's/^[[:space:]]*import[[:space:]]*\(public[[:space:]]*\|weak[[:space:]]*\)\{0,1\}"\([^"]*\)".*/\2/p' "$@"; }
wkts=(google/protobuf/descriptor.proto)
pending=("${protos[@]/#/Protos/}")
while [ ${#pending[@]} -gt 0 ]; do
  mapfile -t found < <(imports_of "${pending[@]}" | grep '^google/protobuf/' | sort -u)
  pending=()
  for f in "${found[@]}"; do
    if [[ " ${wkts[*]} " != *" $f "* ]]; then wkts+=("$f"); pending+=("$wkt_root/$f"); fi
  done
done
mapfile -t wkts < <(printf '%s\n' "${wkts[@]}" | sort -u)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1. protoc-c: C structs, descriptors and pack/unpack for every file.
mkdir -p "$work/c"
protoc-c -IProtos -I"$wkt_root" --c_out="$work/c" "${protos[@]}" "${wkts[@]}"
c=Sources/CBoxOfficeProtos
rm -rf "$c/include" "$c/generated" "$c/placeholder.c" "$c/registry.c"
mkdir -p "$c/include" "$c/generated"
(cd "$work/c" && find . -name '*.pb-c.h' | sed 's|^\./||' | sort) | while read -r h; do
  mkdir -p "$c/include/$(dirname "$h")"; cp "$work/c/$h" "$c/include/$h"
done
(cd "$work/c" && find . -name '*.pb-c.c' | sed 's|^\./||' | sort) | while read -r s; do
  mkdir -p "$c/generated/$(dirname "$s")"; cp "$work/c/$s" "$c/generated/$s"
done
mapfile -t headers < <(cd "$c/include" && find . -name '*.pb-c.h' | sed 's|^\./||' | sort)
mapfile -t descriptors < <(cd "$c/include" && cat "${headers[@]}" \
  | sed -n 's/^extern const ProtobufCMessageDescriptor \([A-Za-z0-9_]*\);$/\1/p' | sort)
{
  echo '/* Umbrella header for the protoc-c output; written by Scripts/generate.sh. Do not edit. */'
  echo '#ifndef CBOXOFFICEPROTOS_H'
  echo '#define CBOXOFFICEPROTOS_H'
  echo '#include <stddef.h>'
  echo '#include <protobuf-c/protobuf-c.h>'
  for h in "${headers[@]}"; do echo "#include \"$h\""; done
  echo
  echo '/* Every message descriptor of the generated files (nested and map-entry types included). */'
  echo 'size_t cboxoffice_message_descriptor_count(void);'
  echo '/* The descriptor at index (< cboxoffice_message_descriptor_count()), sorted by C name. */'
  echo 'const ProtobufCMessageDescriptor *cboxoffice_message_descriptor_at(size_t index);'
  echo '#endif'
} > "$c/include/CBoxOfficeProtos.h"
{
  echo '/* The message descriptor registry; written by Scripts/generate.sh. Do not edit. */'
  echo '#include "CBoxOfficeProtos.h"'
  echo
  echo 'static const ProtobufCMessageDescriptor *const descriptors[] = {'
  for d in "${descriptors[@]}"; do echo "  &$d,"; done
  echo '};'
  echo
  echo 'size_t cboxoffice_message_descriptor_count(void) { return sizeof(descriptors) / sizeof(descriptors[0]); }'
  echo
  echo 'const ProtobufCMessageDescriptor *cboxoffice_message_descriptor_at(size_t index) {'
  echo '  return index < cboxoffice_message_descriptor_count() ? descriptors[index] : NULL;'
  echo '}'
} > "$c/registry.c"

# A module map of our own: SwiftPM allows no folders next to an umbrella header.
cat > "$c/include/module.modulemap" <<'MODULEMAP'
module CBoxOfficeProtos {
    header "CBoxOfficeProtos.h"
    export *
}
MODULEMAP

# 2. The descriptor set (imports included) that the Swift generator and reflection read.
protoc-c -IProtos -I"$wkt_root" --include_imports --include_source_info --descriptor_set_out="$work/descriptor-set.pb" "${protos[@]}"

# 3. The Swift generator, built against the fresh C target, writes Sources/BoxOfficeAPI.
swift build --scratch-path "$scratch" --product boxoffice-codegen -c debug >"$work/build.log" 2>&1 \
  || { cat "$work/build.log" >&2; exit 1; }
"$scratch/debug/boxoffice-codegen" --descriptor-set "$work/descriptor-set.pb" --output Sources/BoxOfficeAPI \
  --samples-output Sources/BoxOfficeProtoSamples \
  "${protos[@]}"
echo "generate: ${#protos[@]} protos (+${#wkts[@]} google/protobuf), ${#descriptors[@]} C message descriptors"
