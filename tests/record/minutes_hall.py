"""A meeting with everything the minutes state (issue 15), played in-process over HTTP.

On the small register of tests/live/conftest.py (GM0001 75, GM0002 42, GM0003 1, GM0004 75;
GM0005, 12, never comes): an amendment by two members with the board's advice against it, the
proposal it amends, a motion the board takes over, a motion voided for a wrong majority and voted
again, and an election of two rounds. GM0004 is present but never votes on the proposal; GM0003
is checked out before the motions, so it is absent from them; the chair and the committee that
sign are meeting settings, the population's reference date is 1 January 2024.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import update

from server.auth.roles import Role
from server.db import Database
from server.live.hub import LiveHub
from server.live.state import ActivePass
from server.meetings.models import Meeting
from server.meetings.schemas import AgendaItemIn
from server.rules import BallotKind, Choice, VoteChoice

if TYPE_CHECKING:
    from tests.record.conftest import Hall

MINUTES_AGENDA = [
    AgendaItemIn(number="1", title="Kadernota 2026", decision=True, kind=BallotKind.VOORSTEL),
    AgendaItemIn(number="2", title="Moties", decision=True, kind=BallotKind.MOTIE),
    AgendaItemIn(number="3", title="Benoemingen", decision=True, kind=BallotKind.BENOEMING),
]
CHAIR = "Sharon Dijksma"
COMMITTEE = ("Jan de Vries", "Fatima El Amrani")
VOID_REASON = "verkeerde meerderheid ingesteld"
REFERENCE_DATE = date(2024, 1, 1)


def _active_pass(hub: LiveHub, code: str) -> ActivePass:
    meeting = hub.meeting
    assert meeting is not None
    member = next(seat.member_id for seat in meeting.seats.values() if seat.code == code)
    return next(p for p in meeting.passes.values() if p.member_id == member)


class MinutesHall:
    def __init__(self, hall: Hall, database: Database) -> None:
        self.hall, self.database = hall, database
        self.ids: dict[str, int] = {}

    async def create(self, name: str, **body: Any) -> int:
        answer = await self.hall.call(
            "POST", f"/api/meetings/{self.hall.meeting}/ballots", Role.CHAIR, json=body
        )
        self.ids[name] = int(answer["id"])
        return self.ids[name]

    async def act(self, name: str, action: str, **body: Any) -> dict[str, Any]:
        answer: dict[str, Any] = await self.hall.call(
            "POST", f"/api/ballots/{self.ids[name]}/{action}", Role.CHAIR, json=body or None
        )
        return answer

    async def vote(self, code: str, name: str, choice: VoteChoice, vote_id: str) -> None:
        hub: LiveHub = self.hall.app.state.live
        await hub.vote(_active_pass(hub, code), self.ids[name], choice, vote_id)

    async def play(self) -> None:
        async with self.database.transaction() as session:
            await session.execute(
                update(Meeting)
                .where(Meeting.id == self.hall.meeting)
                .values(chair_name=CHAIR, committee_members=list(COMMITTEE), population_date=REFERENCE_DATE)
            )
        proposal = await self.create("proposal", agenda="1", title="Kadernota 2026", kind="voorstel")
        await self.create(
            "amendment", agenda="1", title="Amendement lagere contributie", kind="amendement",
            amends=proposal, submitters=["GM0002", "GM0003"], preadvies="ontraden",
        )  # fmt: skip
        await self.act("amendment", "open")
        for code, choice in (("GM0001", Choice.AGAINST), ("GM0002", Choice.FOR), ("GM0003", Choice.FOR)):
            await self.vote(code, "amendment", choice, f"am-{code}")
        await self.act("amendment", "close")
        await self.act("proposal", "open")
        for code, choice in (("GM0001", Choice.FOR), ("GM0002", Choice.FOR), ("GM0003", Choice.AGAINST)):
            await self.vote(code, "proposal", choice, f"pr-{code}")
        await self.act("proposal", "close")  # GM0004 present, no vote

        passes = await self.hall.call("GET", f"/api/meetings/{self.hall.meeting}/passes", Role.DESK)
        gm0003 = next(
            p["pass_id"] for p in passes if p["member"]["code"] == "GM0003" and p["status"] == "active"
        )
        await self.hall.call("POST", f"/api/passes/{gm0003}/checkout", Role.DESK)

        await self.create(
            "motion", agenda="2", title="Motie meer regie", kind="motie",
            submitters=["GM0001"], preadvies="overnemen",
        )  # fmt: skip
        await self.act("motion", "open")
        for code, choice in (("GM0001", Choice.FOR), ("GM0002", Choice.FOR), ("GM0004", Choice.AGAINST)):
            await self.vote(code, "motion", choice, f"mo-{code}")
        await self.act("motion", "close")
        await self.create("voided", agenda="2", title="Motie jeugdzorg", kind="motie", majority="two_thirds")
        await self.act("voided", "open")
        await self.vote("GM0001", "voided", Choice.FOR, "vo-GM0001")
        await self.act("voided", "void", reason=VOID_REASON)
        await self.create(
            "revote", agenda="2", title="Motie jeugdzorg", kind="motie", revote_of=self.ids["voided"]
        )
        await self.act("revote", "open")
        for code, choice in (("GM0001", Choice.AGAINST), ("GM0002", Choice.FOR), ("GM0004", Choice.FOR)):
            await self.vote(code, "revote", choice, f"re-{code}")
        await self.act("revote", "close")

        first = await self.create(
            "first", agenda="3", title="Lid bestuur", kind="benoeming", secret=False,
            candidates=[{"name": "Anna Alfa", "note": "Grootstad"}, {"name": "Bert Beta"}, {"name": "Cees Gamma"}],
        )  # fmt: skip
        ballot = await self.hall.call("GET", f"/api/ballots/{first}", Role.CHAIR)
        anna, bert, cees = (c["id"] for c in ballot["candidates"])
        await self.act("first", "open")
        for code, pick in (("GM0001", anna), ("GM0002", bert), ("GM0004", cees)):
            await self.vote(code, "first", pick, f"e1-{code}")
        await self.act("first", "close")  # 75 / 42 / 75 of 192: no majority, a second free round
        second = await self.hall.call("POST", f"/api/ballots/{first}/next-round", Role.CHAIR)
        self.ids["second"] = int(second["id"])
        candidates = {c["name"]: c["id"] for c in second["candidates"]}
        await self.act("second", "open")
        for code, name in (("GM0001", "Anna Alfa"), ("GM0002", "Anna Alfa"), ("GM0004", "Cees Gamma")):
            await self.vote(code, "second", candidates[name], f"e2-{code}")
        await self.act("second", "close")  # Anna Alfa 117 of 192: elected
