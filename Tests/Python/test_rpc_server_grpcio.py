"""Python grpcio (a stock gRPC client) calling the Swift rpc-echo-server."""
import queue
import time

import grpc
import pytest

from rpc_server_support import EchoServer


@pytest.fixture(scope="module")
def server():
    server = EchoServer()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def channel(server):
    with grpc.insecure_channel(server.target) as channel:
        yield channel


def test_unary_echo_with_metadata_both_ways(channel):
    call = channel.unary_unary("/echo.Echo/Unary")
    response, info = call.with_call(
        b"seat 12A", timeout=5,
        metadata=[("x-echo-a", "1"), ("x-echo-a", "2"), ("x-echo-blob-bin", b"\x00\xff\x10"),
                  ("x-trailer-t", "done"), ("x-trailer-t-bin", b"\x01\x02")])
    assert response == b"seat 12A"
    initial = [(m.key, m.value) for m in info.initial_metadata()]
    assert ("x-echo-a", "1") in initial and ("x-echo-a", "2") in initial
    assert ("x-echo-blob-bin", b"\x00\xff\x10") in initial
    trailing = [(m.key, m.value) for m in info.trailing_metadata()]
    assert ("x-trailer-t", "done") in trailing
    assert ("x-trailer-t-bin", b"\x01\x02") in trailing
    assert info.code() == grpc.StatusCode.OK


def test_empty_and_large_messages(channel):
    call = channel.unary_unary("/echo.Echo/Unary")
    assert call(b"", timeout=5) == b""
    large = bytes(range(256)) * 4096  # 1 MiB
    assert call(large, timeout=10) == large


def test_message_over_4_mib_is_resource_exhausted(channel):
    call = channel.unary_unary("/echo.Echo/Unary")
    with pytest.raises(grpc.RpcError) as error:
        call(b"x" * (4 * 1024 * 1024 + 1), timeout=10)
    assert error.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert call(b"still fine", timeout=5) == b"still fine"


def test_server_streaming(channel):
    call = channel.unary_stream("/echo.Echo/ServerStream")
    stream = call(b"tick", metadata=[("x-count", "5"), ("x-echo-k", "v")], timeout=5)
    assert list(stream) == [b"tick"] * 5
    assert ("x-echo-k", "v") in [(m.key, m.value) for m in stream.initial_metadata()]
    assert stream.code() == grpc.StatusCode.OK


def test_client_streaming(channel):
    call = channel.stream_unary("/echo.Echo/ClientStream")
    parts = [bytes([i]) * size for i, size in enumerate([27182, 8, 1828, 45904])]
    assert call(iter(parts), timeout=10) == b"".join(parts)
    assert call(iter([]), timeout=5) == b""


def test_bidi_ping_pong(channel):
    requests = queue.Queue()

    def produce():
        while True:
            item = requests.get(timeout=5)
            if item is None:
                return
            yield item

    call = channel.stream_stream("/echo.Echo/Bidi")
    responses = call(produce(), timeout=10)
    for i in range(10):
        requests.put(b"ping %d" % i)
        assert next(responses) == b"ping %d" % i
    requests.put(None)
    assert list(responses) == []
    assert responses.code() == grpc.StatusCode.OK


def test_status_code_and_special_message(channel):
    message = "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n"
    call = channel.unary_unary("/echo.Echo/Unary")
    with pytest.raises(grpc.RpcError) as error:
        call(b"", timeout=5, metadata=[("x-status-code", "2"), ("x-status-message-bin", message.encode()),
                                       ("x-trailer-why-bin", b"\xde\xad")])
    assert error.value.code() == grpc.StatusCode.UNKNOWN
    assert error.value.details() == message
    assert ("x-trailer-why-bin", b"\xde\xad") in [(m.key, m.value) for m in error.value.trailing_metadata()]


def test_error_after_streamed_messages(channel):
    call = channel.unary_stream("/echo.Echo/ServerStream")
    stream = call(b"m", timeout=5, metadata=[("x-count", "2"), ("x-status-code", "9"),
                                             ("x-status-message-bin", b"sold out")])
    received = []
    with pytest.raises(grpc.RpcError) as error:
        for message in stream:
            received.append(message)
    assert received == [b"m", b"m"]
    assert error.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert error.value.details() == "sold out"


@pytest.mark.parametrize("path", ["/echo.Echo/NoSuchMethod", "/no.Such/Service"])
def test_unimplemented(channel, path):
    with pytest.raises(grpc.RpcError) as error:
        channel.unary_unary(path)(b"", timeout=5)
    assert error.value.code() == grpc.StatusCode.UNIMPLEMENTED


def test_deadline_exceeded_is_prompt(channel):
    call = channel.unary_unary("/echo.Echo/Sleep")
    started = time.monotonic()
    with pytest.raises(grpc.RpcError) as error:
        call(b"", timeout=0.3)
    assert error.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert time.monotonic() - started < 3


def test_deadline_is_visible_to_the_handler(channel):
    remaining = int(channel.unary_unary("/echo.Echo/Deadline")(b"", timeout=5))
    assert 3000 < remaining <= 5100
    assert channel.unary_unary("/echo.Echo/Deadline")(b"") == b"none"


def test_cancelled_call_leaves_the_server_serving(channel, server):
    call = channel.unary_unary("/echo.Echo/Sleep")
    futures = [call.future(b"", timeout=30) for _ in range(20)]
    time.sleep(0.2)  # let the calls reach the handlers before cancelling them
    for future in futures:
        future.cancel()
    for future in futures:
        assert future.cancelled()
    assert channel.unary_unary("/echo.Echo/Unary")(b"after", timeout=5) == b"after"


def test_many_concurrent_calls(channel):
    call = channel.unary_unary("/echo.Echo/Unary")
    futures = [call.future(b"%d" % i, timeout=20) for i in range(300)]
    assert [f.result() for f in futures] == [b"%d" % i for i in range(300)]


def test_graceful_shutdown_finishes_in_flight_calls():
    server = EchoServer()
    try:
        with grpc.insecure_channel(server.target) as channel:
            call = channel.unary_unary("/echo.Echo/Sleep")
            future = call.future(b"drained", timeout=10, metadata=[("x-sleep-ms", "500")])
            time.sleep(0.2)
            server.process.terminate()
            assert future.result() == b"drained"
            assert server.process.wait(timeout=10) == 0
    finally:
        server.stop()


def rss_bytes(server):
    with open("/proc/%d/status" % server.process.pid) as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def test_slow_reader_gets_back_pressure_not_buffering(server):
    """A server-streaming handler producing 64 MiB for a client that stops reading must wait
    (flow control + bounded outbound buffer) instead of buffering it all."""
    with grpc.insecure_channel(server.target) as channel:
        stream = channel.unary_stream("/echo.Echo/ServerStream")(
            b"x" * 65536, metadata=[("x-count", "1024")], timeout=30)
        assert next(stream) == b"x" * 65536
        before = rss_bytes(server)
        peak = before
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline:  # observe for a bounded time while the client does not read
            peak = max(peak, rss_bytes(server))
            time.sleep(0.05)
        stream.cancel()
        assert peak - before < 24 * 1024 * 1024
        assert channel.unary_unary("/echo.Echo/Unary")(b"ok", timeout=5) == b"ok"
