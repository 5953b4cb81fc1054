"""A small meeting played in-process over HTTP, with votes through the live hub's writer.

Weights: GM0001 75, GM0002 42, GM0003 1, GM0004 75; GM0005 (12) never comes (no pass).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from server.app import create_app
from server.auth.roles import Role
from server.ballots.schemas import BallotCreate
from server.config import Settings
from server.db import Database
from server.live.hub import LiveHub
from server.live.state import ActivePass
from server.meetings.schemas import AgendaItemIn, MeetingCreate
from server.rules import BallotKind, Choice, Majority
from server.seed import Seeded, seed_meeting
from tests.factories import bearer
from tests.live.conftest import MEMBERS
from tests.record.minutes_hall import MINUTES_AGENDA, MinutesHall

SCRIPT_TITLE = "Motie <script>alert(1)</script> & meer"

AGENDA = [
    AgendaItemIn(number="1", title="Jaarverslag en digitalisering", decision=True),
    AgendaItemIn(number="2", title="Moties", decision=True),
    AgendaItemIn(number="3", title="Proefstemming"),
]
BALLOTS = {
    "annual": BallotCreate(agenda="1", title="Jaarverslag 2024", kind=BallotKind.VOORSTEL),
    "motion": BallotCreate(agenda="2", title=SCRIPT_TITLE, kind=BallotKind.MOTIE),
    "test": BallotCreate(agenda="3", title="Proefstemming", kind=BallotKind.VOORSTEL, test=True),
    "digital": BallotCreate(
        agenda="1", title="Resolutie digitalisering", kind=BallotKind.RESOLUTIE, majority=Majority.TWO_THIRDS
    ),
    "draft": BallotCreate(agenda="2", title="Motie die niet aan bod kwam", kind=BallotKind.MOTIE),
}


@dataclass
class Hall:
    client: httpx.AsyncClient
    app: FastAPI
    seeded: Seeded
    ballots: dict[str, int] = field(default_factory=dict)

    @property
    def meeting(self) -> int:
        return self.seeded.meeting_id

    def auth(self, role: Role) -> dict[str, str]:
        return bearer(self.seeded.tokens[role])

    async def call(self, method: str, path: str, role: Role, **kwargs: Any) -> Any:
        response = await self.client.request(method, path, headers=self.auth(role), **kwargs)
        assert response.status_code < 300, (path, response.status_code, response.text)
        return response.json()

    async def act(self, name: str, action: str) -> dict[str, Any]:
        answer: dict[str, Any] = await self.call(
            "POST", f"/api/ballots/{self.ballots[name]}/{action}", Role.CHAIR
        )
        return answer

    async def vote(self, code: str, name: str, choice: Choice, vote_id: str) -> None:
        hub: LiveHub = self.app.state.live
        await hub.vote(_active_pass(hub, code), self.ballots[name], choice, vote_id)

    async def play(self) -> None:
        """Votes on two ballots (one changed, one member never votes), a test ballot, an
        acclamation, a hand-over to a wethouder; one ballot stays a draft. The meeting stays open."""
        await self.act("annual", "open")
        await self.vote("GM0001", "annual", Choice.AGAINST, "a1")
        await self.vote("GM0002", "annual", Choice.AGAINST, "a2")
        await self.vote("GM0003", "annual", Choice.ABSTAIN, "a3")
        await self.vote("GM0001", "annual", Choice.FOR, "a4")  # a change: the last vote counts
        await self.act("annual", "close")

        await self.act("test", "open")
        await self.vote("GM0001", "test", Choice.FOR, "t1")
        await self.act("test", "close")

        await self.act("motion", "acclamation")

        cards = {
            c["member"]: c["card"]
            for c in await self.call("POST", f"/api/meetings/{self.meeting}/cards", Role.ADMIN)
        }
        await self.call("POST", f"/api/meetings/{self.meeting}/checkins", Role.DESK, json={
            "card": cards["GM0002"], "representative": {"name": "W. Ethouder", "role": "wethouder"},
            "hand_over": True,
        })  # fmt: skip

        await self.act("digital", "open")
        await self.vote("GM0001", "digital", Choice.FOR, "d1")
        await self.vote("GM0002", "digital", Choice.AGAINST, "d2")
        await self.vote("GM0003", "digital", Choice.FOR, "d3")
        await self.vote("GM0004", "digital", Choice.AGAINST, "d4")
        await self.act("digital", "close")

    async def close_and_publish(self) -> dict[str, Any]:
        await self.call("POST", f"/api/meetings/{self.meeting}/close", Role.CHAIR, json={"confirm": True})
        answer: dict[str, Any] = await self.call("POST", f"/api/meetings/{self.meeting}/publish", Role.CHAIR)
        return answer


def _active_pass(hub: LiveHub, code: str) -> ActivePass:
    meeting = hub.meeting
    assert meeting is not None
    member = next(seat.member_id for seat in meeting.seats.values() if seat.code == code)
    return next(p for p in meeting.passes.values() if p.member_id == member)


@asynccontextmanager
async def served(
    database: Database, settings: Settings, agenda: list[AgendaItemIn], ballots: dict[str, BallotCreate]
) -> AsyncIterator[Hall]:
    """A meeting seeded and open, the app (with its live hub) serving it; nothing played yet."""
    seeded = await seed_meeting(
        database,
        MeetingCreate(
            title="Algemene Ledenvergadering", date=date(2025, 6, 18), place="Utrecht", agenda=agenda
        ),
        members=MEMBERS,
        ballots=list(ballots.values()),
        present=["GM0001", "GM0002", "GM0003", "GM0004"],
    )
    app = create_app(settings, database)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://votehall.test") as client,
    ):
        yield Hall(client, app, seeded, dict(zip(ballots, seeded.ballot_ids, strict=True)))


@pytest.fixture
async def hall(database: Database, settings: Settings) -> AsyncIterator[Hall]:
    async with served(database, settings, AGENDA, BALLOTS) as served_hall:
        yield served_hall


@pytest.fixture
async def played(hall: Hall) -> Hall:
    await hall.play()
    return hall


@pytest.fixture
async def minutes(database: Database, settings: Settings) -> AsyncIterator[MinutesHall]:
    """tests/record/minutes_hall.py's meeting, played, closed and published."""
    async with served(database, settings, MINUTES_AGENDA, {}) as hall:
        played = MinutesHall(hall, database)
        await played.play()
        await hall.close_and_publish()
        yield played
