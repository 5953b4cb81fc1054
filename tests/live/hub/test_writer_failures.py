"""The writer's failure path. `_write` answers *any* failed group commit by retrying every vote
in a transaction of its own. That isolates one poisoned vote (see test_resend.py), but a
transient, group-wide failure (SQLite "database is locked" after the 10 s busy_timeout while a
long operator transaction holds BEGIN IMMEDIATE, a PostgreSQL connection reset, a failover)
turns one failed commit into N more: each single vote waits its own timeout on the same
unavailable database, and every other kiosk's vote queues behind them (batches reach 5000)."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from server.errors import VoteHallError
from server.live.state import Ack
from server.live.writer import VoteWriter
from server.rules import BallotAction, Choice
from tests.live.hub.conftest import Live, pass_of


async def test_a_database_outage_does_not_multiply_the_commit_attempts(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub = live.hub
    ballot = live.seeded.ballot_ids[0]
    await live.act(ballot, BallotAction.OPEN)

    attempts: list[int] = []

    async def unavailable(self: VoteWriter, batch: list[Any], **options: Any) -> Any:
        attempts.append(len(batch))
        raise OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr(VoteWriter, "_commit", unavailable)
    codes = ["GM0001", "GM0002", "GM0003", "GM0004"]
    answers: list[Ack | BaseException] = await asyncio.gather(
        *(
            hub.vote(pass_of(hub, code), ballot, Choice.FOR, f"{code}-{n}")
            for n in range(5)
            for code in codes
        ),
        return_exceptions=True,
    )
    assert all(isinstance(answer, VoteHallError) for answer in answers)
    assert attempts[0] == 20, f"precondition: one group of 20, got {attempts}"
    assert len(attempts) <= 2, f"one unavailable database, {len(attempts)} commit attempts: {attempts}"


async def test_a_resend_after_a_commit_with_a_lost_answer_gets_the_stored_ack(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The commit reached the database but its answer did not reach the writer (a PostgreSQL
    connection dropped while reading COMMIT's reply, a failover). The kiosk got `unavailable` and
    resends, as it should. The vote is in `vote_events` but not in `meeting.acks`, so the resend
    hits the UNIQUE constraint and gets `unavailable` again, for ever; meanwhile the in-memory
    tally lacks a vote that the close's recount will count."""
    hub = live.hub
    ballot = live.seeded.ballot_ids[0]
    await live.act(ballot, BallotAction.OPEN)

    original = VoteWriter._commit
    lost: list[bool] = []

    async def commit_then_lose_the_answer(self: VoteWriter, batch: list[Any], **options: Any) -> Any:
        decided = await original(self, batch, **options)
        if not lost:
            lost.append(True)
            raise OperationalError("COMMIT", {}, ConnectionResetError("connection lost"))
        return decided

    monkeypatch.setattr(VoteWriter, "_commit", commit_then_lose_the_answer)
    voter = pass_of(hub, "GM0002")
    with pytest.raises(VoteHallError) as first:
        await hub.vote(voter, ballot, Choice.FOR, "lost-1")
    assert first.value.code == "unavailable"

    try:
        resend: Ack | VoteHallError = await hub.vote(voter, ballot, Choice.FOR, "lost-1")
    except VoteHallError as error:
        resend = error
    assert isinstance(resend, Ack), f"the resend of a stored vote got {resend!r}"
    assert hub.meeting is not None
    assert hub.meeting.ballots[ballot].tally.for_ == 42
