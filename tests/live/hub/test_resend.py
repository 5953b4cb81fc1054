"""Invariant 2: a resend of a known vote_id returns the stored ack and writes nothing. The writer
only looks for known vote_ids in memory (`meeting.acks`); a vote_id that is in `vote_events` but
not in this process's memory hits the UNIQUE (member_id, vote_id) constraint, the batch fails, is
retried one by one, and the kiosk gets `unavailable` ("send it again") for ever."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.ballots.models import VoteEvent
from server.errors import VoteHallError
from server.live.state import Ack
from server.meetings.service import close_meeting, open_meeting
from server.rules import BallotAction, Choice
from server.seed import issue_passes
from tests.live.conftest import MEMBERS
from tests.live.hub.conftest import Live, pass_of


async def _events(live: Live) -> int:
    async with live.database.transaction(readonly=True) as session:
        return int(await session.scalar(select(func.count()).select_from(VoteEvent)) or 0)


async def test_resend_on_another_process_returns_the_stored_ack(two_processes: Live) -> None:
    """A kiosk votes on process A, the ack is lost with the connection, the handheld reconnects
    through the load balancer to process B and resends the same vote_id (SPEC 4.2.5, 5)."""
    live = two_processes
    a, b = live.hubs
    ballot = live.seeded.ballot_ids[0]
    await live.act(ballot, BallotAction.OPEN)

    ack = await a.vote(pass_of(a, "GM0002"), ballot, Choice.FOR, "r-1")

    try:
        again: Ack | VoteHallError = await b.vote(pass_of(b, "GM0002"), ballot, Choice.FOR, "r-1")
    except VoteHallError as error:
        again = error
    assert again == ack, f"the resend got {again!r} instead of the stored ack"
    assert await _events(live) == 1


async def _vote_then_next_meeting(live: Live) -> tuple[int, Ack]:
    """Member GM0002 votes with vote_id 'dup' in meeting 1; meeting 1 ends, meeting 2 opens."""
    hub = live.hub
    first = live.seeded.ballot_ids[0]
    await live.act(first, BallotAction.OPEN)
    old_ack = await hub.vote(pass_of(hub, "GM0002"), first, Choice.FOR, "dup")
    await live.act(first, BallotAction.CLOSE)

    async def next_meeting(session: AsyncSession) -> None:
        await close_meeting(session, live.seeded.meeting_id, confirm=True)
        await open_meeting(session, meeting_id := live.seeded.meeting_id + 1)
        await issue_passes(session, meeting_id, [m.code for m in MEMBERS])

    await live.operate(next_meeting)
    second = live.other_meeting_ballot
    await live.act(second, BallotAction.OPEN)
    return second, old_ack


async def test_vote_id_from_an_earlier_meeting_gets_a_final_answer(live: Live) -> None:
    """The kiosk treats `unavailable` as "resend later" (kiosk/kiosk.js RETRY_CODES): a vote_id
    the server can never store must get a final answer (the stored ack, or a new vote when
    vote_ids are scoped per meeting), not `unavailable` again and again."""
    second, old_ack = await _vote_then_next_meeting(live)
    hub = live.hub
    answers: list[Ack | VoteHallError] = []
    for _ in range(3):  # the kiosk's resends
        try:
            answers.append(await hub.vote(pass_of(hub, "GM0002"), second, Choice.AGAINST, "dup"))
        except VoteHallError as error:
            answers.append(error)
    codes = [getattr(a, "code", "ack") for a in answers]
    assert "unavailable" not in codes, f"answers to the resends: {codes} (stored ack: {old_ack})"


async def test_one_conflicting_vote_id_does_not_split_the_group_commit(live: Live) -> None:
    """One vote whose vote_id is already stored poisons the batch: every honest vote of the
    group is then written in a transaction of its own (one fsync each). With a few thousand
    votes in a batch, one such frame (a buggy or hostile kiosk resending at 5/s) costs everyone
    seconds (SPEC 5: bad input never disturbs anyone else's vote; p99 < 250 ms)."""
    second, _ = await _vote_then_next_meeting(live)
    hub = live.hub
    before = hub.writer.batches
    honest = ["GM0001", "GM0003", "GM0004", "GM0005"]
    answers = await asyncio.gather(
        *(hub.vote(pass_of(hub, code), second, Choice.FOR, f"h-{code}") for code in honest),
        hub.vote(pass_of(hub, "GM0002"), second, Choice.FOR, "dup"),
        return_exceptions=True,
    )
    assert all(isinstance(answer, Ack) for answer in answers[:-1]), answers
    transactions = hub.writer.batches - before
    assert transactions == 1, f"{len(answers)} votes queued together took {transactions} commits"
