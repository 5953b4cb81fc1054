"""The feed on every channel (SPEC 4.3): JSON, server-sent events, and WebSockets."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import orjson
from fastapi import APIRouter, Request, WebSocket
from fastapi.responses import Response, StreamingResponse
from pydantic import ValidationError
from starlette.websockets import WebSocketDisconnect

from server.audit.service import head_of
from server.auth.roles import Role
from server.auth.service import authenticate
from server.errors import NotFound, VoteHallError
from server.live import repository
from server.live.feed import Frame, Subscriber
from server.live.hub import LiveHub
from server.live.schemas import OperatorHello
from server.live.snapshot import snapshot
from server.live.sync import VERSION_BASE
from server.meetings.models import Meeting
from server.ops import metrics

router = APIRouter()

KEEPALIVE_SECONDS = 15.0
CLOSE_TRY_AGAIN = 1013
CLOSE_SERVICE_RESTART = 1012
CLOSE_UNAUTHORIZED = 4401
CLOSE_FORBIDDEN = 4403


def _hub(app_state: Any) -> LiveHub:
    hub: LiveHub = app_state.live
    return hub


@router.get("/api/feed", tags=["feed"])
async def feed(request: Request, meeting: int | None = None) -> Response:
    """The current snapshot of the open meeting, or of `?meeting=ID` (public)."""
    hub = _hub(request.app.state)
    if meeting is None or (hub.meeting is not None and hub.meeting.id == meeting):
        return Response(hub.feed.frame().text, media_type="application/json")
    cached = _other_meetings.get(meeting)
    if cached is not None and time.monotonic() - cached[0] < OTHER_MEETING_TTL:
        return Response(cached[1], media_type="application/json")
    async with hub.database.transaction(readonly=True) as session:
        found = await session.get(Meeting, meeting)
        if found is None:
            raise NotFound(f"there is no meeting {meeting}", code="unknown_meeting")
        head = await head_of(session, meeting)
        live = await repository.load_meeting(session, found, with_acks=False)
    body = orjson.dumps(snapshot(live, live.epoch * VERSION_BASE + (head[0] if head else 0)))
    _other_meetings[meeting] = (time.monotonic(), body)
    return Response(body, media_type="application/json")


# A public route must not let anyone make the server load a whole meeting on every request.
OTHER_MEETING_TTL = 5.0
_other_meetings: dict[int, tuple[float, bytes]] = {}


@router.get("/api/feed/stream", tags=["feed"], response_class=StreamingResponse)
async def feed_stream(request: Request) -> StreamingResponse:
    """Server-sent events: one `snapshot` event per new version, a comment every 15 s to keep alive."""
    hub = _hub(request.app.state)
    subscriber = hub.feed.subscribe()

    async def events() -> AsyncIterator[str]:
        gauge = metrics.SUBSCRIBERS.labels("stream")
        gauge.inc()
        try:
            while True:
                try:
                    frame = await asyncio.wait_for(subscriber.queue.get(), KEEPALIVE_SECONDS)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                if frame is None:
                    return
                yield f"id: {frame.version}\nevent: snapshot\ndata: {frame.text}\n\n"
        finally:
            hub.feed.unsubscribe(subscriber)
            gauge.dec()

    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)


async def _pump(websocket: WebSocket, subscriber: Subscriber, channel: str) -> None:
    """Send frames until the subscriber is dropped or the screen goes away."""
    gauge = metrics.SUBSCRIBERS.labels(channel)
    gauge.inc()
    try:
        await _frames(websocket, subscriber)
    finally:
        gauge.dec()


async def _frames(websocket: WebSocket, subscriber: Subscriber) -> None:

    async def watch_close() -> None:
        while (await websocket.receive())["type"] != "websocket.disconnect":
            pass

    async def send() -> None:
        while True:
            frame: Frame | None = await subscriber.queue.get()
            if frame is None:
                if subscriber.restart:
                    await websocket.close(CLOSE_SERVICE_RESTART, "the server restarts; reconnect")
                else:
                    await websocket.close(CLOSE_TRY_AGAIN, "too slow; reconnect for the latest snapshot")
                return
            await websocket.send_text(frame.text)

    tasks = {asyncio.create_task(watch_close()), asyncio.create_task(send())}
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


@router.websocket("/ws/display")
async def display(websocket: WebSocket) -> None:
    """The public feed for the hall screen and the stream overlay."""
    hub = _hub(websocket.app.state)
    await websocket.accept()
    subscriber = hub.feed.subscribe()
    try:
        await _pump(websocket, subscriber, "display")
    finally:
        hub.feed.unsubscribe(subscriber)


@router.websocket("/ws/chair")
async def chair(websocket: WebSocket) -> None:
    """The chair's feed: always with the running tally and who has not voted yet.

    Browsers cannot set headers on a WebSocket, and secrets never go in a URL (SPEC 3), so the
    operator token comes in the first message: {"type": "hello", "token": "..."}.
    """
    hub = _hub(websocket.app.state)
    await websocket.accept()
    try:
        text = await asyncio.wait_for(websocket.receive_text(), timeout=10)
        hello = OperatorHello.model_validate_json(text)
        async with hub.database.transaction(readonly=True) as session:
            operator = await authenticate(session, hello.token, _env_admin_token(websocket))
    except (TimeoutError, ValidationError, VoteHallError, WebSocketDisconnect, KeyError):
        with contextlib.suppress(Exception):
            await websocket.close(CLOSE_UNAUTHORIZED, 'send {"type": "hello", "token": ...} first')
        return
    if operator.role not in (Role.CHAIR, Role.ADMIN):
        await websocket.close(CLOSE_FORBIDDEN, "the chair's feed needs a chair or admin token")
        return
    subscriber = hub.feed.subscribe(chair=True)
    try:
        await _pump(websocket, subscriber, "chair")
    finally:
        hub.feed.unsubscribe(subscriber)


def _env_admin_token(websocket: WebSocket) -> str | None:
    settings = websocket.app.state.settings
    return settings.admin_token.get_secret_value() if settings.admin_token else None
