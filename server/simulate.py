"""A simulated hall for `votehall demo --simulate`: the present members' handhelds vote on each
ballot of the agenda, driven through the product's own interfaces (the chair's HTTP API and the
kiosk WebSocket), so the hall screen moves on its own.

The simulated handhelds never reconnect: a connection that ends ends that handheld's part, as a
4403 (pass revoked) or a 4409 (the pass said hello on another device, SPEC 4.2 item 5) ends a
real handheld's. When
the chair closes the meeting (a person at /chair, while the demo plays) the handhelds hear
`meeting_closed` and close 4410 (SPEC 4.2 item 7), and the whole hall stops there, instead of
asking to open every remaining ballot of a closed meeting."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
import orjson
import websockets
from websockets.asyncio.client import ClientConnection

log = logging.getLogger(__name__)

# Most proposals pass comfortably, motions are closer; a few representatives change their mind.
LEANINGS: Mapping[str, tuple[float, float, float]] = {
    "voorstel": (0.85, 0.08, 0.07),
    "resolutie": (0.75, 0.15, 0.10),
    "benoeming": (0.90, 0.04, 0.06),
    "amendement": (0.40, 0.45, 0.15),
    "motie": (0.55, 0.35, 0.10),
}
CHOICES = ("for", "against", "abstain")
CLOSE_MEETING_CLOSED = 4410


@dataclass(frozen=True, slots=True)
class Pace:
    """Seconds: how long a ballot stays open at most, and how long the result stays up."""

    voting: float = 12.0
    result: float = 5.0
    between: float = 2.0


class Observer(Protocol):
    """What `votehall demo --simulate` shows while the hall plays (server/demo.py draws it)."""

    def connecting(self, connected: int, total: int) -> None: ...
    def opened(self, ballot: dict[str, Any], number: int, total: int, voters: int) -> None: ...
    def acked(self, ballot_id: int) -> None: ...
    def closed(self, ballot: dict[str, Any]) -> None: ...
    def done(self) -> None: ...
    def meeting_closed(self) -> None: ...


class Quiet:
    def connecting(self, connected: int, total: int) -> None:
        pass

    def opened(self, ballot: dict[str, Any], number: int, total: int, voters: int) -> None:
        pass

    def acked(self, ballot_id: int) -> None:
        pass

    def closed(self, ballot: dict[str, Any]) -> None:
        pass

    def done(self) -> None:
        pass

    def meeting_closed(self) -> None:
        pass


class SimulatedKiosk:
    """One handheld. `meeting_closed` is shared by the hall: set when this handheld hears that
    the meeting closed (the frame, or close 4410 at any time, also at the hello)."""

    def __init__(
        self,
        ws_url: str,
        token: str,
        rng: random.Random,
        observer: Observer = Quiet(),
        meeting_closed: asyncio.Event | None = None,
    ) -> None:
        self.ws_url, self.token, self.rng, self.observer = ws_url, token, rng, observer
        self.meeting_closed = meeting_closed if meeting_closed is not None else asyncio.Event()
        self.connection: ClientConnection | None = None
        self.acked: set[int] = set()
        self._reader: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        self.connection = await websockets.connect(f"{self.ws_url}/ws/kiosk", open_timeout=30)
        await self.connection.send(orjson.dumps({"type": "hello", "pass": self.token}).decode())
        self._hear(await self.connection.recv())  # the welcome, or meeting_closed before a 4410
        self._reader = asyncio.create_task(self._read())

    def _hear(self, frame: str | bytes) -> None:
        message = orjson.loads(frame)
        kind = message.get("type")
        if kind == "ack" and message["ballot"] not in self.acked:
            self.acked.add(message["ballot"])
            self.observer.acked(message["ballot"])
        elif kind == "meeting_closed":
            self.meeting_closed.set()

    async def _read(self) -> None:
        assert self.connection is not None
        try:
            async for frame in self.connection:
                self._hear(frame)
        except websockets.ConnectionClosed as closed:
            if closed.rcvd is not None and closed.rcvd.code == CLOSE_MEETING_CLOSED:
                self.meeting_closed.set()
        self.connection = None  # never reconnected: this handheld's part is over

    async def vote(self, ballot: dict[str, Any], pace: Pace) -> None:
        if self.connection is None:
            return
        weights = LEANINGS.get(ballot["kind"], (0.6, 0.3, 0.1))
        await asyncio.sleep(self.rng.uniform(0.3, pace.voting * 0.7))
        choice = self.rng.choices(CHOICES, weights=weights)[0]
        await self._send(ballot["id"], choice)
        if ballot["allow_change"] and self.rng.random() < 0.05:
            await asyncio.sleep(self.rng.uniform(0.5, 2.0))
            await self._send(ballot["id"], self.rng.choice(CHOICES))

    async def _send(self, ballot_id: int, choice: str) -> None:
        assert self.connection is not None
        frame = {"type": "vote", "ballot": ballot_id, "choice": choice, "vote_id": str(uuid.uuid4())}
        try:
            await self.connection.send(orjson.dumps(frame).decode())
        except websockets.ConnectionClosed:
            self.connection = None


async def simulate_hall(
    base_url: str,
    chair_token: str,
    meeting_id: int,
    passes: Mapping[str, str],
    pace: Pace = Pace(),
    seed: int = 11,
    observer: Observer = Quiet(),
) -> None:
    """Play every draft ballot of the meeting once, in agenda order; stop when the meeting closes."""
    rng = random.Random(seed)
    ws_url = base_url.replace("http", "ws", 1)
    meeting_closed = asyncio.Event()
    kiosks = [
        SimulatedKiosk(ws_url, token, random.Random(rng.random()), observer, meeting_closed)
        for token in passes.values()
    ]
    observer.connecting(0, len(kiosks))
    for start in range(0, len(kiosks), 50):
        await asyncio.gather(*(kiosk.connect() for kiosk in kiosks[start : start + 50]))
        observer.connecting(min(start + 50, len(kiosks)), len(kiosks))
    headers = {"Authorization": f"Bearer {chair_token}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=30) as chair:
        ballots = (await chair.get(f"/api/meetings/{meeting_id}/ballots")).json()
        drafts = [ballot for ballot in ballots if ballot["status"] == "draft"]
        for number, ballot in enumerate(drafts, start=1):
            if meeting_closed.is_set():
                break
            opened = await chair.post(f"/api/ballots/{ballot['id']}/open")
            if opened.status_code != 200:
                if _error_code(opened) == "meeting_closed":  # closed before a handheld heard it
                    meeting_closed.set()
                    break
                log.info("simulation: ballot %s not opened: %s", ballot["id"], opened.text)
                continue
            observer.opened(ballot, number, len(drafts), len(kiosks))
            await asyncio.wait_for(
                asyncio.gather(*(kiosk.vote(ballot, pace) for kiosk in kiosks)), timeout=pace.voting + 5
            )
            await asyncio.sleep(1.0)
            closed = await chair.post(f"/api/ballots/{ballot['id']}/close")
            if closed.status_code == 200:
                observer.closed(closed.json())
            # The result stays up, then a breath before the next ballot; a close of the meeting
            # meanwhile ends the play at once.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(meeting_closed.wait(), pace.result + pace.between)
    for kiosk in kiosks:
        if kiosk.connection is not None:
            await kiosk.connection.close()
    if meeting_closed.is_set():
        observer.meeting_closed()
        log.info("simulation: the meeting was closed; the simulated hall stops")
        return
    observer.done()
    log.info("simulation: the agenda is done")


def _error_code(answer: httpx.Response) -> str | None:
    """The `error` of an API refusal (`{"error": code, "detail": ...}`), if it has one."""
    try:
        body = answer.json()
    except ValueError:
        return None
    return body.get("error") if isinstance(body, dict) else None
