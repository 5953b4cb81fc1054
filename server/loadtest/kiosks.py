"""Simulated kiosks (SPEC 4.2) for one client process: connect, say hello, vote on a push.

Thousands of sockets share one event loop, so the per-message path is kept thin: frames are
built with bytes formatting and sent as text frames without a str round trip, received frames
stay bytes (`decode=False`) and go straight to orjson, and no keepalive task runs per socket
(the server pings; the protocol layer answers without our help).

A kiosk survives its connection as the real handheld does (SPEC 4.4): when the connection ends
for any reason but a refused pass, a newer connection of the pass or a closed meeting (4401,
4403, 4409, 4410) - a 1012 service restart, a 1008, a reset, a server that is down - it
reconnects after an exponential backoff with full jitter (a delay drawn from
[0, min(cap, base * 2**attempt)], so ten thousand kiosks cut at once do not return in one wave),
says hello again, holds the welcome's `vote` against its own ledger, and resends the vote it was
waiting for with the same `vote_id` (the server answers a known vote_id with the stored ack and
changes nothing). All of that sits in `except` branches and in `_reconnect`, off the hot path.

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
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from server.loadtest.stats import CHOICES, BurstPlan, BurstResult, ConnectStats

CONNECT_CONCURRENCY = 256
OPEN_TIMEOUT = 60.0
_CHOICE_BYTES = tuple(choice.encode() for choice in CHOICES)

# Reconnecting: full-jitter exponential backoff, and the closes after which there is no point.
RECONNECT_BASE = 0.25  # s: the first retry comes within a quarter second
RECONNECT_CAP = 8.0  # s: never wait longer than this between two attempts
RECONNECT_TIMEOUT = 30.0  # s for one attempt's handshake and welcome
# The closes after which a kiosk stops, as the handheld does (SPEC 4.2): a new connection would be
# refused too. With what the report says of each.
PASS_REFUSED: Mapping[int, str] = {
    4401: "unknown pass",
    4403: "pass revoked, checked out or replaced",
    4409: "the pass said hello on another connection",
    4410: "the meeting is closed",
}
# A frame that comes before such a close, instead of the welcome (SPEC 4.2 item 7).
MEETING_CLOSED = "meeting_closed"
RETRY_CODES = frozenset({"unavailable"})  # the server could not store it now: resend later
WELCOME_DISAGREES = "welcome_disagrees_with_ledger"

Target = tuple[str, str, str]  # member code, pass token, the server's ws:// base


class Kiosk:
    __slots__ = ("code", "connection", "token", "url", "weight")

    def __init__(self, code: str, token: str, url: str) -> None:
        self.code, self.token, self.url = code, token, url
        self.connection: ClientConnection | None = None
        self.weight = 0


class PassRefused(Exception):
    """The server closed with 4401/4403/4409/4410: this kiosk stops (a reconnect would be refused too)."""


def spread(urls: Sequence[str], passes: Sequence[tuple[str, str]]) -> list[Target]:
    """The kiosks over the servers, round robin: kiosk i talks to `urls[i % len(urls)]`."""
    if not urls:
        raise ValueError("at least one server url is needed")
    return [(code, token, urls[index % len(urls)]) for index, (code, token) in enumerate(passes)]


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
    if isinstance(error, PassRefused):
        error = error.__cause__ or error
    if isinstance(error, ConnectionClosed):
        return f"closed {error.rcvd.code}" if error.rcvd is not None else "closed"
    if isinstance(error, InvalidStatus):
        return f"http {error.response.status_code}"
    if isinstance(error, TimeoutError):
        return "timeout"
    return type(error).__name__


def explain(reason: str) -> str:
    """A counted reason as the report prints it: "closed 4410" -> "closed 4410 (the meeting is closed)"."""
    code = reason.removeprefix("closed ")
    meaning = PASS_REFUSED.get(int(code)) if code.isdigit() else None
    return f"{reason} ({meaning})" if meaning else reason


def _refused(error: BaseException) -> bool:
    return isinstance(error, ConnectionClosed) and error.rcvd is not None and error.rcvd.code in PASS_REFUSED


def backoff(
    attempt: int, rng: random.Random, base: float = RECONNECT_BASE, cap: float = RECONNECT_CAP
) -> float:
    """Full jitter: uniform over [0, min(cap, base * 2**attempt)]."""
    return rng.uniform(0, min(cap, base * 2 ** min(attempt, 32)))


def _is_open(ballot: dict[str, Any] | None, ballot_id: int) -> bool:
    return ballot is not None and ballot.get("id") == ballot_id and ballot.get("status") == "open"


class KioskSlice:
    """The kiosks one client process runs; `connect`, any number of `burst`s, then `close`."""

    def __init__(
        self,
        targets: Sequence[Target],
        *,
        deflate: bool = False,
        concurrency: int = 0,
        reconnect_base: float = RECONNECT_BASE,
        reconnect_cap: float = RECONNECT_CAP,
    ) -> None:
        paths = {url: url.rstrip("/") + "/ws/kiosk" for _, _, url in targets}
        self.kiosks = [Kiosk(code, token, paths[url]) for code, token, url in targets]
        self.deflate = deflate
        self.concurrency = concurrency or CONNECT_CONCURRENCY
        self.reconnect_base, self.reconnect_cap = reconnect_base, reconnect_cap
        self._jitter = random.Random()

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
                    await self._open(kiosk, OPEN_TIMEOUT)
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

    async def _open(self, kiosk: Kiosk, wait: float) -> dict[str, Any]:
        """Connect, say hello and answer the welcome (the kiosk is connected after it)."""
        connection = await connect(
            kiosk.url,
            compression="deflate" if self.deflate else None,
            ping_interval=None,
            proxy=None,
            open_timeout=wait,
            close_timeout=5,
            user_agent_header=None,
        )
        try:
            await connection.send(b'{"type":"hello","pass":"%s"}' % kiosk.token.encode(), text=True)
            welcome: dict[str, Any] = orjson.loads(
                await asyncio.wait_for(connection.recv(decode=False), wait)
            )
            if welcome.get("type") == MEETING_CLOSED:
                # The close with 4410 comes next: raised from here as ConnectionClosed, so that the
                # kiosk stops like one refused at the hello.
                await asyncio.wait_for(connection.recv(decode=False), wait)
            if welcome.get("type") != "welcome":
                raise ValueError(f"expected a welcome, got {welcome.get('type')}")
        except BaseException:
            await connection.close()
            raise
        kiosk.weight = int(welcome["member"]["weight"])
        kiosk.connection = connection
        return welcome

    async def burst(self, plan: BurstPlan, result: BurstResult | None = None) -> BurstResult:
        """Every connected kiosk waits for the push that opens `plan.ballot`, then votes.
        `result` lets a caller watch the burst as it goes (a test that cuts it in the middle)."""
        kiosks = self.connected
        result = result if result is not None else BurstResult()
        result.kiosks = len(kiosks)
        rng = random.Random(plan.seed)
        cpu, wall = time.process_time(), time.monotonic()
        with collector_paused():
            await asyncio.gather(*(self._vote(kiosk, plan, rng, result) for kiosk in kiosks))
        result.client_cpu = time.process_time() - cpu
        result.client_wall = time.monotonic() - wall
        if result.reconnects:  # the new connections join the ones frozen after the ramp
            gc.collect()
            gc.freeze()
        return result

    async def _vote(self, kiosk: Kiosk, plan: BurstPlan, rng: random.Random, result: BurstResult) -> None:
        acked = 0
        try:
            async with asyncio.timeout(plan.timeout):
                await self._await_open(kiosk, plan.ballot, result)
                for _ in range(plan.votes):
                    if plan.think_ms:
                        await asyncio.sleep(rng.random() * plan.think_ms / 1000)
                    pick = rng.randrange(3)
                    if await self._one_vote(kiosk, plan.ballot, pick, result):
                        acked += 1
        except (ConnectionClosed, TimeoutError, OSError, PassRefused) as error:
            result.errors[_reason(error)] += 1
        if acked == plan.votes:
            result.complete += 1

    async def _await_open(self, kiosk: Kiosk, ballot: int, result: BurstResult) -> None:
        """Skip frames until the push that says `ballot` is open (or a welcome that says so)."""
        while True:
            connection = kiosk.connection
            try:
                if connection is None:
                    raise ConnectionError("not connected")
                while True:
                    message: dict[str, Any] = orjson.loads(await connection.recv(decode=False))
                    if message.get("type") == "ballot" and _is_open(message.get("ballot"), ballot):
                        return
            except (ConnectionClosed, OSError) as error:
                welcome = await self._reconnect(kiosk, error, ballot, None, result)
                if _is_open(welcome.get("ballot"), ballot):
                    return

    async def _one_vote(self, kiosk: Kiosk, ballot: int, pick: int, result: BurstResult) -> bool:
        """Send one vote and wait for its answer; True when it was acknowledged. A lost
        connection or an `unavailable` answer sends the same frame again, same vote_id."""
        vote_id = uuid.uuid4().hex
        frame = b'{"type":"vote","ballot":%d,"choice":"%s","vote_id":"%s"}' % (
            ballot,
            _CHOICE_BYTES[pick],
            vote_id.encode(),
        )
        sent = time.monotonic()
        result.sent += 1
        result.first_send = min(result.first_send, sent)
        attempt = 0
        while True:
            connection = kiosk.connection
            try:
                if connection is None:
                    raise ConnectionError("not connected")
                await connection.send(frame, text=True)
                while True:
                    message: dict[str, Any] = orjson.loads(await connection.recv(decode=False))
                    kind = message.get("type")
                    if kind == "ack" and message.get("vote_id") == vote_id:
                        now = time.monotonic()
                        result.latencies.append(now - sent)
                        result.last_ack = max(result.last_ack, now)
                        result.ledger[kiosk.code] = (CHOICES[pick], kiosk.weight)
                        result.acked_ids[kiosk.code] = vote_id
                        return True
                    if kind == "error" and message.get("vote_id") in (vote_id, None):
                        code = str(message.get("code"))
                        if code not in RETRY_CODES:
                            result.errors[code] += 1
                            return False
                        result.retried[code] += 1
                        await asyncio.sleep(
                            backoff(attempt, self._jitter, self.reconnect_base, self.reconnect_cap)
                        )
                        attempt += 1
                        break
            except (ConnectionClosed, OSError) as error:
                await self._reconnect(kiosk, error, ballot, CHOICES[pick], result)
            result.resent += 1

    async def _reconnect(
        self, kiosk: Kiosk, error: BaseException, ballot: int, pending: str | None, result: BurstResult
    ) -> dict[str, Any]:
        """Reconnect after `error` until welcomed (the burst's timeout bounds it); check the
        welcome's vote against the ledger. `pending` is the choice sent and not yet acked."""
        if _refused(error):
            raise PassRefused from error
        lost, kiosk.connection = kiosk.connection, None
        if lost is not None:
            lost.transport.abort()  # closed or broken already: no closing handshake to wait for
        attempt = 0
        while True:
            await asyncio.sleep(backoff(attempt, self._jitter, self.reconnect_base, self.reconnect_cap))
            try:
                welcome = await self._open(kiosk, RECONNECT_TIMEOUT)
            except (OSError, InvalidHandshake, ConnectionClosed, TimeoutError, ValueError) as failed:
                if _refused(failed):
                    raise PassRefused from failed
                result.reconnect_failures += 1
                attempt += 1
                continue
            result.reconnects += 1
            self._check_welcome(kiosk, welcome, ballot, pending, result)
            return welcome

    @staticmethod
    def _check_welcome(
        kiosk: Kiosk, welcome: dict[str, Any], ballot: int, pending: str | None, result: BurstResult
    ) -> None:
        """The welcome shows the member's stored vote on the open ballot: it must be the last
        acked choice (none before the first ack), or the pending one if that was stored unacked."""
        shown = welcome.get("ballot")
        if shown is None or shown.get("id") != ballot:
            return
        acked = result.ledger.get(kiosk.code)
        allowed = {acked[0] if acked is not None else None}
        if pending is not None:
            allowed.add(pending)
        if welcome.get("vote") not in allowed:
            result.errors[WELCOME_DISAGREES] += 1

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
