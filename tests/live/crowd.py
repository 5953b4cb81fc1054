"""A crowd of loadtest kiosks against a real server, and the checks that their ledger is what the
database counted: shared by the connection-cut and the crash tests."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import func, select

from server.ballots.models import Vote, VoteEvent
from server.ballots.schemas import BallotCreate
from server.db import Database
from server.loadtest.display import DisplayWatcher
from server.loadtest.runner import _check_closed
from server.loadtest.stats import BurstResult
from server.meetings.schemas import MeetingCreate
from server.register.models import Member
from server.rules import BallotKind
from server.seed import Seeded, seed_meeting, synthetic_members

WAIT = 180.0  # generous: two shared cores, other test runs beside this one


async def seed_crowd(database: Database, kiosks: int) -> Seeded:
    """An open meeting of `kiosks` members, each with an active pass (bulk inserts), and one
    ballot that shows its running tally on the display."""
    return await seed_meeting(
        database,
        MeetingCreate(title="Congres", date=date(2026, 3, 1)),
        members=synthetic_members(kiosks),
        ballots=[BallotCreate(agenda="1", title="Burst", kind=BallotKind.VOORSTEL, show_live_tally=True)],
    )


async def until(condition: Callable[[], bool], within: float = WAIT, what: str = "") -> None:
    """Wait, polling often, until `condition()` holds."""
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what or condition}"
        await asyncio.sleep(0.002)


async def events_stored(database: Database, ballot_id: int) -> int:
    async with database.transaction(readonly=True) as session:
        count = await session.scalar(
            select(func.count()).select_from(VoteEvent).where(VoteEvent.ballot_id == ballot_id)
        )
    return int(count or 0)


async def until_stored(database: Database, ballot: int, votes: int, burst: asyncio.Task[Any]) -> None:
    """Wait until `votes` vote events of `ballot` are stored (the burst must still be going)."""
    while await events_stored(database, ballot) < votes:
        assert not burst.done(), "the burst ended first"
        await asyncio.sleep(0.01)


async def stored(database: Database, ballot_id: int) -> tuple[dict[str, tuple[str, str]], Counter[str]]:
    """The votes table of the ballot, {member code: (choice, vote_id)}, and how many vote
    events each member has on it."""
    async with database.transaction(readonly=True) as session:
        votes = (
            await session.execute(
                select(Member.cbs_code, Vote.choice, Vote.vote_id)
                .select_from(Vote)
                .join(Member, Member.id == Vote.member_id)
                .where(Vote.ballot_id == ballot_id)
            )
        ).all()
        events = (
            await session.execute(
                select(Member.cbs_code)
                .select_from(VoteEvent)
                .join(Member, Member.id == VoteEvent.member_id)
                .where(VoteEvent.ballot_id == ballot_id)
            )
        ).scalars()
        per_member = Counter(events)
    current = {code: (choice, vote_id) for code, choice, vote_id in votes}
    assert len(current) == len(votes), "a member has two current votes"
    return current, per_member


async def assert_counted_once(
    database: Database,
    ballot_id: int,
    result: BurstResult,
    votes_per_kiosk: int,
    closed: dict[str, Any],
) -> None:
    """Every acked vote is counted exactly once, nothing is counted that the ledger does not
    have, and the closed result and every display equal the ledger."""
    assert result.errors == {}, result.errors  # welcome_disagrees_with_ledger included
    current, events = await stored(database, ballot_id)
    # The current vote of each member is the vote_id the kiosk last got an ack for, and no
    # member has a vote the ledger does not know.
    expected = {code: (choice, result.acked_ids[code]) for code, (choice, _) in result.ledger.items()}
    assert current == expected, _first_differences(current, expected)
    # A resend wrote nothing: one vote event per vote the kiosk made, not per frame it sent.
    assert events == dict.fromkeys(result.ledger, votes_per_kiosk), _first_differences(
        dict(events), dict.fromkeys(result.ledger, votes_per_kiosk)
    )
    tally = result.tally()
    assert _check_closed(closed, len(result.ledger), tally) == [], (closed, tally)
    assert closed["result"]["members_voted"] == len(set(result.ledger))


async def assert_displays_show(displays: list[DisplayWatcher], ballot_id: int, result: BurstResult) -> None:
    """Every display, reconnected as needed, shows the ledger's voters and tally."""
    tally = result.tally()
    for display in displays:
        seen = await display.first(ballot_id, len(result.ledger), tally, 60)
        last = display.seen[-1].ballot if display.seen else None
        assert seen is not None, f"{display.url} never showed {len(result.ledger)} voters and {tally}: {last}"


def _first_differences(found: dict[str, Any], expected: dict[str, Any], limit: int = 5) -> str:
    keys = sorted(set(found) | set(expected))
    differ = [(key, found.get(key), expected.get(key)) for key in keys if found.get(key) != expected.get(key)]
    return f"{len(differ)} differ (found, expected): {differ[:limit]}"
