"""The queries of the meeting archive: a meeting's rows with member codes, and bulk inserts."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit.models import LogEntry, LogHead
from server.ballots.models import Ballot, UnitBallot, Vote, VoteEvent
from server.db import Base
from server.desk.models import Pass
from server.register.models import Member


async def votes_of(session: AsyncSession, meeting_id: int) -> Sequence[tuple[Vote, str]]:
    """The current votes on the meeting's ballots, each with its member's code."""
    query = (
        select(Vote, Member.cbs_code)
        .join(Member, Member.id == Vote.member_id)
        .join(Ballot, Ballot.id == Vote.ballot_id)
        .where(Ballot.meeting_id == meeting_id)
        .order_by(Vote.ballot_id, Member.cbs_code)
    )
    return [(vote, code) for vote, code in (await session.execute(query)).all()]


async def unit_ballots_of(session: AsyncSession, meeting_id: int) -> Sequence[UnitBallot]:
    """The unit ballots of the meeting's closed secret ballots, in receipt order per ballot."""
    query = (
        select(UnitBallot)
        .join(Ballot, Ballot.id == UnitBallot.ballot_id)
        .where(Ballot.meeting_id == meeting_id)
        .order_by(UnitBallot.ballot_id, UnitBallot.receipt)
    )
    return (await session.scalars(query)).all()


async def vote_events_of(session: AsyncSession, meeting_id: int) -> Sequence[tuple[VoteEvent, str]]:
    """Every vote event of the meeting in commit order, each with its member's code."""
    query = (
        select(VoteEvent, Member.cbs_code)
        .join(Member, Member.id == VoteEvent.member_id)
        .join(Ballot, Ballot.id == VoteEvent.ballot_id)
        .where(Ballot.meeting_id == meeting_id)
        .order_by(VoteEvent.id)
    )
    return [(event, code) for event, code in (await session.execute(query)).all()]


async def passes_of(session: AsyncSession, meeting_id: int) -> Sequence[tuple[Pass, str]]:
    query = (
        select(Pass, Member.cbs_code)
        .join(Member, Member.id == Pass.member_id)
        .where(Pass.meeting_id == meeting_id)
        .order_by(Pass.id)
    )
    return [(pass_, code) for pass_, code in (await session.execute(query)).all()]


async def members_by_code(session: AsyncSession, codes: Collection[str]) -> dict[str, Member]:
    if not codes:
        return {}
    members = await session.scalars(select(Member).where(Member.cbs_code.in_(codes)))
    return {member.cbs_code: member for member in members}


async def chain_beginning_with(session: AsyncSession, first_hash: str) -> int | None:
    """The chain whose first entry has this hash: the meeting is already in this database.

    The first entry (`meeting_created`) names the meeting's id and the millisecond it was made,
    so its hash tells one meeting from every other. Looking it up per chain uses the (chain, seq)
    index instead of reading the whole log.
    """
    query = select(LogEntry.chain).where(
        LogEntry.chain.in_(select(LogHead.chain)), LogEntry.seq == 1, LogEntry.hash == first_hash
    )
    return await session.scalar(query.limit(1))


async def insert_rows(session: AsyncSession, model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
    """Many rows of a table in one statement, without an object per row."""
    if rows:
        await session.execute(insert(model), list(rows))
