"""The vote writer's re-checks inside its transaction (DESIGN invariants 1 and 3, SPEC 2.3, 2.4).

Memory may be behind the database: another process stored the member's vote on a ballot that
allows no change, and this process has not heard of it yet (a pass ended or a ballot closed by
another process: test_writer_safeguards.py).
The hub's checks from memory then let the vote through to the writer, which must refuse it from
what the database holds in the transaction, and store nothing.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from server.ballots.models import VoteEvent
from server.errors import ChangeNotAllowed
from server.rules import BallotAction, Choice
from tests.live.hub.conftest import Live, pass_of


async def stored(live: Live, vote_id: str) -> int:
    async with live.database.transaction(readonly=True) as session:
        return int(await session.scalar(select(func.count()).where(VoteEvent.vote_id == vote_id)) or 0)


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
