"""Voting passes: issue, hand over, check out, revoke (SPEC 2.2, 2.3).

Check-in with a voting card comes on top of `issue_pass`; the rules of presence live here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.desk import repository
from server.desk.models import Pass
from server.errors import Conflict, IllegalTransition, NotFound
from server.live.events import PassChanged, record
from server.meetings.models import MeetingMember
from server.meetings.service import get_meeting
from server.rules import PassStatus, RepresentativeRole
from server.security import hash_token, new_pairing_code, new_token, normalize_pairing_code

PASS_PREFIX = "vhp"
PAIRING_TTL = timedelta(minutes=30)


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


def set_pairing_code(pass_: Pass, now: datetime | None = None) -> str:
    """Give the pass a fresh single-use pairing code (shown at the desk as text and QR code)."""
    code = new_pairing_code()
    pass_.pairing_code_hash = hash_token(normalize_pairing_code(code))
    pass_.pairing_expires_at = (now or datetime.now(UTC)) + PAIRING_TTL
    return code


async def pair(session: AsyncSession, typed_code: str) -> str:
    """Exchange a pairing code for the pass token, once (SPEC 4.1).

    The token is made anew here and replaces the one issued at check-in, so the handheld that
    paired is the only holder of the secret; a kiosk still using the old token is disconnected.
    An unknown, used or expired code gets one and the same answer, telling nothing more.
    """
    code_hash = hash_token(normalize_pairing_code(typed_code))
    pass_ = await session.scalar(select(Pass).where(Pass.pairing_code_hash == code_hash).with_for_update())
    now = datetime.now(UTC)
    expires = pass_.pairing_expires_at if pass_ is not None else None
    if pass_ is None or pass_.status != PassStatus.ACTIVE or expires is None or expires < now:
        raise NotFound(
            "this pairing code is unknown, used or expired; ask the desk for a new one",
            code="unknown_pairing_code",
        )
    token = new_token(PASS_PREFIX)
    pass_.token_hash = hash_token(token)
    pass_.pairing_code_hash = None
    pass_.pairing_expires_at = None
    pass_.paired_at = now
    await session.flush()
    record(session, PassChanged(pass_.id))
    return token
