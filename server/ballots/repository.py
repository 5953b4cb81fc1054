from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.ballots.models import Ballot, Candidate, Vote
from server.meetings.models import MeetingMember


async def get(session: AsyncSession, ballot_id: int, *, for_update: bool = False) -> Ballot | None:
    query = select(Ballot).where(Ballot.id == ballot_id)
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def of_meeting(session: AsyncSession, meeting_id: int) -> Sequence[Ballot]:
    return (await session.scalars(select(Ballot).where(Ballot.meeting_id == meeting_id))).all()


async def open_ballot_of(session: AsyncSession, meeting_id: int) -> Ballot | None:
    return await session.scalar(
        select(Ballot).where(Ballot.meeting_id == meeting_id, Ballot.status == "open")
    )


async def draft_amendments_of(session: AsyncSession, ballot_id: int) -> Sequence[Ballot]:
    query = select(Ballot).where(Ballot.amends_id == ballot_id, Ballot.status == "draft")
    return (await session.scalars(query)).all()


async def amendments_of(session: AsyncSession, ballot_id: int) -> Sequence[Ballot]:
    return (await session.scalars(select(Ballot).where(Ballot.amends_id == ballot_id))).all()


async def revote_of(session: AsyncSession, ballot_id: int) -> Ballot | None:
    """The re-vote of a voided ballot, if one was made."""
    return await session.scalar(select(Ballot).where(Ballot.revote_of_id == ballot_id).limit(1))


async def opened_or_decided_after(session: AsyncSession, ballot: Ballot) -> Ballot | None:
    """A ballot of the meeting opened or decided after `ballot` was: one open now (one is open
    at a time, so it opened after), or one whose deciding log entry comes later."""
    query = select(Ballot).where(
        Ballot.meeting_id == ballot.meeting_id,
        Ballot.id != ballot.id,
        (Ballot.status == "open") | (Ballot.close_seq > (ballot.close_seq or 0)),
    )
    return await session.scalar(query.order_by(Ballot.id).limit(1))


async def weighted_votes(session: AsyncSession, ballot: Ballot) -> Sequence[tuple[str, str, int]]:
    """(member code, choice, frozen weight) of every current vote on the ballot."""
    query = (
        select(MeetingMember.cbs_code, Vote.choice, MeetingMember.weight)
        .join(
            MeetingMember,
            (MeetingMember.member_id == Vote.member_id) & (MeetingMember.meeting_id == ballot.meeting_id),
        )
        .where(Vote.ballot_id == ballot.id)
    )
    return [(code, choice, weight) for code, choice, weight in (await session.execute(query)).all()]


async def candidates_of(session: AsyncSession, ballot_id: int) -> Sequence[Candidate]:
    """A ballot's candidates in their order on the ballot."""
    query = (
        select(Candidate).where(Candidate.ballot_id == ballot_id).order_by(Candidate.position, Candidate.id)
    )
    return (await session.scalars(query)).all()


async def candidates_of_ballots(
    session: AsyncSession, ballot_ids: Sequence[int]
) -> dict[int, list[Candidate]]:
    """The candidates of several ballots at once, by ballot id (every id present)."""
    found: dict[int, list[Candidate]] = {ballot_id: [] for ballot_id in ballot_ids}
    if not ballot_ids:
        return found
    query = (
        select(Candidate)
        .where(Candidate.ballot_id.in_(ballot_ids))
        .order_by(Candidate.ballot_id, Candidate.position, Candidate.id)
    )
    for candidate in await session.scalars(query):
        found[candidate.ballot_id].append(candidate)
    return found


async def delete_candidates(session: AsyncSession, ballot_id: int) -> None:
    await session.execute(delete(Candidate).where(Candidate.ballot_id == ballot_id))


async def next_rounds_of(session: AsyncSession, ballot_id: int) -> Sequence[Ballot]:
    """The ballots that name `ballot_id` as the round they follow."""
    return (await session.scalars(select(Ballot).where(Ballot.round_of_id == ballot_id))).all()


async def candidate_names(session: AsyncSession, ids: Collection[int]) -> dict[int, str]:
    """The names of candidates by id, whichever round's ballot they stand on (ids are unique)."""
    if not ids:
        return {}
    rows = await session.execute(select(Candidate.id, Candidate.name).where(Candidate.id.in_(list(ids))))
    return {candidate_id: name for candidate_id, name in rows.all()}


async def candidates_by_id(session: AsyncSession, ids: Collection[int]) -> Sequence[Candidate]:
    """Candidate rows by id, whichever ballot they stand on."""
    if not ids:
        return []
    return (await session.scalars(select(Candidate).where(Candidate.id.in_(list(ids))))).all()
