"""The checks and names the ballot services share: a ballot named as people name it (by agenda
item and title, never by id), only a draft changes, nothing of a closed meeting is decided."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from server.ballots.models import Ballot
from server.errors import Conflict
from server.meetings.models import Meeting
from server.meetings.service import get_meeting
from server.rules import BallotStatus


def named_list(ballots: Sequence[Ballot]) -> str:
    return ", ".join(named(b) for b in ballots)


def named(ballot: Ballot) -> str:
    """A ballot as people name it: by its agenda item and title, never by its id."""
    return f"agenda item {ballot.agenda} {ballot.title!r}"


def must_be_draft(ballot: Ballot, done: str) -> None:
    if ballot.status != BallotStatus.DRAFT:
        raise Conflict(
            f"only a draft ballot can be {done}; {named(ballot)} is {ballot.status}",
            code="ballot_not_draft",
        )


async def meeting_not_closed(session: AsyncSession, meeting_id: int, *, for_update: bool = False) -> Meeting:
    meeting = await get_meeting(session, meeting_id, for_update=for_update)
    if meeting.status == "closed":
        # Its record may be published: nothing of a closed meeting is decided any more.
        raise Conflict("the meeting is closed", code="meeting_closed")
    return meeting
