from __future__ import annotations

from fastapi import APIRouter

from server.deps import DeskOrAdmin, Session
from server.desk import service
from server.desk.models import Pass
from server.desk.schemas import PairAnswer, PairRequest, PassOut
from server.rules import PassStatus

router = APIRouter(prefix="/api/passes", tags=["desk"])
kiosk_router = APIRouter(prefix="/api/kiosk", tags=["kiosk"])


def pass_out(pass_: Pass, member_code: str) -> PassOut:
    return PassOut(
        pass_id=pass_.id,
        member=member_code,
        status=pass_.status,
        representative=pass_.representative_name,
        role=pass_.representative_role,
        ended_at=pass_.ended_at,
    )


@router.post("/{pass_id}/revoke", response_model=PassOut)
async def revoke(pass_id: int, session: Session, _: DeskOrAdmin) -> PassOut:
    """Revoke a pass: its handheld is told and disconnected; votes already cast stay (SPEC 2.3)."""
    pass_ = await service.end_pass(session, pass_id, PassStatus.REVOKED)
    return pass_out(pass_, await service.member_code(session, pass_))


@router.post("/{pass_id}/checkout", response_model=PassOut)
async def checkout(pass_id: int, session: Session, _: DeskOrAdmin) -> PassOut:
    """Check a representative out: the member no longer counts as present and cannot vote."""
    pass_ = await service.end_pass(session, pass_id, PassStatus.CHECKED_OUT)
    return pass_out(pass_, await service.member_code(session, pass_))


@kiosk_router.post("/pair", response_model=PairAnswer)
async def pair(data: PairRequest, session: Session) -> PairAnswer:
    """Exchange the desk's pairing code for the pass token; works once per code. No token needed:
    the code is the secret."""
    return PairAnswer(pass_=await service.pair(session, data.pairing_code))
