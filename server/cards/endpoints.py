from __future__ import annotations

from fastapi import APIRouter

from server.cards import codes, service
from server.cards.schemas import CardOut
from server.deps import AdminOnly, Session

router = APIRouter(prefix="/api/meetings/{meeting_id}/cards", tags=["cards"])


def card_out(view: service.CardView) -> CardOut:
    return CardOut(
        member=view.member.cbs_code,
        name=view.member.name,
        weight=view.weight,
        card=view.card.code,
        printed=codes.grouped(view.card.code),
    )


@router.get("", response_model=list[CardOut])
async def list_cards(meeting_id: int, session: Session, _: AdminOnly) -> list[CardOut]:
    """The valid voting card of every member that has one, by name."""
    return [card_out(view) for view in await service.list_cards(session, meeting_id)]


@router.post("", response_model=list[CardOut])
async def issue_cards(meeting_id: int, session: Session, _: AdminOnly) -> list[CardOut]:
    """Make a card for every member that has none yet (idempotent); answers all valid cards."""
    return [card_out(view) for view in await service.issue_missing(session, meeting_id)]


@router.post("/{member_code}/reissue", response_model=CardOut)
async def reissue_card(meeting_id: int, member_code: str, session: Session, _: AdminOnly) -> CardOut:
    """Replace a member's card; the old code stops working at once."""
    return card_out(await service.reissue(session, meeting_id, member_code))
