"""The collector is off while a ballot is open, and comes back on a moment after the close
(server/live/collector.py), not in the same instant as the close's pushes to every handheld."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator

import pytest

from server.live import collector
from server.live.collector import CollectorPolicy


@pytest.fixture(autouse=True)
def collecting() -> Iterator[None]:
    gc.enable()
    yield
    gc.enable()


@pytest.fixture
def soon(monkeypatch: pytest.MonkeyPatch) -> float:
    monkeypatch.setattr(collector, "RESUME_AFTER", 0.05)
    return 0.05


async def test_the_collector_is_off_while_a_ballot_is_open_and_back_on_a_moment_after(soon: float) -> None:
    policy = CollectorPolicy()
    policy.ballot_open(True)
    assert not gc.isenabled()
    policy.ballot_open(False)
    assert not gc.isenabled()  # not in the instant of the close
    await asyncio.sleep(soon * 4)
    assert gc.isenabled()
    policy.ballot_open(False)  # nothing open, nothing paused: nothing to do
    assert gc.isenabled()


async def test_a_ballot_opened_before_the_collector_resumed_keeps_it_off(soon: float) -> None:
    policy = CollectorPolicy()
    policy.ballot_open(True)
    policy.ballot_open(False)
    policy.ballot_open(True)  # the next ballot, straight after
    await asyncio.sleep(soon * 4)
    assert not gc.isenabled()
    policy.ballot_open(False)
    policy.ballot_open(False)  # said twice: one resume
    await asyncio.sleep(soon * 4)
    assert gc.isenabled()


async def test_stopping_turns_the_collector_on_at_once(soon: float) -> None:
    policy = CollectorPolicy()
    policy.ballot_open(True)
    policy.ballot_open(False)
    policy.stop()
    assert gc.isenabled()
    policy.ballot_open(True)
    policy.stop()
    assert gc.isenabled()


def test_without_an_event_loop_the_collector_resumes_at_once() -> None:
    policy = CollectorPolicy()
    policy.ballot_open(True)
    assert not gc.isenabled()
    policy.ballot_open(False)
    assert gc.isenabled()
