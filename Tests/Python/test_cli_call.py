"""`boxoffice call`: proto3 JSON in and out through the generated messages, against the real
`boxoffice interop-server` and `boxoffice serve provider-sim` processes."""
import base64
import json
import subprocess
import uuid

import pytest

from interop_support import Server, boxoffice, start_interop_server


@pytest.fixture(scope="module")
def interop():
    server = start_interop_server()
    try:
        yield server.target
    finally:
        server.stop()


@pytest.fixture(scope="module")
def provider():
    server = Server([str(boxoffice()), "serve", "provider-sim", "--port", "0", "--log-level", "warning",
                     "--latency-ms", "1", "--late-answer-ms", "100"])
    try:
        yield server.target
    finally:
        server.stop()


def call(*args, stdin=None):
    return subprocess.run([str(boxoffice()), "call", *args], input=stdin, capture_output=True, text=True, timeout=60)


def test_unary_call_prints_the_response_as_proto3_json(interop):
    result = call("grpc.testing.TestService/UnaryCall", '{"responseSize": 3, "fillUsername": false}', "--server", interop)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"payload": {"body": base64.b64encode(bytes(3)).decode()}}


def test_short_alias_proto_field_names_and_stdin(interop):
    result = call("test/unarycall", "-", "--server", interop, "--compact", stdin='{"response_size": 2}')
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1
    assert json.loads(result.stdout)["payload"]["body"] == base64.b64encode(bytes(2)).decode()


def test_server_streaming_prints_one_json_per_message(interop):
    request = json.dumps({"responseParameters": [{"size": 1}, {"size": 4}, {"size": 2}]})
    result = call("test/StreamingOutputCall", request, "--server", interop, "--compact")
    assert result.returncode == 0, result.stderr
    sizes = [len(base64.b64decode(json.loads(line)["payload"]["body"])) for line in result.stdout.splitlines()]
    assert sizes == [1, 4, 2]


def test_client_streaming_sends_each_array_element(interop):
    request = json.dumps([{"payload": {"body": base64.b64encode(bytes(n)).decode()}} for n in (3, 5)])
    result = call("test/StreamingInputCall", request, "--server", interop)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"aggregatedPayloadSize": 8}


def test_health_check_with_the_default_request(interop):
    result = call("health/Check", "--server", interop)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"status": "SERVING"}


def test_non_ok_status_prints_code_and_message_and_exits_1(interop):
    request = json.dumps({"responseStatus": {"code": 5, "message": "no such seat"}})
    result = call("test/UnaryCall", request, "--server", interop)
    assert result.returncode == 1
    assert "NotFound" in result.stderr and "no such seat" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("args, expected", [
    (["nosuch.Service/Call", "{}"], "unknown service 'nosuch.Service'"),
    (["test/NoSuchMethod", "{}"], "has no method 'NoSuchMethod'"),
    (["justonename", "{}"], "is not SERVICE/METHOD"),
    (["test/UnaryCall", "{not json"], "malformed JSON"),
    (["test/UnaryCall", '{"noSuchField": 1}'], "noSuchField"),
    (["test/UnaryCall", '{"responseSize": "many"}'], "malformed JSON"),
    (["test/UnaryCall", "{}", "--metadata", "novalue"], "KEY=VALUE"),
])
def test_usage_errors_say_what_was_wrong_and_exit_2(interop, args, expected):
    result = call(*args, "--server", interop)
    assert result.returncode == 2, result.stderr
    assert expected in result.stderr


def test_unreachable_server_is_unavailable_exit_1():
    result = call("health/Check", "{}", "--server", "127.0.0.1:1")
    assert result.returncode == 1
    assert "Unavailable" in result.stderr


def test_provider_simulator_charge_and_lookup(provider):
    key = str(uuid.uuid4())
    created = call("provider/CreateCharge", json.dumps({"idempotencyKey": key, "amount": "1999", "currency": "EUR",
                                                        "paymentToken": "tok_approve"}), "--server", provider)
    assert created.returncode == 0, created.stderr
    charge = json.loads(created.stdout)
    assert charge["status"] == "CHARGE_STATUS_SUCCEEDED" and charge["amount"] == "1999"
    found = call("boxoffice.provider.v1.ProviderService/GetCharge", json.dumps({"idempotency_key": key}),
                 "--server", provider)
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout) == charge


def test_timeout_flag_sets_the_deadline(provider):
    request = json.dumps({"idempotencyKey": str(uuid.uuid4()), "amount": 5, "currency": "EUR",
                          "paymentToken": "tok_timeout_charge"})
    result = call("provider/CreateCharge", request, "--server", provider, "--timeout-ms", "300")
    assert result.returncode == 1
    assert "DeadlineExceeded" in result.stderr


def test_list_names_every_service():
    result = call("--list")
    assert result.returncode == 0, result.stderr
    assert "boxoffice.provider.v1.ProviderService" in result.stdout and "CreateCharge" in result.stdout
