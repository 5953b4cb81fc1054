"""The kiosk WebSocket `/ws/kiosk` (SPEC 4.2): transport only; the hub does the work.

The socket is answered at the ASGI level, before FastAPI's routing and middleware (see
`KioskSocket`): the kiosk path is the hot path of a burst and ten thousand of them stay open all
day. uvicorn's task for the connection reads the frames, rate-limits them and queues each vote with
the hub; the writer's answer (the ack, or a refusal) is queued to the connection's outbox by a
callback on the vote's future, not by a task per vote. Everything sent (acks, a ballot
broadcast, a revocation) is queued without waiting, so nothing waits for a slow handheld. No
database transaction is held for the life of a socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Callable
from typing import Any

import orjson
from pydantic import ValidationError
from starlette.types import Receive, Scope, Send

from server.errors import VoteHallError
from server.limits.connections import CLOSE_TOO_MANY
from server.limits.connections import REASON as TOO_MANY_REASON
from server.live.hub import LiveHub
from server.live.links import CLOSE_SERVICE_RESTART, KioskLink, PassRefused
from server.live.schemas import KIOSK_MESSAGE, Hello, VoteMessage, ack_message, error_message
from server.live.state import Ack, ActivePass
from server.live.ws_protocol import SEND_TEXT_NOWAIT
from server.ops import metrics
from server.security import hash_token

log = logging.getLogger(__name__)

KIOSK_PATH = "/ws/kiosk"
MAX_FRAME = 4096
_REFUSALS = {
    PassRefused.UNKNOWN: "unknown pass",
    PassRefused.ENDED: "pass revoked or checked out",
    PassRefused.MEETING_CLOSED: "the meeting is closed",
}
CLOSE_HELLO_TIMEOUT = 4408
CLOSE_POLICY = 1008
CLOSE_TOO_BIG = 1009

# A handheld sends a vote or two a minute; this allows bursts of double taps and resends.
RATE_PER_SECOND = 5.0
RATE_BURST = 20
STRIKES_BEFORE_CLOSE = 200
MAX_IN_FLIGHT = 4


RATE_LIMITED = orjson.dumps(error_message(None, "rate_limited", "too many messages; slow down")).decode()
HELLO_AGAIN = orjson.dumps(
    error_message(None, "bad_message", "already welcomed; hello is sent once")
).decode()


class TokenBucket:
    __slots__ = ("burst", "rate", "stamp", "tokens")

    def __init__(self, rate: float = RATE_PER_SECOND, burst: int = RATE_BURST) -> None:
        self.rate, self.burst = rate, float(burst)
        self.tokens, self.stamp = float(burst), time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class Refused(Exception):
    def __init__(self, code: str, message: str, vote_id: str | None = None) -> None:
        self.code, self.message, self.vote_id = code, message, vote_id


def parse(text: str | None) -> Hello | VoteMessage:
    if text is None:
        raise Refused("bad_message", "send JSON in text frames")
    try:
        return KIOSK_MESSAGE.validate_json(text)
    except ValidationError as error:
        first = error.errors()[0]
        if first["type"] == "json_invalid":
            raise Refused("bad_message", "the frame is not JSON") from None
        where = ".".join(str(part) for part in first["loc"])
        message = f"{where}: {first['msg']}" if where else first["msg"]
        raise Refused("bad_message", message, _vote_id_of(text)) from None


def _vote_id_of(text: str) -> str | None:
    """The vote_id of a refused frame, when it has a usable one, so the kiosk can match the error."""
    try:
        data: Any = orjson.loads(text)
    except orjson.JSONDecodeError:  # NaN, Infinity, 1e999: valid to pydantic, not to orjson
        return None
    vote_id = data.get("vote_id") if isinstance(data, dict) else None
    return vote_id if isinstance(vote_id, str) and len(vote_id) <= 64 else None


class Gone(Exception):
    """The kiosk's connection ended (it closed, or the server closed it)."""


def _frame_text(message: Any) -> str | None:
    """A received ASGI message as the kiosk's text frame (None for a binary one); Gone when the
    connection ended, Refused when the frame is too big."""
    if message["type"] != "websocket.receive":
        raise Gone
    text: str | None = message.get("text")
    if text is not None and len(text) > MAX_FRAME:
        raise Refused("too_big", f"frames are limited to {MAX_FRAME} bytes")
    return text


class KioskSocket:
    """One kiosk WebSocket at the ASGI level: frames in through `receive`, and the link's
    outbox out through `send`, drained by at most one task at a time.

    No Starlette WebSocket and no middleware stack: ten thousand open kiosk sockets would hold
    their frames for hours (6 KB a socket) and every frame out would pass through them (issue
    16). Nothing waits on an idle kiosk but uvicorn's own read: the outbox is drained by a short
    task that ends when the outbox is empty (`wake`); uvicorn's send does not wait unless the
    kiosk's write buffer is full, so it usually ends in the step it starts."""

    __slots__ = ("asgi_send", "closed", "draining", "link", "nowait", "receive")

    def __init__(self, receive: Receive, send: Send, nowait: Callable[[str], bool] | None = None) -> None:
        self.receive, self.asgi_send = receive, send
        self.nowait = nowait  # the server's send_text_nowait, when it offers one
        self.link: KioskLink | None = None
        self.draining = False
        self.closed = False  # a close was sent, or the kiosk is gone: nothing more goes out

    async def text(self) -> str | None:
        """The next text frame (None for a binary one); raises Gone when the connection ended."""
        return _frame_text(await self.receive())

    async def send_text(self, text: str) -> None:
        """Send one frame; raises Gone when the kiosk is gone (uvicorn raises ClientDisconnected,
        an OSError, or RuntimeError once it closed the socket itself)."""
        try:
            await self.asgi_send({"type": "websocket.send", "text": text})
        except (OSError, RuntimeError):
            self.closed = True
            raise Gone from None

    async def send_error(self, refused: Refused) -> None:
        await self.send_text(
            orjson.dumps(error_message(refused.vote_id, refused.code, refused.message)).decode()
        )

    async def close(self, code: int, reason: str = "") -> None:
        if self.closed:
            return
        self.closed = True
        with contextlib.suppress(OSError, RuntimeError):
            await self.asgi_send({"type": "websocket.close", "code": code, "reason": reason})

    def wake(self) -> None:
        """The link's outbox has something: send it now if the socket can take it (uvicorn via
        `LeanWebSocketProtocol`), else drain it in a task, unless a drain is under way."""
        if self.draining or self.closed:
            return
        assert self.link is not None
        outbox, nowait = self.link.outbox, self.nowait
        if nowait is not None:
            while outbox and isinstance(item := outbox[0], str) and nowait(item):
                del outbox[0]
            if not outbox:
                return
        self.draining = True  # a close, a full write buffer, or no nowait: the ASGI way
        asyncio.create_task(self._drain_in_task(), name="kiosk-send")  # noqa: RUF006 - ends on its own

    async def _drain_in_task(self) -> None:
        assert self.link is not None
        try:
            await self._drain(self.link)
        finally:
            self.draining = False

    async def _drain(self, link: KioskLink) -> None:
        outbox = link.outbox
        try:
            while outbox and not self.closed:
                item = outbox.pop(0)
                if isinstance(item, int):
                    await self.close(item)  # the receiver then reads the disconnect and ends
                    return
                await self.send_text(item)
        except Gone:
            outbox.clear()


async def kiosk_socket(app: Any, scope: Scope, receive: Receive, send: Send) -> None:
    """The ASGI application of `/ws/kiosk` (VoteHallApp answers it before the middleware
    stack), with the per-address limit of `server.limits.connections` applied here.

    Few frames are held for the life of a socket (ten thousand sockets): this one, `_live` and
    uvicorn's receive; the handshake and the hello run in a call that has returned by then."""
    client = scope.get("client")
    with app.state.connections.hold(client[0] if client else None) as admitted:
        if admitted:
            socket = KioskSocket(receive, send, scope.get("extensions", {}).get(SEND_TEXT_NOWAIT))
            active = await _open(app, scope, socket)
            if active is not None:
                await _live(app, socket, active)
            return
    if (await receive())["type"] == "websocket.connect":
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.close", "code": CLOSE_TOO_MANY, "reason": TOO_MANY_REASON})


async def _open(app: Any, scope: Scope, socket: KioskSocket) -> ActivePass | None:
    """Accept the socket and wait for its hello: the kiosk's active pass, or None (refused, gone)."""
    try:
        if (await socket.receive())["type"] != "websocket.connect":
            return None
        await socket.asgi_send({"type": "websocket.accept"})
        scope["headers"] = []  # read by nothing from here; held for as long as the socket lives
        return await _await_hello(socket, app.state.live, app.state.settings.hello_timeout)
    except (Gone, OSError, RuntimeError):
        # RuntimeError: uvicorn has closed the socket itself (a frame not UTF-8 or too big) and
        # refuses our answer; the kiosk is gone either way.
        return None


async def _live(app: Any, socket: KioskSocket, active: ActivePass) -> None:
    """The welcomed kiosk: one live connection per pass, its frames read until it goes."""
    hub: LiveHub = app.state.live
    link = KioskLink(active, hub.kiosks.stamp())
    socket.link = link
    hub.kiosks.attach(link)
    metrics.KIOSKS.inc()
    if not hub.running:
        # A hello read while the hub stops: its close loop has passed (or will not come, if the
        # hub never ran), and `hub.disconnected()` would wait for this socket until the timeout.
        link.close(CLOSE_SERVICE_RESTART)
    try:
        # One live connection per pass: older ones let go (4409) before this one is welcomed.
        await hub.kiosks.take_over(link)
        if not link.closing and link.release is None:  # else revoked, closed or replaced meanwhile
            # The welcome is the answer to the hello (SPEC 4.2 item 2). Ballot pushes queued
            # while the hand-over waited (up to HANDOVER_WAIT for another process) are older
            # than it, and it shows the current ballot: sent before it they would come first,
            # sent after it they would show a stale ballot. Nothing else is queued yet: no vote
            # was read, and a close would have set `closing`.
            link.outbox.clear()
            link.send(hub.welcome(active))
        link.wake = socket.wake  # from here what is queued goes out as it comes
        socket.wake()
        settings = app.state.settings
        bucket = TokenBucket(settings.kiosk_messages_per_second, settings.kiosk_message_burst)
        try:
            close_code = await _read_frames(socket, hub, link, bucket)
        finally:
            # The kiosk is gone; its queued votes still commit (a resend will get their acks).
            if link.in_flight:
                await asyncio.gather(*link.in_flight, return_exceptions=True)
        if close_code is not None:
            await socket.close(close_code)
    finally:
        socket.closed = True
        hub.kiosks.detach(link)
        metrics.KIOSKS.dec()


async def _await_hello(socket: KioskSocket, hub: LiveHub, seconds: float) -> ActivePass | None:
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        try:
            async with asyncio.timeout_at(deadline):
                text = await socket.text()
            message = parse(text)
        except TimeoutError:
            await socket.close(CLOSE_HELLO_TIMEOUT, f"no hello within {seconds:g} s")
            return None
        except Refused as refused:
            if refused.code == "too_big":
                await socket.close(CLOSE_TOO_BIG, refused.message)
                return None
            await socket.send_error(refused)
            continue
        if not isinstance(message, Hello):
            await socket.send_error(Refused("bad_message", "say hello with your pass first", message.vote_id))
            continue
        found = hub.pass_by_token_hash(hash_token(message.pass_))
        if isinstance(found, PassRefused):
            if found is PassRefused.MEETING_CLOSED:
                # Said in a frame too, so that a client reading messages knows before the close.
                await socket.send_text('{"type":"meeting_closed"}')
            await socket.close(found.value, _REFUSALS[found])
            return None
        return found


async def _read_frames(socket: KioskSocket, hub: LiveHub, link: KioskLink, bucket: TokenBucket) -> int | None:
    """Read frames as fast as they come; a vote waits for the writer on its future, so that a
    flood meets the rate limit at network speed, and never more than MAX_IN_FLIGHT of one kiosk
    wait for the writer. The close code to end with, or None when the kiosk (or a close from the
    outbox) ended it."""
    in_flight, receive = link.in_flight, socket.receive
    strikes = 0
    while True:
        try:
            # KioskSocket.text inline: one coroutine frame fewer held by every waiting kiosk.
            text = _frame_text(await receive())
        except Gone:
            return None  # gone, or closed from the outbox
        except Refused:
            return CLOSE_TOO_BIG
        received = time.perf_counter()
        if link.replaced:
            continue  # a newer connection has the pass; this one is closed with 4409 shortly
        if not bucket.take():
            strikes += 1
            if strikes >= STRIKES_BEFORE_CLOSE:
                return CLOSE_POLICY
            link.send_text(RATE_LIMITED)
            continue
        strikes = 0
        try:
            message = parse(text)
        except Refused as refused:
            link.send(error_message(refused.vote_id, refused.code, refused.message))
            continue
        if isinstance(message, Hello):
            link.send_text(HELLO_AGAIN)
            continue
        if len(in_flight) >= MAX_IN_FLIGHT:
            link.send(error_message(message.vote_id, "rate_limited", "wait for the acks of earlier votes"))
            metrics.vote_refused("rate_limited")
            continue
        try:
            outcome = hub.queue_vote(
                link.active, message.ballot, message.choice, message.vote_id, message.secret
            )
        except VoteHallError as error:
            link.send(error_message(message.vote_id, error.code, error.message))
            metrics.vote_refused(error.code)
            continue
        if isinstance(outcome, Ack):  # a resend of a committed vote
            link.send(ack_message(outcome))
            metrics.vote_acked(received)
            continue
        in_flight.add(outcome)
        outcome.add_done_callback(functools.partial(_answer, link, message.vote_id, received))


def _answer(link: KioskLink, vote_id: str, received: float, outcome: asyncio.Future[Ack]) -> None:
    """The writer's answer to a vote, queued to its kiosk: the ack, or why it was refused. It runs
    before anyone waiting on the vote's future (a hand-over queues its close after it)."""
    link.in_flight.discard(outcome)
    if outcome.cancelled():
        return
    error = outcome.exception()
    if error is None:
        link.send(ack_message(outcome.result()))
        metrics.vote_acked(received)
    elif isinstance(error, VoteHallError):
        link.send(error_message(vote_id, error.code, error.message))
        metrics.vote_refused(error.code)
    else:
        # Not the writer's way (it refuses with a VoteHallError), but a callback's exception is
        # seen by nobody: say it in the log, and let the kiosk resend rather than wait for ever.
        log.error("kiosk: vote %r ended with an unexpected error", vote_id, exc_info=error)
        link.send(error_message(vote_id, "unavailable", "the vote could not be stored; send it again"))
        metrics.vote_refused("unavailable")
