"""The vacancies of an agenda file's `benoeming` items become draft ballots (SPEC 2.10)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from server.ballots.drafts import create_ballot
from server.ballots.models import Ballot
from server.ballots.schemas import BallotCreate
from server.errors import VoteHallError
from server.meetings.schemas import AgendaItemIn
from server.rules import BallotKind


async def create_vacancy_ballots(
    session: AsyncSession, meeting_id: int, items: Sequence[AgendaItemIn]
) -> list[Ballot]:
    """One draft ballot per vacancy, in the agenda's order: a slate without candidates, a yes/no
    vote with one, an election (first round) with two or more. An error names the item and the
    vacancy it is about."""
    made: list[Ballot] = []
    for item in items:
        for vacancy in item.vacancies:
            data = BallotCreate(
                agenda=item.number,
                title=vacancy.title,
                kind=BallotKind.BENOEMING,
                secret=vacancy.secret,
                candidates=vacancy.candidates or None,
            )
            try:
                made.append(await create_ballot(session, meeting_id, data))
            except VoteHallError as error:
                error.message = f"agenda item {item.number}, vacancy {vacancy.title!r}: {error.message}"
                error.args = (error.message,)
                raise
    return made
