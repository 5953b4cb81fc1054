"""The registration desk (stembalie): check-in with a voting card, voting passes, hand-over,
check-out and return, pairing with a handheld (SPEC 2.2, 2.3, 4.1).

Every change is written to the desk log with the operator token that made it, and handed to
the live read model after the commit. The desk never holds a credential that can vote: it gets
a pass id and a single-use pairing code, and only pairing (`pair`) makes the pass token.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import entries
from server.audit.journal import note
from server.auth.models import OperatorToken
from server.auth.roles import Role
from server.auth.service import Operator
from server.cards import service as cards
from server.desk import repository
from server.desk.models import DeskLogEntry, Pass
from server.errors import Conflict, IllegalTransition, NotFound
from server.live.events import PassChanged, record
from server.meetings.models import MeetingMember
from server.meetings.service import get_meeting
from server.rules import PassStatus, RepresentativeRole
from server.security import hash_token, new_pairing_code, new_token, normalize_pairing_code

PASS_PREFIX = "vhp"
PAIRING_TTL = timedelta(minutes=30)


# The desk-log actions that give a pass a new pairing code (check-in, hand-over, re-pairing).
CODE_ACTIONS = ("check_in", "hand_over", "pairing")


@dataclass(frozen=True, slots=True)
class IssuedPass:
    pass_: Pass
    pairing_code: str  # the only way to the pass token: a handheld exchanges it at pairing
    seat: MeetingMember
    replaced: Pass | None


def _log(
    session: AsyncSession, pass_: Pass, action: str, operator: Operator | None, detail: str | None = None
) -> None:
    session.add(
        DeskLogEntry(
            meeting_id=pass_.meeting_id,
            member_id=pass_.member_id,
            pass_id=pass_.id,
            action=action,
            operator_token_id=operator.token_id if operator else None,
            detail=detail,
        )
    )


async def seat_of(session: AsyncSession, meeting_id: int, member_id: int) -> MeetingMember:
    seat = await session.scalar(
        select(MeetingMember).where(
            MeetingMember.meeting_id == meeting_id, MeetingMember.member_id == member_id
        )
    )
    if seat is None:
        raise NotFound("the member is not in the register of this meeting", code="unknown_member")
    return seat


async def check_in(
    session: AsyncSession,
    meeting_id: int,
    card_code: str,
    representative_name: str,
    representative_role: RepresentativeRole,
    *,
    hand_over: bool = False,
    operator: Operator | None = None,
) -> IssuedPass:
    """Check a representative in with the member's voting card and issue the voting pass.

    SPEC 2.2: the card proves the mandate; the role must be one of the statutes' roles (the
    schema refuses others). SPEC 2.3: one active pass per member; a second check-in is a
    hand-over that the desk must confirm (`hand_over`), which revokes the old pass.
    """
    card = await cards.resolve(session, meeting_id, card_code)
    return await issue_pass(
        session, meeting_id, card.member_id, representative_name, representative_role,
        hand_over=hand_over, operator=operator,
    )  # fmt: skip


async def issue_pass(
    session: AsyncSession,
    meeting_id: int,
    member_id: int,
    representative_name: str,
    representative_role: RepresentativeRole,
    *,
    hand_over: bool = False,
    operator: Operator | None = None,
) -> IssuedPass:
    meeting = await get_meeting(session, meeting_id)
    if meeting.status != "open":
        raise Conflict(
            f"the meeting is {meeting.status}; check-in needs an open meeting", code="meeting_not_open"
        )
    seat = await seat_of(session, meeting_id, member_id)
    current = await repository.active_pass_of(session, meeting_id, member_id)
    if current is not None:
        if not hand_over:
            raise Conflict(
                f"{seat.name} is already represented by {current.representative_name}; confirm a hand-over",
                code="pass_active",
                extra={"pass_id": current.id, "representative": current.representative_name},
            )
        await _end(session, current, PassStatus.REVOKED, operator, "hand-over")
    issued = Pass(
        meeting_id=meeting_id,
        member_id=member_id,
        # The hash of a token that nobody keeps: the pass cannot vote until a handheld pairs.
        token_hash=hash_token(new_token(PASS_PREFIX)),
        representative_name=" ".join(representative_name.split()),
        representative_role=representative_role.value,
        status=PassStatus.ACTIVE.value,
    )
    pairing_code = set_pairing_code(issued)
    session.add(issued)
    await session.flush()
    _log(session, issued, "hand_over" if current else "check_in", operator)
    note(session, meeting_id, entries.PASS_ISSUED, {
        "pass": issued.id, "member": seat.cbs_code, "role": issued.representative_role,
        "replaces": current.id if current else None, "operator": _who(operator),
    })  # fmt: skip
    record(session, PassChanged(issued.id))
    return IssuedPass(pass_=issued, pairing_code=pairing_code, seat=seat, replaced=current)


async def get_pass(session: AsyncSession, pass_id: int, *, for_update: bool = False) -> Pass:
    pass_ = await repository.get(session, pass_id, for_update=for_update)
    if pass_ is None:
        raise NotFound(f"there is no pass {pass_id}", code="unknown_pass")
    return pass_


async def end_pass(
    session: AsyncSession, pass_id: int, status: PassStatus, operator: Operator | None = None
) -> Pass:
    """Check out or revoke a pass; its kiosk is told and closed once this commits. Votes stay."""
    pass_ = await get_pass(session, pass_id, for_update=True)
    if pass_.status != PassStatus.ACTIVE:
        raise IllegalTransition(f"the pass is already {pass_.status}", code="pass_not_active")
    await _end(session, pass_, status, operator)
    return pass_


async def _end(
    session: AsyncSession,
    pass_: Pass,
    status: PassStatus,
    operator: Operator | None,
    detail: str | None = None,
) -> None:
    pass_.status = status.value
    pass_.ended_at = datetime.now(UTC)
    await session.flush()
    _log(session, pass_, "revoke" if status is PassStatus.REVOKED else "check_out", operator, detail)
    note(session, pass_.meeting_id, entries.PASS_ENDED, {
        "pass": pass_.id, "member": await member_code(session, pass_), "status": status.value,
    })  # fmt: skip
    record(session, PassChanged(pass_.id))


async def return_pass(session: AsyncSession, pass_id: int, operator: Operator | None = None) -> Pass:
    """A representative who checked out comes back: the same pass is active again (SPEC 2.3)."""
    pass_ = await get_pass(session, pass_id, for_update=True)
    if pass_.status != PassStatus.CHECKED_OUT:
        raise IllegalTransition(f"only a checked-out pass can return; this one is {pass_.status}")
    other = await repository.active_pass_of(session, pass_.meeting_id, pass_.member_id)
    if other is not None:
        raise Conflict(
            f"the member is now represented by {other.representative_name}", code="pass_active",
            extra={"pass_id": other.id},
        )  # fmt: skip
    pass_.status = PassStatus.ACTIVE.value
    pass_.ended_at = None
    # The handheld forgot the pass when it was checked out (close 4403): the desk pairs it anew,
    # and its list must not say "gekoppeld" until then.
    pass_.paired_at = None
    await session.flush()
    _log(session, pass_, "return", operator)
    note(session, pass_.meeting_id, entries.PASS_RETURNED, {
        "pass": pass_.id, "member": await member_code(session, pass_),
    })  # fmt: skip
    record(session, PassChanged(pass_.id))
    return pass_


async def new_pairing(
    session: AsyncSession, pass_id: int, operator: Operator | None = None
) -> tuple[Pass, str]:
    """A new pairing code for an active pass (another phone, or the QR was lost): re-print."""
    pass_ = await get_pass(session, pass_id, for_update=True)
    if pass_.status != PassStatus.ACTIVE:
        raise IllegalTransition(f"the pass is {pass_.status}", code="pass_not_active")
    code = set_pairing_code(pass_)
    await session.flush()
    _log(session, pass_, "pairing", operator)
    note(session, pass_.meeting_id, entries.PASS_PAIRING_CODE, {"pass": pass_.id, "operator": _who(operator)})
    return pass_, code


def set_pairing_code(pass_: Pass, now: datetime | None = None) -> str:
    """Give the pass a fresh single-use pairing code (shown at the desk as text and QR code)."""
    code = new_pairing_code()
    pass_.pairing_code_hash = hash_token(normalize_pairing_code(code))
    pass_.pairing_expires_at = (now or datetime.now(UTC)) + PAIRING_TTL
    return code


async def pair(session: AsyncSession, typed_code: str) -> str:
    """Exchange a pairing code for the pass token, once (SPEC 4.1): the only place a pass token
    is made and handed out.

    The token is made anew here and replaces any earlier one, so the handheld that paired is
    the only holder of the secret; a kiosk still using the old token is closed (4403). The
    `pass_paired` entry names the operator token that issued the code (`code_by`), so that a
    desk pairing a code itself is seen. An unknown, used or expired code gets one and the same
    answer, telling nothing more.
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
    code_by = await _code_issuer(session, pass_)
    note(session, pass_.meeting_id, entries.PASS_PAIRED, {"pass": pass_.id, "code_by": code_by})
    record(session, PassChanged(pass_.id))
    return token


async def _code_issuer(session: AsyncSession, pass_: Pass) -> dict[str, object] | None:
    """The operator token that made the pass's current pairing code, as the log names operators:
    from the last desk-log entry that gave the pass a code (null for passes seeded in bulk)."""
    query = (
        select(DeskLogEntry.operator_token_id, OperatorToken.label)
        .outerjoin(OperatorToken, OperatorToken.id == DeskLogEntry.operator_token_id)
        .where(DeskLogEntry.pass_id == pass_.id, DeskLogEntry.action.in_(CODE_ACTIONS))
        .order_by(DeskLogEntry.id.desc())
        .limit(1)
    )
    row = (await session.execute(query)).first()
    if row is None:
        return None
    return Operator(role=Role.DESK, token_id=row.operator_token_id, label=row.label).log_data()


def _who(operator: Operator | None) -> dict[str, object] | None:
    return operator.log_data() if operator else None


async def passes_of(session: AsyncSession, meeting_id: int) -> Sequence[tuple[Pass, MeetingMember]]:
    """Every pass of the meeting with its member, newest first: the desk's list."""
    await get_meeting(session, meeting_id)
    query = (
        select(Pass, MeetingMember)
        .join(
            MeetingMember,
            (MeetingMember.member_id == Pass.member_id) & (MeetingMember.meeting_id == Pass.meeting_id),
        )
        .where(Pass.meeting_id == meeting_id)
        .order_by(Pass.id.desc())
    )
    return [(p, m) for p, m in (await session.execute(query)).all()]


async def member_code(session: AsyncSession, pass_: Pass) -> str:
    return (await seat_of(session, pass_.meeting_id, pass_.member_id)).cbs_code
