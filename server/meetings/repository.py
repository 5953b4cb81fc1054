from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.meetings.models import AgendaItem, Meeting, MeetingMember


async def get(session: AsyncSession, meeting_id: int, *, for_update: bool = False) -> Meeting | None:
    query = select(Meeting).where(Meeting.id == meeting_id)
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def all_meetings(session: AsyncSession) -> Sequence[Meeting]:
    return (await session.scalars(select(Meeting).order_by(Meeting.date.desc(), Meeting.id.desc()))).all()


async def open_meeting(session: AsyncSession) -> Meeting | None:
    return await session.scalar(select(Meeting).where(Meeting.status == "open"))


async def agenda(session: AsyncSession, meeting_id: int) -> Sequence[AgendaItem]:
    query = select(AgendaItem).where(AgendaItem.meeting_id == meeting_id).order_by(AgendaItem.position)
    return (await session.scalars(query)).all()


async def next_agenda_position(session: AsyncSession, meeting_id: int) -> int:
    highest = await session.scalar(
        select(func.max(AgendaItem.position)).where(AgendaItem.meeting_id == meeting_id)
    )
    return (highest or 0) + 1


async def frozen_register(session: AsyncSession, meeting_id: int) -> Sequence[MeetingMember]:
    query = (
        select(MeetingMember).where(MeetingMember.meeting_id == meeting_id).order_by(MeetingMember.cbs_code)
    )
    return (await session.scalars(query)).all()


async def total_weight(session: AsyncSession, meeting_id: int) -> int:
    """The weight of all members in the frozen register (SPEC 2.1)."""
    query = select(func.coalesce(func.sum(MeetingMember.weight), 0)).where(
        MeetingMember.meeting_id == meeting_id
    )
    return int(await session.scalar(query) or 0)


async def present(session: AsyncSession, meeting_id: int) -> dict[str, int]:
    """Member code -> frozen weight of every member with an active pass now (SPEC 2.3)."""
    from server.desk.models import Pass  # the desk's table; imported here to keep the layers apart

    query = (
        select(MeetingMember.cbs_code, MeetingMember.weight)
        .join(
            Pass, (Pass.member_id == MeetingMember.member_id) & (Pass.meeting_id == MeetingMember.meeting_id)
        )
        .where(MeetingMember.meeting_id == meeting_id, Pass.status == "active")
    )
    return {code: weight for code, weight in (await session.execute(query)).all()}


async def frozen_names(session: AsyncSession, meeting_id: int) -> dict[str, str]:
    """Member code -> name in the frozen register."""
    query = select(MeetingMember.cbs_code, MeetingMember.name).where(MeetingMember.meeting_id == meeting_id)
    return {code: name for code, name in (await session.execute(query)).all()}


async def frozen_member_codes(session: AsyncSession, meeting_id: int) -> set[str]:
    query = select(MeetingMember.cbs_code).where(MeetingMember.meeting_id == meeting_id)
    return set((await session.scalars(query)).all())


async def next_feed_epoch(session: AsyncSession) -> int:
    """The feed epoch of the next meeting to open: one past the last one's."""
    last = await session.scalar(select(func.max(Meeting.feed_epoch)))
    return (last or 0) + 1
