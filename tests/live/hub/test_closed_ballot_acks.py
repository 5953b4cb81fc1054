"""Memory keeps the acks of the open ballots only (issue 16): a ballot's acks leave memory when it
closes (no end state is ever reopened), and a resend of one of its votes is answered from the log,
on both backends and after a restart. Before, every ack of the day stayed in `meeting.acks`:
about 450 bytes a vote, 4.5 MB per ballot of 10,000 members."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from server.ballots.models import VoteEvent
from server.errors import VoteHallError
from server.live.repository import load_meeting
from server.live.state import Ack
from server.live.writer import VoteRequest
from server.meetings.models import Meeting
from server.rules import BallotAction, Choice
from tests.live.hub.conftest import Live, pass_of


async def _events(live: Live) -> int:
    async with live.database.transaction(readonly=True) as session:
        return int(await session.scalar(select(func.count()).select_from(VoteEvent)) or 0)


async def _voted_then_closed(live: Live, vote_id: str = "c-1") -> tuple[int, int, Ack]:
    """GM0002 votes for on the first ballot, which then closes; its ballot, member and ack."""
    hub = live.hub
    ballot = live.seeded.ballot_ids[0]
    await live.act(ballot, BallotAction.OPEN)
    voter = pass_of(hub, "GM0002")
    ack = await hub.vote(voter, ballot, Choice.FOR, vote_id)
    assert hub.meeting is not None and hub.meeting.acks[(voter.member_id, vote_id)] == ack
    await live.act(ballot, BallotAction.CLOSE)
    return ballot, voter.member_id, ack


async def _refusal(live: Live, ballot: int, choice: Choice, vote_id: str) -> str:
    hub = live.hub
    with pytest.raises(VoteHallError) as refused:
        await hub.vote(pass_of(hub, "GM0002"), ballot, choice, vote_id)
    return refused.value.code


async def test_a_closed_ballots_acks_leave_memory(live: Live) -> None:
    ballot, member, _ = await _voted_then_closed(live)
    meeting = live.hub.meeting
    assert meeting is not None
    assert [a for a in meeting.acks.values() if a.ballot_id == ballot] == []
    assert meeting.may_have_answered(member, "c-1")
    assert not meeting.may_have_answered(member, "c-2")


async def test_a_resend_after_the_close_gets_the_stored_ack(live: Live) -> None:
    ballot, _, ack = await _voted_then_closed(live)
    hub = live.hub
    again = await hub.vote(pass_of(hub, "GM0002"), ballot, Choice.FOR, "c-1")
    assert again == ack
    assert again.receipt == ack.receipt
    assert await _events(live) == 1


async def test_a_resend_after_the_close_with_another_choice_is_refused(live: Live) -> None:
    ballot, _, _ = await _voted_then_closed(live)
    assert await _refusal(live, ballot, Choice.AGAINST, "c-1") == "vote_id_reused"


async def test_a_closed_ballots_vote_id_on_the_next_ballot_is_refused_as_reused(live: Live) -> None:
    await _voted_then_closed(live)
    second = live.seeded.ballot_ids[1]
    await live.act(second, BallotAction.OPEN)
    assert await _refusal(live, second, Choice.FOR, "c-1") == "vote_id_reused"
    assert await _events(live) == 1


async def test_a_new_vote_on_a_closed_ballot_is_still_refused(live: Live) -> None:
    ballot, _, _ = await _voted_then_closed(live)
    assert await _refusal(live, ballot, Choice.FOR, "c-new") == "ballot_not_open"
    assert await _events(live) == 1


async def test_a_hash_that_collides_lets_a_new_vote_through(live: Live) -> None:
    """`answered_before` holds hashes: a new vote_id whose hash is there is looked up in the log,
    found absent, and stored as the new vote it is."""
    hub = live.hub
    ballot = live.seeded.ballot_ids[0]
    await live.act(ballot, BallotAction.OPEN)
    voter = pass_of(hub, "GM0002")
    assert hub.meeting is not None
    hub.meeting.answered_before.add(hash((voter.member_id, "fresh")))
    ack = await hub.vote(voter, ballot, Choice.AGAINST, "fresh")
    assert ack.ballot_id == ballot and ack.choice == Choice.AGAINST and len(ack.receipt) == 64
    assert await _events(live) == 1


async def test_a_vote_sent_twice_across_the_close_gets_the_first_ack(live: Live) -> None:
    """The second copy of a double tap reaches the writer after the ballot closed and its acks
    left memory: the writer looks the vote_id up instead of refusing a vote the kiosk has had
    acked."""
    ballot, member, ack = await _voted_then_closed(live)
    voter = pass_of(live.hub, "GM0002")
    again = await live.hub.writer.queue(VoteRequest(ballot, member, voter.pass_id, "c-1", Choice.FOR))
    assert again == ack
    assert await _events(live) == 1


async def test_after_a_restart_memory_holds_the_open_ballots_acks_only(live: Live) -> None:
    first, member, _ = await _voted_then_closed(live)
    hub = live.hub
    second = live.seeded.ballot_ids[1]
    await live.act(second, BallotAction.OPEN)
    on_second = await hub.vote(pass_of(hub, "GM0002"), second, Choice.AGAINST, "c-2")
    async with live.database.transaction(readonly=True) as session:
        meeting = await session.get(Meeting, live.seeded.meeting_id)
        assert meeting is not None
        loaded = await load_meeting(session, meeting)
    assert loaded.acks == {(member, "c-2"): on_second}
    assert loaded.may_have_answered(member, "c-1")
    assert [b for b in loaded.ballots if b == first]  # the closed ballot itself is still there
