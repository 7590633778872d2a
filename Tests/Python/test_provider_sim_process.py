"""The real `boxoffice serve provider-sim` process called by Python grpcio: charges by test token,
Stripe-like idempotency, the caller's deadline respected by the timeout tokens, signed webhooks
delivered (and retried) to a grpcio WebhookReceiver, health, graceful shutdown."""
import concurrent.futures
import hashlib
import hmac
import pathlib
import subprocess
import sys
import threading
import time
import uuid

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from interop_support import ROOT, Server, boxoffice

SECRET = "whsec_python_provider_sim"


@pytest.fixture(scope="module")
def pb(tmp_path_factory):
    """Python stubs for boxoffice/provider/v1/provider.proto, generated into a temporary folder."""
    import grpc_tools
    from grpc_tools import protoc

    out = tmp_path_factory.mktemp("provider_stubs")
    wkt = pathlib.Path(grpc_tools.__file__).parent / "_proto"
    status = protoc.main(["grpc_tools.protoc", f"-I{ROOT / 'Protos'}", f"-I{wkt}", f"--python_out={out}",
                          f"--grpc_python_out={out}", "boxoffice/provider/v1/provider.proto"])
    assert status == 0
    for folder in [out / "boxoffice", out / "boxoffice" / "provider", out / "boxoffice" / "provider" / "v1"]:
        (folder / "__init__.py").touch()
    sys.path.insert(0, str(out))
    from boxoffice.provider.v1 import provider_pb2, provider_pb2_grpc

    class Stubs:
        messages = provider_pb2
        services = provider_pb2_grpc

    return Stubs


class Receiver:
    """A grpcio WebhookReceiver: records each delivery (event, verified or not); refuses the first
    attempt of every event when `refuse_first` is set."""

    def __init__(self, pb, refuse_first=False):
        self.pb = pb
        self.refuse_first = refuse_first
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self.deliveries = []
        self.server = grpc.server(concurrent.futures.ThreadPoolExecutor(max_workers=4))
        receiver = self

        class Servicer(pb.services.WebhookReceiverServicer):
            def Deliver(self, request, context):
                return receiver.deliver(request)

        pb.services.add_WebhookReceiverServicer_to_server(Servicer(), self.server)
        self.port = self.server.add_insecure_port("127.0.0.1:0")
        self.server.start()

    def deliver(self, request):
        event = self.pb.messages.WebhookEvent.FromString(request.payload)
        accepted = not (self.refuse_first and request.attempt == 1)
        with self.changed:
            self.deliveries.append((event, request, verify(request), accepted))
            self.changed.notify_all()
        return self.pb.messages.WebhookAck(accepted=accepted, detail="" if accepted else "try again")

    def wait_for(self, charge_id, count, timeout=10):
        """The deliveries about `charge_id`, once there are `count` of them (bounded wait)."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                found = [d for d in self.deliveries if charge_of(d[0]) == charge_id]
                remaining = deadline - time.monotonic()
                if len(found) >= count or remaining <= 0:
                    return found
                self.changed.wait(remaining)


def charge_of(event):
    return event.charge.id if event.WhichOneof("data") == "charge" else event.refund.charge_id


def verify(request, secret=SECRET):
    """Stripe's scheme: t=<unix seconds>,v1=<hex HMAC-SHA256 of '<t>.' + payload>."""
    parts = dict(part.split("=", 1) for part in request.signature.split(","))
    if abs(time.time() - int(parts["t"])) > 300:
        return False
    expected = hmac.new(secret.encode(), parts["t"].encode() + b"." + request.payload, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


def start_simulator(receiver_port, *extra):
    return Server([str(boxoffice()), "serve", "provider-sim", "--port", "0", "--log-level", "warning",
                   "--webhook-target", f"127.0.0.1:{receiver_port}", "--webhook-secret", SECRET,
                   "--latency-ms", "5", "--caller-timeout-ms", "400", "--late-answer-ms", "500",
                   "--webhook-delay-ms", "300", "--out-of-order-ms", "400", "--webhook-retry-ms", "50", *extra])


@pytest.fixture(scope="module")
def world(pb):
    receiver = Receiver(pb, refuse_first=True)
    simulator = start_simulator(receiver.port)
    try:
        with grpc.insecure_channel(simulator.target) as channel:
            yield pb, pb.services.ProviderServiceStub(channel), receiver, channel
    finally:
        assert simulator.stop() == 0, "SIGTERM shuts the simulator down cleanly"
        receiver.server.stop(0)


def charge_request(pb, token, amount=2500, key=None):
    return pb.messages.CreateChargeRequest(idempotency_key=key or str(uuid.uuid4()), amount=amount, currency="EUR",
                                           payment_token=token, metadata={"booking_id": "b-1"})


def test_health_is_serving(world):
    _, _, _, channel = world
    response = health_pb2_grpc.HealthStub(channel).Check(
        health_pb2.HealthCheckRequest(service="boxoffice.provider.v1.ProviderService"), timeout=10)
    assert response.status == health_pb2.HealthCheckResponse.SERVING


def test_approve_charges_and_sends_a_signed_webhook_retried_until_acknowledged(world):
    pb, provider, receiver, _ = world
    charge = provider.CreateCharge(charge_request(pb, "tok_approve"), timeout=10)
    assert charge.status == pb.messages.CHARGE_STATUS_SUCCEEDED
    assert charge.id.startswith("ch_") and charge.amount == 2500 and charge.metadata["booking_id"] == "b-1"
    deliveries = receiver.wait_for(charge.id, 2)
    assert [(d[1].attempt, d[3]) for d in deliveries] == [(1, False), (2, True)], "refused once, then delivered"
    assert all(d[2] for d in deliveries), "every attempt carries a valid signature"
    event = deliveries[-1][0]
    assert event.type == pb.messages.WEBHOOK_EVENT_TYPE_CHARGE_SUCCEEDED and event.sequence == 1
    assert event.charge == charge
    assert not verify(deliveries[-1][1], secret="wrong secret")


@pytest.mark.parametrize("token, code", [("tok_decline_card", "card_declined"),
                                         ("tok_decline_funds", "insufficient_funds")])
def test_declines(world, token, code):
    pb, provider, _, _ = world
    charge = provider.CreateCharge(charge_request(pb, token), timeout=10)
    assert charge.status == pb.messages.CHARGE_STATUS_FAILED and charge.failure_code == code


def test_idempotency(world):
    pb, provider, _, _ = world
    request = charge_request(pb, "tok_approve")
    first = provider.CreateCharge(request, timeout=10)
    assert provider.CreateCharge(request, timeout=10) == first
    assert provider.GetCharge(pb.messages.GetChargeRequest(idempotency_key=request.idempotency_key), timeout=10) == first
    assert provider.GetCharge(pb.messages.GetChargeRequest(charge_id=first.id), timeout=10) == first
    with pytest.raises(grpc.RpcError) as error:
        provider.CreateCharge(charge_request(pb, "tok_approve", amount=1, key=request.idempotency_key), timeout=10)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "amount" in error.value.details()


@pytest.mark.parametrize("request_fields", [
    {"amount": 0}, {"currency": "euro"}, {"payment_token": "tok_unknown"}, {"idempotency_key": ""},
])
def test_bad_input_is_invalid_argument(world, request_fields):
    pb, provider, _, _ = world
    fields = {"idempotency_key": str(uuid.uuid4()), "amount": 100, "currency": "EUR", "payment_token": "tok_approve"}
    fields.update(request_fields)
    with pytest.raises(grpc.RpcError) as error:
        provider.CreateCharge(pb.messages.CreateChargeRequest(**fields), timeout=10)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_timeout_charge_answers_after_the_deadline_but_charges(world):
    pb, provider, receiver, _ = world
    request = charge_request(pb, "tok_timeout_charge")
    started = time.monotonic()
    with pytest.raises(grpc.RpcError) as error:
        provider.CreateCharge(request, timeout=0.6)
    assert error.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert time.monotonic() - started >= 0.6
    lookup = pb.messages.GetChargeRequest(idempotency_key=request.idempotency_key)
    pending = provider.GetCharge(lookup, timeout=10)
    assert pending.status == pb.messages.CHARGE_STATUS_UNSPECIFIED
    with pytest.raises(grpc.RpcError) as retry:
        provider.CreateCharge(request, timeout=10)
    assert retry.value.code() == grpc.StatusCode.ABORTED
    deliveries = receiver.wait_for(pending.id, 2)
    assert deliveries and deliveries[-1][0].type == pb.messages.WEBHOOK_EVENT_TYPE_CHARGE_SUCCEEDED
    assert provider.GetCharge(lookup, timeout=10).status == pb.messages.CHARGE_STATUS_SUCCEEDED


def test_timeout_no_charge_is_not_charged(world):
    pb, provider, receiver, _ = world
    request = charge_request(pb, "tok_timeout_no_charge")
    with pytest.raises(grpc.RpcError) as error:
        provider.CreateCharge(request, timeout=0.3)
    assert error.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    pending = provider.GetCharge(pb.messages.GetChargeRequest(idempotency_key=request.idempotency_key), timeout=10)
    deliveries = receiver.wait_for(pending.id, 2)
    assert deliveries[-1][0].type == pb.messages.WEBHOOK_EVENT_TYPE_CHARGE_FAILED
    final = provider.GetCharge(pb.messages.GetChargeRequest(charge_id=pending.id), timeout=10)
    assert final.status == pb.messages.CHARGE_STATUS_FAILED and final.failure_code == "processing_error"


def test_webhook_twice_and_refund(world):
    pb, provider, receiver, _ = world
    charge = provider.CreateCharge(charge_request(pb, "tok_webhook_twice", amount=1000), timeout=10)
    refund = provider.CreateRefund(pb.messages.CreateRefundRequest(charge_id=charge.id, amount=400,
                                                                   idempotency_key=str(uuid.uuid4())), timeout=10)
    assert refund.status == pb.messages.REFUND_STATUS_SUCCEEDED and refund.amount == 400
    accepted = [d for d in receiver.wait_for(charge.id, 8) if d[3]]
    kinds = sorted((d[0].sequence, d[0].type) for d in accepted)
    assert kinds == [(1, pb.messages.WEBHOOK_EVENT_TYPE_CHARGE_SUCCEEDED)] * 2 + \
        [(2, pb.messages.WEBHOOK_EVENT_TYPE_CHARGE_REFUNDED)] * 2
    with pytest.raises(grpc.RpcError) as error:
        provider.CreateRefund(pb.messages.CreateRefundRequest(charge_id=charge.id, amount=601,
                                                              idempotency_key=str(uuid.uuid4())), timeout=10)
    assert error.value.code() == grpc.StatusCode.FAILED_PRECONDITION


def test_bad_flags_are_rejected():
    result = subprocess.run([str(boxoffice()), "serve", "provider-sim", "--port", "0", "--error-rate", "2"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    assert "--error-rate" in result.stderr
