"""Shared helpers for the standard-service and interop tests: Python stubs generated from
Protos/ for grpc.testing and grpc.reflection.v1, and `boxoffice interop-server` as a subprocess."""

import functools
import os
import pathlib
import re
import select
import shutil
import signal
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
HERE = pathlib.Path(__file__).resolve().parent
# Gitignored. The generated files keep the proto packages (grpc.testing, grpc.reflection.v1), so
# the wire names are unchanged, but live under the module `interop_gen`, so that they never
# shadow grpcio's own `grpc` package.
GEN = HERE / "gen" / "interop"
PROTOS = {
    "grpc/testing/empty.proto": "interop_gen/testing/empty.proto",
    "grpc/testing/messages.proto": "interop_gen/testing/messages.proto",
    # Not test_*.py: pytest would collect the generated module as a test file.
    "grpc/testing/test.proto": "interop_gen/testing/testservice.proto",
    "grpc/reflection/v1/reflection.proto": "interop_gen/reflection_v1/reflection.proto",
}


@functools.cache
def stubs():
    """Generates (once per process) and imports the Python stubs; returns a namespace with
    messages, empty, test (pb2 modules), test_grpc, reflection, reflection_grpc."""
    from grpc_tools import protoc

    source = GEN / "src"
    out = GEN / "py"
    shutil.rmtree(GEN, ignore_errors=True)
    for original, renamed in PROTOS.items():
        text = (ROOT / "Protos" / original).read_text()
        for old, new in PROTOS.items():
            text = text.replace(f'import "{old}"', f'import "{new}"')
        target = source / renamed
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    out.mkdir(parents=True, exist_ok=True)
    status = protoc.main(["grpc_tools.protoc", f"-I{source}", f"--python_out={out}", f"--grpc_python_out={out}",
                          *PROTOS.values()])
    assert status == 0, f"grpc_tools.protoc failed with {status}"
    for folder in [out / "interop_gen", out / "interop_gen" / "testing", out / "interop_gen" / "reflection_v1"]:
        (folder / "__init__.py").touch()
    if str(out) not in sys.path:
        sys.path.insert(0, str(out))
    from interop_gen.testing import empty_pb2, messages_pb2, testservice_pb2, testservice_pb2_grpc
    from interop_gen.reflection_v1 import reflection_pb2, reflection_pb2_grpc

    class Stubs:
        empty = empty_pb2
        messages = messages_pb2
        test = testservice_pb2
        test_grpc = testservice_pb2_grpc
        reflection = reflection_pb2
        reflection_grpc = reflection_pb2_grpc

    return Stubs


@functools.cache
def bin_dir() -> pathlib.Path:
    """Where `swift build` put the products: BOXOFFICE_BIN_DIR, else `swift build --show-bin-path`."""
    if "BOXOFFICE_BIN_DIR" in os.environ:
        return pathlib.Path(os.environ["BOXOFFICE_BIN_DIR"])
    result = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return pathlib.Path(result.stdout.strip())


def boxoffice() -> pathlib.Path:
    path = bin_dir() / "boxoffice"
    assert path.exists(), f"{path} is missing: run `swift build` first (or set BOXOFFICE_BIN_DIR)"
    return path


def read_listening_port(process: subprocess.Popen, timeout: float = 30) -> int:
    """Waits (bounded) for the 'LISTENING <port>' line a server prints once bound."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        line = process.stdout.readline()
        if not line:
            break
        match = re.match(r"LISTENING (\d+)", line)
        if match:
            return int(match.group(1))
    process.kill()
    raise AssertionError(f"server did not report its port; stderr:\n{process.stderr.read()}")


class Server:
    """A server subprocess that prints 'LISTENING <port>'; stopped with SIGTERM."""

    def __init__(self, argv):
        self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.port = read_listening_port(self.process)
        self.target = f"127.0.0.1:{self.port}"

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        return self.process.returncode


def start_interop_server() -> Server:
    """`boxoffice interop-server --port 0` (TestService, health, reflection)."""
    return Server([str(boxoffice()), "interop-server", "--port", "0"])


def start_python_test_server(*flags) -> Server:
    """Tests/Python/interop_test_server.py: a grpcio TestService on port 0."""
    stubs()  # generates the modules the server imports
    return Server([sys.executable, str(HERE / "interop_test_server.py"), str(GEN / "py"), *flags])
