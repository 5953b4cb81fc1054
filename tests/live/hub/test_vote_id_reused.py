"""SPEC 4.2 items 5-6: a vote_id already stored for another ballot or choice is refused with
`vote_id_reused`, in every path the writer can meet it: known to memory, in the same group
commit, or stored in the database only (another process's commit, an earlier meeting)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from server.ballots.models import VoteEvent
from server.errors import VoteIdReused
from server.live.state import Ack
from server.rules import BallotAction, Choice
from tests.live.hub.conftest import Live, pass_of
from tests.live.hub.test_resend import _vote_then_next_meeting


async def _events(live: Live) -> int:
    async with live.database.transaction(readonly=True) as session:
        return int(await session.scalar(select(func.count()).select_from(VoteEvent)) or 0)


async def test_stored_by_another_process_with_another_choice(two_processes: Live) -> None:
    """Process B does not know the vote_id from memory (A committed it); the writer finds it
    in the database and refuses the other choice, but answers the same vote with A's ack."""
    live = two_processes
    a, b = live.hubs
    ballot = live.seeded.ballot_ids[0]
    await live.act(ballot, BallotAction.OPEN)
    ack = await a.vote(pass_of(a, "GM0002"), ballot, Choice.FOR, "r-1")
    with pytest.raises(VoteIdReused):
        await b.vote(pass_of(b, "GM0002"), ballot, Choice.AGAINST, "r-1")
    assert await b.vote(pass_of(b, "GM0002"), ballot, Choice.FOR, "r-1") == ack
    assert await _events(live) == 1
    meeting = b.meeting
    assert meeting is not None
    assert meeting.ballots[ballot].choices[pass_of(b, "GM0002").member_id] is Choice.FOR


async def test_stored_in_an_earlier_meeting(live: Live) -> None:
    second, _ = await _vote_then_next_meeting(live)
    hub = live.hub
    with pytest.raises(VoteIdReused):
        await hub.vote(pass_of(hub, "GM0002"), second, Choice.FOR, "dup")
    assert await _events(live) == 1


async def test_twice_in_one_group_commit(live: Live) -> None:
    """Two frames with one vote_id and two choices reach the writer together: the first is
    stored, the second refused; the honest votes of the group commit in the same transaction."""
    hub = live.hub
    ballot = live.seeded.ballot_ids[0]
    await live.act(ballot, BallotAction.OPEN)
    before = hub.writer.batches
    answers = await asyncio.gather(
        hub.vote(pass_of(hub, "GM0001"), ballot, Choice.FOR, "g-1"),
        hub.vote(pass_of(hub, "GM0003"), ballot, Choice.FOR, "twice"),
        hub.vote(pass_of(hub, "GM0003"), ballot, Choice.AGAINST, "twice"),
        hub.vote(pass_of(hub, "GM0003"), ballot, Choice.FOR, "twice"),
        return_exceptions=True,
    )
    assert isinstance(answers[0], Ack) and isinstance(answers[1], Ack), answers
    assert isinstance(answers[2], VoteIdReused), answers
    assert answers[3] == answers[1]
    assert hub.writer.batches - before == 1
    assert await _events(live) == 2
