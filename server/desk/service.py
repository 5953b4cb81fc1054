"""Voting passes: issue, hand over, check out, revoke (SPEC 2.2, 2.3).

Check-in with a voting card comes on top of `issue_pass`; the rules of presence live here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.desk import repository
from server.desk.models import Pass
from server.errors import Conflict, IllegalTransition, NotFound
from server.live.events import PassChanged, record
from server.meetings.models import MeetingMember
from server.meetings.service import get_meeting
from server.rules import PassStatus, RepresentativeRole
from server.security import hash_token, new_token

PASS_PREFIX = "vhp"


@dataclass(frozen=True, slots=True)
class IssuedPass:
    pass_: Pass
    token: str  # the secret; only its hash is stored
    seat: MeetingMember
    replaced: Pass | None


async def issue_pass(
    session: AsyncSession,
    meeting_id: int,
    member_code: str,
    representative_name: str,
    representative_role: RepresentativeRole,
    *,
    hand_over: bool = False,
) -> IssuedPass:
    """Issue the member's voting pass. SPEC 2.3: one active pass per member; a new one revokes the
    old only when the desk confirms the hand-over. Votes already cast stay."""
    meeting = await get_meeting(session, meeting_id)
    if meeting.status != "open":
        raise Conflict(
            f"the meeting is {meeting.status}; passes need an open meeting", code="meeting_not_open"
        )
    seat = await session.scalar(
        select(MeetingMember).where(
            MeetingMember.meeting_id == meeting_id, MeetingMember.cbs_code == member_code
        )
    )
    if seat is None:
        raise NotFound(f"{member_code} is not a member of meeting {meeting_id}", code="unknown_member")
    current = await repository.active_pass_of(session, meeting_id, seat.member_id)
    if current is not None:
        if not hand_over:
            raise Conflict(
                f"{seat.name} already has an active pass ({current.representative_name}); confirm a hand-over",
                code="pass_active",
                extra={"pass_id": current.id},
            )
        await _end(session, current, PassStatus.REVOKED)
    token = new_token(PASS_PREFIX)
    issued = Pass(
        meeting_id=meeting_id,
        member_id=seat.member_id,
        token_hash=hash_token(token),
        representative_name=representative_name.strip(),
        representative_role=representative_role.value,
        status=PassStatus.ACTIVE.value,
    )
    session.add(issued)
    await session.flush()
    record(session, PassChanged(issued.id))
    return IssuedPass(pass_=issued, token=token, seat=seat, replaced=current)


async def end_pass(session: AsyncSession, pass_id: int, status: PassStatus) -> Pass:
    """Check out or revoke a pass; its kiosk is told and closed once this commits."""
    pass_ = await repository.get(session, pass_id, for_update=True)
    if pass_ is None:
        raise NotFound(f"there is no pass {pass_id}", code="unknown_pass")
    if pass_.status != PassStatus.ACTIVE:
        raise IllegalTransition(f"the pass is already {pass_.status}", code="pass_not_active")
    await _end(session, pass_, status)
    return pass_


async def _end(session: AsyncSession, pass_: Pass, status: PassStatus) -> None:
    pass_.status = status.value
    pass_.ended_at = datetime.now(UTC)
    await session.flush()
    record(session, PassChanged(pass_.id))


async def member_code(session: AsyncSession, pass_: Pass) -> str:
    code = await session.scalar(
        select(MeetingMember.cbs_code).where(
            MeetingMember.meeting_id == pass_.meeting_id, MeetingMember.member_id == pass_.member_id
        )
    )
    return code or ""
