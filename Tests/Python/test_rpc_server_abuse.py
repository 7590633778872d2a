"""Bad input from a raw HTTP/2 client (Python h2 and hand-made frames) against rpc-echo-server.

Each case checks that the offending stream or connection is closed with the right error, that a
separate, already-open gRPC connection keeps working, and (at the end) that no descriptor leaked.
"""
import socket
import time

import grpc
import h2.config
import h2.connection
import h2.events
import hpack
import pytest

from rpc_server_support import EchoServer, connect, grpc_frame

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
ENHANCE_YOUR_CALM = 11
PROTOCOL_ERROR = 1


@pytest.fixture(scope="module")
def server():
    server = EchoServer()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def bystander(server):
    """A gRPC connection opened before the abuse; it must keep working throughout."""
    with grpc.insecure_channel(server.target) as channel:
        call = channel.unary_unary("/echo.Echo/Unary")
        assert call(b"hello", timeout=5) == b"hello"
        yield call


@pytest.fixture(scope="module")
def baseline_fds(server, bystander):
    return server.fd_count()


def still_serving(bystander):
    assert bystander(b"still here", timeout=5) == b"still here"


def frame(kind, flags, stream, payload):
    return len(payload).to_bytes(3, "big") + bytes([kind, flags]) + stream.to_bytes(4, "big") + payload


def h2_client(sock):
    config = h2.config.H2Configuration(client_side=True, header_encoding="utf-8",
                                       validate_outbound_headers=False, normalize_outbound_headers=False,
                                       validate_inbound_headers=False)
    conn = h2.connection.H2Connection(config=config)
    conn.initiate_connection()
    sock.sendall(conn.data_to_send())
    return conn


def request_headers(path="/echo.Echo/Unary", extra=()):
    return [(":method", "POST"), (":scheme", "http"), (":path", path), (":authority", "localhost"),
            ("content-type", "application/grpc"), ("te", "trailers"), *extra]


def read_until(sock, conn, done, timeout=5.0):
    """Feeds received bytes to `conn` until `done(events)` or the peer closes; bounded by `timeout`.

    Returns (events, closed)."""
    events = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            data = sock.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            return events, True
        if not data:
            return events, True
        try:
            events.extend(conn.receive_data(data))
        except Exception:  # the h2 state machine may object to what follows a GOAWAY
            pass
        outbound = conn.data_to_send()
        if outbound:
            try:
                sock.sendall(outbound)
            except OSError:
                return events, True
        if done(events):
            return events, False
    return events, False


def wait_closed(sock, timeout=5.0):
    """Reads raw bytes until the peer closes; returns (bytes, closed)."""
    received = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            data = sock.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            return received, True
        if not data:
            return received, True
        received += data
    return received, False


def goaway_codes(raw):
    """Error codes of the GOAWAY frames in a raw server byte stream."""
    codes, offset = [], 0
    while offset + 9 <= len(raw):
        length = int.from_bytes(raw[offset:offset + 3], "big")
        kind = raw[offset + 3]
        payload = raw[offset + 9:offset + 9 + length]
        if kind == 7 and len(payload) >= 8:
            codes.append(int.from_bytes(payload[4:8], "big"))
        offset += 9 + length
    return codes


def trailers_of(events, stream_id):
    fields = {}
    for event in events:
        if isinstance(event, (h2.events.ResponseReceived, h2.events.TrailersReceived)) and event.stream_id == stream_id:
            fields.update(dict(event.headers))
    return fields


def stream_ended(stream_id):
    def done(events):
        return any(isinstance(e, (h2.events.StreamEnded, h2.events.StreamReset)) and e.stream_id == stream_id
                   for e in events)
    return done


def test_garbage_bytes_close_the_connection(server, bystander):
    with connect(server.port) as sock:
        sock.sendall(b"\x16\x03\x01garbage that is not HTTP/2" * 50)
        _, closed = wait_closed(sock)
        assert closed
    still_serving(bystander)


def test_http1_request_is_refused(server, bystander):
    with connect(server.port) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        raw, closed = wait_closed(sock)
        assert closed
        assert not raw.startswith(b"HTTP/1.1 200")
    still_serving(bystander)


def test_truncated_frame_then_disconnect(server, bystander):
    with connect(server.port) as sock:
        sock.sendall(PREFACE + frame(4, 0, 0, b"") + frame(1, 4, 1, b"\x82\x86")[:7])
        time.sleep(0.1)
    with connect(server.port) as sock:
        # A frame header announcing more payload than ever arrives; the server waits, the idle
        # peer goes away, and nothing is left behind (checked by the fd test).
        sock.sendall(PREFACE + frame(4, 0, 0, b"") + (1000).to_bytes(3, "big") + b"\x00\x00\x00\x00\x00\x01abc")
    still_serving(bystander)


def test_message_prefix_claiming_4_gib(server, bystander):
    with connect(server.port) as sock:
        conn = h2_client(sock)
        conn.send_headers(1, request_headers())
        conn.send_data(1, b"\x00\xff\xff\xff\xff" + b"x" * 100)
        sock.sendall(conn.data_to_send())
        events, _ = read_until(sock, conn, stream_ended(1))
        assert trailers_of(events, 1).get("grpc-status") == "8"
    still_serving(bystander)


def test_compressed_flag_without_encoding_is_internal(server):
    with connect(server.port) as sock:
        conn = h2_client(sock)
        conn.send_headers(1, request_headers())
        conn.send_data(1, grpc_frame(b"abc", compressed=True), end_stream=True)
        sock.sendall(conn.data_to_send())
        events, _ = read_until(sock, conn, stream_ended(1))
        assert trailers_of(events, 1).get("grpc-status") == "13"


@pytest.mark.parametrize("timeout", ["abc", "123456789S", "5", "1.5S"])
def test_bad_grpc_timeout_is_internal(server, timeout):
    with connect(server.port) as sock:
        conn = h2_client(sock)
        conn.send_headers(1, request_headers(extra=[("grpc-timeout", timeout)]))
        conn.send_data(1, grpc_frame(b"x"), end_stream=True)
        sock.sendall(conn.data_to_send())
        events, _ = read_until(sock, conn, stream_ended(1))
        assert trailers_of(events, 1).get("grpc-status") == "13"


def test_non_grpc_content_type_is_415(server):
    with connect(server.port) as sock:
        conn = h2_client(sock)
        headers = [h for h in request_headers() if h[0] != "content-type"] + [("content-type", "application/json")]
        conn.send_headers(1, headers, end_stream=True)
        sock.sendall(conn.data_to_send())
        events, _ = read_until(sock, conn, stream_ended(1))
        assert trailers_of(events, 1).get(":status") == "415"


@pytest.mark.parametrize("bad", [("x-bad", "a\x00b"), ("X-Upper", "v"), ("x-bad", "line\r\nbreak")])
def test_bad_header_values_reset_only_that_stream(server, bystander, bad):
    with connect(server.port) as sock:
        conn = h2_client(sock)
        conn.send_headers(1, request_headers(extra=[bad]))
        sock.sendall(conn.data_to_send())
        events, closed = read_until(sock, conn, stream_ended(1))
        resets = [e for e in events if isinstance(e, h2.events.StreamReset) and e.stream_id == 1]
        assert resets and resets[0].error_code == PROTOCOL_ERROR
        assert not closed
        # The same connection still serves a good request.
        conn.send_headers(3, request_headers())
        conn.send_data(3, grpc_frame(b"ok"), end_stream=True)
        sock.sendall(conn.data_to_send())
        events, _ = read_until(sock, conn, stream_ended(3))
        assert trailers_of(events, 3).get("grpc-status") == "0"
    still_serving(bystander)


def test_too_many_header_fields_reset_the_stream(server, bystander):
    with connect(server.port) as sock:
        conn = h2_client(sock)
        conn.send_headers(1, request_headers(extra=[("x-h%d" % i, "v") for i in range(150)]))
        sock.sendall(conn.data_to_send())
        events, _ = read_until(sock, conn, stream_ended(1))
        resets = [e for e in events if isinstance(e, h2.events.StreamReset) and e.stream_id == 1]
        assert resets and resets[0].error_code == ENHANCE_YOUR_CALM
    still_serving(bystander)


def test_rapid_reset_is_cut_off(server, bystander):
    encoder = hpack.Encoder()
    block = encoder.encode(request_headers())
    burst = bytearray(PREFACE + frame(4, 0, 0, b""))
    for i in range(3000):
        stream = 1 + 2 * i
        burst += frame(1, 4, stream, block)              # HEADERS, END_HEADERS
        burst += frame(3, 0, stream, (8).to_bytes(4, "big"))  # RST_STREAM(CANCEL)
    with connect(server.port) as sock:
        try:
            sock.sendall(bytes(burst))
        except OSError:
            pass
        raw, closed = wait_closed(sock, timeout=10)
        assert closed
        codes = goaway_codes(raw)
        assert codes and codes[-1] != 0
    still_serving(bystander)


def test_streams_beyond_the_concurrency_limit_are_refused(server, bystander):
    """100 streams are accepted; the 101st (from a client that acknowledged SETTINGS) is a
    protocol violation: GOAWAY(PROTOCOL_ERROR) naming stream 199 as the last one processed."""
    encoder = hpack.Encoder()
    burst = bytearray(PREFACE + frame(4, 0, 0, b"") + frame(4, 1, 0, b""))
    for i in range(130):
        burst += frame(1, 4, 1 + 2 * i, encoder.encode(request_headers("/echo.Echo/Sleep")))  # open, never ended
    with connect(server.port) as sock:
        sock.sendall(bytes(burst))
        raw, closed = wait_closed(sock)
        assert closed
        goaways = []
        offset = 0
        while offset + 9 <= len(raw):
            length = int.from_bytes(raw[offset:offset + 3], "big")
            if raw[offset + 3] == 7:
                payload = raw[offset + 9:offset + 9 + length]
                goaways.append((int.from_bytes(payload[0:4], "big"), int.from_bytes(payload[4:8], "big")))
            offset += 9 + length
        assert goaways == [(199, PROTOCOL_ERROR)]
    still_serving(bystander)


def test_continuation_flood_closes_the_connection(server, bystander):
    encoder = hpack.Encoder()
    block = encoder.encode(request_headers(extra=[("x-pad-%d" % i, "v" * 10) for i in range(40)]))
    pieces = [block[i:i + 8] for i in range(0, len(block), 8)]
    assert len(pieces) > 20
    flood = PREFACE + frame(4, 0, 0, b"") + frame(1, 0, 1, pieces[0])
    for piece in pieces[1:-1]:
        flood += frame(9, 0, 1, piece)
    with connect(server.port) as sock:
        try:
            sock.sendall(flood)
        except OSError:
            pass
        raw, closed = wait_closed(sock)
        assert closed
        assert goaway_codes(raw), "expected a GOAWAY before the close"
    still_serving(bystander)


@pytest.mark.parametrize("kind", ["ping", "settings"])
def test_ack_floods_are_bounded(server, bystander, kind):
    one = frame(6, 0, 0, b"12345678") if kind == "ping" else frame(4, 0, 0, b"\x00\x03\x00\x00\x00\x64")
    chunk = one * 5000
    with connect(server.port) as sock:
        sock.sendall(PREFACE + frame(4, 0, 0, b""))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sent = 0
        deadline = time.monotonic() + 10
        closed_early = False
        while sent < 400 and time.monotonic() < deadline:  # at most 2,000,000 frames, never reading
            try:
                sock.settimeout(2)
                sock.sendall(chunk)
            except (OSError, socket.timeout):
                closed_early = True
                break
            sent += 1
        raw, closed = wait_closed(sock, timeout=10)
        assert closed_early or closed
        if not closed_early:
            assert ENHANCE_YOUR_CALM in goaway_codes(raw) or closed
    still_serving(bystander)


def test_idle_connection_is_closed():
    server = EchoServer("--idle-timeout-ms", "300")
    try:
        with connect(server.port) as sock:
            sock.sendall(PREFACE + frame(4, 0, 0, b""))
            raw, closed = wait_closed(sock, timeout=5)
            assert closed
            assert 0 in goaway_codes(raw)
    finally:
        server.stop()


def test_connection_cap():
    server = EchoServer("--max-connections", "2")
    try:
        first, second = connect(server.port), connect(server.port)
        third = connect(server.port)
        _, closed = wait_closed(third, timeout=3)
        assert closed
        for sock in (first, second, third):
            sock.close()
        # Capacity comes back once connections close (bounded wait).
        deadline = time.monotonic() + 5
        while True:
            with grpc.insecure_channel(server.target) as channel:
                try:
                    assert channel.unary_unary("/echo.Echo/Unary")(b"x", timeout=1) == b"x"
                    break
                except grpc.RpcError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
    finally:
        server.stop()


def test_no_descriptor_leak(server, bystander, baseline_fds):
    for _ in range(50):
        with connect(server.port) as sock:
            sock.sendall(b"junk")
        with connect(server.port) as sock:
            conn = h2_client(sock)
            conn.send_headers(1, request_headers())
            sock.sendall(conn.data_to_send())
    still_serving(bystander)
    assert server.wait_for_fd_count(baseline_fds) <= baseline_fds
