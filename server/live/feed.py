"""The feed publisher: coalesced snapshots, built once, offered to every subscriber (SPEC 4.3).

A change marks the feed dirty. One task wakes at most every `interval` seconds, builds the
public and the chair's snapshot once, serialises each once, and offers the same bytes to every
subscriber's small queue. A subscriber whose queue is full is dropped (it reconnects and gets
the latest snapshot); a slow screen never slows a vote (DESIGN invariant 5).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from server.ops import metrics

log = logging.getLogger(__name__)

SUBSCRIBER_QUEUE = 8
INTERVAL = 0.05


@dataclass(frozen=True, slots=True)
class Frame:
    version: int
    text: str  # the snapshot as JSON, serialised once for every subscriber


class Subscriber:
    def __init__(self, chair: bool) -> None:
        self.chair = chair
        self.queue: asyncio.Queue[Frame | None] = asyncio.Queue(maxsize=SUBSCRIBER_QUEUE)
        self.restart = False  # closed because the server shuts down, not because it lagged

    def offer(self, frame: Frame) -> bool:
        """Queue a frame; False (and a final None) when the subscriber cannot keep up."""
        try:
            self.queue.put_nowait(frame)
        except asyncio.QueueFull:
            self.close()
            return False
        return True

    def close(self, restart: bool = False) -> None:
        """End the subscription: the consumer sees None next."""
        self.restart = restart
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(None)


class FeedPublisher:
    def __init__(
        self,
        build: Callable[[int, bool], dict[str, Any]],
        interval: float = INTERVAL,
        version: Callable[[], int] | None = None,
    ) -> None:
        """`version` names the state to publish (the live hub's log position); without it each
        refresh is a new version from the clock."""
        self._build = build
        self._interval = interval
        self._position = version
        self._offset = 0  # keeps versions growing if the position ever goes back (see refresh)
        self._dirty = asyncio.Event()
        self._subscribers: set[Subscriber] = set()
        self._task: asyncio.Task[None] | None = None
        self.version = 0
        self._frames: dict[bool, Frame] = {}
        self.dropped = 0
        self._dirty_since: float | None = None  # for the feed lag metric

    def start(self) -> None:
        self.refresh()
        self._task = asyncio.create_task(self._run(), name="feed-publisher")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        for subscriber in self._subscribers:
            subscriber.close(restart=True)
        self._subscribers.clear()

    def mark_dirty(self) -> None:
        if self._dirty_since is None:
            self._dirty_since = time.perf_counter()
        self._dirty.set()

    def frame(self, chair: bool = False) -> Frame:
        """The latest snapshot, built at most once per version and channel."""
        if chair not in self._frames:
            text = orjson.dumps(self._build(self.version, chair)).decode()
            self._frames[chair] = Frame(self.version, text)
        return self._frames[chair]

    def subscribe(self, chair: bool = False) -> Subscriber:
        subscriber = Subscriber(chair)
        subscriber.offer(self.frame(chair))
        self._subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.discard(subscriber)

    def refresh(self) -> None:
        """Build a new version now and offer it to every subscriber (nothing, when the position
        says nothing new happened)."""
        if self._position is None:
            self.version = max(self.version + 1, time.time_ns() // 1_000_000)
        else:
            version = self._position() + self._offset
            if version == self.version:
                return
            if version < self.version:
                # An older meeting opened after a newer one: versions still only grow.
                self._offset += self.version + 1 - version
                version = self.version + 1
            self.version = version
        self._frames = {}
        for subscriber in list(self._subscribers):
            if not subscriber.offer(self.frame(subscriber.chair)):
                self._subscribers.discard(subscriber)
                self.dropped += 1
        if self._dirty_since is not None:
            metrics.FEED_LAG.observe(time.perf_counter() - self._dirty_since)
            self._dirty_since = None

    async def _run(self) -> None:
        while True:
            await self._dirty.wait()
            self._dirty.clear()
            try:
                self.refresh()
            except Exception:
                log.exception("feed: building the snapshot failed")
            await asyncio.sleep(self._interval)
