"""The kiosk WebSocket `/ws/kiosk` (SPEC 4.2): transport only; the hub does the work.

Each connection runs a receiver and a sender. The receiver parses frames, rate-limits them and
awaits the hub's answer to a vote; the sender drains the connection's outbox, so a ballot
broadcast or a revocation never waits for a slow handheld. No database transaction is held for
the life of a socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import orjson
from fastapi import APIRouter, WebSocket
from pydantic import ValidationError
from starlette.websockets import WebSocketDisconnect, WebSocketState

from server.errors import VoteHallError
from server.live.hub import LiveHub
from server.live.links import KioskLink, PassRefused
from server.live.schemas import KIOSK_MESSAGE, Hello, VoteMessage, ack_message, error_message
from server.live.state import ActivePass
from server.ops import metrics
from server.security import hash_token

router = APIRouter()

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


class TokenBucket:
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


async def _receive_text(websocket: WebSocket) -> str | None:
    """The next text frame (None for a binary one); raises WebSocketDisconnect when gone."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    text: str | None = message.get("text")
    if text is not None and len(text) > MAX_FRAME:
        raise Refused("too_big", f"frames are limited to {MAX_FRAME} bytes")
    return text


async def _send_error(websocket: WebSocket, refused: Refused) -> None:
    await websocket.send_text(
        orjson.dumps(error_message(refused.vote_id, refused.code, refused.message)).decode()
    )


async def _await_hello(websocket: WebSocket, hub: LiveHub) -> ActivePass | None:
    timeout: float = websocket.app.state.settings.hello_timeout
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        try:
            text = await asyncio.wait_for(_receive_text(websocket), timeout=max(remaining, 0.001))
            message = parse(text)
        except TimeoutError:
            await websocket.close(CLOSE_HELLO_TIMEOUT, f"no hello within {timeout:g} s")
            return None
        except Refused as refused:
            if refused.code == "too_big":
                await websocket.close(CLOSE_TOO_BIG, refused.message)
                return None
            await _send_error(websocket, refused)
            continue
        if not isinstance(message, Hello):
            await _send_error(
                websocket, Refused("bad_message", "say hello with your pass first", message.vote_id)
            )
            continue
        found = hub.pass_by_token_hash(hash_token(message.pass_))
        if isinstance(found, PassRefused):
            if found is PassRefused.MEETING_CLOSED:
                # Said in a frame too, so that a client reading messages knows before the close.
                await websocket.send_text('{"type":"meeting_closed"}')
            await websocket.close(found.value, _REFUSALS[found])
            return None
        return found


@router.websocket("/ws/kiosk")
async def kiosk(websocket: WebSocket) -> None:
    hub: LiveHub = websocket.app.state.live
    await websocket.accept()
    try:
        active = await _await_hello(websocket, hub)
    except (WebSocketDisconnect, RuntimeError):
        # RuntimeError: uvicorn has closed the socket itself (a frame not UTF-8 or too big) and
        # refuses our answer; the kiosk is gone either way, as `_send` below takes it too.
        return
    if active is None:
        return
    link = KioskLink(active, hub.kiosks.stamp())
    hub.kiosks.attach(link)
    metrics.KIOSKS.inc()
    try:
        # One live connection per pass: older ones let go (4409) before this one is welcomed.
        await hub.kiosks.take_over(link)
        if not link.closing and link.release is None:  # else revoked, closed or replaced meanwhile
            link.send(hub.welcome(active))
        receiver = asyncio.create_task(_receive(websocket, hub, link))
        sender = asyncio.create_task(_send(websocket, link))
        done, pending = await asyncio.wait({receiver, sender}, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        for task in done:
            close_code = task.result()
            if close_code is not None and websocket.client_state is WebSocketState.CONNECTED:
                with contextlib.suppress(Exception):
                    await websocket.close(close_code)
    finally:
        hub.kiosks.detach(link)
        metrics.KIOSKS.dec()


async def _send(websocket: WebSocket, link: KioskLink) -> int | None:
    while True:
        item = await link.outbox.get()
        if isinstance(item, int):
            return item
        try:
            await websocket.send_text(item)
        except (WebSocketDisconnect, RuntimeError):
            return None


async def _receive(websocket: WebSocket, hub: LiveHub, link: KioskLink) -> int | None:
    """Read frames as fast as they come; votes run as tasks so that a flood meets the rate limit
    at network speed, and never more than MAX_IN_FLIGHT of one kiosk wait for the writer."""
    settings = websocket.app.state.settings
    bucket = TokenBucket(settings.kiosk_messages_per_second, settings.kiosk_message_burst)
    try:
        return await _read_frames(websocket, hub, link, bucket, link.in_flight)
    finally:
        # The kiosk is gone; its queued votes still commit (a resend will get their acks).
        if link.in_flight:
            await asyncio.gather(*link.in_flight, return_exceptions=True)


async def _read_frames(
    websocket: WebSocket,
    hub: LiveHub,
    link: KioskLink,
    bucket: TokenBucket,
    in_flight: set[asyncio.Task[None]],
) -> int | None:
    strikes = 0
    while True:
        try:
            text = await _receive_text(websocket)
        except WebSocketDisconnect:
            return None
        except Refused as refused:
            return CLOSE_TOO_BIG if refused.code == "too_big" else CLOSE_POLICY
        received = time.perf_counter()
        if link.replaced:
            continue  # a newer connection has the pass; this one is closed with 4409 shortly
        if not bucket.take():
            strikes += 1
            if strikes >= STRIKES_BEFORE_CLOSE:
                return CLOSE_POLICY
            link.send(error_message(None, "rate_limited", "too many messages; slow down"))
            continue
        strikes = 0
        try:
            message = parse(text)
        except Refused as refused:
            link.send(error_message(refused.vote_id, refused.code, refused.message))
            continue
        if isinstance(message, Hello):
            link.send(error_message(None, "bad_message", "already welcomed; hello is sent once"))
            continue
        if len(in_flight) >= MAX_IN_FLIGHT:
            link.send(error_message(message.vote_id, "rate_limited", "wait for the acks of earlier votes"))
            metrics.vote_refused("rate_limited")
            continue
        task = asyncio.create_task(_vote(hub, link, message, received))
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)


async def _vote(hub: LiveHub, link: KioskLink, message: VoteMessage, received: float) -> None:
    try:
        ack = await hub.vote(link.active, message.ballot, message.choice, message.vote_id, message.secret)
    except VoteHallError as error:
        link.send(error_message(message.vote_id, error.code, error.message))
        metrics.vote_refused(error.code)
        return
    link.send(ack_message(ack))
    metrics.vote_acked(received)
