"""`boxoffice chaos` end to end: a short drop on a cluster of its own while a few faults play (kill -9 of
booking and inventory, a pause of payment past its deadlines, Redis losing its data), then the history
checker over the history and the three databases must find no violation. Plus bad input refused before
anything starts."""
import json
import os
import pathlib
import shutil
import subprocess
import tempfile

import pytest

from interop_support import boxoffice

CHAOS_TIMEOUT = 600  # PostgreSQL + Redis + four services on a busy 2-core machine, the drop, convergence


def chaos(*args, timeout=60):
    return subprocess.run([str(boxoffice()), "chaos", *args], capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def data_dir():
    """A data folder the run's PostgreSQL (user postgres) can reach: pytest's tmp_path is private to root."""
    folder = tempfile.mkdtemp(prefix="boxoffice-chaos-test-")
    os.chmod(folder, 0o755)
    yield pathlib.Path(folder)
    shutil.rmtree(folder, ignore_errors=True)


def test_short_chaos_run_finds_no_violation(data_dir):
    data = data_dir / "chaos"
    result = chaos("--json", "--data-dir", str(data), "--seed", "5",
                   "--faults", "kill:booking,kill:inventory,pause:payment,redis-flushall",
                   "--duration", "50", "--fault-duration", "4", "--recovery-window", "6",
                   "--users", "400", "--seats", "120", "--ga", "30", "--concurrency", "40", "--hold-ttl", "4",
                   "--admission-rate", "10", "--converge-timeout", "90", timeout=CHAOS_TIMEOUT)
    assert result.returncode == 0, f"chaos failed ({result.returncode}):\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
    report = json.loads(result.stdout)
    assert report["check"]["passed"] is True, json.dumps(report["check"], indent=1)
    assert report["check"]["violations"] == []
    names = sorted(f["fault"]["name"] for f in report["faults"])
    assert names == ["kill:booking", "kill:inventory", "pause:payment", "redis-flushall"]
    for fault in report["faults"]:
        assert fault["endedAt"] >= fault["begunAt"] > 0
        assert "note" not in fault, fault  # injected and ended without trouble
        assert "recoverySeconds" in fault, fault  # holds were served again within the probe's minute
    totals = report["check"]["totals"]
    assert totals["clientCalls"] > 0 and totals["sales"] > 0
    assert totals["seatsSold"] <= 120 and totals["gaUnitsSold"] <= 30
    # The history the checker read is on disk, one record per line.
    history = [json.loads(line) for line in open(report["historyFile"]) if line.strip()]
    assert len(history) == totals["clientCalls"]
    # Nothing left running: PostgreSQL's pid file is gone.
    assert not (data / "postgres" / "postmaster.pid").exists()


@pytest.mark.parametrize("args, message", [
    (["--faults", "kill:booking,explode"], "unknown fault 'explode'"),
    (["--faults", "pause:booking,pause:payment,postgres-restart", "--duration", "20"], "drop lasts"),
    (["--faults", "postgres-restart", "--pg-url", "postgresql://postgres@127.0.0.1:1/postgres"], "drop --pg-url"),
    (["--faults", "redis-wipe", "--redis-url", "redis://127.0.0.1:1"], "drop --redis-url"),
    (["--faults", "blackhole:booking-inventory", "--redis-url", "redis://127.0.0.1:1"], "namespace"),
    (["--faults", "loss:booking-payment", "--loss-percent", "0"], "--loss-percent"),
])
def test_bad_input_is_refused_before_anything_starts(tmp_path, args, message):
    data = tmp_path / "never"
    result = chaos("--data-dir", str(data), *args)
    assert result.returncode != 0
    assert message in result.stderr, result.stderr
    assert not data.exists(), "nothing may start for a refused schedule"
