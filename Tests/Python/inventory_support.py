"""Starts `boxoffice serve inventory` on port 0 over its own database and Redis key prefix, with
Python stubs generated from Protos/boxoffice/inventory/v1 (for Tests/Python/test_inventory_*.py)."""
import functools
import os
import pathlib
import shutil
import subprocess
import sys
import uuid

from interop_support import Server, boxoffice

ROOT = pathlib.Path(__file__).resolve().parents[2]
HERE = pathlib.Path(__file__).resolve().parent
# Gitignored; its own folder so it never meets gen/proto's copies in one interpreter.
GEN = HERE / "gen" / "inventory"
ADMIN_URL = os.environ.get("BOXOFFICE_PG_URL", "postgresql://postgres@127.0.0.1:55432/postgres")
REDIS_URL = os.environ.get("BOXOFFICE_REDIS_URL", "redis://127.0.0.1:56379")


@functools.cache
def stubs():
    """Generates (once per process) and imports inventory_pb2 / inventory_pb2_grpc."""
    import grpc_tools
    from grpc_tools import protoc

    shutil.rmtree(GEN, ignore_errors=True)
    GEN.mkdir(parents=True)
    wkt = pathlib.Path(grpc_tools.__file__).parent / "_proto"
    status = protoc.main(["grpc_tools.protoc", f"-I{ROOT / 'Protos'}", f"-I{wkt}", f"--python_out={GEN}",
                          f"--grpc_python_out={GEN}", "boxoffice/inventory/v1/inventory.proto",
                          "boxoffice/common/v1/money.proto"])
    assert status == 0, f"grpc_tools.protoc failed with {status}"
    for folder in GEN.rglob("*"):
        if folder.is_dir():
            (folder / "__init__.py").touch()
    if str(GEN) not in sys.path:
        sys.path.insert(0, str(GEN))
    from boxoffice.inventory.v1 import inventory_pb2, inventory_pb2_grpc
    from boxoffice.common.v1 import money_pb2

    class Stubs:
        pb = inventory_pb2
        grpc = inventory_pb2_grpc
        money = money_pb2

    return Stubs


def psql(url, *sql):
    args = ["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", url]
    for statement in sql:
        args += ["-c", statement]
    subprocess.run(args, check=True, capture_output=True, timeout=60)


def redis_cli(*command):
    result = subprocess.run(["redis-cli", "-u", REDIS_URL, *command], check=True, capture_output=True, text=True,
                            timeout=30)
    return result.stdout


def delete_keys(pattern):
    """Deletes every key matching `pattern` (never FLUSHALL: the server is shared); returns how many."""
    keys = [key for key in redis_cli("--scan", "--pattern", pattern).split("\n") if key]
    for start in range(0, len(keys), 500):
        redis_cli("DEL", *keys[start:start + 500])
    return len(keys)


class InventoryProcess:
    """`boxoffice serve inventory --port 0` with a fresh database and key prefix; `stop()` drops both."""

    def __init__(self, store, *flags):
        self.store = store
        self.database = "inv_py_" + uuid.uuid4().hex[:12]
        self.prefix = f"pytest-{uuid.uuid4().hex[:12]}:"
        psql(ADMIN_URL, f'CREATE DATABASE "{self.database}"')
        self.url = ADMIN_URL.rsplit("/", 1)[0] + "/" + self.database
        self.server = None
        try:
            self.server = Server([str(boxoffice()), "serve", "inventory", "--port", "0", "--pg-url", self.url,
                                  "--redis-url", REDIS_URL, "--redis-prefix", self.prefix, "--store", store,
                                  "--log-format", "text", "--log-level", "warning", *flags])
        except BaseException:
            self.cleanup()
            raise
        self.target = self.server.target

    def stop(self):
        code = self.server.stop() if self.server else None
        self.cleanup()
        return code

    def cleanup(self):
        delete_keys(self.prefix + "*")
        psql(ADMIN_URL, f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
