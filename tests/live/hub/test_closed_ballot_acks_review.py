"""Review of "memory keeps the acks of the open ballots only" (e9f9a92): the ways a retired ack
could still give a kiosk a wrong answer or the read model a wrong state."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from server.audit import journal
from server.ballots.lifecycle import act
from server.errors import Unavailable
from server.live import read_model, writer
from server.live.events import take
from server.live.repository import load_meeting
from server.live.writer import Applied, VoteRequest
from server.meetings.models import Meeting
from server.rules import BallotAction, Choice
from tests.live.hub.conftest import Live, pass_of


async def test_a_double_tap_whose_close_lands_during_the_batch_gets_its_ack(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The close commits; the writer's next batch (holding the second copy of a vote already
    acked) reads the ballot closed, sees the vote_id in memory and does not look it up; while
    the batch awaits the database, the close reaches memory and retires the ack. The copy must
    still be answered with the first ack, not refused with ballot_not_open."""
    hub = live.hub
    ballot = live.seeded.ballot_ids[0]
    await live.act(ballot, BallotAction.OPEN)
    voter = pass_of(hub, "GM0002")
    first = await hub.vote(voter, ballot, Choice.FOR, "tap-1")
    # The chair's close commits; memory hears of it only later (another process closed it, or
    # its after_commit is still reading the ballot).
    async with live.database.transaction() as session:
        await act(session, ballot, BallotAction.CLOSE)
        events = take(session)
    spans = journal.spans(session)

    stored_acks = writer._stored_acks
    delivered: list[bool] = []

    async def close_arrives_meanwhile(session: Any, keys: Any) -> Any:
        found = await stored_acks(session, keys)
        if not delivered:
            delivered.append(True)
            await hub.after_commit(events, spans=spans)
        return found

    monkeypatch.setattr(writer, "_stored_acks", close_arrives_meanwhile)
    again = await hub.writer.queue(VoteRequest(ballot, voter.member_id, voter.pass_id, "tap-1", Choice.FOR))
    assert delivered
    assert again == first


async def test_a_resend_answered_from_the_log_does_not_bring_back_an_old_choice(live: Live) -> None:
    """A copy of the member's first vote reaches the writer after the close (the member changed
    its vote since): its ack comes from the log (seq 0). It must not go back into memory's acks,
    nor be applied (or handed to a reload under way) as if it were the member's current vote."""
    hub = live.hub
    ballot = live.seeded.ballot_ids[0]
    await live.act(ballot, BallotAction.OPEN)
    voter = pass_of(hub, "GM0002")
    await hub.vote(voter, ballot, Choice.FOR, "old")
    await hub.vote(voter, ballot, Choice.AGAINST, "new")
    await live.act(ballot, BallotAction.CLOSE)
    meeting = hub.meeting
    assert meeting is not None
    recorded: list[Applied] = []
    hub.writer.recorders.append(recorded)  # a reload under way
    try:
        ack = await hub.writer.queue(VoteRequest(ballot, voter.member_id, voter.pass_id, "old", Choice.FOR))
    finally:
        hub.writer.recorders.remove(recorded)
    assert ack.choice == Choice.FOR
    assert (voter.member_id, "old") not in meeting.acks  # the closed ballot's acks stay retired
    async with live.database.transaction(readonly=True) as session:
        stored = await session.get(Meeting, live.seeded.meeting_id)
        assert stored is not None
        reloaded = await load_meeting(session, stored)
    read_model.replay(reloaded, recorded)
    assert reloaded.ballots[ballot].choices[voter.member_id] == Choice.AGAINST
    assert meeting.ballots[ballot].choices[voter.member_id] == Choice.AGAINST


async def test_a_lookup_that_fails_is_unavailable(live: Live, monkeypatch: pytest.MonkeyPatch) -> None:
    """A resend after the close is looked up in the log; the database failing under the lookup
    (PostgreSQL restarting) is `unavailable`, a refusal the kiosk resends on, like the writer's."""
    hub = live.hub
    ballot = live.seeded.ballot_ids[0]
    await live.act(ballot, BallotAction.OPEN)
    voter = pass_of(hub, "GM0002")
    await hub.vote(voter, ballot, Choice.FOR, "c-1")
    await live.act(ballot, BallotAction.CLOSE)

    async def database_away(member_id: int, vote_id: str) -> None:
        raise OperationalError("SELECT", {}, ConnectionError("the database restarts"))

    monkeypatch.setattr(hub.writer, "stored_ack", database_away)
    with pytest.raises(Unavailable):
        await hub.vote(voter, ballot, Choice.FOR, "c-1")
