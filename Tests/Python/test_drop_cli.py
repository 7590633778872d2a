"""`boxoffice drop` end to end: a small drop on a cluster the command starts itself (on the shared
PostgreSQL and Redis when BOXOFFICE_PG_URL / BOXOFFICE_REDIS_URL are set), its JSON report checked
(oversold 0, money conserved, sold within capacity), its client history file, and bad input."""
import json
import os
import subprocess

from interop_support import boxoffice

DROP_TIMEOUT = 420  # cluster start (four services migrating) + the drop + settling, on a busy 2-core machine


def server_flags():
    flags = []
    if os.environ.get("BOXOFFICE_PG_URL"):
        flags += ["--pg-url", os.environ["BOXOFFICE_PG_URL"]]
    if os.environ.get("BOXOFFICE_REDIS_URL"):
        flags += ["--redis-url", os.environ["BOXOFFICE_REDIS_URL"]]
    return flags


def test_small_drop_reports_nothing_oversold_and_money_conserved(tmp_path):
    history = tmp_path / "history.jsonl"
    args = [str(boxoffice()), "drop", "--json", "--quiet", "--users", "200", "--seats", "60", "--ga", "30",
            "--concurrency", "50", "--hold-ttl", "3", "--seed", "7", "--admission-rate", "200",
            "--settle-timeout", "60", "--history", str(history), "--data-dir", str(tmp_path / "cluster"),
            *server_flags()]
    result = subprocess.run(args, capture_output=True, text=True, timeout=DROP_TIMEOUT)
    assert result.returncode == 0, f"drop failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    report = json.loads(result.stdout)

    audit = report["audit"]
    assert report["passed"] is True
    assert audit["oversold"] == 0
    assert audit["bookingsSoldTwice"] == 0
    assert audit["capacity"] == 90
    assert 0 < audit["sold"] <= audit["capacity"]
    assert audit["sold"] + audit["unsold"] == audit["capacity"]
    money = audit["money"]
    assert money["capturedMinor"] == money["confirmedMinor"] + money["refundedMinor"]
    assert money["conserved"] is True
    assert sum(report["shoppers"].values()) == 200
    assert report["calls"]["HoldSeats"]["calls"] > 0
    assert report["calls"]["Checkout"]["p99Milliseconds"] >= report["calls"]["Checkout"]["p50Milliseconds"]

    # The history: one JSON record per call, numbered, with the outcome the client saw.
    records = [json.loads(line) for line in history.read_text().splitlines() if line.strip()]
    assert len(records) == report["historyRecords"] == report["totalCalls"]
    assert [r["seq"] for r in records] == list(range(1, len(records) + 1))
    assert {r["outcome"] for r in records} <= {"ok", "failed", "unknown"}
    checkouts = [r for r in records if r["op"] == "Checkout"]
    assert checkouts and all(r["token"].startswith("tok_") and r["booking"] for r in checkouts)
    # Every booking the client was told is CONFIRMED is confirmed in the database.
    told_confirmed = {r["booking"] for r in records if r["outcome"] == "ok" and r.get("status") == "CONFIRMED"}
    assert len(told_confirmed) <= audit["bookingsByStatus"].get("confirmed", 0)
    # Nothing left behind: the temporary cluster's data folder is gone or holds no running PostgreSQL.
    assert not (tmp_path / "cluster" / "postgres" / "postmaster.pid").exists()


def test_bad_input_is_refused_before_anything_starts(tmp_path):
    cases = [
        (["--tokens", "paypal=3"], "unknown checkout choice 'paypal'"),
        (["--users", "0"], "--users must be"),
        (["--inventory", "127.0.0.1:1"], "--inventory and --booking go together"),
        (["--seats", "0", "--ga", "0"], "something to sell"),
    ]
    for extra, message in cases:
        result = subprocess.run([str(boxoffice()), "drop", "--data-dir", str(tmp_path / "never"), *extra],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode != 0, extra
        assert message in result.stderr, (extra, result.stderr)
        assert not (tmp_path / "never").exists()
