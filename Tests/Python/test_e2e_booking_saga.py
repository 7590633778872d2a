"""End to end: the real booking, inventory, payment and provider-simulator processes on loopback
(PostgreSQL and Redis from BOXOFFICE_PG_URL / BOXOFFICE_REDIS_URL), driven with grpcio.

Every payment behaviour of the simulator's test tokens ends in the booking status it must, and
kill -9 of booking at each named crash point followed by a restart still ends every saga terminal
with the invariants of ARCHITECTURE.md §4 checked against the services' own answers and databases.

The processes are started here (not by `boxoffice cluster up`) with short timeouts so a test run
stays quick; each test run uses fresh databases and a fresh Redis key prefix.
"""

import os
import pathlib
import socket
import subprocess
import sys
import time
import uuid

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
GEN = ROOT / "Tests" / "Python" / "gen" / "e2e"
BIN = pathlib.Path(os.environ.get("BOXOFFICE_BIN_DIR", ROOT / ".build" / "debug")) / "boxoffice"
PG_URL = os.environ.get("BOXOFFICE_PG_URL", "")
REDIS_URL = os.environ.get("BOXOFFICE_REDIS_URL", "")
SECRET_ADMISSION = "e2e-admission-secret"
SECRET_WEBHOOK = "e2e-webhook-secret"
PROVIDER_TIMEOUT_MS = 1500


def _services_built() -> bool:
    if not BIN.exists():
        return False
    for name in ("inventory", "booking", "payment", "provider-sim"):
        out = subprocess.run([str(BIN), "serve", name, "--help"], capture_output=True, text=True, timeout=30)
        if out.returncode != 0 or "not built yet" in out.stdout + out.stderr:
            return False
    return True


pytestmark = [
    pytest.mark.skipif(not PG_URL or not REDIS_URL, reason="needs BOXOFFICE_PG_URL and BOXOFFICE_REDIS_URL"),
    pytest.mark.skipif(not _services_built(), reason=f"{BIN} with all four services is not built"),
]


def _generate():
    """boxoffice/**.proto only (no grpc/ folder that would shadow grpcio), with gRPC stubs."""
    from grpc_tools import protoc
    import grpc_tools

    GEN.mkdir(parents=True, exist_ok=True)
    protos = sorted(str(p.relative_to(ROOT / "Protos")) for p in (ROOT / "Protos" / "boxoffice").rglob("*.proto"))
    wkt = pathlib.Path(grpc_tools.__file__).parent / "_proto"
    status = protoc.main(["grpc_tools.protoc", f"-I{ROOT / 'Protos'}", f"-I{wkt}", f"--python_out={GEN}",
                          f"--grpc_python_out={GEN}", *protos])
    assert status == 0
    for folder in GEN.rglob("*"):
        if folder.is_dir():
            (folder / "__init__.py").touch()
    if str(GEN) not in sys.path:
        sys.path.insert(0, str(GEN))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _psql(database_url: str, sql: str) -> str:
    out = subprocess.run(["psql", database_url, "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-c", sql],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def _db_url(name: str) -> str:
    base, _, _ = PG_URL.rpartition("/")
    return f"{base}/{name}"


class Service:
    """One service process; `start` waits for its LISTENING line."""

    def __init__(self, name, args, env, log_dir):
        self.name, self.args, self.env, self.log_dir = name, args, env, log_dir
        self.process = None
        self.starts = 0

    def start(self, extra_env=None, wait=True):
        env = dict(os.environ)
        env.update(self.env)
        env.update(extra_env or {})
        self.starts += 1
        log = open(self.log_dir / f"{self.name}-{self.starts}.log", "w")
        self.process = subprocess.Popen([str(BIN), "serve", self.name, *self.args, "--log-format", "text"],
                                        stdout=subprocess.PIPE, stderr=log, env=env, text=True)
        if wait:
            self.wait_listening()

    def wait_listening(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if line.startswith("LISTENING"):
                return
            if not line and self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited with {self.process.returncode}; see {self.log_dir}")
        raise AssertionError(f"{self.name} did not listen within 60 s")

    def wait_exit(self, timeout):
        return self.process.wait(timeout=timeout)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


class Cluster:
    def __init__(self, tmp):
        tag = uuid.uuid4().hex[:10]
        self.dbs = {s: f"e2e_{tag}_{s}" for s in ("inventory", "booking", "payment")}
        for name in self.dbs.values():
            _psql(PG_URL, f"CREATE DATABASE {name}")
        self.ports = {s: _free_port() for s in ("inventory", "booking", "payment", "provider-sim")}
        prefix = f"e2e:{tag}:"
        addr = lambda s: f"127.0.0.1:{self.ports[s]}"
        self.booking_db = _db_url(self.dbs["booking"])
        self.services = {
            "provider-sim": Service("provider-sim", [
                "--port", str(self.ports["provider-sim"]), "--webhook-target", addr("payment"),
                "--webhook-secret", SECRET_WEBHOOK, "--latency-ms", "10", "--caller-timeout-ms", str(PROVIDER_TIMEOUT_MS),
                "--late-answer-ms", "500", "--webhook-delay-ms", "1500", "--out-of-order-ms", "1500",
                "--webhook-retry-ms", "200"], {}, tmp),
            "inventory": Service("inventory", [
                "--port", str(self.ports["inventory"]), "--pg-url", _db_url(self.dbs["inventory"]), "--redis-url", REDIS_URL,
                "--redis-prefix", prefix, "--store", "redis", "--sweep-interval-ms", "200"], {}, tmp),
            "payment": Service("payment", [
                "--port", str(self.ports["payment"]), "--pg-url", _db_url(self.dbs["payment"]),
                "--provider", addr("provider-sim"), "--booking", addr("booking"), "--webhook-secret", SECRET_WEBHOOK,
                "--provider-timeout-ms", str(PROVIDER_TIMEOUT_MS), "--reconcile-interval-ms", "200",
                "--check-backoff-ms", "200", "--check-backoff-max-ms", "1000", "--not-found-grace-ms", "1000",
                "--outbox-interval-ms", "100"], {}, tmp),
            "booking": Service("booking", [
                "--port", str(self.ports["booking"]), "--pg-url", self.booking_db, "--redis-url", REDIS_URL,
                "--redis-prefix", prefix, "--inventory", addr("inventory"), "--payment", addr("payment"),
                "--admission-secret", SECRET_ADMISSION, "--admission-rate", "1000", "--admission-interval-ms", "50",
                "--provider-timeout-ms", str(PROVIDER_TIMEOUT_MS), "--recovery-interval-ms", "200",
                "--hold-rate-burst", "1000", "--hold-rate-per-second", "1000"], {}, tmp),
        }
        for name in ("provider-sim", "inventory", "payment", "booking"):
            self.services[name].start()

    def channel(self, service):
        import grpc
        return grpc.insecure_channel(f"127.0.0.1:{self.ports[service]}")

    def close(self):
        for service in self.services.values():
            service.stop()
        for name in self.dbs.values():
            try:
                _psql(PG_URL, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            except AssertionError:
                pass


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    _generate()
    c = Cluster(tmp_path_factory.mktemp("e2e-logs"))
    yield c
    c.close()


def _stubs(cluster):
    from boxoffice.booking.v1 import booking_pb2, booking_pb2_grpc
    from boxoffice.inventory.v1 import inventory_pb2, inventory_pb2_grpc
    from boxoffice.payment.v1 import payment_pb2, payment_pb2_grpc
    return (booking_pb2, booking_pb2_grpc.BookingServiceStub(cluster.channel("booking")),
            inventory_pb2, inventory_pb2_grpc.InventoryServiceStub(cluster.channel("inventory")),
            payment_pb2, payment_pb2_grpc.PaymentServiceStub(cluster.channel("payment")))


def _create_event(cluster, capacity=40):
    _, _, inv_pb, inventory, _, _ = _stubs(cluster)
    request = inv_pb.CreateEventRequest(name="e2e", venue="loopback", max_tickets_per_holder=8,
                                        idempotency_key=uuid.uuid4().hex)
    request.starts_at.FromSeconds(int(time.time()) + 86400)
    request.sale_starts_at.FromSeconds(int(time.time()) - 60)
    request.hold_ttl.FromSeconds(120)
    tier = request.seat_map.price_tiers.add(code="std", name="Standard")
    tier.price.amount_minor = 2500
    tier.price.currency = "USD"
    request.seat_map.ga_pools.add(code="floor", name="Floor", price_tier="std", capacity=capacity)
    return inventory.CreateEvent(request, timeout=30).event.id


def _admitted_token(cluster, event_id, user):
    pb, booking, *_ = _stubs(cluster)
    entered = booking.EnterQueue(pb.EnterQueueRequest(event_id=event_id, user_id=user), timeout=10)
    ticket = entered.ticket.id
    deadline = time.monotonic() + 20
    status = entered.status
    while status.state != pb.QUEUE_STATE_ADMITTED:
        assert time.monotonic() < deadline, f"{user} not admitted: {status}"
        time.sleep(0.05)
        status = booking.GetQueueStatus(pb.GetQueueStatusRequest(ticket_id=ticket, user_id=user), timeout=10)
    return status.admission_token.token


def _hold(cluster, event_id, user, quantity=2):
    pb, booking, *_ = _stubs(cluster)
    token = _admitted_token(cluster, event_id, user)
    request = pb.HoldSeatsRequest(admission_token=token, user_id=user, event_id=event_id,
                                  general_admission=pb.GeneralAdmission(pool_code="floor", quantity=quantity),
                                  idempotency_key=uuid.uuid4().hex)
    # A retry with the same key after a restart is the same request.
    deadline = time.monotonic() + 30
    while True:
        try:
            return booking.HoldSeats(request, timeout=15).booking
        except Exception as error:  # UNAVAILABLE while booking restarts
            import grpc
            if not isinstance(error, grpc.RpcError) or error.code() not in (grpc.StatusCode.UNAVAILABLE,
                                                                           grpc.StatusCode.DEADLINE_EXCEEDED):
                raise
            assert time.monotonic() < deadline, f"HoldSeats kept failing: {error}"
            time.sleep(0.2)


def _wait_terminal(cluster, booking_id, user, timeout=45):
    pb, booking, *_ = _stubs(cluster)
    final = {pb.BOOKING_STATUS_CONFIRMED, pb.BOOKING_STATUS_PAYMENT_FAILED, pb.BOOKING_STATUS_EXPIRED,
             pb.BOOKING_STATUS_CANCELLED, pb.BOOKING_STATUS_REFUNDED}
    deadline = time.monotonic() + timeout
    while True:
        try:
            current = booking.GetBooking(pb.GetBookingRequest(booking_id=booking_id, user_id=user), timeout=5).booking
            terminal = _psql(cluster.booking_db, f"SELECT terminal FROM bookings WHERE id = '{booking_id}'")
            if current.status in final and terminal == "t":
                return current
        except Exception:
            pass  # booking restarting
        assert time.monotonic() < deadline, f"booking {booking_id} not terminal in {timeout} s"
        time.sleep(0.1)


def _check_invariants(cluster, event_id):
    """§4: sold == confirmed quantities (no double sale), every captured charge is a confirmed
    booking or refunded, every saga terminal."""
    pb, booking, inv_pb, inventory, pay_pb, payment = _stubs(cluster)
    rows = _psql(cluster.booking_db,
                 f"SELECT id, status, quantity, terminal FROM bookings WHERE event_id = {event_id} AND status IS NOT NULL")
    confirmed = 0
    for line in filter(None, rows.splitlines()):
        booking_id, status, quantity, terminal = line.split("|")
        assert terminal == "t", f"saga {booking_id} not terminal ({status})"
        if status == "confirmed":
            confirmed += int(quantity)
        try:
            pay = payment.GetPayment(pay_pb.GetPaymentRequest(booking_id=booking_id), timeout=5).payment
        except Exception:
            pay = None
        if pay is not None and pay.status == pay_pb.PAYMENT_STATUS_CAPTURED:
            assert status == "confirmed", f"{booking_id} captured but {status}"
        if status == "confirmed":
            assert pay is not None and pay.status == pay_pb.PAYMENT_STATUS_CAPTURED, f"{booking_id} confirmed unpaid"
    availability = inventory.GetAvailability(inv_pb.GetAvailabilityRequest(event_id=event_id), timeout=10)
    sold = sum(pool.sold for pool in availability.pools)
    assert sold == confirmed, f"inventory sold {sold}, bookings confirmed {confirmed}"
    assert all(pool.sold <= pool.capacity for pool in availability.pools)


BEHAVIOURS = [
    ("tok_approve", "BOOKING_STATUS_CONFIRMED"),
    ("tok_decline_card", "BOOKING_STATUS_PAYMENT_FAILED"),
    ("tok_decline_funds", "BOOKING_STATUS_PAYMENT_FAILED"),
    ("tok_timeout_charge", "BOOKING_STATUS_CONFIRMED"),
    ("tok_timeout_no_charge", "BOOKING_STATUS_PAYMENT_FAILED"),
    ("tok_webhook_lost", "BOOKING_STATUS_CONFIRMED"),
    ("tok_webhook_delayed", "BOOKING_STATUS_CONFIRMED"),
    ("tok_webhook_twice", "BOOKING_STATUS_CONFIRMED"),
    ("tok_webhook_out_of_order", "BOOKING_STATUS_CONFIRMED"),
]


@pytest.mark.parametrize("token,expected", BEHAVIOURS)
def test_e2e_payment_behaviour(cluster, token, expected):
    pb, booking, *_ = _stubs(cluster)
    event_id = _create_event(cluster)
    user = f"user-{uuid.uuid4().hex[:8]}"
    held = _hold(cluster, event_id, user)
    assert held.status == pb.BOOKING_STATUS_HELD
    answer = booking.Checkout(pb.CheckoutRequest(booking_id=held.id, user_id=user, payment_token=token,
                                                 idempotency_key=uuid.uuid4().hex), timeout=40).booking
    assert answer.status in (pb.BOOKING_STATUS_PAYMENT_PENDING, pb.BookingStatus.Value(expected))
    final = _wait_terminal(cluster, held.id, user)
    assert pb.BookingStatus.Name(final.status) == expected
    _check_invariants(cluster, event_id)


CRASH_POINTS = [
    ("before-hold-stored", "tok_approve", "BOOKING_STATUS_CONFIRMED"),
    ("after-charge-sent", "tok_approve", "BOOKING_STATUS_CONFIRMED"),
    ("after-captured-before-confirm", "tok_approve", "BOOKING_STATUS_CONFIRMED"),
    ("during-release", "tok_decline_card", "BOOKING_STATUS_PAYMENT_FAILED"),
]


@pytest.mark.parametrize("point,token,expected", CRASH_POINTS)
def test_e2e_crash_and_restart(cluster, tmp_path, point, token, expected):
    """kill -9 (SIGKILL by the process itself) at the crash point, restart with the same env: the
    once-file exists, so the new process runs past the point and finishes the saga."""
    import grpc
    pb, booking, *_ = _stubs(cluster)
    service = cluster.services["booking"]
    service.stop()
    once = tmp_path / f"crash-{point}"
    env = {"BOXOFFICE_CRASH_AT": point, "BOXOFFICE_CRASH_ONCE_FILE": str(once)}
    service.start(env)
    event_id = _create_event(cluster)
    user = f"user-{uuid.uuid4().hex[:8]}"
    try:
        held = None
        if point == "before-hold-stored":
            token_admission = _admitted_token(cluster, event_id, user)
            request = pb.HoldSeatsRequest(admission_token=token_admission, user_id=user, event_id=event_id,
                                          general_admission=pb.GeneralAdmission(pool_code="floor", quantity=2),
                                          idempotency_key="crash-hold")
            with pytest.raises(grpc.RpcError):
                booking.HoldSeats(request, timeout=15)
            assert service.wait_exit(20) == -9
            service.start(env)
            held = booking.HoldSeats(request, timeout=15).booking  # same key: the resumed saga's hold
        else:
            held = _hold(cluster, event_id, user)
            try:
                booking.Checkout(pb.CheckoutRequest(booking_id=held.id, user_id=user, payment_token=token,
                                                    idempotency_key="crash-pay"), timeout=20)
            except grpc.RpcError:
                pass
            assert service.wait_exit(30) == -9, "booking did not crash at the point"
            service.start(env)
        assert once.exists()
        if point == "before-hold-stored":
            assert held.status == pb.BOOKING_STATUS_HELD
            booking.Checkout(pb.CheckoutRequest(booking_id=held.id, user_id=user, payment_token=token,
                                                idempotency_key="after"), timeout=20)
        final = _wait_terminal(cluster, held.id, user)
        assert pb.BookingStatus.Name(final.status) == expected
        _check_invariants(cluster, event_id)
    finally:
        service.stop()
        service.start()
