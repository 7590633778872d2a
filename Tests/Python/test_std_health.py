"""grpcio-health-checking's client against the health service of `boxoffice interop-server`."""
import signal

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from interop_support import start_interop_server

Status = health_pb2.HealthCheckResponse


@pytest.fixture(scope="module")
def health_stub():
    server = start_interop_server()
    try:
        with grpc.insecure_channel(server.target) as channel:
            yield health_pb2_grpc.HealthStub(channel)
    finally:
        assert server.stop() == 0


def test_check_server_is_serving(health_stub):
    assert health_stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=10).status == Status.SERVING


def test_check_registered_service_is_serving(health_stub):
    response = health_stub.Check(health_pb2.HealthCheckRequest(service="grpc.testing.TestService"), timeout=10)
    assert response.status == Status.SERVING


def test_check_unknown_service_is_not_found(health_stub):
    with pytest.raises(grpc.RpcError) as error:
        health_stub.Check(health_pb2.HealthCheckRequest(service="no.such.Service"), timeout=10)
    assert error.value.code() == grpc.StatusCode.NOT_FOUND


@pytest.mark.parametrize("service, expected", [
    ("", Status.SERVING),
    ("grpc.testing.TestService", Status.SERVING),
    ("no.such.Service", Status.SERVICE_UNKNOWN),
])
def test_watch_starts_with_the_current_status(health_stub, service, expected):
    call = health_stub.Watch(health_pb2.HealthCheckRequest(service=service), timeout=10)
    try:
        assert next(call).status == expected
    finally:
        call.cancel()
    assert call.code() == grpc.StatusCode.CANCELLED


def test_graceful_shutdown_turns_watchers_not_serving():
    server = start_interop_server()
    try:
        with grpc.insecure_channel(server.target) as channel:
            call = health_pb2_grpc.HealthStub(channel).Watch(health_pb2.HealthCheckRequest(service=""), timeout=10)
            assert next(call).status == Status.SERVING
            server.process.send_signal(signal.SIGTERM)
            assert next(call).status == Status.NOT_SERVING
            call.cancel()
    finally:
        assert server.stop() == 0
