"""Python grpcio as the interop client against `boxoffice interop-server`: the cases of grpc's
interop test descriptions, written with the stubs generated from Protos/grpc/testing."""
import queue
import threading

import grpc
import pytest

from interop_support import start_interop_server, stubs

ECHO_INITIAL = ("x-grpc-test-echo-initial", "test_initial_metadata_value")
ECHO_TRAILING = ("x-grpc-test-echo-trailing-bin", b"\xab\xab\xab")
SPECIAL = "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n"


@pytest.fixture(scope="module")
def server():
    server = start_interop_server()
    yield server
    assert server.stop() == 0


@pytest.fixture(scope="module")
def channel(server):
    with grpc.insecure_channel(server.target) as channel:
        yield channel


@pytest.fixture(scope="module")
def stub(channel):
    return stubs().test_grpc.TestServiceStub(channel)


def m():
    return stubs().messages


def payload(size):
    return m().Payload(body=b"\0" * size)


def params(*sizes):
    return [m().ResponseParameters(size=s) for s in sizes]


def test_empty_unary(stub):
    assert stub.EmptyCall(stubs().empty.Empty(), timeout=10) == stubs().empty.Empty()


def test_large_unary(stub):
    response = stub.UnaryCall(m().SimpleRequest(response_size=314159, payload=payload(271828)), timeout=10)
    assert response.payload.body == b"\0" * 314159


def test_client_streaming(stub):
    requests = (m().StreamingInputCallRequest(payload=payload(s)) for s in [27182, 8, 1828, 45904])
    assert stub.StreamingInputCall(requests, timeout=10).aggregated_payload_size == 74922


def test_server_streaming(stub):
    request = m().StreamingOutputCallRequest(response_parameters=params(31415, 9, 2653, 58979))
    sizes = [len(r.payload.body) for r in stub.StreamingOutputCall(request, timeout=10)]
    assert sizes == [31415, 9, 2653, 58979]


def test_ping_pong(stub):
    requests = queue.Queue()
    call = stub.FullDuplexCall(iter(requests.get, None), timeout=10)
    for response_size, request_size in [(31415, 27182), (9, 8), (2653, 1828), (58979, 45904)]:
        requests.put(m().StreamingOutputCallRequest(response_parameters=params(response_size),
                                                    payload=payload(request_size)))
        assert len(next(call).payload.body) == response_size
    requests.put(None)
    assert list(call) == []
    assert call.code() == grpc.StatusCode.OK


def test_empty_stream(stub):
    assert list(stub.FullDuplexCall(iter([]), timeout=10)) == []


def test_custom_metadata_unary(stub):
    response, call = stub.UnaryCall.with_call(
        m().SimpleRequest(response_size=314159, payload=payload(271828)),
        metadata=[ECHO_INITIAL, ECHO_TRAILING], timeout=10)
    assert len(response.payload.body) == 314159
    assert ECHO_INITIAL in call.initial_metadata()
    assert ECHO_TRAILING in call.trailing_metadata()


def test_custom_metadata_full_duplex(stub):
    request = m().StreamingOutputCallRequest(response_parameters=params(314159), payload=payload(271828))
    call = stub.FullDuplexCall(iter([request]), metadata=[ECHO_INITIAL, ECHO_TRAILING], timeout=10)
    assert [len(r.payload.body) for r in call] == [314159]
    assert ECHO_INITIAL in call.initial_metadata()
    assert ECHO_TRAILING in call.trailing_metadata()


@pytest.mark.parametrize("message", ["test status message", SPECIAL])
def test_status_code_and_message_unary(stub, message):
    with pytest.raises(grpc.RpcError) as error:
        stub.UnaryCall(m().SimpleRequest(response_status=m().EchoStatus(code=2, message=message)), timeout=10)
    assert error.value.code() == grpc.StatusCode.UNKNOWN
    assert error.value.details() == message


def test_status_code_and_message_full_duplex(stub):
    request = m().StreamingOutputCallRequest(response_status=m().EchoStatus(code=2, message="test status message"))
    call = stub.FullDuplexCall(iter([request]), timeout=10)
    with pytest.raises(grpc.RpcError):
        list(call)
    assert call.code() == grpc.StatusCode.UNKNOWN
    assert call.details() == "test status message"


def test_unimplemented_method(stub):
    with pytest.raises(grpc.RpcError) as error:
        stub.UnimplementedCall(stubs().empty.Empty(), timeout=10)
    assert error.value.code() == grpc.StatusCode.UNIMPLEMENTED


def test_unimplemented_service(channel):
    stub = stubs().test_grpc.UnimplementedServiceStub(channel)
    with pytest.raises(grpc.RpcError) as error:
        stub.UnimplementedCall(stubs().empty.Empty(), timeout=10)
    assert error.value.code() == grpc.StatusCode.UNIMPLEMENTED


def test_timeout_on_sleeping_server(stub):
    never_ending = threading.Event()

    def requests():
        yield m().StreamingOutputCallRequest(payload=payload(27182))
        never_ending.wait(10)

    call = stub.FullDuplexCall(requests(), timeout=0.001)
    try:
        with pytest.raises(grpc.RpcError):
            list(call)
        assert call.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    finally:
        never_ending.set()


def test_cancel_after_begin(stub):
    never_ending = threading.Event()

    def requests():
        never_ending.wait(10)
        yield from ()

    future = stub.StreamingInputCall.future(requests(), timeout=10)
    future.cancel()
    never_ending.set()
    assert future.cancelled()
    assert future.code() == grpc.StatusCode.CANCELLED


def test_cancel_after_first_response(stub):
    requests = queue.Queue()
    call = stub.FullDuplexCall(iter(requests.get, None), timeout=10)
    requests.put(m().StreamingOutputCallRequest(response_parameters=params(31415), payload=payload(27182)))
    assert len(next(call).payload.body) == 31415
    call.cancel()
    requests.put(None)
    assert call.code() == grpc.StatusCode.CANCELLED


def test_deadline_is_visible_as_deadline_exceeded_on_a_slow_stream(stub):
    request = m().StreamingOutputCallRequest(
        response_parameters=[m().ResponseParameters(size=1), m().ResponseParameters(size=1, interval_us=2_000_000)])
    call = stub.StreamingOutputCall(request, timeout=0.5)
    with pytest.raises(grpc.RpcError):
        list(call)
    assert call.code() == grpc.StatusCode.DEADLINE_EXCEEDED


def test_server_still_healthy_after_the_cases(stub):
    assert stub.EmptyCall(stubs().empty.Empty(), timeout=10) == stubs().empty.Empty()
