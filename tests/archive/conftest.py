"""A meeting played to its close (the meeting of tests/audit/conftest.py, plus an agenda, an
amendment that is held over and a motion with submitters that stays a draft), and a second,
fresh database to import it into, on the same backend."""

from __future__ import annotations

import asyncio
import copy
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from server.app import create_app
from server.archive.service import export_meeting
from server.audit.service import export_chain
from server.auth.roles import Role
from server.auth.service import create_token
from server.ballots.drafts import create_ballot
from server.ballots.schemas import BallotCreate
from server.config import Settings
from server.db import Database
from server.meetings.schemas import AgendaItemIn
from server.meetings.service import add_agenda_items, get_meeting
from server.migrate import upgrade
from server.rules import BallotAction, BallotKind, Preadvies
from tests.audit.conftest import play
from tests.factories import bearer
from tests.live.conftest import seed_hall
from tests.live.hub.conftest import Live, start_hubs


@dataclass
class Original:
    database: Database
    meeting_id: int
    ballots: dict[str, int]

    async def export(self) -> dict[str, Any]:
        return await exported(self.database, self.meeting_id)

    async def log(self) -> bytes:
        return await log_bytes(self.database, self.meeting_id)


async def exported(database: Database, meeting_id: int) -> dict[str, Any]:
    async with database.transaction(readonly=True) as session:
        return await export_meeting(session, meeting_id)


async def log_bytes(database: Database, chain: int) -> bytes:
    async with database.transaction(readonly=True) as session:
        return b"".join([line async for line in export_chain(session, chain)])


async def play_meeting(database: Database) -> Original:
    """tests/audit/conftest.py's `play`: a vote change, a test ballot, an acclamation, a hand-over,
    a two-thirds ballot, a withdrawn motion, then the meeting closes. Before it, an agenda, an
    amendment (with a submitter) of the first ballot, held over, and a motion that stays a draft."""
    seeded, other = await seed_hall(database)
    meeting, first = seeded.meeting_id, seeded.ballot_ids[0]
    hubs = await start_hubs([database])
    live = Live(database, seeded, other, hubs)

    async def prepare(session: AsyncSession) -> tuple[int, int]:
        items = [AgendaItemIn(number=n, title=f"Agendapunt {n}", decision=True) for n in "1234"]
        await add_agenda_items(session, await get_meeting(session, meeting), items)
        amendment = await create_ballot(session, meeting, BallotCreate(
            agenda="1", title="Amendement ‘Één regio’ op het jaarverslag 🗳", kind=BallotKind.AMENDEMENT,
            amends=first, submitters=["GM0003"],
        ))  # fmt: skip
        draft = await create_ballot(session, meeting, BallotCreate(
            agenda="2", title="Motie die niet aan bod kwam", kind=BallotKind.MOTIE,
            submitters=["GM0001", "GM0002"], preadvies=Preadvies.ONTRADEN,
        ))  # fmt: skip
        return amendment.id, draft.id

    try:
        amendment, draft = await live.operate(prepare)
        await live.act(amendment, BallotAction.HOLD)
        played = await play(live)
    finally:
        for hub in hubs:
            await hub.stop()
    return Original(database, meeting, played.ballots | {"amendment": amendment, "draft": draft})


@pytest.fixture
async def original(database: Database) -> Original:
    return await play_meeting(database)


async def _fresh_postgres(template_url: str) -> str:
    """`<database>_target` on the same server, emptied and migrated."""
    url = make_url(template_url)
    name = f"{url.database}_target"
    target = url.set(database=name)
    connection = await asyncpg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
    try:
        if not await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    dsn = target.set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await connection.close()
    rendered = target.render_as_string(hide_password=False)
    await asyncio.to_thread(upgrade, rendered)
    return rendered


@pytest.fixture
async def target(database_template: str, tmp_path: Path) -> AsyncIterator[Database]:
    """A second database, migrated and empty: no members, no meetings."""
    if database_template.startswith("postgresql"):
        url = await _fresh_postgres(database_template)
    else:
        path = tmp_path / "target.db"
        shutil.copyfile(database_template, path)
        url = f"sqlite+aiosqlite:///{path}"
    database = Database(url)
    try:
        yield database
    finally:
        await database.dispose()


@dataclass
class Api:
    client: httpx.AsyncClient
    admin: dict[str, str]


@pytest.fixture
async def target_api(target: Database) -> AsyncIterator[Api]:
    """The app serving the target database, and an admin's headers."""
    async with target.transaction() as session:
        token = await create_token(session, Role.ADMIN, label="archivist")
    app = create_app(Settings(database_url=target.url, env="development"), target)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://votehall.test") as client,
    ):
        yield Api(client, bearer(token))


def comparable(document: dict[str, Any]) -> dict[str, Any]:
    """The document without what an import may change: the export time and the database's ids
    (ballots and passes are numbered by their order instead)."""
    doc = copy.deepcopy(document)
    del doc["exported_at"], doc["original_id"]
    ballots = {ballot["id"]: n for n, ballot in enumerate(doc["ballots"])}
    passes = {pass_["id"]: n for n, pass_ in enumerate(doc["passes"])}
    candidates = {
        c["id"]: n for n, c in enumerate(c for b in doc["ballots"] for c in b.get("candidates", []))
    }
    for ballot in doc["ballots"]:
        ballot["id"] = ballots[ballot["id"]]
        ballot["amends"] = ballots.get(ballot["amends"])
        ballot["revote_of"] = ballots.get(ballot["revote_of"])
        ballot["round_of"] = ballots.get(ballot.get("round_of"))
        for candidate in ballot.get("candidates", []):
            candidate["id"] = candidates[candidate["id"]]
        if (result := ballot.get("election_result")) is not None:  # names candidates by id
            for candidate in result["candidates"]:
                candidate["id"] = candidates[candidate["id"]]
            for key in ("next_candidates", "seeded", "drawn"):
                result[key] = [candidates[c] for c in result[key]]
            result["elected"] = candidates.get(result["elected"])
    for unit in doc.get("unit_ballots", []):
        unit["ballot"] = ballots[unit["ballot"]]
    for pass_ in doc["passes"]:
        pass_["id"] = passes[pass_["id"]]
    for vote in [*doc["votes"], *doc["vote_events"]]:
        vote["ballot"], vote["pass"] = ballots[vote["ballot"]], passes.get(vote["pass"])
        if isinstance(vote["choice"], int):  # a candidate in an election
            vote["choice"] = candidates[vote["choice"]]
    return doc
