"""`boxoffice serve payment` as a process: flag validation, migrations on start, health, and a
clean exit on SIGTERM. Needs BOXOFFICE_PG_URL (a superuser URL) and `swift build`."""

import os
import subprocess

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from interop_support import Server, boxoffice
from test_payment_crash import PG_URL, SECRET, database, free_port  # noqa: F401  (database is a fixture)

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs BOXOFFICE_PG_URL")


def clean_env():
    """The environment without BOXOFFICE_* fallbacks, so only the flags given count."""
    return {key: value for key, value in os.environ.items() if not key.startswith("BOXOFFICE_")}


@pytest.mark.parametrize("args, message", [
    ([], "--pg-url"),
    (["--pg-url", "postgresql://127.0.0.1:1/x"], "--provider"),
    (["--pg-url", "postgresql://127.0.0.1:1/x", "--provider", "nohostport"], "--provider"),
    (["--pg-url", "postgresql://127.0.0.1:1/x", "--provider", "127.0.0.1:1"], "--webhook-secret"),
    (["--pg-url", "postgresql://127.0.0.1:1/x", "--provider", "127.0.0.1:1", "--webhook-secret", "s",
      "--provider-timeout-ms", "0"], "--provider-timeout-ms"),
    (["--pg-url", "postgresql://127.0.0.1:1/x", "--provider", "127.0.0.1:1", "--webhook-secret", "s",
      "--booking", "bad"], "--booking"),
])
def test_bad_flags_are_refused_with_the_flag_named(args, message):
    result = subprocess.run([str(boxoffice()), "serve", "payment", "--port", "0", *args], env=clean_env(),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert message in result.stderr, result.stderr


def test_serves_health_after_migrating_and_stops_on_sigterm(database):
    port = free_port()
    server = Server([str(boxoffice()), "serve", "payment", "--port", "0", "--pg-url", database,
                     "--provider", f"127.0.0.1:{port}", "--webhook-secret", SECRET, "--log-level", "warning"])
    try:
        with grpc.insecure_channel(server.target) as channel:
            health = health_pb2_grpc.HealthStub(channel)
            for service in ["", "boxoffice.payment.v1.PaymentService", "boxoffice.provider.v1.WebhookReceiver"]:
                answer = health.Check(health_pb2.HealthCheckRequest(service=service), timeout=10)
                assert answer.status == health_pb2.HealthCheckResponse.SERVING, service
        versions = subprocess.run(["psql", database, "-At", "-X", "-c", "SELECT version FROM schema_migrations"],
                                  capture_output=True, text=True, timeout=30, check=True).stdout.split()
        assert versions == ["1"]
    finally:
        assert server.stop() == 0
