"""Cross-check of the Swift protobuf-c encoding and JSON mapping against Python protobuf (upb):
every sample of every message type, in both directions."""

import json
import subprocess

import pytest

import proto_support


@pytest.fixture(scope="module")
def exchange():
    proto_support.generate_python()
    crosscheck = proto_support.swift_binary("proto-crosscheck")
    ours = subprocess.run([str(crosscheck), "emit"], capture_output=True, text=True, timeout=60, check=True).stdout
    theirs = proto_support.run_peer(ours)
    return crosscheck, [json.loads(l) for l in ours.splitlines() if l], [json.loads(l) for l in theirs.splitlines() if l]


def test_every_message_type_is_exchanged(exchange):
    _, ours, theirs = exchange
    assert len(ours) == len(theirs) > 100
    assert {v["type"] for v in ours} >= {"grpc.health.v1.HealthCheckRequest", "grpc.testing.SimpleRequest",
                                           "grpc.reflection.v1.ServerReflectionResponse"}


def test_python_decodes_our_bytes_and_our_json_to_the_same_message(exchange):
    _, _, theirs = exchange
    disagreements = [f"{v['type']} #{v['variant']}" for v in theirs if not v["bytes_equal_json"]]
    assert disagreements == []


def test_python_writes_the_json_we_write(exchange):
    _, _, theirs = exchange
    different = [f"{v['type']} #{v['variant']}" for v in theirs if not v["their_json_is_ours"]]
    assert different == []


def test_python_writes_the_bytes_we_write(exchange):
    # Messages that can hold maps are left out: protobuf-c omits default keys and values inside
    # map entries and upb writes them; both decode to the same map (checked above and below).
    _, _, theirs = exchange
    compared = [v for v in theirs if not v["has_map"]]
    different = [f"{v['type']} #{v['variant']}" for v in compared if not v["same_bytes"]]
    assert len(compared) > 50
    assert different == []


def test_we_decode_python_bytes_and_json_to_our_values(exchange):
    crosscheck, _, theirs = exchange
    lines = "\n".join(json.dumps({k: v[k] for k in ("type", "variant", "hex", "json")}, ensure_ascii=False)
                      for v in theirs)
    result = subprocess.run([str(crosscheck), "verify"], input=lines, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert f"{len(theirs)} vectors, 0 problems" in result.stdout
