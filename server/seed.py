"""Seeding a meeting for the demo, the load generator and the tests: members, an open meeting,
ballots, operator tokens and an active voting pass per present member.

Bulk inserts keep ten thousand passes to a second or two; the rules still come from the
services (weights from the meeting's rule when it opens, ballots through `create_ballot`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import entries
from server.audit.journal import note
from server.audit.models import SYSTEM_CHAIN
from server.auth.roles import Role
from server.auth.service import create_token
from server.ballots.drafts import create_ballot
from server.ballots.schemas import BallotCreate
from server.db import Database
from server.desk.models import Pass
from server.desk.service import PAIRING_TTL
from server.meetings.models import MeetingMember
from server.meetings.schemas import MeetingCreate
from server.meetings.service import create_meeting, open_meeting
from server.register.models import Member
from server.rules import RepresentativeRole
from server.security import hash_token, new_pairing_code, new_token, normalize_pairing_code


@dataclass(frozen=True, slots=True)
class SeedMember:
    code: str
    name: str
    population: int


@dataclass(slots=True)
class Seeded:
    meeting_id: int
    ballot_ids: list[int]
    passes: dict[str, str] = field(default_factory=dict)  # member code -> pass token
    pass_ids: dict[str, int] = field(default_factory=dict)
    pairing_codes: dict[str, str] = field(default_factory=dict)  # member code -> single-use pairing code
    weights: dict[str, int] = field(default_factory=dict)
    tokens: dict[Role, str] = field(default_factory=dict)


def synthetic_members(count: int, prefix: str = "LT") -> list[SeedMember]:
    """A register of `count` made-up members with varied weights (1 to 75 under the default rule)."""
    return [
        SeedMember(code=f"{prefix}{i:05d}", name=f"Gemeente {i:05d}", population=500 + (i * 7919) % 80_000)
        for i in range(1, count + 1)
    ]


async def add_members(session: AsyncSession, members: Sequence[SeedMember]) -> None:
    if members:
        rows = [{"cbs_code": m.code, "name": m.name, "population": m.population} for m in members]
        await session.execute(insert(Member), rows)
        note(session, SYSTEM_CHAIN, entries.MEMBERS_IMPORTED, {
            "members": [{"member": m.code, "name": m.name, "population": m.population} for m in members],
        })  # fmt: skip


async def issue_passes(
    session: AsyncSession, meeting_id: int, codes: Sequence[str]
) -> dict[str, tuple[int, str, str]]:
    """An active pass for each member code, in bulk: code -> (pass id, token, pairing code).

    Administrative tooling (the demo, the load test, tests) with the database in hand: it mints
    pass tokens directly, for simulated handhelds. No route does this; the desk only ever gets
    a pairing code (SECURITY.md, "The desk holds no pass token")."""
    seats = {
        seat.cbs_code: seat.member_id
        for seat in await session.scalars(select(MeetingMember).where(MeetingMember.meeting_id == meeting_id))
    }
    tokens = {code: new_token("vhp") for code in codes}
    now = datetime.now(UTC)
    pairing = {code: new_pairing_code() for code in codes}
    rows = [
        {
            "meeting_id": meeting_id,
            "member_id": seats[code],
            "token_hash": hash_token(token),
            "representative_name": f"Vertegenwoordiger {code}",
            "representative_role": RepresentativeRole.BURGEMEESTER.value,
            "status": "active",
            "pairing_code_hash": hash_token(normalize_pairing_code(pairing[code])),
            "pairing_expires_at": now + PAIRING_TTL,
        }
        for code, token in tokens.items()
    ]
    if rows:
        await session.execute(insert(Pass), rows)
    rows_found = await session.execute(select(Pass.token_hash, Pass.id).where(Pass.meeting_id == meeting_id))
    ids = {token_hash: pass_id for token_hash, pass_id in rows_found.all()}
    for code, token in tokens.items():
        note(session, meeting_id, entries.PASS_ISSUED, {
            "pass": ids[hash_token(token)], "member": code,
            "role": RepresentativeRole.BURGEMEESTER.value, "replaces": None,
        })  # fmt: skip
    return {code: (ids[hash_token(token)], token, pairing[code]) for code, token in tokens.items()}


async def seed_meeting(
    database: Database,
    meeting: MeetingCreate,
    *,
    members: Sequence[SeedMember] = (),
    ballots: Sequence[BallotCreate] = (),
    present: Sequence[str] | None = None,
) -> Seeded:
    """Create and open a meeting with its ballots, operator tokens and passes for `present`
    (every member of the register when None)."""
    async with database.transaction() as session:
        await add_members(session, members)
        created = await create_meeting(session, meeting)
        ballot_ids = [(await create_ballot(session, created.id, ballot)).id for ballot in ballots]
        await open_meeting(session, created.id)
        seats = (
            await session.scalars(select(MeetingMember).where(MeetingMember.meeting_id == created.id))
        ).all()
        codes = [seat.cbs_code for seat in seats] if present is None else list(present)
        issued = await issue_passes(session, created.id, codes)
        tokens = {role: await create_token(session, role, label="seed") for role in Role}
    return Seeded(
        meeting_id=created.id,
        ballot_ids=ballot_ids,
        passes={code: token for code, (_, token, _) in issued.items()},
        pass_ids={code: pass_id for code, (pass_id, _, _) in issued.items()},
        pairing_codes={code: pairing for code, (_, _, pairing) in issued.items()},
        weights={seat.cbs_code: seat.weight for seat in seats},
        tokens=tokens,
    )


def plain_meeting(title: str = "Algemene Ledenvergadering", on: date | None = None) -> MeetingCreate:
    return MeetingCreate(title=title, date=on or date.today())
