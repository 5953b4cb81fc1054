"""SQLite under contention (issue 13 item 8): check-ins at the desk during a vote burst, on a
machine whose CPUs are busy, all succeed; none gets 503 "database is locked".

Before the process queued its writers (server.write_lock), every pooled connection raced for
SQLite's write lock in SQLite's busy handler, which sleeps and retries instead of queueing: a
waiter could lose to later arrivals until its busy_timeout ran out. The busy timeout is set
short here (VOTEHALL_SQLITE_BUSY_TIMEOUT_MS) so that the race shows within seconds; with the
queue no writer of the process ever waits in SQLite's busy handler, however short it is.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator, Iterator
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
from tests.servers import ServerProcess

pytestmark = pytest.mark.parametrize("database_template", ["sqlite"], indirect=True)

KIOSKS = 150
DESK_ARRIVALS = 80  # members checked in while the hall votes
ROUNDS = 4  # each kiosk votes this many times (the ballot allows changes)
CHOICES = ("for", "against", "abstain")


@pytest.fixture
def busy_cpus() -> Iterator[None]:
    """Busy-loop processes, two per CPU, for the whole test: a loaded machine."""
    loops = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2 * (os.cpu_count() or 1))
    ]
    try:
        yield
    finally:
        for loop in loops:
            loop.kill()
            loop.wait(timeout=10)


@pytest.fixture
async def hall(database: Database) -> AsyncIterator[tuple[ServerProcess, Seeded]]:
    members = synthetic_members(KIOSKS + DESK_ARRIVALS)
    seeded = await seed_meeting(
        database,
        MeetingCreate(title="Druk", date=date(2026, 3, 1)),
        members=members,
        ballots=[BallotCreate(agenda="1", title="Burst", kind=BallotKind.VOORSTEL)],
        present=[member.code for member in members[:KIOSKS]],
    )
    server = ServerProcess(
        database.url,
        env={
            "VOTEHALL_SQLITE_BUSY_TIMEOUT_MS": "20",
            "VOTEHALL_DESK_CHECKINS_PER_MINUTE": "100000",
            "VOTEHALL_KIOSK_MESSAGES_PER_SECOND": "1000",
            "VOTEHALL_KIOSK_MESSAGE_BURST": "1000",
        },
    )
    server.start()
    try:
        yield server, seeded
    finally:
        server.stop()


async def kiosk_votes(server: ServerProcess, token: str, ballot_id: int, number: int) -> list[str]:
    """Connect, then vote ROUNDS times; answer the type (or error code) of each answer."""
    outcomes: list[str] = []
    connection: ClientConnection = await websockets.connect(f"{server.ws}/ws/kiosk", open_timeout=60)
    async with connection:
        await connection.send(json.dumps({"type": "hello", "pass": token}))
        assert json.loads(await asyncio.wait_for(connection.recv(), 60))["type"] == "welcome"
        for round_ in range(ROUNDS):
            vote_id = f"k{number}-r{round_}"
            choice = CHOICES[(number + round_) % 3]
            await connection.send(
                json.dumps({"type": "vote", "ballot": ballot_id, "choice": choice, "vote_id": vote_id})
            )
            while True:
                message = json.loads(await asyncio.wait_for(connection.recv(), 120))
                if message.get("vote_id") == vote_id and message["type"] in ("ack", "error"):
                    outcomes.append("ack" if message["type"] == "ack" else message["code"])
                    break
    return outcomes


async def test_check_ins_during_a_vote_burst_on_a_loaded_machine_all_succeed(
    hall: tuple[ServerProcess, Seeded], busy_cpus: None
) -> None:
    server, seeded = hall
    ballot_id = seeded.ballot_ids[0]
    admin = {"Authorization": f"Bearer {seeded.tokens[Role.ADMIN]}"}
    desk = {"Authorization": f"Bearer {seeded.tokens[Role.DESK]}"}
    chair = {"Authorization": f"Bearer {seeded.tokens[Role.CHAIR]}"}
    limits = httpx.Limits(max_connections=DESK_ARRIVALS)
    async with httpx.AsyncClient(base_url=server.base, timeout=120, limits=limits) as client:
        issued = await client.post(f"/api/meetings/{seeded.meeting_id}/cards", headers=admin)
        assert issued.status_code == 200, issued.text
        cards = issued.json()
        arriving = [card["card"] for card in cards if card["member"] not in seeded.passes]
        assert len(arriving) == DESK_ARRIVALS
        assert (await client.post(f"/api/ballots/{ballot_id}/open", headers=chair)).status_code == 200

        async def check_in(number: int, card: str) -> int:
            body = {"card": card, "representative": {"name": f"Wethouder {number}", "role": "wethouder"}}
            answer = await client.post(f"/api/meetings/{seeded.meeting_id}/checkins", json=body, headers=desk)
            assert answer.status_code in (201, 503), answer.text
            return answer.status_code

        codes = sorted(seeded.passes)
        results = await asyncio.gather(
            *(kiosk_votes(server, seeded.passes[code], ballot_id, n) for n, code in enumerate(codes)),
            *(check_in(n, card) for n, card in enumerate(arriving)),
        )
    votes = Counter(outcome for outcomes in results[:KIOSKS] for outcome in outcomes)  # type: ignore[union-attr]
    check_ins = Counter(results[KIOSKS:])
    locked = server.output().count("database is locked")
    assert votes == {"ack": KIOSKS * ROUNDS}, (votes, locked)
    assert check_ins == {201: DESK_ARRIVALS}, (check_ins, locked)
    assert locked == 0, server.output()[-3000:]
