"""A hub whose start fails half-way is cleaned up by stop(): no writer, log watch or feed task
keeps running behind a server that never came up."""

from __future__ import annotations

import asyncio

import pytest

from server.db import Database
from server.live.hub import LiveHub
from tests.live.conftest import seed_hall


async def test_a_start_that_fails_half_way_is_stopped_cleanly(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed_hall(database)
    hub = LiveHub(database)

    def broken() -> None:
        raise RuntimeError("the feed could not start")

    monkeypatch.setattr(hub.feed, "start", broken)
    before = set(asyncio.all_tasks())
    with pytest.raises(RuntimeError):
        await hub.start()  # the reload and the writer are up; the feed is not
    assert hub.writer._task is not None
    await hub.stop()
    assert hub.writer._task is None
    assert not hub.running
    left = {task for task in asyncio.all_tasks() - before if not task.done()}
    assert left == set(), left
