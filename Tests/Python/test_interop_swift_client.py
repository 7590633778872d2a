"""`boxoffice interop-client` against a Python grpcio TestService server
(Tests/Python/interop_test_server.py), and against our own `boxoffice interop-server`."""
import subprocess

import pytest

from interop_support import boxoffice, start_interop_server, start_python_test_server

CASES = ["empty_unary", "large_unary", "client_streaming", "server_streaming", "ping_pong", "empty_stream",
         "custom_metadata", "status_code_and_message", "special_status_message", "unimplemented_method",
         "unimplemented_service", "timeout_on_sleeping_server", "cancel_after_begin",
         "cancel_after_first_response"]


def run_client(target, test_case="all"):
    return subprocess.run([str(boxoffice()), "interop-client", "--server", target, "--test-case", test_case],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def python_server():
    server = start_python_test_server()
    yield server
    server.stop()


def test_all_cases_pass_against_python_grpcio(python_server):
    result = run_client(python_server.target)
    assert result.returncode == 0, result.stdout + result.stderr
    passed = [line.split()[1] for line in result.stdout.splitlines() if line.startswith("PASS ")]
    assert passed == CASES


def test_all_cases_pass_against_our_server():
    server = start_interop_server()
    try:
        result = run_client(server.target)
    finally:
        assert server.stop() == 0
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"PASSED all {len(CASES)}" in result.stdout


def test_failures_exit_non_zero_and_name_the_cases():
    server = start_python_test_server("--health-only")
    try:
        result = run_client(server.target)
    finally:
        server.stop()
    assert result.returncode != 0
    failed = [line.split()[1].rstrip(":") for line in result.stdout.splitlines() if line.startswith("FAIL ")]
    # Without TestService every case that needs a working call fails (the deadline and
    # cancellation cases may also pass, depending on which status arrives first).
    assert set(CASES[:9]) <= set(failed)
    assert "unimplemented_method" not in failed and "unimplemented_service" not in failed
    assert f"FAILED {len(failed)} of {len(CASES)}: {' '.join(failed)}" in result.stdout


def test_unknown_case_is_a_usage_error():
    result = run_client("127.0.0.1:1", "no_such_case")
    assert result.returncode != 0
    assert "unknown test case" in result.stderr
