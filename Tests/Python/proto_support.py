"""Shared helpers for the proto cross-check tests: Python code generated from Protos/ and the
Swift executables built by `swift build`."""

import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
GEN = ROOT / "Tests" / "Python" / "gen" / "proto"
PEER = pathlib.Path(__file__).resolve().parent / "proto_peer.py"


def swift_binary(name: str) -> pathlib.Path:
    """A product of `swift build` (BOXOFFICE_BIN_DIR overrides .build/debug)."""
    bin_dir = pathlib.Path(os.environ.get("BOXOFFICE_BIN_DIR", ROOT / ".build" / "debug"))
    path = bin_dir / name
    if not path.exists():
        raise AssertionError(f"{path} is missing: run `swift build` first (or set BOXOFFICE_BIN_DIR)")
    return path


def generate_python() -> pathlib.Path:
    """Generates Python protobuf code for every .proto under Protos/ into Tests/Python/gen/proto
    (gitignored) with grpc_tools.protoc, and returns that folder."""
    import grpc_tools
    from grpc_tools import protoc

    protos = sorted(str(p.relative_to(ROOT / "Protos")) for p in (ROOT / "Protos").rglob("*.proto"))
    GEN.mkdir(parents=True, exist_ok=True)
    wkt = pathlib.Path(grpc_tools.__file__).parent / "_proto"
    status = protoc.main(["grpc_tools.protoc", f"-I{ROOT / 'Protos'}", f"-I{wkt}",
                          f"--python_out={GEN}", *protos])
    assert status == 0, f"grpc_tools.protoc failed with {status}"
    # Regular packages, so that the generated `grpc` package shadows grpcio's in the peer process.
    for folder in GEN.rglob("*"):
        if folder.is_dir():
            (folder / "__init__.py").touch()
    return GEN


def run_peer(vectors: str) -> str:
    """Runs proto_peer.py in its own interpreter (the generated modules must not meet grpcio's
    own copies of the grpc.* descriptors in pytest's process) and returns its output."""
    result = subprocess.run([sys.executable, str(PEER), str(GEN)], input=vectors, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, f"proto_peer failed:\n{result.stderr}"
    return result.stdout
