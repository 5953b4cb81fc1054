"""2,000 kiosks vote in one burst: every kiosk is acked once and the feed's final tally equals
the sum this test computes itself (correctness, not timing)."""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter
from collections.abc import AsyncIterator
from datetime import date

import httpx
import pytest
import websockets
from websockets.asyncio.client import ClientConnection

from server.auth.roles import Role
from server.ballots.schemas import BallotCreate
from server.db import Database
from server.meetings.schemas import MeetingCreate
from server.rules import BallotKind
from server.seed import Seeded, seed_meeting, synthetic_members
from tests.servers import LOAD_CLIENT, ServerProcess

KIOSKS = 2000
CHOICES = ("for", "against", "abstain")


@pytest.fixture
async def crowd(database: Database) -> AsyncIterator[tuple[ServerProcess, Seeded]]:
    seeded = await seed_meeting(
        database,
        MeetingCreate(title="Congres", date=date(2026, 3, 1)),
        members=synthetic_members(KIOSKS),
        ballots=[BallotCreate(agenda="1", title="Burst", kind=BallotKind.VOORSTEL)],
    )
    server = ServerProcess(database.url, env=LOAD_CLIENT)
    server.start()
    try:
        yield server, seeded
    finally:
        server.stop()


async def connect(server: ServerProcess, token: str) -> ClientConnection:
    connection = await websockets.connect(f"{server.ws}/ws/kiosk", open_timeout=30)
    await connection.send(json.dumps({"type": "hello", "pass": token}))
    assert json.loads(await connection.recv())["type"] == "welcome"
    return connection


async def vote_once(
    connection: ClientConnection, ballot_id: int, choice: str, vote_id: str
) -> list[dict[str, object]]:
    """Vote and collect every ack or error for this vote_id until the ack arrives."""
    await connection.send(
        json.dumps({"type": "vote", "ballot": ballot_id, "choice": choice, "vote_id": vote_id})
    )
    answers: list[dict[str, object]] = []
    while True:
        message = json.loads(await asyncio.wait_for(connection.recv(), 60))
        if message.get("vote_id") == vote_id:
            answers.append(message)
            if message["type"] in ("ack", "error"):
                return answers


async def test_two_thousand_kiosks_in_one_burst(crowd: tuple[ServerProcess, Seeded]) -> None:
    server, seeded = crowd
    codes = sorted(seeded.passes)
    connections: list[ClientConnection] = []
    for start in range(0, len(codes), 200):
        batch = codes[start : start + 200]
        connections += await asyncio.gather(*(connect(server, seeded.passes[code]) for code in batch))
    ballot_id = seeded.ballot_ids[0]
    chair = {"Authorization": f"Bearer {seeded.tokens[Role.CHAIR]}"}
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as client:
        assert (await client.post(f"/api/ballots/{ballot_id}/open", headers=chair)).status_code == 200

        rng = random.Random(2000)
        choices = {code: rng.choice(CHOICES) for code in codes}
        answers = await asyncio.gather(
            *(
                vote_once(conn, ballot_id, choices[code], f"burst-{code}")
                for conn, code in zip(connections, codes, strict=True)
            )
        )
        assert all(len(a) == 1 and a[0]["type"] == "ack" for a in answers), [
            a for a in answers if len(a) != 1
        ][:3]
        assert {a[0]["vote_id"] for a in answers} == {f"burst-{code}" for code in codes}

        expected: Counter[str] = Counter()
        for code, choice in choices.items():
            expected[choice] += seeded.weights[code]
        closed = (await client.post(f"/api/ballots/{ballot_id}/close", headers=chair)).json()
        feed = (await client.get("/api/feed")).json()
    for connection in connections:
        await connection.close()
    tally = feed["ballot"]["tally"]
    assert (tally["for"], tally["against"], tally["abstain"]) == (
        expected["for"], expected["against"], expected["abstain"]
    )  # fmt: skip
    assert feed["ballot"]["voted"]["members"] == KIOSKS
    assert closed["result"]["for"] == expected["for"]
    assert closed["result"]["members_voted"] == KIOSKS
