from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Response

from server.cards import codes, mail, service
from server.cards.schemas import CardOut, MailOutcomeOut, MailReportOut, SendCardsRequest
from server.deps import AdminOnly, AppSettings, DatabaseDep, Session
from server.errors import NotFound
from server.meetings.models import Meeting
from server.meetings.service import get_meeting

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


PDF: dict[int | str, dict[str, Any]] = {200: {"content": {"application/pdf": {}}, "description": "A6 cards"}}


def pdf_response(content: bytes, filename: str) -> Response:
    # The cards are bearer credentials for the desk: no cache may keep a copy.
    headers = {"Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "no-store"}
    return Response(content, media_type="application/pdf", headers=headers)


def _render_cards(meeting: Meeting, views: list[service.CardView]) -> bytes:
    """The cards' PDF; reportlab is imported on the first one, not by every server process at
    start (a server that never prints cards does not hold it: issue 16's memory)."""
    from server.cards.pdf import cards_pdf

    return cards_pdf(meeting, views)


@router.get(".pdf", response_class=Response, responses=PDF)
async def cards_pdf(meeting_id: int, session: Session, _: AdminOnly) -> Response:
    """Every valid card of the meeting as a PDF to print, one A6 page per member, by name."""
    meeting = await get_meeting(session, meeting_id)
    views = await service.list_cards(session, meeting_id)
    if not views:
        raise NotFound(f"meeting {meeting_id} has no cards yet; issue them first", code="no_cards")
    content = await asyncio.to_thread(_render_cards, meeting, views)
    return pdf_response(content, f"stemkaarten-{meeting_id}.pdf")


@router.get("/{member_code}.pdf", response_class=Response, responses=PDF)
async def card_pdf(meeting_id: int, member_code: str, session: Session, _: AdminOnly) -> Response:
    """One member's valid card as a one-page PDF (to re-print it, e.g. after re-issuing)."""
    meeting = await get_meeting(session, meeting_id)
    view = service.card_views_by_member(await service.list_cards(session, meeting_id)).get(member_code)
    if view is None:
        raise NotFound(f"{member_code} has no valid card in meeting {meeting_id}", code="unknown_member")
    content = await asyncio.to_thread(_render_cards, meeting, [view])
    return pdf_response(content, f"stemkaart-{member_code}.pdf")


@router.post("/send", response_model=MailReportOut)
async def send_cards(
    meeting_id: int, data: SendCardsRequest, database: DatabaseDep, settings: AppSettings, _: AdminOnly
) -> MailReportOut:
    """Mail each card (PDF attached) to the member's municipal secretary over SMTP
    (`VOTEHALL_SMTP_*`), or only to `members`; answers per member whether the mail server took
    it. A dry run renders the messages and answers their recipients and subjects only."""
    # No request transaction: the mail goes out with no lock held; mailed_at is set afterwards.
    if data.dry_run:
        report = await mail.preview_cards(database, meeting_id, settings, only=data.members)
    else:
        report = await mail.send_cards(database, meeting_id, settings, only=data.members)
    return mail_report_out(report)


def mail_report_out(report: mail.MailReport) -> MailReportOut:
    return MailReportOut(
        dry_run=report.dry_run,
        sent=report.count(mail.MailStatus.SENT),
        refused=report.count(mail.MailStatus.REFUSED),
        no_address=report.count(mail.MailStatus.NO_ADDRESS),
        failed=report.count(mail.MailStatus.FAILED),
        results=[
            MailOutcomeOut(
                member=o.member, name=o.name, status=o.status.value,
                recipient=o.recipient, subject=o.subject, detail=o.detail,
            )
            for o in report.outcomes
        ],
    )  # fmt: skip
