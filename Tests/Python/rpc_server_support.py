"""Starts the Swift rpc-echo-server for the server protocol tests (test_rpc_server_*.py).

The binary is taken from $RPC_ECHO_SERVER, else the first of .build/debug, .build/release and
.build-rpcserver/debug that exists (run `swift build --product rpc-echo-server` first).
"""
import os
import socket
import subprocess
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CANDIDATES = [".build/debug", ".build/release", ".build-rpcserver/debug"]


def binary():
    explicit = os.environ.get("RPC_ECHO_SERVER")
    if explicit:
        return explicit
    for folder in CANDIDATES:
        path = os.path.join(ROOT, folder, "rpc-echo-server")
        if os.path.exists(path):
            return path
    raise FileNotFoundError("rpc-echo-server not built; run `swift build --product rpc-echo-server`")


class EchoServer:
    """One rpc-echo-server process on a free loopback port."""

    def __init__(self, *args):
        self.process = subprocess.Popen([binary(), "--port", "0", *args], stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        if not line.startswith("LISTENING "):
            self.process.kill()
            raise RuntimeError("server did not start: %r %r" % (line, self.process.stderr.read()))
        self.port = int(line.split()[1])
        self.target = "127.0.0.1:%d" % self.port

    def fd_count(self):
        return len(os.listdir("/proc/%d/fd" % self.process.pid))

    def wait_for_fd_count(self, expected, timeout=5.0):
        """Polls (bounded) until the server holds at most `expected` descriptors; returns the last count."""
        deadline = time.monotonic() + timeout
        count = self.fd_count()
        while count > expected and time.monotonic() < deadline:
            time.sleep(0.05)
            count = self.fd_count()
        return count

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stdout.close()
        self.process.stderr.close()


def connect(port, timeout=5.0):
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def grpc_frame(payload, compressed=False):
    return bytes([1 if compressed else 0]) + len(payload).to_bytes(4, "big") + payload
