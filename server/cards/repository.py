from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.cards.models import Card
from server.register.models import Member


async def valid_cards(session: AsyncSession, meeting_id: int) -> Sequence[tuple[Card, Member]]:
    query = (
        select(Card, Member)
        .join(Member, Member.id == Card.member_id)
        .where(Card.meeting_id == meeting_id, Card.replaced_at.is_(None))
        .order_by(Member.name)
    )
    return [(card, member) for card, member in (await session.execute(query)).all()]


async def by_code(session: AsyncSession, code: str) -> Card | None:
    return await session.scalar(select(Card).where(Card.code == code))


async def valid_card_of(session: AsyncSession, meeting_id: int, member_id: int) -> Card | None:
    query = select(Card).where(
        Card.meeting_id == meeting_id, Card.member_id == member_id, Card.replaced_at.is_(None)
    )
    return await session.scalar(query.with_for_update())
