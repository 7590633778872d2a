#!/usr/bin/env bash
# Installs everything BoxOffice needs on a fresh Debian 12 machine that already has Swift 6.3:
# the C libraries, PostgreSQL 15, Redis 7, protobuf-c's compiler, HTTP/2 tools, and the Python
# test clients. Idempotent: it skips what is already there.
set -euo pipefail
DEB_PACKAGES=(
  libnghttp2-dev libprotobuf-c-dev protobuf-c-compiler libprotobuf-dev
  libpq-dev libhiredis-dev postgresql redis-server redis-tools
  nghttp2-client nghttp2-server iproute2 nftables pkg-config
)
missing=()
for p in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "install-deps: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
here=$(cd "$(dirname "$0")" && pwd)
if ! python3 -c 'import grpc, grpc_tools, grpc_health, grpc_reflection, google.protobuf, h2, pytest' 2>/dev/null; then
  echo "install-deps: installing Python test clients" >&2
  python3 -m pip install -q -r "$here/../Tests/Python/requirements.txt"
fi
