"""A Python grpcio grpc.testing.TestService server, for running `boxoffice interop-client`
against a stock gRPC implementation.

    python3 interop_test_server.py GENERATED_STUBS_DIR [--health-only]

Binds 127.0.0.1 on a free port and prints 'LISTENING <port>'. With --health-only it serves
only grpc.health.v1.Health (every TestService call is then UNIMPLEMENTED).
"""
import signal
import sys
import threading
import time
from concurrent import futures

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

sys.path.insert(0, sys.argv[1])
from interop_gen.testing import empty_pb2, messages_pb2, testservice_pb2_grpc as test_pb2_grpc  # noqa: E402

ECHO_INITIAL = "x-grpc-test-echo-initial"
ECHO_TRAILING = "x-grpc-test-echo-trailing-bin"
CODES = {code.value[0]: code for code in grpc.StatusCode}


def echo_metadata(context):
    initial = [(k, v) for k, v in context.invocation_metadata() if k == ECHO_INITIAL]
    trailing = [(k, v) for k, v in context.invocation_metadata() if k == ECHO_TRAILING]
    if initial:
        context.send_initial_metadata(initial)
    if trailing:
        context.set_trailing_metadata(trailing)


def abort_if_requested(status, context):
    if status is not None and status.code != 0:
        context.abort(CODES[status.code], status.message)


def payload(size):
    return messages_pb2.Payload(type=messages_pb2.COMPRESSABLE, body=b"\0" * size)


def stream_responses(request, context):
    abort_if_requested(request.response_status if request.HasField("response_status") else None, context)
    for parameters in request.response_parameters:
        if parameters.interval_us:
            time.sleep(parameters.interval_us / 1e6)
        yield messages_pb2.StreamingOutputCallResponse(payload=payload(parameters.size))


class TestService(test_pb2_grpc.TestServiceServicer):
    def EmptyCall(self, request, context):
        return empty_pb2.Empty()

    def UnaryCall(self, request, context):
        echo_metadata(context)
        abort_if_requested(request.response_status if request.HasField("response_status") else None, context)
        return messages_pb2.SimpleResponse(payload=payload(request.response_size))

    def StreamingOutputCall(self, request, context):
        echo_metadata(context)
        yield from stream_responses(request, context)

    def StreamingInputCall(self, request_iterator, context):
        echo_metadata(context)
        total = sum(len(request.payload.body) for request in request_iterator)
        return messages_pb2.StreamingInputCallResponse(aggregated_payload_size=total)

    def FullDuplexCall(self, request_iterator, context):
        echo_metadata(context)
        for request in request_iterator:
            yield from stream_responses(request, context)

    def HalfDuplexCall(self, request_iterator, context):
        echo_metadata(context)
        for request in list(request_iterator):
            yield from stream_responses(request, context)


def main():
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
    if "--health-only" not in sys.argv:
        test_pb2_grpc.add_TestServiceServicer_to_server(TestService(), server)
    servicer = health.HealthServicer()
    servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(f"LISTENING {port}", flush=True)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    stopped.wait()
    server.stop(grace=2).wait()


if __name__ == "__main__":
    main()
