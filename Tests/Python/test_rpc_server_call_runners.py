"""Calls that arrive in one read of rpc-echo-server share runner tasks (ServerConnectionHandler).

Several requests written in one piece reach the server in one read; their calls are run in order
by one task until a call waits, when a fresh task takes the rest. These cases check the two
promises that sharing must keep: a call that waits delays no call behind it, and a call that was
cancelled leaves no cancellation behind for the calls after it.
"""
import h2.events
import pytest

from rpc_server_support import EchoServer, connect, grpc_frame
from test_rpc_server_abuse import h2_client, read_until, request_headers, trailers_of


@pytest.fixture(scope="module")
def server():
    server = EchoServer()
    yield server
    server.stop()


def ended(events, stream_id):
    return any(isinstance(e, (h2.events.StreamEnded, h2.events.StreamReset)) and e.stream_id == stream_id
               for e in events)


def all_ended(stream_ids):
    return lambda events: all(ended(events, stream_id) for stream_id in stream_ids)


def send_call(conn, stream_id, path, payload, extra=()):
    conn.send_headers(stream_id, request_headers(path=path, extra=extra))
    conn.send_data(stream_id, grpc_frame(payload), end_stream=True)


def test_a_waiting_call_does_not_hold_back_the_calls_read_with_it(server):
    with connect(server.port) as sock:
        conn = h2_client(sock)
        # First in the read: a call that waits 3 s; then echoes that answer at once.
        send_call(conn, 1, "/echo.Echo/Sleep", b"late", extra=[("x-sleep-ms", "3000")])
        echoes = [3, 5, 7, 9]
        for stream_id in echoes:
            send_call(conn, stream_id, "/echo.Echo/Unary", b"echo %d" % stream_id)
        sock.sendall(conn.data_to_send())

        events, closed = read_until(sock, conn, all_ended(echoes), timeout=10)
        assert not closed
        for stream_id in echoes:
            assert trailers_of(events, stream_id).get("grpc-status") == "0", stream_id
            body = b"".join(e.data for e in events if isinstance(e, h2.events.DataReceived) and e.stream_id == stream_id)
            assert body == grpc_frame(b"echo %d" % stream_id)
        # Had the echoes waited behind the sleeper, it would have ended first.
        assert not ended(events, 1)

        events, _ = read_until(sock, conn, all_ended([1]), timeout=10)
        assert trailers_of(events, 1).get("grpc-status") == "0"


def test_a_cancelled_call_leaves_the_calls_after_it_uncancelled(server):
    with connect(server.port) as sock:
        conn = h2_client(sock)
        # One read: a call, its cancellation (RST_STREAM CANCEL) and then two calls that sleep
        # briefly. The cancelled call's task is cancelled; the next calls must not run in it,
        # or their sleep would throw and they would end CANCELLED.
        send_call(conn, 1, "/echo.Echo/Sleep", b"cancel me", extra=[("x-sleep-ms", "60000")])
        conn.reset_stream(1, error_code=8)
        send_call(conn, 3, "/echo.Echo/Sleep", b"after", extra=[("x-sleep-ms", "20")])
        send_call(conn, 5, "/echo.Echo/Sleep", b"after too", extra=[("x-sleep-ms", "20")])
        sock.sendall(conn.data_to_send())

        events, closed = read_until(sock, conn, all_ended([3, 5]), timeout=10)
        assert not closed
        for stream_id in (3, 5):
            assert trailers_of(events, stream_id).get("grpc-status") == "0", (stream_id, trailers_of(events, stream_id))
