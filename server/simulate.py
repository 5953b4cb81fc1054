"""A simulated hall for `votehall demo --simulate`: the present members' handhelds vote on each
ballot of the agenda, driven through the product's own interfaces (the chair's HTTP API and the
kiosk WebSocket), so the hall screen moves on its own."""

from __future__ import annotations

import asyncio
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


class SimulatedKiosk:
    def __init__(self, ws_url: str, token: str, rng: random.Random, observer: Observer = Quiet()) -> None:
        self.ws_url, self.token, self.rng, self.observer = ws_url, token, rng, observer
        self.connection: ClientConnection | None = None
        self.acked: set[int] = set()
        self._reader: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        self.connection = await websockets.connect(f"{self.ws_url}/ws/kiosk", open_timeout=30)
        await self.connection.send(orjson.dumps({"type": "hello", "pass": self.token}).decode())
        await self.connection.recv()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.connection is not None
        try:
            async for frame in self.connection:
                message = orjson.loads(frame)
                if message.get("type") == "ack" and message["ballot"] not in self.acked:
                    self.acked.add(message["ballot"])
                    self.observer.acked(message["ballot"])
        except websockets.ConnectionClosed:
            pass

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
    """Play every draft ballot of the meeting once, in agenda order."""
    rng = random.Random(seed)
    ws_url = base_url.replace("http", "ws", 1)
    kiosks = [
        SimulatedKiosk(ws_url, token, random.Random(rng.random()), observer) for token in passes.values()
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
            opened = await chair.post(f"/api/ballots/{ballot['id']}/open")
            if opened.status_code != 200:
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
            await asyncio.sleep(pace.result)
            await asyncio.sleep(pace.between)
    for kiosk in kiosks:
        if kiosk.connection is not None:
            await kiosk.connection.close()
    observer.done()
    log.info("simulation: the agenda is done")
