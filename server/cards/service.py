"""Voting cards: one per member per meeting; re-issuing invalidates the old code (SPEC 2.2)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import entries
from server.audit.journal import note
from server.cards import codes, repository
from server.cards.models import Card
from server.errors import Conflict, InvalidInput, NotFound
from server.meetings import repository as meeting_repository
from server.meetings.models import Meeting
from server.meetings.service import get_meeting, weight_rule_of
from server.register import repository as register_repository
from server.register.models import Member
from server.rules import weight_for


@dataclass(frozen=True, slots=True)
class CardView:
    card: Card
    member: Member
    weight: int


async def _members_of(session: AsyncSession, meeting: Meeting) -> dict[int, tuple[Member, int]]:
    """Members with their weight: the frozen register once open, the standing one before."""
    members = {m.id: m for m in await register_repository.all_members(session)}
    if meeting.status == "draft":
        rule = weight_rule_of(meeting)
        return {m.id: (m, weight_for(m.population, rule)) for m in members.values()}
    frozen = await meeting_repository.frozen_register(session, meeting.id)
    return {seat.member_id: (members[seat.member_id], seat.weight) for seat in frozen}


async def issue_missing(session: AsyncSession, meeting_id: int) -> list[CardView]:
    """Make a card for every member that has none yet; idempotent."""
    meeting = await get_meeting(session, meeting_id)
    if meeting.status == "closed":
        raise Conflict("the meeting is closed", code="meeting_closed")
    members = await _members_of(session, meeting)
    have = {card.member_id for card, _ in await repository.valid_cards(session, meeting_id)}
    for member_id in sorted(members.keys() - have, key=lambda m: members[m][0].cbs_code):
        session.add(Card(meeting_id=meeting_id, member_id=member_id, code=codes.new_card_code()))
        # The code is a secret: the log names the member only.
        note(
            session,
            meeting_id,
            entries.CARD_ISSUED,
            {"member": members[member_id][0].cbs_code, "replaces": False},
        )
    await session.flush()
    return await list_cards(session, meeting_id)


async def list_cards(session: AsyncSession, meeting_id: int) -> list[CardView]:
    meeting = await get_meeting(session, meeting_id)
    members = await _members_of(session, meeting)
    return [
        CardView(card, member, members[member.id][1])
        for card, member in await repository.valid_cards(session, meeting_id)
        if member.id in members
    ]


async def reissue(session: AsyncSession, meeting_id: int, member_code: str) -> CardView:
    """Replace a member's card (lost, or sent to the wrong person): the old code stops working."""
    meeting = await get_meeting(session, meeting_id)
    members = await _members_of(session, meeting)
    found = next(((m, w) for m, w in members.values() if m.cbs_code == member_code), None)
    if found is None:
        raise NotFound(f"{member_code} is not a member of meeting {meeting_id}", code="unknown_member")
    member, weight = found
    old = await repository.valid_card_of(session, meeting_id, member.id)
    if old is not None:
        old.replaced_at = datetime.now(UTC)
        await session.flush()
    card = Card(meeting_id=meeting_id, member_id=member.id, code=codes.new_card_code())
    session.add(card)
    await session.flush()
    note(session, meeting_id, entries.CARD_ISSUED, {"member": member.cbs_code, "replaces": old is not None})
    return CardView(card, member, weight)


async def resolve(session: AsyncSession, meeting_id: int, typed: str) -> Card:
    """The valid card of this meeting behind a scanned or typed code.

    A code whose check fails was mistyped; a code that is unknown or belongs to another meeting
    gets one and the same answer, so that guessing tells nothing about other meetings.
    """
    code = codes.normalize(typed)
    if not codes.is_well_formed(code):
        raise InvalidInput("this is not a voting card code (mistyped? scan it again)", code="invalid_card")
    card = await repository.by_code(session, code)
    if card is None or card.meeting_id != meeting_id:
        raise NotFound("this card is not valid for this meeting", code="unknown_card")
    if card.replaced_at is not None:
        raise Conflict(
            f"this card was replaced on {card.replaced_at:%d-%m-%Y %H:%M}; ask for the new card",
            code="card_replaced",
        )
    return card


def card_views_by_member(views: Sequence[CardView]) -> dict[str, CardView]:
    return {view.member.cbs_code: view for view in views}
