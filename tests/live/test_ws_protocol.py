"""The lean parts of `server.live.ws_protocol`: the inbox and the write flag behave as the asyncio
Queue and Event they replace, as uvicorn uses them; `votehall serve` runs the lean protocol."""

from __future__ import annotations

import asyncio

import pytest

from server.live.ws_protocol import Flag, Inbox, LeanWebSocketProtocol


async def test_the_inbox_hands_items_over_in_order_and_wakes_its_reader() -> None:
    inbox = Inbox()
    assert inbox.empty()
    inbox.put_nowait(1)
    inbox.put_nowait(2)
    assert (inbox.qsize(), await inbox.get(), await inbox.get()) == (2, 1, 2)
    reader = asyncio.create_task(inbox.get())
    await asyncio.sleep(0)
    assert not reader.done()
    inbox.put_nowait(3)
    assert await asyncio.wait_for(reader, 1) == 3
    assert inbox.empty()


async def test_a_reader_cancelled_while_woken_passes_the_item_on() -> None:
    inbox = Inbox()
    first = asyncio.create_task(inbox.get())
    second = asyncio.create_task(inbox.get())
    await asyncio.sleep(0)
    inbox.put_nowait("frame")  # wakes the first reader ...
    first.cancel()  # ... which is cancelled before it runs: the second one gets the frame
    assert await asyncio.wait_for(second, 1) == "frame"
    with pytest.raises(asyncio.CancelledError):
        await first


async def test_a_cancelled_wait_on_the_inbox_leaves_no_waiter_behind() -> None:
    inbox = Inbox()
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.01):
            await inbox.get()
    inbox.put_nowait("later")
    assert await asyncio.wait_for(inbox.get(), 1) == "later"


async def test_the_flag_lets_writers_wait_until_it_is_set() -> None:
    flag = Flag(is_set=True)
    assert await asyncio.wait_for(flag.wait(), 1)
    flag.clear()
    waiters = [asyncio.create_task(flag.wait()) for _ in range(3)]
    await asyncio.sleep(0)
    assert not any(waiter.done() for waiter in waiters)
    waiters[0].cancel()  # one writer gives up: the others still wait, and are woken
    await asyncio.sleep(0)
    assert not waiters[1].done()
    flag.set()
    assert await asyncio.wait_for(asyncio.gather(*waiters[1:]), 1) == [True, True]
    assert flag.is_set()


def test_votehall_serve_runs_the_lean_protocol(monkeypatch: pytest.MonkeyPatch) -> None:
    from server.cli import serve
    from server.config import Settings

    given: dict[str, object] = {}
    monkeypatch.setattr(serve.serving, "run", lambda app, **options: given.update(options))
    serve.run_server(Settings(database_url="sqlite+aiosqlite:///:memory:"))
    assert given["ws"] is LeanWebSocketProtocol
