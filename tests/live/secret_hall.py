"""A served meeting with the committee's key set, for the tests of secret ballots on a real
process (test_sealed_votes, test_secret_adversary, the browser tests): the hall's helpers, the
`secret_hall` fixture, a kiosk's vote and a Redis subscriber on the fan-out channel."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio as redis
import websockets
from websockets.asyncio.client import ClientConnection

from server.auth.roles import Role
from server.db import Database
from server.secret.keys import CommitteeKeyFiles, write_committee_key
from server.seed import Seeded
from tests.live.conftest import seed_hall
from tests.servers import REDIS_URL, ServerProcess, require_redis

SLATE = {"agenda": "4", "title": "Kascommissie: A. Alfa en B. Beta", "kind": "benoeming", "secret": True}


def bearer(seeded: Seeded, role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {seeded.tokens[role]}"}


class SecretHall:
    """A served meeting with the committee's key set, and its secret ballot."""

    def __init__(self, server: ServerProcess, seeded: Seeded, committee: CommitteeKeyFiles) -> None:
        self.server, self.seeded, self.committee = server, seeded, committee

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.server.base, timeout=60)

    async def post(self, path: str, role: Role = Role.CHAIR, **body: Any) -> httpx.Response:
        async with self.client() as client:
            return await client.post(path, json=body or None, headers=bearer(self.seeded, role))

    async def ballot(self, ballot_id: int) -> dict[str, Any]:
        async with self.client() as client:
            answer = await client.get(f"/api/ballots/{ballot_id}", headers=bearer(self.seeded, Role.CHAIR))
        result: dict[str, Any] = answer.json()
        return result

    async def feed(self) -> dict[str, Any]:
        async with self.client() as client:
            result: dict[str, Any] = (await client.get("/api/feed")).json()
        return result

    async def secret_ballot(self, **settings: Any) -> int:
        created = await self.post(f"/api/meetings/{self.seeded.meeting_id}/ballots", **{**SLATE, **settings})
        assert created.status_code == 201, created.text
        ballot_id: int = created.json()["id"]
        opened = await self.post(f"/api/ballots/{ballot_id}/open", override_order=True)
        assert opened.status_code == 200, opened.text
        assert opened.json()["sealing_key"] is not None and opened.json()["tally"] is None
        return ballot_id

    async def kiosk(self, code: str, token: str | None = None) -> tuple[ClientConnection, dict[str, Any]]:
        """A kiosk of member `code` (with its seeded pass, or `token`) after its welcome."""
        connection = await websockets.connect(f"{self.server.ws}/ws/kiosk")
        await connection.send(json.dumps({"type": "hello", "pass": token or self.seeded.passes[code]}))
        welcome = json.loads(await connection.recv())
        assert welcome["type"] == "welcome", welcome
        return connection, welcome


async def vote(
    kiosk: ClientConnection, ballot: int, choice: str | int, vote_id: str, secret: str | None
) -> dict[str, Any]:
    """Send a vote and answer the ack or error that names its vote_id (ballot broadcasts skipped)."""
    message: dict[str, Any] = {"type": "vote", "ballot": ballot, "choice": choice, "vote_id": vote_id}
    if secret is not None:
        message["secret"] = secret
    await kiosk.send(json.dumps(message))
    while True:
        answer: dict[str, Any] = json.loads(await asyncio.wait_for(kiosk.recv(), 10))
        if answer.get("vote_id") == vote_id:
            return answer


def fan_out_env() -> dict[str, str]:
    """A Redis fan-out on a channel of this test alone."""
    return {"VOTEHALL_REDIS_URL": REDIS_URL, "VOTEHALL_REDIS_CHANNEL": f"votehall-test-{uuid.uuid4().hex}"}


@asynccontextmanager
async def served(
    database: Database, seeded: Seeded, committee: CommitteeKeyFiles, env: dict[str, str] | None = None
) -> AsyncIterator[SecretHall]:
    """`votehall serve` on `database` with the Redis fan-out, and the committee's key set."""
    await require_redis()
    server = ServerProcess(database.url, env={**fan_out_env(), **(env or {})})
    server.start()
    try:
        hall = SecretHall(server, seeded, committee)
        answer = await hall.post(
            f"/api/meetings/{seeded.meeting_id}/committee-key",
            Role.ADMIN,
            public_key=hall.committee.public_path.read_text(),
        )
        assert answer.status_code == 200, answer.text
        yield hall
    finally:
        server.stop()


@pytest.fixture
async def secret_hall(database: Database, tmp_path: Path) -> AsyncIterator[SecretHall]:
    seeded, _ = await seed_hall(database)
    async with served(database, seeded, write_committee_key(tmp_path / "committee")) as hall:
        yield hall


async def listen(channel: str, heard: list[bytes], ready: asyncio.Event) -> None:
    """Append every message published on the Redis `channel` to `heard` until cancelled."""
    client = redis.Redis.from_url(REDIS_URL)
    pubsub = client.pubsub()
    await pubsub.subscribe(channel)
    ready.set()
    try:
        async for message in pubsub.listen():
            if message["type"] == "message":
                heard.append(message["data"])
    finally:
        await pubsub.aclose()
        await client.aclose()
