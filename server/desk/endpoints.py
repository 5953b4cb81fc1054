from __future__ import annotations

import asyncio
import logging

import segno
from fastapi import APIRouter, Request, status
from sqlalchemy import select

from server.auth.service import Operator
from server.cards import service as cards
from server.deps import DeskOrAdmin, Session
from server.desk import service
from server.desk.models import Pass
from server.desk.schemas import (
    CardHolder,
    CardLookup,
    CheckInAnswer,
    CheckInRequest,
    MemberRef,
    PairAnswer,
    Pairing,
    PairRequest,
    PassOut,
    Representative,
)
from server.desk.throttle import DeskGuard
from server.errors import NotFound, RateLimited, VoteHallError
from server.meetings.models import MeetingMember
from server.rules import PassStatus, RepresentativeRole

log = logging.getLogger(__name__)

router = APIRouter(tags=["desk"])
kiosk_router = APIRouter(prefix="/api/kiosk", tags=["kiosk"])


def _guard(request: Request) -> DeskGuard:
    guard: DeskGuard = request.app.state.desk_guard
    return guard


def _pairing(request: Request, pass_: Pass, code: str) -> Pairing:
    settings = request.app.state.settings
    base = (settings.public_url or str(request.base_url)).rstrip("/")
    url = f"{base}/kiosk#pair={code}"
    svg = segno.make(url, error="m").svg_inline(scale=6, border=2, dark="#000", light="#fff")
    assert pass_.pairing_expires_at is not None
    return Pairing(
        pairing_code=code, pairing_url=url, pairing_qr_svg=svg, pairing_expires_at=pass_.pairing_expires_at
    )


def pass_out(pass_: Pass, seat: MeetingMember) -> PassOut:
    return PassOut(
        pass_id=pass_.id,
        member=MemberRef(code=seat.cbs_code, name=seat.name),
        weight=seat.weight,
        status=pass_.status,
        representative=pass_.representative_name,
        role=pass_.representative_role,
        issued_at=pass_.created_at,
        ended_at=pass_.ended_at,
        paired=pass_.paired_at is not None,
    )


def _client_keys(request: Request, operator: Operator) -> list[str]:
    return [f"token:{operator.token_id}", f"address:{request.client.host if request.client else '?'}"]


async def _guarded(request: Request, keys: list[str]) -> None:
    """Refuse or slow down a desk that has been trying too many (wrong) codes."""
    guard = _guard(request)
    if not all(guard.attempts.hit(key) for key in keys) or any(guard.wrong_cards.blocked(k) for k in keys):
        raise RateLimited("too many check-in attempts from this desk; wait a minute")
    delay = max(guard.wrong_cards.delay(key) for key in keys)
    if delay:
        await asyncio.sleep(delay)


def _count_wrong_card(request: Request, keys: list[str], error: VoteHallError) -> None:
    if error.code in ("invalid_card", "unknown_card"):
        for key in keys:
            _guard(request).wrong_cards.fail(key)
        log.warning("desk: a wrong card code (%s) from %s", error.code, ", ".join(keys))


@router.post("/api/meetings/{meeting_id}/cards/lookup", response_model=CardHolder)
async def look_up_card(
    meeting_id: int, data: CardLookup, request: Request, session: Session, operator: DeskOrAdmin
) -> CardHolder:
    """Who a scanned card belongs to, and whether that member is already represented: what the
    desk shows before it fills in the representative. Counts against the same limits as check-in."""
    keys = _client_keys(request, operator)
    await _guarded(request, keys)
    try:
        card = await cards.resolve(session, meeting_id, data.card)
    except VoteHallError as error:
        _count_wrong_card(request, keys, error)
        raise
    seat = await service.seat_of(session, meeting_id, card.member_id)
    active = await session.scalar(
        select(Pass).where(
            Pass.meeting_id == meeting_id, Pass.member_id == card.member_id, Pass.status == "active"
        )
    )
    return CardHolder(
        member=MemberRef(code=seat.cbs_code, name=seat.name),
        weight=seat.weight,
        active_pass=pass_out(active, seat) if active is not None else None,
    )


@router.post(
    "/api/meetings/{meeting_id}/checkins",
    response_model=CheckInAnswer,
    status_code=status.HTTP_201_CREATED,
)
async def check_in(
    meeting_id: int, data: CheckInRequest, request: Request, session: Session, operator: DeskOrAdmin
) -> CheckInAnswer:
    """Check a representative in with the member's voting card: issues the voting pass and a
    single-use pairing code (and QR code) for the handheld. A member that already has an active
    pass needs `"hand_over": true`. The answer holds no pass token: the desk never holds a
    credential that can vote; the handheld gets the token by pairing (`POST /api/kiosk/pair`)."""
    keys = _client_keys(request, operator)
    await _guarded(request, keys)
    try:
        issued = await service.check_in(
            session, meeting_id, data.card, data.representative.name, data.representative.role,
            hand_over=data.hand_over, operator=operator,
        )  # fmt: skip
    except VoteHallError as error:
        _count_wrong_card(request, keys, error)
        raise
    pairing = _pairing(request, issued.pass_, issued.pairing_code)
    return CheckInAnswer(
        **pairing.model_dump(),
        pass_id=issued.pass_.id,
        member=MemberRef(code=issued.seat.cbs_code, name=issued.seat.name),
        weight=issued.seat.weight,
        representative=Representative(
            name=issued.pass_.representative_name, role=RepresentativeRole(issued.pass_.representative_role)
        ),
        replaced_pass_id=issued.replaced.id if issued.replaced else None,
    )


@router.get("/api/meetings/{meeting_id}/passes", response_model=list[PassOut])
async def list_passes(meeting_id: int, session: Session, _: DeskOrAdmin) -> list[PassOut]:
    """Every pass of the meeting, newest first, with its member and status: the desk's list."""
    return [pass_out(pass_, seat) for pass_, seat in await service.passes_of(session, meeting_id)]


async def _out(session: Session, pass_: Pass) -> PassOut:
    return pass_out(pass_, await service.seat_of(session, pass_.meeting_id, pass_.member_id))


@router.post("/api/passes/{pass_id}/revoke", response_model=PassOut)
async def revoke(pass_id: int, session: Session, operator: DeskOrAdmin) -> PassOut:
    """Revoke a pass: its handheld is told and disconnected; votes already cast stay (SPEC 2.3)."""
    return await _out(session, await service.end_pass(session, pass_id, PassStatus.REVOKED, operator))


@router.post("/api/passes/{pass_id}/checkout", response_model=PassOut)
async def checkout(pass_id: int, session: Session, operator: DeskOrAdmin) -> PassOut:
    """Check a representative out: the member no longer counts as present and cannot vote."""
    return await _out(session, await service.end_pass(session, pass_id, PassStatus.CHECKED_OUT, operator))


@router.post("/api/passes/{pass_id}/return", response_model=PassOut)
async def return_(pass_id: int, session: Session, operator: DeskOrAdmin) -> PassOut:
    """A checked-out representative is back: the same pass (and handheld) is active again."""
    return await _out(session, await service.return_pass(session, pass_id, operator))


@router.post("/api/passes/{pass_id}/pairing", response_model=Pairing)
async def re_pair(pass_id: int, request: Request, session: Session, operator: DeskOrAdmin) -> Pairing:
    """A new single-use pairing code for an active pass (another handheld; re-print)."""
    pass_, code = await service.new_pairing(session, pass_id, operator)
    return _pairing(request, pass_, code)


@kiosk_router.post("/pair", response_model=PairAnswer)
async def pair(data: PairRequest, request: Request, session: Session) -> PairAnswer:
    """Exchange the desk's pairing code for the pass token; works once per code. The only route
    that answers a pass token. No token needed: the code is the secret (rate-limited per client
    address)."""
    guard = _guard(request)
    key = f"pair:{request.client.host if request.client else '?'}"
    if guard.wrong_cards.blocked(key):
        raise RateLimited("too many wrong pairing codes from this address; ask the desk")
    try:
        return PairAnswer(pass_=await service.pair(session, data.pairing_code))
    except NotFound:
        guard.wrong_cards.fail(key)
        raise
