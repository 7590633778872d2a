"""A grpcio server with generic raw-bytes handlers, started by the Swift client tests.

Usage: python3 rpc_client_echo_server.py [--port N] [--name NAME] [--health SERVING|NOT_SERVING]
Prints "PORT <n>" on stdout once serving, then serves until stdin closes (so a crashed test process
never leaves it behind) or SIGKILL; SIGTERM stops gracefully (GOAWAY, in-flight calls finish).

Service boxoffice.test.Echo (all messages are raw bytes):
  Unary         echoes the request. Request metadata drives extra behaviour:
                  x-echo-status / x-echo-message-bin: abort with that code and (UTF-8) message;
                  x-echo-initial-*: sent back as initial metadata (same key and value);
                  x-echo-trailing-*: sent back as trailing metadata.
  WhoAmI        answers the server's --name (for balancing and failover tests).
  Sleep         sleeps x-sleep-ms (default 10000) unless cancelled, then echoes.
  Remaining     answers the server-side time remaining in ms (ASCII), or "none".
  ServerStream  answers x-count (default 3) messages: the request followed by the index byte.
  ClientStream  answers the concatenation of every request message.
  Bidi          echoes each request message as it arrives.
  Sized         answers x-size bytes of 0x61.
  Counted       answers x-count (default 100) messages of x-size (default 1024, at least 4) bytes,
                each starting with its index (4 bytes, big-endian); records under the key x-key
                how many it has handed to grpcio so far (grpcio takes the next one only once the
                previous one is written, so HTTP/2 flow control holds this count back).
  Yielded       answers that count for the key in the request (ASCII), "0" for an unknown key.
Also grpc.health.v1.Health, reporting --health for "" and boxoffice.test.Echo.

  Headers       answers the request metadata as "key=value" lines (binary values in hex).
"""
import argparse
import signal
import sys
import threading
import time
from concurrent import futures

import grpc
from grpc_health.v1 import health as health_servicer
from grpc_health.v1 import health_pb2, health_pb2_grpc

def metadata_of(context):
    return list(context.invocation_metadata())


def unary(request, context):
    md = metadata_of(context)
    initial = [(k, v) for k, v in md if k.startswith("x-echo-initial-")]
    trailing = [(k, v) for k, v in md if k.startswith("x-echo-trailing-")]
    if initial:
        context.send_initial_metadata(initial)
    if trailing:
        context.set_trailing_metadata(trailing)
    status = dict(md).get("x-echo-status")
    if status is not None:
        code = next(c for c in grpc.StatusCode if c.value[0] == int(status))
        message = dict(md).get("x-echo-message-bin", b"").decode("utf-8")
        context.abort(code, message)
    return request


def who_am_i(name):
    def handler(request, context):
        return name.encode()
    return handler


def sleep(request, context):
    ms = int(dict(metadata_of(context)).get("x-sleep-ms", "10000"))
    end = time.monotonic() + ms / 1000
    while time.monotonic() < end and context.is_active():
        time.sleep(0.005)
    return request


def remaining(request, context):
    left = context.time_remaining()
    # grpcio reports a huge number (not None) when the call has no deadline.
    return b"none" if left is None or left > 10 ** 6 else str(int(left * 1000)).encode()


def server_stream(request, context):
    count = int(dict(metadata_of(context)).get("x-count", "3"))
    for index in range(count):
        yield request + bytes([index % 256])


def client_stream(request_iterator, context):
    return b"".join(request_iterator)


def bidi(request_iterator, context):
    for message in request_iterator:
        yield message


def headers(request, context):
    lines = []
    for key, value in context.invocation_metadata():
        if isinstance(value, bytes):
            value = value.hex()
        lines.append(f"{key}={value}")
    return "\n".join(lines).encode()


def sized(request, context):
    return b"a" * int(dict(metadata_of(context)).get("x-size", "0"))


_yielded = {}
_yielded_lock = threading.Lock()


def counted(request, context):
    md = dict(metadata_of(context))
    count = int(md.get("x-count", "100"))
    size = max(4, int(md.get("x-size", "1024")))
    key = md.get("x-key", "")
    padding = b"c" * (size - 4)
    for index in range(count):
        with _yielded_lock:
            _yielded[key] = index + 1
        yield index.to_bytes(4, "big") + padding


def yielded(request, context):
    with _yielded_lock:
        return str(_yielded.get(request.decode(), 0)).encode()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--name", default="echo")
    parser.add_argument("--health", default="SERVING", help="grpc.health.v1 status of '' and the Echo service")
    args = parser.parse_args()

    handlers = {
        "Unary": grpc.unary_unary_rpc_method_handler(unary),
        "WhoAmI": grpc.unary_unary_rpc_method_handler(who_am_i(args.name)),
        "Sleep": grpc.unary_unary_rpc_method_handler(sleep),
        "Remaining": grpc.unary_unary_rpc_method_handler(remaining),
        "ServerStream": grpc.unary_stream_rpc_method_handler(server_stream),
        "ClientStream": grpc.stream_unary_rpc_method_handler(client_stream),
        "Bidi": grpc.stream_stream_rpc_method_handler(bidi),
        "Sized": grpc.unary_unary_rpc_method_handler(sized),
        "Headers": grpc.unary_unary_rpc_method_handler(headers),
        "Counted": grpc.unary_stream_rpc_method_handler(counted),
        "Yielded": grpc.unary_unary_rpc_method_handler(yielded),
    }
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=32),
        handlers=[grpc.method_handlers_generic_handler("boxoffice.test.Echo", handlers)],
        options=[("grpc.so_reuseport", 0), ("grpc.max_receive_message_length", 8 * 1024 * 1024),
                 ("grpc.max_send_message_length", 8 * 1024 * 1024)],
    )
    health = health_servicer.HealthServicer()
    status = health_pb2.HealthCheckResponse.ServingStatus.Value(args.health)
    for service in ("", "boxoffice.test.Echo"):
        health.set(service, status)
    health_pb2_grpc.add_HealthServicer_to_server(health, server)
    port = server.add_insecure_port(f"127.0.0.1:{args.port}")
    if port == 0:
        print("BIND-FAILED", flush=True)
        sys.exit(1)
    server.start()
    print(f"PORT {port}", flush=True)
    # SIGTERM: graceful stop (GOAWAY, in-flight calls get up to 30 s), as a deployment would.
    stopped = threading.Event()

    def graceful(signum, frame):
        threading.Thread(target=lambda: (server.stop(30).wait(), stopped.set()), daemon=True).start()

    signal.signal(signal.SIGTERM, graceful)
    # A parent may spawn us with signals blocked (inherited mask): make sure SIGTERM gets through.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
    # Serve until our parent closes stdin (or kills us), or a graceful stop has finished.
    threading.Thread(target=lambda: (sys.stdin.read(), stopped.set()), daemon=True).start()
    stopped.wait()
    server.stop(0)


if __name__ == "__main__":
    main()
