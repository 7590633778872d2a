#!/usr/bin/env bash
# What runs end to end today, on a fresh machine: installs what is missing, builds `boxoffice`,
# starts `boxoffice interop-server` (grpc.testing.TestService + health + reflection on the
# nghttp2/NIO runtime), runs our interop client's cases against it, then a stock Python grpcio
# client (health check, reflection listing, a unary call), and stops the server.
# The ticket drop (`boxoffice drop`, issue 8) replaces this once the services are wired.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/install-deps.sh
echo "== building boxoffice"
swift build --product boxoffice
bin=$(swift build --show-bin-path)/boxoffice
log=$(mktemp); server=""
cleanup() { [ -n "$server" ] && kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null; rm -f "$log"; }
trap cleanup EXIT
"$bin" interop-server --port 0 >"$log" 2>&1 &
server=$!
for _ in $(seq 1 100); do grep -q '^LISTENING' "$log" && break; sleep 0.1; done
port=$(sed -n 's/^LISTENING \([0-9]*\)$/\1/p' "$log")
[ -n "$port" ] || { echo "interop-server did not start:" >&2; cat "$log" >&2; exit 1; }
echo "== interop-server listening on 127.0.0.1:$port"
echo "== boxoffice interop-client (our client, our server)"
"$bin" interop-client --server "127.0.0.1:$port"
echo "== stock Python grpcio client"
python3 - "$port" <<'PY'
import sys, grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
port = sys.argv[1]
with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
    status = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""), timeout=5)
    print("health:", health_pb2.HealthCheckResponse.ServingStatus.Name(status.status))
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    answers = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=5)
    for answer in answers:
        print("services:", ", ".join(s.name for s in answer.list_services_response.service))
    empty = channel.unary_unary("/grpc.testing.TestService/EmptyCall")(b"", timeout=5)
    print("grpc.testing.TestService/EmptyCall answered", len(empty), "bytes")
PY
echo "== done"
