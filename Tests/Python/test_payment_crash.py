"""Crash test of the payment service with the real processes: `boxoffice serve payment` is killed
with SIGKILL while its provider call (token tok_timeout_*) is outstanding, then started again on
the same port and database. The reconciler (or the provider's webhook) must resolve the payment,
and booking — a grpcio fake recording NotifyPaymentOutcome — must get exactly one effective
outcome. Needs BOXOFFICE_PG_URL (a superuser URL) and `swift build`."""

import concurrent.futures
import functools
import os
import pathlib
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid

import grpc
import pytest

from interop_support import Server, boxoffice

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
GEN = HERE / "gen" / "payment"
SECRET = "whsec_python_crash_test"
PG_URL = os.environ.get("BOXOFFICE_PG_URL", "")

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs BOXOFFICE_PG_URL")


@functools.cache
def stubs():
    """Generates (once per process) Python stubs for the boxoffice protos into gen/payment."""
    import grpc_tools
    from grpc_tools import protoc

    wkt = pathlib.Path(grpc_tools.__file__).parent / "_proto"
    protos = [f"boxoffice/{name}/v1/{name}.proto" for name in ("payment", "booking", "provider")]
    protos.append("boxoffice/common/v1/money.proto")
    GEN.mkdir(parents=True, exist_ok=True)
    status = protoc.main(["grpc_tools.protoc", f"-I{ROOT / 'Protos'}", f"-I{wkt}", f"--python_out={GEN}",
                          f"--grpc_python_out={GEN}", *protos])
    assert status == 0, f"grpc_tools.protoc failed with {status}"
    if str(GEN) not in sys.path:
        sys.path.insert(0, str(GEN))
    # Other test modules may have imported `boxoffice.*` as regular packages from their own
    # generated folders (same .proto file names, so the same messages): add ours to their search
    # paths instead of loading a second copy.
    for package in ["boxoffice"] + [f"boxoffice.{name}{suffix}" for name in ("payment", "booking", "provider", "common")
                                    for suffix in ("", ".v1")]:
        module = sys.modules.get(package)
        folder = str(GEN.joinpath(*package.split(".")))
        if module is not None and hasattr(module, "__path__") and folder not in list(module.__path__):
            module.__path__.append(folder)
    from boxoffice.booking.v1 import booking_pb2, booking_pb2_grpc
    from boxoffice.payment.v1 import payment_pb2, payment_pb2_grpc
    from boxoffice.provider.v1 import provider_pb2, provider_pb2_grpc

    class Stubs:
        booking, booking_grpc = booking_pb2, booking_pb2_grpc
        payment, payment_grpc = payment_pb2, payment_pb2_grpc
        provider, provider_grpc = provider_pb2, provider_pb2_grpc

    return Stubs


def psql(url, sql):
    subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-q", "-X", "-c", sql], check=True, capture_output=True,
                   timeout=60)


@pytest.fixture
def database():
    """A fresh database on the shared server, dropped afterwards."""
    name = f"payment_crash_{uuid.uuid4().hex[:12]}"
    psql(PG_URL, f"CREATE DATABASE {name}")
    parts = urllib.parse.urlsplit(PG_URL)
    try:
        yield urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        psql(PG_URL, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


class BookingRecorder:
    """The fake booking service: records every NotifyPaymentOutcome and acknowledges it."""

    def __init__(self):
        s = stubs()
        self.lock = threading.Lock()
        self.deliveries = []
        recorder = self

        class Servicer(s.booking_grpc.BookingServiceServicer):
            def NotifyPaymentOutcome(self, request, context):
                with recorder.lock:
                    recorder.deliveries.append(request)
                return s.booking.NotifyPaymentOutcomeResponse()

        self.server = grpc.server(concurrent.futures.ThreadPoolExecutor(max_workers=4))
        s.booking_grpc.add_BookingServiceServicer_to_server(Servicer(), self.server)
        self.port = self.server.add_insecure_port("127.0.0.1:0")
        self.server.start()

    def effective(self, booking_id):
        """One outcome per notification id, in arrival order."""
        with self.lock:
            seen, outcomes = set(), []
            for delivery in self.deliveries:
                if delivery.booking_id == booking_id and delivery.notification_id not in seen:
                    seen.add(delivery.notification_id)
                    outcomes.append(delivery.outcome)
            return outcomes

    def stop(self):
        self.server.stop(grace=None)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_payment(port, pg_url, provider_port, booking_port):
    return Server([str(boxoffice()), "serve", "payment", "--port", str(port), "--pg-url", pg_url,
                   "--provider", f"127.0.0.1:{provider_port}", "--booking", f"127.0.0.1:{booking_port}",
                   "--webhook-secret", SECRET, "--provider-timeout-ms", "1500", "--reconcile-interval-ms", "100",
                   "--check-backoff-ms", "200", "--check-backoff-max-ms", "500", "--not-found-grace-ms", "500",
                   "--outbox-interval-ms", "100", "--log-level", "warning"])


def wait_for(condition, timeout=30.0, step=0.05):
    """Polls `condition` until it is truthy or `timeout` seconds passed; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(step)


@pytest.mark.parametrize("token, status, outcome, charged", [
    ("tok_timeout_charge", "PAYMENT_STATUS_CAPTURED", "PAYMENT_OUTCOME_CAPTURED", True),
    ("tok_timeout_no_charge", "PAYMENT_STATUS_NOT_CHARGED", "PAYMENT_OUTCOME_NOT_CHARGED", False),
])
def test_payment_killed_during_a_provider_call_resolves_after_restart(database, token, status, outcome, charged):
    s = stubs()
    booking = BookingRecorder()
    payment_port = free_port()
    provider = Server([str(boxoffice()), "serve", "provider-sim", "--port", "0", "--log-level", "warning",
                       "--webhook-target", f"127.0.0.1:{payment_port}", "--webhook-secret", SECRET,
                       "--latency-ms", "1", "--late-answer-ms", "1500", "--webhook-retry-ms", "100",
                       "--webhook-retry-max-ms", "500"])
    payment = start_payment(payment_port, database, provider.port, booking.port)
    booking_id = f"b-crash-{uuid.uuid4().hex[:8]}"
    try:
        channel = grpc.insecure_channel(f"127.0.0.1:{payment_port}")
        payments = s.payment_grpc.PaymentServiceStub(channel)
        request = s.payment.ChargeRequest(booking_id=booking_id, payment_token=token)
        request.amount.amount_minor = 4_200
        request.amount.currency = "EUR"
        request.deadline.FromSeconds(int(time.time()) + 600)
        pending_charge = payments.Charge.future(request, timeout=20)

        def recorded():
            try:
                found = payments.GetPayment(s.payment.GetPaymentRequest(booking_id=booking_id), timeout=2)
                return found.payment
            except grpc.RpcError:
                return None

        found = wait_for(recorded, timeout=20)
        assert found is not None and s.payment.PaymentStatus.Name(found.status) == "PAYMENT_STATUS_PENDING"
        # Payment stores PENDING before it calls the provider: wait until the provider has the call,
        # so the kill lands while the call is outstanding (the token answers 1.5 s after its deadline).
        provider_stub = s.provider_grpc.ProviderServiceStub(grpc.insecure_channel(f"127.0.0.1:{provider.port}"))

        def provider_has_call():
            try:
                provider_stub.GetCharge(s.provider.GetChargeRequest(idempotency_key=f"boxoffice-booking-{booking_id}"),
                                        timeout=2)
                return True
            except grpc.RpcError as error:
                assert error.code() == grpc.StatusCode.NOT_FOUND, error
                return False

        assert wait_for(provider_has_call, timeout=20), "the provider never received the charge call"
        payment.process.kill()
        payment.process.wait(timeout=10)
        with pytest.raises(grpc.RpcError):
            pending_charge.result(timeout=20)
        channel.close()

        payment = start_payment(payment_port, database, provider.port, booking.port)
        channel = grpc.insecure_channel(f"127.0.0.1:{payment_port}")
        payments = s.payment_grpc.PaymentServiceStub(channel)

        def resolved():
            current = recorded()
            return current is not None and s.payment.PaymentStatus.Name(current.status) == status \
                and booking.effective(booking_id)

        assert wait_for(resolved, timeout=40), f"not resolved: {recorded()}, booking heard {booking.effective(booking_id)}"
        # Give redeliveries and late webhooks a moment to show up, then check exactly one effective outcome.
        time.sleep(1.0)
        assert [s.booking.PaymentOutcome.Name(o) for o in booking.effective(booking_id)] == [outcome]
        final = recorded()
        assert s.payment.PaymentStatus.Name(final.status) == status
        assert final.id == found.id

        # Invariants against the provider: at most one charge for the booking; captured = confirmed.
        providers = s.provider_grpc.ProviderServiceStub(grpc.insecure_channel(f"127.0.0.1:{provider.port}"))
        charge = providers.GetCharge(s.provider.GetChargeRequest(idempotency_key=f"boxoffice-booking-{booking_id}"),
                                     timeout=5)
        succeeded = s.provider.ChargeStatus.Name(charge.status) == "CHARGE_STATUS_SUCCEEDED"
        assert succeeded == charged
        captured = charge.amount - charge.amount_refunded if succeeded else 0
        confirmed = final.amount.amount_minor if status == "PAYMENT_STATUS_CAPTURED" else 0
        assert captured == confirmed
        channel.close()
    finally:
        payment.stop()
        provider.stop()
        booking.stop()
