from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.register.models import Member


async def all_members(session: AsyncSession) -> Sequence[Member]:
    return (await session.scalars(select(Member).order_by(Member.cbs_code))).all()


def add(session: AsyncSession, member: Member) -> None:
    session.add(member)
