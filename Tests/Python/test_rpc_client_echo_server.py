"""Checks the grpcio echo server that the Swift client tests run against, with grpcio's own client.

The Swift tests (Tests/BoxOfficeRPCTests/Client*.swift) assert our client's behaviour against this
server; these tests pin down that the server behaves that way for a stock gRPC client too, so a
disagreement points at our client, not at the fixture.
"""
import os
import signal
import subprocess
import sys
import threading

import grpc
import pytest

SERVER = os.path.join(os.path.dirname(__file__), "rpc_client_echo_server.py")


@pytest.fixture
def server():
    process = subprocess.Popen([sys.executable, SERVER, "--name", "pytest"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    assert line.startswith("PORT "), line
    port = int(line.split()[1])
    yield process, port
    if process.poll() is None:
        process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def method(channel, name, kind="unary_unary"):
    return getattr(channel, kind)(f"/boxoffice.test.Echo/{name}")


def test_rpc_client_echo_unary_metadata_both_ways(server):
    _, port = server
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        call = method(channel, "Unary")
        response, outcome = call.with_call(b"ping", metadata=[("x-echo-initial-a", "1"), ("x-echo-trailing-b-bin", b"\x00\xff")])
        assert response == b"ping"
        assert ("x-echo-initial-a", "1") in outcome.initial_metadata()
        assert ("x-echo-trailing-b-bin", b"\x00\xff") in outcome.trailing_metadata()


def test_rpc_client_echo_status_with_special_message(server):
    _, port = server
    text = "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n"
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        with pytest.raises(grpc.RpcError) as raised:
            method(channel, "Unary")(b"", metadata=[("x-echo-status", "9"), ("x-echo-message-bin", text.encode())])
        assert raised.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert raised.value.details() == text


def test_rpc_client_echo_remaining_reports_the_deadline(server):
    _, port = server
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        remaining = method(channel, "Remaining")
        assert remaining(b"") == b"none"
        milliseconds = int(remaining(b"", timeout=3))
        assert 1000 < milliseconds <= 3100  # grpcio rounds the timeout up a little


def test_rpc_client_echo_streaming_kinds(server):
    _, port = server
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        assert list(method(channel, "ServerStream", "unary_stream")(b"m", metadata=[("x-count", "3")])) == [
            b"m\x00", b"m\x01", b"m\x02"]
        assert method(channel, "ClientStream", "stream_unary")(iter([b"a", b"bc"])) == b"abc"
        assert list(method(channel, "Bidi", "stream_stream")(iter([b"1", b"2"]))) == [b"1", b"2"]


def test_rpc_client_echo_sigterm_lets_inflight_calls_finish(server):
    process, port = server
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        release = threading.Event()

        def requests():
            yield b"1"
            release.wait(10)
            yield b"2"

        call = method(channel, "Bidi", "stream_stream")(requests())
        assert next(call) == b"1"
        process.send_signal(signal.SIGTERM)
        release.set()
        assert list(call) == [b"2"]
    assert process.wait(timeout=15) == 0


def test_rpc_client_echo_counted_stream_records_what_it_yielded(server):
    _, port = server
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        yielded = method(channel, "Yielded")
        assert yielded(b"pytest-unknown") == b"0"
        call = method(channel, "Counted", "unary_stream")(
            b"", metadata=[("x-count", "50"), ("x-size", "100"), ("x-key", "pytest-counted")])
        messages = list(call)
        assert [int.from_bytes(m[:4], "big") for m in messages] == list(range(50))
        assert all(len(m) == 100 and m[4:] == b"c" * 96 for m in messages)
        assert yielded(b"pytest-counted") == b"50"
