"""grpcio against the real `boxoffice serve inventory` process, for each hold store: every RPC,
bad input statuses (nothing changed), expiry by the sweeper, Redis losing its data, shutdown."""
import time

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from google.protobuf import duration_pb2, timestamp_pb2

from inventory_support import InventoryProcess, delete_keys, stubs

STORES = ["redis", "postgres"]


@pytest.fixture(scope="module", params=STORES)
def service(request):
    process = InventoryProcess(request.param, "--sweep-interval-ms", "200", "--drift-check-interval-ms", "500")
    try:
        with grpc.insecure_channel(process.target) as channel:
            yield process, stubs().grpc.InventoryServiceStub(channel), channel
    finally:
        assert process.stop() == 0


def seat_map(rows=2, seats_per_row=10, ga=10):
    pb, money = stubs().pb, stubs().money
    return pb.SeatMap(
        price_tiers=[pb.PriceTier(code="A", price=money.Money(amount_minor=10_000, currency="USD")),
                     pb.PriceTier(code="B", price=money.Money(amount_minor=4_000, currency="USD"))],
        sections=[pb.SectionSpec(code=code, price_tier=tier,
                                 rows=[pb.RowSpec(label=f"{code[0]}{i}", seat_count=seats_per_row) for i in range(rows)])
                  for code, tier in [("FLOOR", "A"), ("BALC", "B")]],
        ga_pools=[pb.GeneralAdmissionPoolSpec(code="PIT", price_tier="B", capacity=ga)])


def create_event(stub, sale_in_seconds=-60, ttl_seconds=60, cap=0, key="", **map_options):
    pb = stubs().pb
    sale = timestamp_pb2.Timestamp(seconds=int(time.time()) + sale_in_seconds)
    return stub.CreateEvent(pb.CreateEventRequest(name="Py show", venue="Hall", sale_starts_at=sale,
                                                  hold_ttl=duration_pb2.Duration(seconds=ttl_seconds),
                                                  max_tickets_per_holder=cap, seat_map=seat_map(**map_options),
                                                  idempotency_key=key), timeout=30).event


def hold_seats(stub, event_id, holder, seats, key="", ttl=None):
    pb = stubs().pb
    request = pb.HoldSeatsRequest(event_id=event_id, holder_id=holder,
                                  specific_seats=pb.SpecificSeats(seat_ids=seats), idempotency_key=key)
    if ttl is not None:
        request.ttl.CopyFrom(duration_pb2.Duration(seconds=ttl))
    return stub.HoldSeats(request, timeout=10).hold


def status_of(call):
    with pytest.raises(grpc.RpcError) as error:
        call()
    return error.value.code(), error.value.details()


def test_health_reports_serving(service):
    _, _, channel = service
    response = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""), timeout=10)
    assert response.status == health_pb2.HealthCheckResponse.SERVING


def test_every_rpc(service):
    process, stub, _ = service
    pb = stubs().pb
    event = create_event(stub, key="py-every", cap=6)
    assert event.seat_count == 40 and event.ga_capacity == 10
    assert create_event(stub, key="py-every", cap=6).id == event.id
    assert stub.GetEvent(pb.GetEventRequest(event_id=event.id), timeout=10).event == event

    held = hold_seats(stub, event.id, "alice", [2, 1], key="k1")
    assert [seat.id for seat in held.seats] == [1, 2]
    assert held.status == pb.HOLD_STATUS_ACTIVE
    assert held.total_price.amount_minor == 20_000
    assert hold_seats(stub, event.id, "alice", [2, 1], key="k1").id == held.id

    best = stub.HoldSeats(pb.HoldSeatsRequest(event_id=event.id, holder_id="bob",
                                              best_available=pb.BestAvailable(quantity=3, section_code="BALC")),
                          timeout=10).hold
    assert len(best.seats) == 3 and {seat.section_code for seat in best.seats} == {"BALC"}
    ga = stub.HoldSeats(pb.HoldSeatsRequest(event_id=event.id, holder_id="carol",
                                            general_admission=pb.GeneralAdmission(pool_code="PIT", quantity=4)),
                        timeout=10).hold
    assert ga.ga_quantity == 4 and ga.ga_pool_code == "PIT"

    availability = stub.GetAvailability(pb.GetAvailabilityRequest(event_id=event.id, section_code="FLOOR"), timeout=10)
    assert [section.held for section in availability.sections] == [2, 3]
    assert [seat.id for seat in availability.seats if seat.status == pb.SEAT_STATUS_HELD] == [1, 2]
    assert availability.pools[0].held == 4 and availability.available == 35 + 6

    pinned = stub.PinHold(pb.PinHoldRequest(hold_id=held.id, holder_id="alice",
                                            pin_for=duration_pb2.Duration(seconds=300)), timeout=10).hold
    assert pinned.status == pb.HOLD_STATUS_PINNED
    confirmed = stub.ConfirmHold(pb.ConfirmHoldRequest(hold_id=held.id, holder_id="alice", order_reference="o-1"),
                                 timeout=10)
    assert confirmed.hold.status == pb.HOLD_STATUS_CONFIRMED
    assert list(confirmed.sale.seat_ids) == [1, 2] and confirmed.sale.order_reference == "o-1"
    again = stub.ConfirmHold(pb.ConfirmHoldRequest(hold_id=held.id, holder_id="alice", order_reference="o-1"), timeout=10)
    assert again.sale.id == confirmed.sale.id
    for _ in range(2):
        released = stub.ReleaseHold(pb.ReleaseHoldRequest(hold_id=best.id, holder_id="bob"), timeout=10).hold
        assert released.status == pb.HOLD_STATUS_RELEASED
    assert stub.GetHold(pb.GetHoldRequest(hold_id=held.id), timeout=10).hold.status == pb.HOLD_STATUS_CONFIRMED

    consistency = stub.CheckConsistency(pb.CheckConsistencyRequest(event_id=event.id), timeout=10)
    assert consistency.consistent and not consistency.drifts
    expected_store = pb.HOLD_STORE_KIND_REDIS if process.store == "redis" else pb.HOLD_STORE_KIND_POSTGRES
    assert consistency.store == expected_store


def test_bad_input_gets_its_status_and_changes_nothing(service):
    _, stub, _ = service
    pb = stubs().pb
    event = create_event(stub, cap=4)
    later = create_event(stub, sale_in_seconds=3_600)
    held = hold_seats(stub, event.id, "alice", [1, 2])
    before = stub.GetAvailability(pb.GetAvailabilityRequest(event_id=event.id, section_code="FLOOR"), timeout=10)

    cases = [
        (grpc.StatusCode.NOT_FOUND, lambda: stub.GetEvent(pb.GetEventRequest(event_id=987_654_321), timeout=10)),
        (grpc.StatusCode.NOT_FOUND, lambda: hold_seats(stub, event.id, "bob", [5, 999])),
        (grpc.StatusCode.INVALID_ARGUMENT, lambda: hold_seats(stub, event.id, "bob", [5, 5])),
        (grpc.StatusCode.INVALID_ARGUMENT, lambda: hold_seats(stub, event.id, "bob", [5], ttl=100_000)),
        (grpc.StatusCode.INVALID_ARGUMENT, lambda: stub.HoldSeats(pb.HoldSeatsRequest(
            event_id=event.id, holder_id="bob", general_admission=pb.GeneralAdmission(pool_code="PIT", quantity=0)),
            timeout=10)),
        (grpc.StatusCode.INVALID_ARGUMENT, lambda: stub.HoldSeats(pb.HoldSeatsRequest(
            event_id=event.id, holder_id="bob", general_admission=pb.GeneralAdmission(pool_code="PIT", quantity=5)),
            timeout=10)),
        (grpc.StatusCode.INVALID_ARGUMENT, lambda: stub.HoldSeats(pb.HoldSeatsRequest(event_id=event.id, holder_id="bob"),
                                                                  timeout=10)),
        (grpc.StatusCode.FAILED_PRECONDITION, lambda: hold_seats(stub, later.id, "bob", [1])),
        (grpc.StatusCode.FAILED_PRECONDITION, lambda: stub.ConfirmHold(pb.ConfirmHoldRequest(
            hold_id=held.id, holder_id="mallory", order_reference="o"), timeout=10)),
        (grpc.StatusCode.RESOURCE_EXHAUSTED, lambda: hold_seats(stub, event.id, "bob", [2, 3])),
        (grpc.StatusCode.INVALID_ARGUMENT, lambda: stub.CreateEvent(pb.CreateEventRequest(name="No map"), timeout=10)),
    ]
    for expected, call in cases:
        code, details = status_of(call)
        assert code == expected, details
        assert details
    after = stub.GetAvailability(pb.GetAvailabilityRequest(event_id=event.id, section_code="FLOOR"), timeout=10)
    assert after == before
    assert stub.GetHold(pb.GetHoldRequest(hold_id=held.id), timeout=10).hold == held


def test_unpinned_holds_expire_within_ttl_plus_a_sweep_pinned_ones_stay(service):
    _, stub, _ = service
    pb = stubs().pb
    event = create_event(stub)
    lapsing = hold_seats(stub, event.id, "alice", [1], ttl=1)
    kept = hold_seats(stub, event.id, "bob", [2], ttl=1)
    stub.PinHold(pb.PinHoldRequest(hold_id=kept.id, holder_id="bob", pin_for=duration_pb2.Duration(seconds=60)),
                 timeout=10)
    # TTL 1 s + one 200 ms sweep, with slack for a loaded machine; polled, bounded.
    deadline = time.monotonic() + 6
    status = None
    while time.monotonic() < deadline:
        status = stub.GetHold(pb.GetHoldRequest(hold_id=lapsing.id), timeout=10).hold.status
        if status == pb.HOLD_STATUS_EXPIRED:
            break
        time.sleep(0.1)
    assert status == pb.HOLD_STATUS_EXPIRED
    assert stub.GetHold(pb.GetHoldRequest(hold_id=kept.id), timeout=10).hold.status == pb.HOLD_STATUS_PINNED
    assert [seat.id for seat in hold_seats(stub, event.id, "carol", [1]).seats] == [1]


def test_redis_data_loss_is_rebuilt_from_postgres_without_double_sale(service):
    process, stub, _ = service
    if process.store != "redis":
        pytest.skip("only the redis store keeps state in Redis")
    pb = stubs().pb
    event = create_event(stub)
    sold = hold_seats(stub, event.id, "alice", [1, 2])
    stub.ConfirmHold(pb.ConfirmHoldRequest(hold_id=sold.id, holder_id="alice", order_reference="o-1"), timeout=10)
    lost = hold_seats(stub, event.id, "bob", [3])
    assert delete_keys(process.prefix + "*") > 0  # Redis loses this service's data
    # Sold seats stay sold: the rebuild reads PostgreSQL.
    code, _ = status_of(lambda: hold_seats(stub, event.id, "carol", [2]))
    assert code == grpc.StatusCode.RESOURCE_EXHAUSTED
    # The unconfirmed hold is gone and its seat holdable again.
    code, _ = status_of(lambda: stub.ConfirmHold(pb.ConfirmHoldRequest(hold_id=lost.id, holder_id="bob",
                                                                        order_reference="o-2"), timeout=10))
    assert code == grpc.StatusCode.NOT_FOUND
    assert [seat.id for seat in hold_seats(stub, event.id, "carol", [3]).seats] == [3]
    assert stub.CheckConsistency(pb.CheckConsistencyRequest(event_id=event.id), timeout=10).consistent
