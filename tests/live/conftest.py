from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import websockets
from playwright.async_api import Browser
from websockets.asyncio.client import ClientConnection

from server.auth.roles import Role
from server.ballots.schemas import BallotCreate
from server.db import Database
from server.meetings.schemas import MeetingCreate
from server.rules import BallotKind
from server.seed import Seeded, SeedMember, seed_meeting
from tests.servers import ServerProcess

MEMBERS = [
    SeedMember("GM0001", "Grootstad", 150_500),  # 75
    SeedMember("GM0002", "Middenburg", 42_999),  # 42
    SeedMember("GM0003", "Kleindorp", 640),  # 1
    SeedMember("GM0004", "Randmeer", 75_000),  # 75
    SeedMember("GM0005", "Afwezig", 12_000),  # 12, no pass
]


@dataclass
class Hall:
    server: ServerProcess
    seeded: Seeded
    other_meeting_ballot: int

    def chair(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.seeded.tokens[Role.CHAIR]}"}

    async def action(self, ballot_id: int, action: str) -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=self.server.base) as client:
            response = await client.post(f"/api/ballots/{ballot_id}/{action}", headers=self.chair())
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer

    async def ballot(self, ballot_id: int) -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=self.server.base) as client:
            answer: dict[str, Any] = (
                await client.get(f"/api/ballots/{ballot_id}", headers=self.chair())
            ).json()
        return answer

    async def feed(self) -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=self.server.base) as client:
            answer: dict[str, Any] = (await client.get("/api/feed")).json()
        return answer

    async def kiosk(self, code: str) -> tuple[ClientConnection, dict[str, Any]]:
        """A connected kiosk of member `code`, after its welcome."""
        connection = await websockets.connect(f"{self.server.ws}/ws/kiosk")
        await connection.send(json.dumps({"type": "hello", "pass": self.seeded.passes[code]}))
        welcome = json.loads(await connection.recv())
        assert welcome["type"] == "welcome", welcome
        return connection, welcome


BALLOTS = [
    BallotCreate(agenda="1", title="Jaarverslag", kind=BallotKind.VOORSTEL),
    BallotCreate(agenda="2", title="Motie zonder wijzigen", kind=BallotKind.MOTIE, allow_change=False),
    BallotCreate(
        agenda="3", title="Proefstemming", kind=BallotKind.VOORSTEL, test=True, show_live_tally=True
    ),
]


async def seed_hall(database: Database) -> tuple[Seeded, int]:
    from datetime import date

    seeded = await seed_meeting(
        database,
        MeetingCreate(title="ALV", date=date(2025, 6, 18)),
        members=MEMBERS,
        ballots=BALLOTS,
        present=["GM0001", "GM0002", "GM0003", "GM0004"],
    )
    from server.ballots.drafts import create_ballot
    from server.meetings.service import create_meeting

    async with database.transaction() as session:
        other = await create_meeting(session, MeetingCreate(title="Volgende ALV", date=date(2025, 11, 28)))
        other_ballot = await create_ballot(
            session, other.id, BallotCreate(agenda="1", title="Elders", kind=BallotKind.VOORSTEL)
        )
    return seeded, other_ballot.id


@pytest.fixture
async def hall(database: Database) -> AsyncIterator[Hall]:
    seeded, other = await seed_hall(database)
    server = ServerProcess(database.url, env={"VOTEHALL_HELLO_TIMEOUT": "1"})
    server.start()
    try:
        yield Hall(server=server, seeded=seeded, other_meeting_ballot=other)
    finally:
        server.stop()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Debian's Chromium for the browser tests (tests/live/pages_browser.py), one per test."""
    from tests.live.pages_browser import chromium  # it imports this module: import it late

    async with chromium() as browser:
        yield browser
