from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx
import pytest

from server.audit.chain import parse_line
from server.audit.replay import replay
from server.auth.roles import Role
from server.auth.service import COMMAND_LINE
from server.ballots.schemas import BallotCreate, CandidateIn
from server.db import Database
from server.meetings.committee import set_committee_key
from server.meetings.schemas import MeetingCreate
from server.rules import BallotKind
from server.secret.keys import generate_committee_key
from server.seed import Seeded, seed_meeting, synthetic_members
from server.simulate import Pace, simulate_hall
from tests.live.conftest import Hall
from tests.servers import ServerProcess


class Recorder:
    """What `votehall demo --simulate` draws as progress bars, as a list."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, Any]] = []

    def connecting(self, connected: int, total: int) -> None:
        self.seen.append(("connecting", (connected, total)))

    def opened(self, ballot: dict[str, Any], number: int, total: int, voters: int) -> None:
        self.seen.append(("opened", (ballot["id"], number, total, voters)))

    def acked(self, ballot_id: int) -> None:
        self.seen.append(("acked", ballot_id))

    def closed(self, ballot: dict[str, Any]) -> None:
        self.seen.append(("closed", (ballot["id"], ballot["result"]["minutes"])))

    def done(self) -> None:
        self.seen.append(("done", None))


async def test_simulated_hall_plays_every_ballot(hall: Hall) -> None:
    recorder = Recorder()
    await simulate_hall(
        hall.server.base,
        hall.seeded.tokens[Role.CHAIR],
        hall.seeded.meeting_id,
        hall.seeded.passes,
        Pace(voting=1.0, result=0.1, between=0.0),
        observer=recorder,
    )
    ballots = len(hall.seeded.ballot_ids)
    assert recorder.seen[0] == ("connecting", (0, 4)) and ("connecting", (4, 4)) in recorder.seen
    assert [what for kind, what in recorder.seen if kind == "opened"] == [
        (ballot_id, number, ballots, 4) for number, ballot_id in enumerate(hall.seeded.ballot_ids, start=1)
    ]
    for ballot_id in hall.seeded.ballot_ids:  # each handheld's first ack, once per ballot
        assert recorder.seen.count(("acked", ballot_id)) == 4
    assert [what[0] for kind, what in recorder.seen if kind == "closed"] == hall.seeded.ballot_ids
    assert recorder.seen[-1] == ("done", None)
    for ballot_id in hall.seeded.ballot_ids:
        ballot = await hall.ballot(ballot_id)
        assert ballot["status"] == "closed"
        assert ballot["result"]["members_voted"] == 4  # every present member's handheld voted
    feed = await hall.feed()
    assert [d["ballot"] for d in feed["decisions"]] == hall.seeded.ballot_ids[:2]  # the test ballot is none


CANDIDATES = ["Femke Dijkstra", "Joost van Wijngaarden", "Samira El Idrissi"]
HALL = synthetic_members(60)


@pytest.fixture
async def appointments(database: Database) -> AsyncIterator[tuple[ServerProcess, Seeded]]:
    """A meeting of 60 members, all present, with the committee's key: a proposal, an
    uncontested slate and a contested vacancy, both appointments secret by default (SPEC 2.9)."""
    ballots = [
        BallotCreate(agenda="1", title="Jaarverslag", kind=BallotKind.VOORSTEL),
        BallotCreate(agenda="2", title="Kascommissie: Anouk de Graaf en Ruud Kamphuis", kind=BallotKind.BENOEMING),
        BallotCreate(
            agenda="2", title="Lid VNG-bestuur", kind=BallotKind.BENOEMING,
            candidates=[CandidateIn(name=name, note="wethouder") for name in CANDIDATES],
        ),
    ]  # fmt: skip
    seeded = await seed_meeting(
        database, MeetingCreate(title="ALV", date=date(2025, 6, 18)), members=HALL, ballots=ballots
    )
    async with database.transaction() as session:
        key = generate_committee_key().public.text
        await set_committee_key(session, seeded.meeting_id, key, COMMAND_LINE)
    server = ServerProcess(database.url)
    server.start()
    try:
        yield server, seeded
    finally:
        server.stop()


async def test_simulated_hall_votes_secret_ballots_and_an_election_to_its_end(
    appointments: tuple[ServerProcess, Seeded],
) -> None:
    """Issue 14: the handhelds vote on secret ballots with a secret of their own and in an
    election for candidates by id; the chair releases each secret result and starts every next
    round until the vacancy is filled; the published log verifies."""
    server, seeded = appointments
    recorder = Recorder()
    chair = {"Authorization": f"Bearer {seeded.tokens[Role.CHAIR]}"}
    await simulate_hall(
        server.base, seeded.tokens[Role.CHAIR], seeded.meeting_id, seeded.passes,
        Pace(voting=1.0, result=0.1, between=0.0), observer=recorder,
    )  # fmt: skip
    assert recorder.seen[-1] == ("done", None)
    async with httpx.AsyncClient(base_url=server.base, headers=chair, timeout=30) as http:
        ballots = (await http.get(f"/api/meetings/{seeded.meeting_id}/ballots")).json()
        admin = {"Authorization": f"Bearer {seeded.tokens[Role.ADMIN]}"}
        audit = (await http.get(f"/api/meetings/{seeded.meeting_id}/audit", headers=admin)).text
    proposal, slate, first = (next(b for b in ballots if b["id"] == i) for i in seeded.ballot_ids)
    assert (proposal["secret"], slate["secret"], first["secret"]) == (False, True, True)
    assert all(b["status"] == "closed" for b in ballots), [(b["id"], b["status"]) for b in ballots]
    for ballot in ballots:  # every present member's handheld took part, every secret result is out
        assert ballot["result"]["members_voted"] == len(HALL), ballot
        assert ballot["released"] is ballot["secret"], ballot

    # The election's rounds, each following the one before, up to the one that elected.
    rounds = [first]
    while (following := [b for b in ballots if b["round_of"] == rounds[-1]["id"]]) != []:
        rounds += following
    assert len(rounds) + 2 == len(ballots)  # nothing else was made
    outcomes = [r["result"]["outcome"] for r in rounds]
    assert outcomes[-1] == "elected" and set(outcomes[:-1]) <= {"next_round", "lot"}, outcomes
    assert len(rounds) >= 2, "the first free round was expected to have no winner in this hall"
    assert all(r["secret"] for r in rounds) and rounds[1]["round"] == "second"
    elected = rounds[-1]["result"]["election"]["elected"]
    assert elected["name"] in CANDIDATES
    for number, ballot in enumerate(rounds):
        votes = {c["name"]: c["votes"] for c in ballot["result"]["election"]["candidates"]}
        assert set(votes) <= set(CANDIDATES) and sum(votes.values()) == ballot["result"]["election"]["cast"]
        if number > 0:  # a later round's candidates are the ones the round before named
            named = [c["name"] for c in rounds[number - 1]["result"]["election"]["next_candidates"]]
            assert [c["name"] for c in ballot["candidates"]] == named or outcomes[number - 1] == "lot"

    # The terminal saw every ballot open, the later rounds among them, and each close.
    opened = [what for kind, what in recorder.seen if kind == "opened"]
    assert [ballot_id for ballot_id, *_ in opened] == [
        proposal["id"],
        slate["id"],
        *(r["id"] for r in rounds),
    ]
    assert [number for _, number, _, _ in opened] == list(range(1, len(ballots) + 1))
    assert opened[-1][2] == len(ballots)
    assert [what[0] for kind, what in recorder.seen if kind == "closed"][-1] == rounds[-1]["id"]

    # The log: votes on the secret ballots are participations only, and it verifies (units
    # counted equal the participation weights, the tallies recomputed equal the results).
    lines = [parse_line(line) for line in audit.splitlines()]
    secret_ids = {b["id"] for b in ballots if b["secret"]}
    assert not [
        e for e in (line.entry for line in lines) if e["type"] == "vote" and e["data"]["ballot"] in secret_ids
    ]
    state = replay(lines)
    assert state.problems == []
