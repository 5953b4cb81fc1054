"""The load generator's own correctness, in spawn mode on SQLite: small runs, no timing asserted.

A load test that miscounts is worse than none, so these runs check that its PASS means what it
says: every kiosk acknowledged once per vote (changes included), the display and the closed
result equal to the kiosks' ledger, and that a wrong ledger is caught.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from server.loadtest.display import shows
from server.loadtest.main import LoadtestOptions, loadtest, read_passes
from server.loadtest.runner import DriveOptions, _check_closed
from server.loadtest.stats import BurstResult, latency_summary, merge_bursts, percentile


async def test_votes_with_changes_are_all_acked_and_counted() -> None:
    options = LoadtestOptions(kiosks=200, drive=DriveOptions(votes=2, bursts=2))
    votehall, echo = await loadtest(options)

    assert votehall.problems == [] and echo.problems == []
    assert votehall.connect.connected == 200 and echo.connect.connected == 200
    assert len(votehall.bursts) == 2
    for burst in [*votehall.bursts, *echo.bursts]:
        result = burst.result
        assert burst.problems == [], burst.problems
        assert (result.kiosks, result.sent, result.acked, result.complete) == (200, 400, 400, 200)
        assert not result.errors
    for burst in votehall.bursts:
        assert len(burst.result.ledger) == 200
        assert burst.display_ms is not None  # the display showed the ledger's tally
        assert burst.server_cpu is not None and burst.server_cpu >= 0
    assert votehall.passed and echo.passed


async def test_client_processes_share_the_kiosks() -> None:
    options = LoadtestOptions(kiosks=60, drive=DriveOptions(client_procs=2), echo=False)
    [votehall] = await loadtest(options)

    assert votehall.passed, votehall.problems + [p for b in votehall.bursts for p in b.problems]
    [burst] = votehall.bursts
    assert (burst.result.kiosks, burst.result.acked, len(burst.result.ledger)) == (60, 60, 60)


def test_command_prints_json_and_passes() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "server", "loadtest", "--kiosks", "30", "--votes", "2", "--json"],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert completed.returncode == 0, completed.stderr + completed.stdout
    report = json.loads(completed.stdout)
    assert report["passed"] is True
    votehall, echo = report["targets"]
    assert (votehall["votes_acked"], echo["votes_acked"]) == (60, 60)
    assert votehall["errors"] == {} and votehall["problems"] == []
    assert {verdict["target"] for verdict in report["verdicts"]} >= {"p99 ack < 250 ms"}


def test_slow_clients_beside_the_burst_are_held_and_closed() -> None:
    """`--slow-clients` (bench/slow_clients.py): the slow connections open from 127.0.0.2, the
    server closes them after its header deadline (1 s here), and the kiosks vote as ever."""
    completed = subprocess.run(
        [sys.executable, "-m", "server", "loadtest", "--kiosks", "30", "--bursts", "2", "--no-echo", "--json",
         "--slow-clients", "40"],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "VOTEHALL_HEADER_TIMEOUT": "1"},
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr + completed.stdout
    assert json.loads(completed.stdout)["passed"] is True
    [line] = [line for line in completed.stderr.splitlines() if line.startswith("slow clients: ")]
    seen = json.loads(line.removeprefix("slow clients: "))
    assert seen["opened"] >= 40 and seen["refused"] == 0 and seen["failed_to_connect"] == 0
    assert seen["closed_by_server"] > 0, seen


def test_a_closed_result_that_differs_from_the_ledger_fails() -> None:
    ledger = {"for": 75, "against": 42, "abstain": 0}
    closed = {"result": {"for": 75, "against": 42, "abstain": 0, "members_voted": 2}}
    assert _check_closed(closed, 2, ledger) == []
    closed["result"]["against"] = 41
    assert len(_check_closed(closed, 2, ledger)) == 1
    assert len(_check_closed(closed, 3, ledger)) == 2


def test_the_display_must_show_the_voters_and_the_exact_tally() -> None:
    ballot = {
        "id": 7,
        "voted": {"members": 2, "weight": 117},
        "tally": {"for": 75, "against": 42, "abstain": 0},
    }
    tally = {"for": 75, "against": 42, "abstain": 0}
    assert shows(ballot, 7, 2, tally)
    assert not shows(ballot, 8, 2, tally)
    assert not shows(ballot, 7, 3, tally)
    assert not shows({**ballot, "tally": None}, 7, 2, tally)  # a hidden tally is not shown


def test_merged_slices_keep_every_ack_and_the_whole_ledger() -> None:
    one = BurstResult(kiosks=1, sent=1, latencies=[0.010], first_send=1.0, last_ack=1.01)
    one.ledger["A"] = ("for", 75)
    two = BurstResult(kiosks=1, sent=1, latencies=[0.030], first_send=0.99, last_ack=1.05)
    two.ledger["B"] = ("abstain", 1)
    merged = merge_bursts([one, two])
    assert (merged.acked, merged.first_send, merged.last_ack) == (2, 0.99, 1.05)
    assert merged.tally() == {"for": 75, "against": 0, "abstain": 1}
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.0
    assert latency_summary([0.010, 0.030])["max_ms"] == 30.0


def test_pass_files_as_json_or_lines(tmp_path: Path) -> None:
    as_json = tmp_path / "passes.json"
    as_json.write_text(json.dumps({"GM0002": "vhp_b", "GM0001": "vhp_a"}))
    assert read_passes(as_json) == [("GM0001", "vhp_a"), ("GM0002", "vhp_b")]
    as_lines = tmp_path / "passes.txt"
    as_lines.write_text("GM0001 vhp_a\n\nvhp_c\n")
    assert read_passes(as_lines) == [("GM0001", "vhp_a"), ("K00003", "vhp_c")]


def test_several_spawned_processes_need_postgresql_and_redis(capsys: pytest.CaptureFixture[str]) -> None:
    from server.loadtest.main import run

    assert run(LoadtestOptions(kiosks=5, echo=False, processes=2, redis_url="redis://127.0.0.1:6379/0")) == 2
    assert "needs --database-url on PostgreSQL and --redis-url" in capsys.readouterr().err
