"""`boxoffice cluster up` end to end: the four real services on the shared PostgreSQL and Redis
(or servers it starts itself when BOXOFFICE_PG_URL / BOXOFFICE_REDIS_URL are unset), ENDPOINT /
PID / READY lines, grpcio health of every service, kill -9 of a service and its RESTARTED line,
and Ctrl-C (SIGINT) leaving no process behind. Also the bad-input paths and --detach / down."""
import os
import queue
import signal
import socket
import subprocess
import threading
import time
import uuid

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from interop_support import boxoffice

SERVICES = ["inventory", "booking", "payment", "provider-sim"]
START_TIMEOUT = 180  # four services migrating on a busy 2-core machine


def server_flags():
    flags = []
    if os.environ.get("BOXOFFICE_PG_URL"):
        flags += ["--pg-url", os.environ["BOXOFFICE_PG_URL"]]
    if os.environ.get("BOXOFFICE_REDIS_URL"):
        flags += ["--redis-url", os.environ["BOXOFFICE_REDIS_URL"]]
    return flags


class ClusterProcess:
    """A `boxoffice cluster up` child whose stdout lines are read on a thread into a queue."""

    def __init__(self, args, tmp_path):
        self.name = "py_" + uuid.uuid4().hex[:10]
        self.data_dir = tmp_path / "cluster"
        self.args = [str(boxoffice()), "cluster", "up", "--data-dir", str(self.data_dir), "--name", self.name, *args]
        self.process = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines = queue.Queue()
        self.seen = []
        self.stderr = []
        self.readers = [threading.Thread(target=self._pump, args=(self.process.stdout, self.lines), daemon=True),
                        threading.Thread(target=self._collect, args=(self.process.stderr,), daemon=True)]
        for reader in self.readers:
            reader.start()

    @staticmethod
    def _pump(stream, into):
        for line in stream:
            into.put(line.rstrip("\n"))
        into.put(None)

    def _collect(self, stream):
        for line in stream:
            self.stderr.append(line)

    def next_line(self, deadline):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        try:
            line = self.lines.get(timeout=remaining)
        except queue.Empty:
            return None
        if line is not None:
            self.seen.append(line)
        return line

    def wait_for(self, predicate, timeout):
        """The first line (bounded in time) for which predicate holds; fails with what was seen."""
        deadline = time.monotonic() + timeout
        while True:
            line = self.next_line(deadline)
            if line is None:
                pytest.fail(f"no matching line within {timeout}s; stdout: {self.seen}; stderr: {''.join(self.stderr)[-3000:]}")
            if predicate(line):
                return line

    def stop(self, sig=signal.SIGINT, timeout=90):
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=timeout)


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return ") Z" not in stat.read()
    except FileNotFoundError:
        return False


def processes_mentioning(name):
    """Pids whose command line or environment mentions the unique cluster name (the cluster sets
    BOXOFFICE_CLUSTER_NAME in every service's environment)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        for part in ("cmdline", "environ"):
            try:
                with open(f"/proc/{entry}/{part}", "rb") as source:
                    if name.encode() in source.read() and alive(int(entry)):
                        found.append(int(entry))
                        break
            except OSError:
                pass
    return found


def serving(target, timeout=30):
    deadline = time.monotonic() + timeout
    with grpc.insecure_channel(target) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while time.monotonic() < deadline:
            try:
                response = stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=2)
                if response.status == health_pb2.HealthCheckResponse.SERVING:
                    return True
            except grpc.RpcError:
                pass
            time.sleep(0.1)
    return False


def drop_databases(name):
    url = os.environ.get("BOXOFFICE_PG_URL")
    if not url:
        return
    for suffix in ["inventory", "booking", "payment"]:
        subprocess.run(["psql", url, "-qc", f'DROP DATABASE IF EXISTS "{name}_{suffix}" WITH (FORCE)'],
                       capture_output=True, timeout=30)


def test_cluster_up_serves_restarts_and_stops_clean(tmp_path):
    cluster = ClusterProcess(["--base-port", "0", *server_flags()], tmp_path)
    try:
        endpoints, pids = {}, {}
        line = ""
        while line != "READY":
            line = cluster.wait_for(lambda l: l.split(" ")[0] in ("ENDPOINT", "PID", "READY"), START_TIMEOUT)
            parts = line.split(" ")
            if parts[0] == "ENDPOINT":
                endpoints[parts[1]] = parts[2]
            elif parts[0] == "PID":
                pids[parts[1]] = int(parts[2])
        assert sorted(endpoints) == sorted(SERVICES)
        assert sorted(pids) == sorted(SERVICES)
        assert len(set(endpoints.values())) == 4
        assert all(e.startswith("127.0.0.1:") for e in endpoints.values())
        for service in SERVICES:
            assert serving(endpoints[service]), f"{service} at {endpoints[service]} is not SERVING"
        assert (cluster.data_dir / "cluster.json").exists()

        # kill -9 of a service: the supervisor starts it again and says so.
        os.kill(pids["booking"], signal.SIGKILL)
        restarted = cluster.wait_for(lambda l: l.startswith("RESTARTED booking "), 60)
        new_pid = int(restarted.split(" ")[2])
        assert new_pid != pids["booking"]
        assert serving(endpoints["booking"], timeout=60)
        all_pids = list(pids.values()) + [new_pid]

        # Ctrl-C: everything stops, exit 0, nothing left behind.
        assert cluster.stop(signal.SIGINT) == 0, "".join(cluster.stderr)[-3000:]
        for pid in all_pids:
            assert not alive(pid), f"pid {pid} survived Ctrl-C"
        assert processes_mentioning(cluster.name) == []
        assert not (cluster.data_dir / "cluster.json").exists()
        for service in SERVICES:
            with socket.socket() as probe:
                host, port = endpoints[service].split(":")
                assert probe.connect_ex((host, int(port))) != 0, f"{service} still listens"
    finally:
        if cluster.process.poll() is None:
            cluster.process.kill()
            cluster.process.wait(timeout=30)
        for pid in processes_mentioning(cluster.name):
            os.killpg(pid, signal.SIGKILL)
        drop_databases(cluster.name)


def test_port_in_use_is_named_and_nothing_starts(tmp_path):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        cluster = ClusterProcess(["--base-port", str(port), *server_flags()], tmp_path)
        status = cluster.process.wait(timeout=60)
    assert status != 0
    for reader in cluster.readers:
        reader.join(timeout=10)
    message = "".join(cluster.stderr)
    assert f"port {port} (for inventory) is already in use" in message
    assert "--base-port" in message
    assert processes_mentioning(cluster.name) == []


@pytest.mark.parametrize("flags, expected", [
    (["--store", "memcached"], "--store must be redis or postgres"),
    (["--name", "Bad-Name"], "--name must be"),
    (["--service-env", "nosuch:KEY=1"], "--service-env must be SERVICE:KEY=VALUE"),
    (["--base-port", "70000"], "--base-port"),
])
def test_malformed_flags_fail_with_a_message(tmp_path, flags, expected):
    result = subprocess.run([str(boxoffice()), "cluster", "up", "--data-dir", str(tmp_path / "c"), *flags],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert expected in result.stderr
    assert not (tmp_path / "c" / "logs").exists()


def test_detach_then_down(tmp_path):
    name = "py_" + uuid.uuid4().hex[:10]
    data_dir = tmp_path / "detached"
    up = subprocess.run([str(boxoffice()), "cluster", "up", "--detach", "--data-dir", str(data_dir), "--name", name,
                         "--base-port", "0", *server_flags()], capture_output=True, text=True, timeout=START_TIMEOUT)
    try:
        assert up.returncode == 0, up.stderr[-3000:]
        lines = up.stdout.splitlines()
        assert lines[-1] == "READY"
        endpoints = {l.split(" ")[1]: l.split(" ")[2] for l in lines if l.startswith("ENDPOINT ")}
        assert sorted(endpoints) == sorted(SERVICES)
        assert (data_dir / "cluster.json").exists()
        for service in SERVICES:
            assert serving(endpoints[service]), service
        down = subprocess.run([str(boxoffice()), "cluster", "down", "--data-dir", str(data_dir)],
                              capture_output=True, text=True, timeout=120)
        assert down.returncode == 0, down.stderr
        assert processes_mentioning(name) == []
        assert not (data_dir / "cluster.json").exists()
        again = subprocess.run([str(boxoffice()), "cluster", "down", "--data-dir", str(data_dir)],
                               capture_output=True, text=True, timeout=60)
        assert again.returncode != 0 and "no detached cluster" in again.stderr
    finally:
        for pid in processes_mentioning(name):
            os.killpg(pid, signal.SIGKILL)
        drop_databases(name)
