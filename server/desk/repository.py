from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.desk.models import Pass


async def get(session: AsyncSession, pass_id: int, *, for_update: bool = False) -> Pass | None:
    query = select(Pass).where(Pass.id == pass_id)
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def active_passes(session: AsyncSession, meeting_id: int) -> Sequence[Pass]:
    query = select(Pass).where(Pass.meeting_id == meeting_id, Pass.status == "active").with_for_update()
    return (await session.scalars(query)).all()


async def active_pass_of(session: AsyncSession, meeting_id: int, member_id: int) -> Pass | None:
    query = select(Pass).where(
        Pass.meeting_id == meeting_id, Pass.member_id == member_id, Pass.status == "active"
    )
    return await session.scalar(query.with_for_update())


async def by_token_hash(session: AsyncSession, token_hash: str) -> Pass | None:
    return await session.scalar(select(Pass).where(Pass.token_hash == token_hash))
