from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.models import OperatorToken


async def find_active(session: AsyncSession, token_hash: str) -> OperatorToken | None:
    return await session.scalar(
        select(OperatorToken).where(
            OperatorToken.token_hash == token_hash, OperatorToken.revoked_at.is_(None)
        )
    )


def add(session: AsyncSession, token: OperatorToken) -> None:
    session.add(token)
