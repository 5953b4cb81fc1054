"""Fan-out between server processes through Redis pub/sub (SPEC 5 "Scale out", DESIGN).

PostgreSQL is the only truth; Redis only tells the other processes what committed, so that
their read models (and so every display) follow without reading the database for every vote.
After each commit a process publishes what changed:

- `{"o": origin, "k": "v", "v": [[ballot, member, choice, vote_id, receipt, seq], ...]}`: the
  votes of one group commit, each with the seq of its log entry (a member's votes are applied in
  seq order, whichever way they arrive);
- `{"o": origin, "k": "e", "e": [["m"|"b"|"p", id], ...]}`: an operator's change (meeting,
  ballot, pass); the receivers read the changed rows from the database, as the origin did;
- `{"o": origin, "k": "r"}`: "reload": sent by a process whose publishing failed once Redis
  answers again, because the others missed some of its changes;
- `{"o": origin, "k": "h", "h": [[pass, ns], ...]}`: kiosk connections of these passes said hello
  at these times (ns since the epoch) on the origin: one live connection per pass (SPEC 4.2
  item 5), so every process closes its older connections of the pass with 4409; a process with
  a newer one answers with its own "h";
- `{"o": origin, "k": "x", "x": [[pass, ns], ...]}`: those connections ended (after their votes
  in flight settled), so that a newer hello elsewhere need not wait for them any more.
- `{"o": origin, "k": "c", "b": ballot}`: "close this secret ballot": a chair's close landed on
  a process without the ballot's key; the process that holds it closes it (server.ballots.sealed_close).

Redis down: votes are still taken, committed and acked (the vote path never waits for Redis);
this process's screens follow its own commits; a hello is seen only by its own process. When
Redis is back, every subscriber tells its kiosk connections again ("h") and rebuilds its read
model from the database (a reconnect means it may have missed messages), and every publisher
that failed sends "reload", so no process stays behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    import redis.asyncio as redis

# redis is imported by the loops that use it, not here: every server imports this module
# (server.live.links), and a server without VOTEHALL_REDIS_URL would carry redis's 6 MB of
# modules all day for nothing (issue 16).

log = logging.getLogger(__name__)

OUTBOX_LIMIT = 10_000  # messages (a message is one group commit or one operator change)
BACKOFF_FIRST, BACKOFF_MAX = 0.2, 5.0

Deliver = Callable[[dict[str, Any]], Awaitable[None]]


class RedisFanout:
    def __init__(
        self, url: str, channel: str, deliver: Deliver, resync: Callable[[], Awaitable[None]]
    ) -> None:
        self.url = url
        self.channel = channel
        self.origin = uuid.uuid4().hex
        self._deliver = deliver
        self._resync = resync
        self._outbox: asyncio.Queue[bytes] = asyncio.Queue(maxsize=OUTBOX_LIMIT)
        self._tasks: list[asyncio.Task[None]] = []
        self._missed = False  # something could not be published: the others must reload
        self.subscribed = asyncio.Event()
        self.published = 0
        self.received = 0

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._publish_loop(), name="fanout-publish"),
            asyncio.create_task(self._subscribe_loop(), name="fanout-subscribe"),
        ]

    async def stop(self) -> None:
        # Hand what is queued to Redis first (a graceful shutdown), within a second.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._drained(), 1.0)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []

    async def _drained(self) -> None:
        while not self._outbox.empty():  # noqa: ASYNC110 - a queue has no "became empty" event
            await asyncio.sleep(0.01)

    # Publishing

    def publish(self, kind: str, **body: Any) -> None:
        """Queue a message; never waits (a vote is acked whether Redis answers or not)."""
        try:
            self._outbox.put_nowait(orjson.dumps({"o": self.origin, "k": kind, **body}))
        except asyncio.QueueFull:
            self._missed = True

    async def _publish_loop(self) -> None:
        import redis.asyncio as redis
        from redis.exceptions import RedisError

        client: redis.Redis | None = None
        backoff = BACKOFF_FIRST
        while True:
            reload = self._missed
            payload = orjson.dumps({"o": self.origin, "k": "r"}) if reload else await self._outbox.get()
            try:
                client = client or redis.Redis.from_url(self.url)
                await client.publish(self.channel, payload)
                self.published += 1
                if reload:
                    self._missed = False
                backoff = BACKOFF_FIRST
            except (RedisError, OSError) as error:
                log.warning(
                    "fan-out: could not publish (%s); the others will reload when Redis is back", error
                )
                self._missed = True
                while not self._outbox.empty():  # the reload covers them
                    self._outbox.get_nowait()
                if client is not None:
                    with contextlib.suppress(Exception):
                        await client.aclose()
                client = None
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX)

    # Receiving

    async def _subscribe_loop(self) -> None:
        import redis.asyncio as redis
        from redis.exceptions import RedisError

        backoff, first = BACKOFF_FIRST, True
        while True:
            client = redis.Redis.from_url(self.url)
            pubsub = client.pubsub()
            try:
                await pubsub.subscribe(self.channel)
                if not first:
                    # Messages may have gone by while we were away: the database has them all.
                    log.info("fan-out: Redis is back; rebuilding the read model from the database")
                    await self._resync()
                first, backoff = False, BACKOFF_FIRST
                self.subscribed.set()
                async for message in pubsub.listen():
                    if message.get("type") != "message":
                        continue
                    await self._receive(message["data"])
            except (RedisError, OSError) as error:
                self.subscribed.clear()
                first = False
                log.warning("fan-out: lost Redis (%s); retrying in %.1f s", error, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]
                    await client.aclose()

    async def _receive(self, data: bytes) -> None:
        try:
            message = orjson.loads(data)
        except orjson.JSONDecodeError:
            log.warning("fan-out: a message that is not JSON was ignored")
            return
        if not isinstance(message, dict) or message.get("o") == self.origin:
            return
        self.received += 1
        try:
            if message.get("k") == "r":
                await self._resync()
            else:
                await self._deliver(message)
        except Exception:
            log.exception("fan-out: applying a message failed; rebuilding from the database")
            await self._resync()
