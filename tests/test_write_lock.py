"""server.write_lock.WriteLock: granted strictly in order of arrival (issue 13 item 8); how
SQLite's writers use it is in tests/live/hub/test_sqlite_write_lock.py."""

from __future__ import annotations

import asyncio

from server.write_lock import WriteLock


async def test_the_write_lock_is_granted_in_order_of_arrival() -> None:
    lock = WriteLock()
    order: list[int] = []

    async def writer(number: int) -> None:
        await lock.acquire()
        order.append(number)
        await asyncio.sleep(0)  # let everyone else run while holding it
        lock.release()

    await lock.acquire()
    waiters = []
    for number in range(20):
        waiters.append(asyncio.create_task(writer(number)))
        await asyncio.sleep(0)  # number arrives (queues) before number + 1
    assert lock.waiting == 20
    lock.release()
    # A newcomer after the release must queue behind the twenty, not take the lock at once.
    late = asyncio.create_task(writer(99))
    await asyncio.gather(*waiters, late)
    assert order == [*range(20), 99]
    assert not lock.locked


async def test_a_cancelled_waiter_leaves_the_queue_and_the_order_holds() -> None:
    lock = WriteLock()
    order: list[str] = []

    async def writer(name: str) -> None:
        await lock.acquire()
        order.append(name)
        lock.release()

    await lock.acquire()
    first, gone, last = (asyncio.create_task(writer(name)) for name in ("first", "gone", "last"))
    for _ in range(3):
        await asyncio.sleep(0)
    gone.cancel()
    await asyncio.sleep(0)
    lock.release()
    await asyncio.gather(first, last)
    assert gone.cancelled()
    assert order == ["first", "last"]
    assert not lock.locked and lock.waiting == 0


async def test_a_waiter_cancelled_once_granted_passes_the_lock_on() -> None:
    lock = WriteLock()
    await lock.acquire()
    granted = asyncio.create_task(lock.acquire())
    behind = asyncio.create_task(lock.acquire())
    await asyncio.sleep(0)
    lock.release()  # handed to `granted`, which is cancelled before it runs
    granted.cancel()
    await behind  # the lock went on to the next waiter instead of being lost
    assert lock.locked
    lock.release()
