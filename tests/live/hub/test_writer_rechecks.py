"""The vote writer's re-checks inside its transaction (DESIGN invariants 1 and 3, SPEC 2.3, 2.4).

Memory may be behind the database: another process ended the pass, closed the ballot or stored
the member's vote on a ballot that allows no change, and this process has not heard of it yet.
The hub's checks from memory then let the vote through to the writer, which must refuse it from
what the database holds in the transaction, and store nothing.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from server.ballots.models import Ballot, VoteEvent
from server.desk.models import Pass
from server.errors import BallotNotOpen, ChangeNotAllowed, NotEligible
from server.rules import BallotAction, Choice
from tests.live.hub.conftest import Live, pass_of


async def stored(live: Live, vote_id: str) -> int:
    async with live.database.transaction(readonly=True) as session:
        return int(await session.scalar(select(func.count()).where(VoteEvent.vote_id == vote_id)) or 0)


async def behind_memory(live: Live, statement: object) -> None:
    """A change by another process: written to the database, never told to this process's hub."""
    async with live.database.transaction() as session:
        await session.execute(statement)  # type: ignore[call-overload]


async def test_a_pass_ended_by_another_process_is_refused(live: Live) -> None:
    hub = live.hub
    ballot = live.seeded.ballot_ids[0]
    await live.act(ballot, BallotAction.OPEN)
    member = pass_of(hub, "GM0002")
    await behind_memory(live, update(Pass).where(Pass.id == member.pass_id).values(status="revoked"))
    assert hub.meeting is not None and hub.meeting.active_pass(member.pass_id) is not None  # memory is behind
    with pytest.raises(NotEligible):
        await hub.vote(member, ballot, Choice.FOR, "recheck-pass")
    assert await stored(live, "recheck-pass") == 0
    # Another member's vote in the same ballot still goes through.
    ack = await hub.vote(pass_of(hub, "GM0003"), ballot, Choice.AGAINST, "recheck-other")
    assert ack.vote_id == "recheck-other"


async def test_a_ballot_closed_by_another_process_is_refused(live: Live) -> None:
    hub = live.hub
    ballot = live.seeded.ballot_ids[0]
    await live.act(ballot, BallotAction.OPEN)
    await behind_memory(live, update(Ballot).where(Ballot.id == ballot).values(status="closed"))
    with pytest.raises(BallotNotOpen):
        await hub.vote(pass_of(hub, "GM0002"), ballot, Choice.FOR, "recheck-ballot")
    assert await stored(live, "recheck-ballot") == 0


async def test_a_change_stored_by_another_process_is_refused_on_a_no_change_ballot(
    two_processes: Live,
) -> None:
    live = two_processes
    first, second = live.hubs
    ballot = live.seeded.ballot_ids[1]  # "Motie zonder wijzigen": allow_change=False
    await live.act(ballot, BallotAction.OPEN)
    await first.vote(pass_of(first, "GM0002"), ballot, Choice.FOR, "recheck-first")
    # The second process has not heard of that vote (no fan-out here), so memory lets it pass.
    assert second.meeting is not None
    member = pass_of(second, "GM0002")
    assert member.member_id not in second.meeting.ballots[ballot].choices
    with pytest.raises(ChangeNotAllowed):
        await second.vote(member, ballot, Choice.AGAINST, "recheck-second")
    assert await stored(live, "recheck-second") == 0
