"""Simulated kiosks (SPEC 4.2) for one client process: connect, say hello, vote on a push.

Thousands of sockets share one event loop, so the per-message path is kept thin: frames are
built with bytes formatting and sent as text frames without a str round trip, received frames
stay bytes (`decode=False`) and go straight to orjson, and no keepalive task runs per socket
(the server pings; the protocol layer answers without our help).

The garbage collector is kept out of the measurement: ten thousand connections put some two
hundred tracked objects each on the heap, and a full collection (triggered by the many
short-lived objects a burst creates) then stops this loop for the better part of a second. So the collector is paused during the ramp
and during each burst (their garbage is freed by reference counting; what is cyclic waits for
the next collection), and the connected sockets are frozen out of it after the ramp.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import random
import time
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from server.loadtest.stats import CHOICES, BurstPlan, BurstResult, ConnectStats

CONNECT_CONCURRENCY = 256
OPEN_TIMEOUT = 60.0
_CHOICE_BYTES = tuple(choice.encode() for choice in CHOICES)


class Kiosk:
    __slots__ = ("code", "connection", "token", "weight")

    def __init__(self, code: str, token: str) -> None:
        self.code, self.token = code, token
        self.connection: ClientConnection | None = None
        self.weight = 0


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic garbage collection inside the block (see the module's docstring)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _reason(error: BaseException) -> str:
    """A short, countable reason for a kiosk that could not connect or vote."""
    if isinstance(error, ConnectionClosed):
        return f"closed {error.rcvd.code}" if error.rcvd is not None else "closed"
    if isinstance(error, InvalidStatus):
        return f"http {error.response.status_code}"
    if isinstance(error, TimeoutError):
        return "timeout"
    return type(error).__name__


class KioskSlice:
    """The kiosks one client process runs; `connect`, any number of `burst`s, then `close`."""

    def __init__(
        self, url: str, passes: Sequence[tuple[str, str]], *, deflate: bool = False, concurrency: int = 0
    ) -> None:
        self.url = url.rstrip("/") + "/ws/kiosk"
        self.kiosks = [Kiosk(code, token) for code, token in passes]
        self.deflate = deflate
        self.concurrency = concurrency or CONNECT_CONCURRENCY

    @property
    def connected(self) -> list[Kiosk]:
        return [kiosk for kiosk in self.kiosks if kiosk.connection is not None]

    async def connect(self) -> ConnectStats:
        stats = ConnectStats(started=time.monotonic())
        cpu = time.process_time()
        gate = asyncio.Semaphore(self.concurrency)

        async def one(kiosk: Kiosk) -> None:
            async with gate:
                try:
                    await self._open(kiosk)
                except (OSError, InvalidHandshake, ConnectionClosed, TimeoutError, ValueError) as error:
                    stats.failed[_reason(error)] += 1
                    return
            stats.connected += 1
            stats.finished = time.monotonic()

        with collector_paused():
            await asyncio.gather(*(one(kiosk) for kiosk in self.kiosks))
            gc.collect()
            gc.freeze()
        stats.client_cpu = time.process_time() - cpu
        return stats

    async def _open(self, kiosk: Kiosk) -> None:
        connection = await connect(
            self.url,
            compression="deflate" if self.deflate else None,
            ping_interval=None,
            proxy=None,
            open_timeout=OPEN_TIMEOUT,
            close_timeout=5,
            user_agent_header=None,
        )
        try:
            await connection.send(b'{"type":"hello","pass":"%s"}' % kiosk.token.encode(), text=True)
            welcome = orjson.loads(await asyncio.wait_for(connection.recv(decode=False), OPEN_TIMEOUT))
            if welcome.get("type") != "welcome":
                raise ValueError(f"expected a welcome, got {welcome.get('type')}")
        except BaseException:
            await connection.close()
            raise
        kiosk.weight = int(welcome["member"]["weight"])
        kiosk.connection = connection

    async def burst(self, plan: BurstPlan) -> BurstResult:
        """Every connected kiosk waits for the push that opens `plan.ballot`, then votes."""
        kiosks = self.connected
        result = BurstResult(kiosks=len(kiosks))
        rng = random.Random(plan.seed)
        cpu, wall = time.process_time(), time.monotonic()
        with collector_paused():
            await asyncio.gather(*(self._vote(kiosk, plan, rng, result) for kiosk in kiosks))
        result.client_cpu = time.process_time() - cpu
        result.client_wall = time.monotonic() - wall
        return result

    async def _vote(self, kiosk: Kiosk, plan: BurstPlan, rng: random.Random, result: BurstResult) -> None:
        connection = kiosk.connection
        assert connection is not None
        acked = 0
        try:
            async with asyncio.timeout(plan.timeout):
                await _await_open(connection, plan.ballot)
                for _ in range(plan.votes):
                    if plan.think_ms:
                        await asyncio.sleep(rng.random() * plan.think_ms / 1000)
                    pick = rng.randrange(3)
                    if await _one_vote(connection, kiosk, plan.ballot, pick, result):
                        acked += 1
        except (ConnectionClosed, TimeoutError, OSError) as error:
            result.errors[_reason(error)] += 1
        if acked == plan.votes:
            result.complete += 1

    async def close(self) -> None:
        async def one(kiosk: Kiosk) -> None:
            if kiosk.connection is not None:
                await kiosk.connection.close()
                kiosk.connection = None

        gate = asyncio.Semaphore(self.concurrency * 4)

        async def gated(kiosk: Kiosk) -> None:
            async with gate:
                await one(kiosk)

        await asyncio.gather(*(gated(kiosk) for kiosk in self.kiosks), return_exceptions=True)
        gc.unfreeze()


async def _await_open(connection: ClientConnection, ballot: int) -> None:
    """Skip frames until the push that says `ballot` is open."""
    while True:
        message: dict[str, Any] = orjson.loads(await connection.recv(decode=False))
        if message.get("type") != "ballot":
            continue
        pushed = message.get("ballot") or {}
        if pushed.get("id") == ballot and pushed.get("status") == "open":
            return


async def _one_vote(
    connection: ClientConnection, kiosk: Kiosk, ballot: int, pick: int, result: BurstResult
) -> bool:
    """Send one vote and wait for its answer; True when it was acknowledged."""
    vote_id = uuid.uuid4().hex
    frame = b'{"type":"vote","ballot":%d,"choice":"%s","vote_id":"%s"}' % (
        ballot,
        _CHOICE_BYTES[pick],
        vote_id.encode(),
    )
    sent = time.monotonic()
    result.sent += 1
    result.first_send = min(result.first_send, sent)
    await connection.send(frame, text=True)
    while True:
        message: dict[str, Any] = orjson.loads(await connection.recv(decode=False))
        kind = message.get("type")
        if kind == "ack" and message.get("vote_id") == vote_id:
            now = time.monotonic()
            result.latencies.append(now - sent)
            result.last_ack = max(result.last_ack, now)
            result.ledger[kiosk.code] = (CHOICES[pick], kiosk.weight)
            return True
        if kind == "error" and message.get("vote_id") in (vote_id, None):
            result.errors[str(message.get("code"))] += 1
            return False
