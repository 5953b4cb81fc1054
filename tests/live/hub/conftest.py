"""Fixtures for the hub tests: a live hub (or two, as two server processes would have) on the
seeded hall of tests/live/conftest.py, driven directly, without HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import journal
from server.audit.service import head_of
from server.auth.service import COMMAND_LINE
from server.ballots.drafts import create_ballot
from server.ballots.lifecycle import act
from server.ballots.schemas import BallotCreate
from server.db import Database
from server.live import sealed
from server.live.events import take
from server.live.hub import LiveHub
from server.live.state import ActivePass
from server.meetings.committee import set_committee_key
from server.meetings.schemas import CandidateIn
from server.rules import BallotAction, BallotKind
from server.secret.keys import generate_committee_key
from server.seed import Seeded
from tests.live.conftest import seed_hall

T = TypeVar("T")


@dataclass
class Live:
    database: Database
    seeded: Seeded
    other_meeting_ballot: int
    hubs: list[LiveHub]

    @property
    def hub(self) -> LiveHub:
        return self.hubs[0]

    async def operate(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """An operator's transaction, then (as get_session does) the hub(s) learn of it."""
        async with self.database.transaction() as session:
            result = await work(session)
            events = take(session)
        for hub in self.hubs:
            await hub.after_commit(events, spans=journal.spans(session))
        return result

    async def act(self, ballot_id: int, action: BallotAction) -> None:
        await self.operate(lambda session: act(session, ballot_id, action))


def pass_of(hub: LiveHub, code: str) -> ActivePass:
    meeting = hub.meeting
    assert meeting is not None
    member = next(seat.member_id for seat in meeting.seats.values() if seat.code == code)
    return next(p for p in meeting.passes.values() if p.member_id == member)


async def start_hubs(databases: Sequence[Database]) -> list[LiveHub]:
    hubs = [LiveHub(db) for db in databases]
    for hub in hubs:
        await hub.start()
    return hubs


@pytest.fixture
async def live(database: Database) -> AsyncIterator[Live]:
    """One process: one hub."""
    seeded, other = await seed_hall(database)
    hubs = await start_hubs([database])
    try:
        yield Live(database, seeded, other, hubs)
    finally:
        for hub in hubs:
            await hub.stop()


@pytest.fixture
async def two_processes(database: Database) -> AsyncIterator[Live]:
    """Two server processes on one database: each has its own engine, hub and writer. Operator
    changes reach both (as the Redis fan-out of DESIGN would deliver them)."""
    seeded, other = await seed_hall(database)
    second = Database(database.url)
    hubs = await start_hubs([database, second])
    try:
        yield Live(database, seeded, other, hubs)
    finally:
        for hub in hubs:
            await hub.stop()
        await second.dispose()


@pytest.fixture
async def redis_away(database: Database) -> AsyncIterator[Live]:
    """Two processes configured for a Redis that does not answer: no fan-out reaches either."""
    seeded, other = await seed_hall(database)
    second = Database(database.url)
    hubs = [LiveHub(database), LiveHub(second)]
    for hub in hubs:
        hub.fan_out("redis://127.0.0.1:1/0", "votehall-test-away")  # nothing listens there
        await hub.start()
    try:
        yield Live(database, seeded, other, hubs)
    finally:
        for hub in hubs:
            await hub.stop()
        await second.dispose()


async def open_secret_ballot(live: Live, hub: LiveHub, candidates: Sequence[str] = ()) -> int:
    """A secret `benoeming` (a slate, or an election between `candidates`) opened through
    `hub`'s process, which then holds its key (as get_session settles it after the commit); the
    meeting gets a committee key first."""
    meeting = live.seeded.meeting_id
    data = BallotCreate(
        agenda="4",
        title="Kascommissie",
        kind=BallotKind.BENOEMING,
        secret=True,
        candidates=[CandidateIn(name=name) for name in candidates],
    )
    async with live.database.transaction() as session:
        await set_committee_key(session, meeting, generate_committee_key().public.text, COMMAND_LINE)
        ballot_id = (await create_ballot(session, meeting, data)).id
    async with live.database.transaction() as session:
        await act(session, ballot_id, BallotAction.OPEN, override_order=True)
        events = take(session)
    sealed.settle(session, hub.sealed)
    await hub.after_commit(events, spans=journal.spans(session))
    return ballot_id


async def log_head(live: Live, meeting: int) -> int:
    """The seq of the meeting's last log entry, as the database has it."""
    async with live.database.transaction(readonly=True) as session:
        head = await head_of(session, meeting)
    return head[0] if head else 0


async def until(condition: Callable[[], bool], within: float = 10) -> None:
    """Wait for a condition the hub reaches on its own (a catch-up, a rebuild); never a timing."""
    for _ in range(int(within / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the condition never held")


def count_rebuilds(hub: LiveHub, monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """A list that grows by one each time `hub` rebuilds its read model from the database."""
    rebuilds: list[bool] = []
    rebuild = hub.sync._rebuild

    async def counted() -> None:
        rebuilds.append(True)
        await rebuild()

    monkeypatch.setattr(hub.sync, "_rebuild", counted)
    return rebuilds
