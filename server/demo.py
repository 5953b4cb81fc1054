"""The demo meeting: the shipped register, the agenda of 18 June 2025, and its ballots."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from importlib.resources import files
from typing import Any

from server.auth.roles import Role
from server.auth.service import create_token
from server.ballots.schemas import BallotCreate
from server.ballots.service import create_ballot
from server.db import Database
from server.meetings.schemas import AgendaItemIn, MeetingCreate, WeightRuleIn
from server.meetings.service import create_meeting, open_meeting
from server.register.names import NameIndex
from server.register.reference import reference_names, shipped_register_text
from server.register.service import import_register
from server.rules import BallotKind
from server.seed import issue_passes

DEMO_AGENDA = "alv_2025-06-18_agenda.json"
DEMO_ATTENDANCE = "alv_2024-11-29_present.txt"


@dataclass(frozen=True, slots=True)
class DemoSetup:
    meeting_id: int
    members: int
    ballots: int
    tokens: dict[Role, str]
    passes: dict[str, str]  # member code -> pass token, for the simulated handhelds
    pairing_codes: dict[str, str]  # member code -> pairing code, for a person with a phone
    names: dict[str, str]


def attendance_codes() -> list[str]:
    """The 271 members present at the assembly of 29 November 2024, placed by name (with aliases)."""
    text = files("server.data").joinpath(DEMO_ATTENDANCE).read_text(encoding="utf-8")
    index = NameIndex(reference_names())
    codes: list[str] = []
    for name in filter(None, (line.strip() for line in text.splitlines())):
        code = index.lookup(name)
        if code is None:
            raise ValueError(f"the attendance list names {name!r}, which is not in the register")
        codes.append(code)
    return codes


def demo_agenda() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(
        files("server.data").joinpath(DEMO_AGENDA).read_text(encoding="utf-8")
    )
    return loaded


def meeting_from_agenda(agenda: dict[str, Any]) -> MeetingCreate:
    meta = agenda["meeting"]
    return MeetingCreate(
        title=meta["title"],
        date=date.fromisoformat(meta["date"]),
        place=meta.get("place"),
        weight_rule=WeightRuleIn(**meta["weight_rule"]) if "weight_rule" in meta else None,
        agenda=[AgendaItemIn(**item) for item in agenda["items"]],
    )


async def set_up_demo(database: Database) -> DemoSetup:
    """Load the register, create and open the demo meeting with one ballot per decision item,
    and check in the members of the real attendance list."""
    agenda = demo_agenda()
    async with database.transaction() as session:
        report = await import_register(session, shipped_register_text())
        meeting = await create_meeting(session, meeting_from_agenda(agenda))
        ballots = 0
        for item in agenda["items"]:
            if item.get("decision"):
                data = BallotCreate(agenda=item["number"], title=item["title"], kind=BallotKind(item["kind"]))
                await create_ballot(session, meeting.id, data)
                ballots += 1
        await open_meeting(session, meeting.id)
        issued = await issue_passes(session, meeting.id, attendance_codes())
        tokens = {role: await create_token(session, role, label="demo") for role in Role}
    names = reference_names()
    return DemoSetup(
        meeting_id=meeting.id,
        members=report.imported,
        ballots=ballots,
        tokens=tokens,
        passes={code: token for code, (_, token, _) in issued.items()},
        pairing_codes={code: pairing for code, (_, _, pairing) in issued.items()},
        names=names,
    )
