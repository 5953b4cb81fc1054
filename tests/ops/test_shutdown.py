"""Graceful shutdown: SIGTERM in the middle of a burst loses no ack and tells kiosks to reconnect."""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, field
from typing import Any

import websockets
from sqlalchemy import select
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from server.ballots.models import VoteEvent
from server.db import Database
from server.live.kiosk_ws import MAX_IN_FLIGHT
from tests.live.conftest import Hall

CONNECTIONS_PER_MEMBER = 1  # one live connection per pass (SPEC 4.2 item 5: a second closes the first)
VOTES_PER_CONNECTION = 180
CHOICES = ("for", "against", "abstain")
SERVICE_RESTART = 1012


@dataclass
class Kiosk:
    member: str
    name: str
    connection: ClientConnection
    sent: list[str] = field(default_factory=list)
    acked: dict[str, dict[str, Any]] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)
    close_code: int | None = None

    async def drive(self, ballot_id: int, answered: asyncio.Queue[None]) -> None:
        """Keep MAX_IN_FLIGHT votes on their way, one more for each answer, and read every
        message until the server closes (messages may still be unread when a send fails)."""
        for _ in range(MAX_IN_FLIGHT):
            await self.send(ballot_id)
        try:
            while True:
                message = json.loads(await asyncio.wait_for(self.connection.recv(), 30))
                if message["type"] == "ack":
                    self.acked[message["vote_id"]] = message
                elif message["type"] == "error":
                    self.refused[message["vote_id"] or f"?{len(self.refused)}"] = message["code"]
                else:
                    continue
                answered.put_nowait(None)
                if len(self.sent) < VOTES_PER_CONNECTION:
                    await self.send(ballot_id)
        except ConnectionClosed as closed:
            self.close_code = closed.rcvd.code if closed.rcvd is not None else None

    async def send(self, ballot_id: int) -> None:
        vote_id = f"{self.name}-{len(self.sent)}"
        choice = CHOICES[len(self.sent) % len(CHOICES)]
        frame = json.dumps({"type": "vote", "ballot": ballot_id, "choice": choice, "vote_id": vote_id})
        with contextlib.suppress(ConnectionClosed):  # recv() tells, once the messages before are read
            await self.connection.send(frame)
            self.sent.append(vote_id)


async def display_close_code(hall: Hall, ready: asyncio.Event) -> int | None:
    async with websockets.connect(f"{hall.server.ws}/ws/display") as display:
        await display.recv()
        ready.set()
        try:
            while True:
                await display.recv()
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd is not None else None


async def stored_vote_ids(database: Database, vote_ids: list[str]) -> set[str]:
    async with database.transaction(readonly=True) as session:
        query = select(VoteEvent.vote_id).where(VoteEvent.vote_id.in_(vote_ids))
        return set((await session.scalars(query)).all())


async def test_sigterm_mid_burst_keeps_every_ack_and_closes_with_1012(hall: Hall, database: Database) -> None:
    ballot_id = hall.seeded.ballot_ids[0]  # allows changing a vote: every vote is stored
    await hall.action(ballot_id, "open")
    kiosks: list[Kiosk] = []
    for member in hall.seeded.passes:
        for n in range(CONNECTIONS_PER_MEMBER):
            connection, _ = await hall.kiosk(member)
            kiosks.append(Kiosk(member, f"{member}-k{n}", connection))
    shown = asyncio.Event()
    display = asyncio.create_task(display_close_code(hall, shown))
    await shown.wait()

    answered: asyncio.Queue[None] = asyncio.Queue()
    drivers = [asyncio.create_task(kiosk.drive(ballot_id, answered)) for kiosk in kiosks]
    for _ in range(2 * len(kiosks)):  # the burst is under way: votes are queued and in flight
        await asyncio.wait_for(answered.get(), 30)
    exit_code = await asyncio.to_thread(hall.server.terminate)
    await asyncio.wait_for(asyncio.gather(*drivers), 30)
    output = hall.server.output()

    assert exit_code == 0, output[-3000:]
    assert await asyncio.wait_for(display, 10) == SERVICE_RESTART
    stored = await stored_vote_ids(database, [vote_id for kiosk in kiosks for vote_id in kiosk.sent])
    for kiosk in kiosks:
        assert kiosk.close_code == SERVICE_RESTART, (kiosk.name, kiosk.close_code, output[-3000:])
        mine = {vote_id for vote_id in stored if vote_id.startswith(f"{kiosk.name}-")}
        # Every ack is a stored vote, and every stored vote had its ack sent before the close.
        assert set(kiosk.acked) == mine, (kiosk.name, mine - set(kiosk.acked))
        assert set(kiosk.refused.values()) <= {"unavailable", "rate_limited"}, kiosk.refused
    assert sum(len(kiosk.acked) for kiosk in kiosks) >= 2 * len(kiosks)
