"""The same round trip as proto-bench, through Python protobuf (upb), for Benchmarks/proto/run.sh.

Usage: bench_python.py GENERATED_DIR ITERATIONS. Prints one JSON line like proto-bench's.
"""

import json
import sys
import time
import tracemalloc

sys.path.insert(0, sys.argv[1])
from boxoffice.inventory.v1 import inventory_pb2 as inventory  # noqa: E402
from google.protobuf import __version__ as protobuf_version  # noqa: E402
from google.protobuf.internal import api_implementation  # noqa: E402

iterations = int(sys.argv[2])

request = inventory.HoldSeatsRequest(event_id=42, holder_id="user-7d1f0c2a",
                                     idempotency_key="7e0b5a3c-5a1e-4d55-9a43-3f2d7c2b9e10")
request.specific_seats.seat_ids.extend(1_000_100 + i for i in range(10))
request.ttl.seconds = 600
response = inventory.HoldSeatsResponse()
hold = response.hold
hold.id, hold.event_id, hold.holder_id, hold.status = "hold-5f3c9a", 42, "user-7d1f0c2a", inventory.HOLD_STATUS_ACTIVE
for i in range(10):
    hold.seats.add(id=1_000_100 + i, section_code="A", row="12", number=i + 1, position=i, price_tier="GOLD",
                   status=inventory.SEAT_STATUS_HELD, hold_id="hold-5f3c9a", version=3)
hold.total_price.amount_minor, hold.total_price.currency = 125_000, "USD"
hold.created_at.seconds, hold.expires_at.seconds = 1_767_225_600, 1_767_226_200


def round_trip():
    r = inventory.HoldSeatsRequest.FromString(request.SerializeToString())
    s = inventory.HoldSeatsResponse.FromString(response.SerializeToString())
    return r, s


assert round_trip() == (request, response)
for _ in range(1000):
    round_trip()
start = time.thread_time_ns()  # CPU time, like proto-bench: waiting for a core is not ours
for _ in range(iterations):
    round_trip()
elapsed = time.thread_time_ns() - start

# Python-heap blocks only: upb's own arenas are not visible to tracemalloc.
tracemalloc.start()
before = tracemalloc.take_snapshot()
for _ in range(1000):
    round_trip()
after = tracemalloc.take_snapshot()
tracemalloc.stop()
blocks = sum(stat.count_diff for stat in after.compare_to(before, "filename") if stat.count_diff > 0)

print(json.dumps({
    "runtime": f"python protobuf {protobuf_version} ({api_implementation.Type()})",
    "iterations": iterations,
    "request_bytes": len(request.SerializeToString()),
    "response_bytes": len(response.SerializeToString()),
    "ns_per_round_trip": elapsed // iterations,
    "allocations_per_round_trip": None,
    "python_heap_blocks_retained_per_1000": blocks,
}))
