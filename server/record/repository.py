"""The queries behind the published record: current votes, the passes and their representatives,
the log entries the record reads (who was present when, the lot), and the list of published
meetings with their decisions (server/record/listing.py)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import orjson
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit.models import LogEntry
from server.ballots.models import Ballot, Vote
from server.desk.models import Pass
from server.meetings.models import AgendaItem, Meeting, MeetingMember
from server.record.content import ENDED


async def current_votes(
    session: AsyncSession, meeting_id: int, ballot_ids: Collection[int]
) -> list[tuple[int, str, str]]:
    """(ballot id, member code, choice) of every current vote on the ballots: the last vote counts."""
    if not ballot_ids:
        return []
    query = (
        select(Vote.ballot_id, MeetingMember.cbs_code, Vote.choice)
        .join(
            MeetingMember,
            (MeetingMember.member_id == Vote.member_id) & (MeetingMember.meeting_id == meeting_id),
        )
        .where(Vote.ballot_id.in_(ballot_ids))
    )
    return [(ballot, code, choice) for ballot, code, choice in (await session.execute(query)).all()]


async def latest_roles(session: AsyncSession, meeting_id: int) -> dict[str, str]:
    """Member code -> the representative role on the member's most recent pass of the meeting."""
    latest = (
        select(func.max(Pass.id).label("id"))
        .where(Pass.meeting_id == meeting_id)
        .group_by(Pass.member_id)
        .subquery()
    )
    query = (
        select(MeetingMember.cbs_code, Pass.representative_role)
        .join(latest, latest.c.id == Pass.id)
        .join(
            MeetingMember,
            (MeetingMember.member_id == Pass.member_id) & (MeetingMember.meeting_id == meeting_id),
        )
    )
    return {code: role for code, role in (await session.execute(query)).all()}


async def log_entries(
    session: AsyncSession, meeting_id: int, types: Collection[str]
) -> list[tuple[int, str, dict[str, Any]]]:
    """(seq, type, data) of the meeting's log entries of `types`, in log order."""
    query = (
        select(LogEntry.seq, LogEntry.type, LogEntry.body)
        .where(LogEntry.chain == meeting_id, LogEntry.type.in_(types))
        .order_by(LogEntry.seq)
    )
    return [
        (seq, kind, orjson.loads(body)["data"]) for seq, kind, body in (await session.execute(query)).all()
    ]


async def representatives(session: AsyncSession, meeting_id: int) -> list[tuple[int, str, str, str]]:
    """(pass id, member code, representative's name, role) of every pass of the meeting, in order."""
    query = (
        select(Pass.id, MeetingMember.cbs_code, Pass.representative_name, Pass.representative_role)
        .join(
            MeetingMember,
            (MeetingMember.member_id == Pass.member_id) & (MeetingMember.meeting_id == meeting_id),
        )
        .where(Pass.meeting_id == meeting_id)
        .order_by(Pass.id)
    )
    return [(pass_id, code, name, role) for pass_id, code, name, role in (await session.execute(query)).all()]


async def published_meetings(session: AsyncSession) -> Sequence[Meeting]:
    """Every published meeting, newest first (by date, then by publication)."""
    query = (
        select(Meeting)
        .where(Meeting.published_at.is_not(None))
        .order_by(Meeting.date.desc(), Meeting.published_at.desc(), Meeting.id.desc())
    )
    return (await session.scalars(query)).all()


async def recorded_ballots(session: AsyncSession, meeting_ids: Collection[int]) -> Sequence[Ballot]:
    """The ballots of the meetings that their records hold: ended, and not a test vote (SPEC 2.7)."""
    if not meeting_ids:
        return []
    query = select(Ballot).where(
        Ballot.meeting_id.in_(list(meeting_ids)),
        Ballot.test.is_(False),
        Ballot.status.in_([str(status) for status in ENDED]),
    )
    return (await session.scalars(query)).all()


async def agenda_positions(session: AsyncSession, meeting_ids: Collection[int]) -> dict[int, dict[str, int]]:
    """Meeting id -> agenda item number -> its position, for the meetings given."""
    found: dict[int, dict[str, int]] = {meeting_id: {} for meeting_id in meeting_ids}
    if not meeting_ids:
        return found
    query = select(AgendaItem.meeting_id, AgendaItem.number, AgendaItem.position).where(
        AgendaItem.meeting_id.in_(list(meeting_ids))
    )
    for meeting_id, number, position in (await session.execute(query)).all():
        found[meeting_id][number] = position
    return found


async def member_names(
    session: AsyncSession, meeting_ids: Collection[int], codes: Collection[str]
) -> dict[tuple[int, str], str]:
    """(meeting id, member code) -> the member's name in that meeting's frozen register."""
    if not meeting_ids or not codes:
        return {}
    query = select(MeetingMember.meeting_id, MeetingMember.cbs_code, MeetingMember.name).where(
        MeetingMember.meeting_id.in_(list(meeting_ids)), MeetingMember.cbs_code.in_(list(codes))
    )
    return {(meeting_id, code): name for meeting_id, code, name in (await session.execute(query)).all()}
