"""Random secret elections through the hub (SPEC 2.9, 2.10; docs/SECRET_BALLOTS.md "Close" and
"Checking"), as a hypothesis property: members with random weights (1 to 75), two to five
candidates, each member voting zero to three times (a change of vote with the same secret), for a
candidate or abstaining, in a random order. After the close:

- the unit ballots per choice weigh what the members' last votes gave it;
- the participation is who voted, each with its weight, and it weighs as many units;
- the tally recomputed from the units is the stored result;
- no stored row names a member beside a choice, and nothing sealed stays;
- `votehall verify` accepts the log, and every member finds all its units with its secret.

Each example runs on a fresh copy of the migrated SQLite file, with its own hub.
"""

from __future__ import annotations

import asyncio
import io
import json
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from server.audit.verify import main as verify
from server.ballots.lifecycle import act
from server.ballots.models import Ballot
from server.db import Database
from server.live import sealed
from server.live.hub import LiveHub
from server.meetings.schemas import MeetingCreate
from server.models import Base
from server.record.service import audit_lines
from server.rules import BallotAction, Choice
from server.secret.sealing import new_secret
from server.seed import SeedMember, seed_meeting
from tests.live.hub.conftest import Live, open_secret_ballot, pass_of

ABSTAIN = "abstain"
CHOICE_COLUMNS = ("choice", "candidate_id", "elected")
MEMBER_COLUMNS = ("member_id", "cbs_code")


@dataclass(frozen=True)
class Election:
    """Weights of the members, the number of candidates, and the votes: (member, pick) in the
    order they are cast, a pick being a candidate's index or "abstain"."""

    weights: list[int]
    candidates: int
    votes: list[tuple[int, int | str]]


@st.composite
def elections(draw: st.DrawFn) -> Election:
    weights = draw(st.lists(st.integers(min_value=1, max_value=75), min_size=1, max_size=10))
    candidates = draw(st.integers(min_value=2, max_value=5))
    pick = st.one_of(st.integers(min_value=0, max_value=candidates - 1), st.just(ABSTAIN))
    each = draw(st.lists(st.lists(pick, max_size=3), min_size=len(weights), max_size=len(weights)))
    votes: list[tuple[int, int | str]] = []
    for turn in range(3):  # the members' first votes in a random order, then their changes
        for member in draw(st.permutations(range(len(weights)))):
            if turn < len(each[member]):
                votes.append((member, each[member][turn]))
    return Election(weights, candidates, votes)


@pytest.mark.parametrize("database_template", ["sqlite"], indirect=True)
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(election=elections())
def test_a_random_secret_election_counts_and_verifies(database_template: str, election: Election) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "votehall.db"
        shutil.copyfile(database_template, path)
        asyncio.run(_hold(election, f"sqlite+aiosqlite:///{path}", Path(folder)))


async def _hold(election: Election, url: str, folder: Path) -> None:
    database = Database(url)
    codes = [f"GM{i:04d}" for i in range(1, len(election.weights) + 1)]
    members = [
        SeedMember(code, f"Gemeente {code}", w * 1000 + 500)
        for code, w in zip(codes, election.weights, strict=True)
    ]
    seeded = await seed_meeting(database, MeetingCreate(title="ALV", date=date(2025, 6, 18)), members=members)
    hub = LiveHub(database)
    await hub.start()
    try:
        live = Live(database, seeded, 0, [hub])
        names = [f"Kandidaat {i}" for i in range(election.candidates)]
        ballot = await open_secret_ballot(live, hub, names)
        meeting = hub.meeting
        assert meeting is not None
        candidates = [c.id for c in meeting.ballots[ballot].candidates]
        secrets = {code: new_secret() for code in codes}
        last: dict[str, int | str] = {}
        for number, (member, pick) in enumerate(election.votes):
            code = codes[member]
            choice = Choice.ABSTAIN if pick == ABSTAIN else candidates[int(pick)]
            ack = await hub.vote(pass_of(hub, code), ballot, choice, f"v-{number}", secrets[code])
            assert ack.choice is None
            last[code] = ABSTAIN if pick == ABSTAIN else candidates[int(pick)]
        async with database.transaction() as session:
            await act(session, ballot, BallotAction.CLOSE, keys=hub.sealed)
        sealed.settle(session, hub.sealed)
        await _check(database, seeded.meeting_id, ballot, last, seeded.weights, candidates)
        log = b"".join([line async for line in audit_lines(database, seeded.meeting_id)])
        (folder / "audit.ndjson").write_bytes(log)
        own = [f"--secret=VH1:{ballot}:{code}:{secrets[code]}" for code in last]
        out, err = io.StringIO(), io.StringIO()
        assert verify([str(folder / "audit.ndjson"), *own], out=out, err=err) == 0, (
            out.getvalue() + err.getvalue()
        )
    finally:
        await hub.stop()
        await database.dispose()


async def _check(
    database: Database,
    meeting: int,
    ballot: int,
    last: dict[str, int | str],
    weights: dict[str, int],
    candidates: list[int],
) -> None:
    given_ = Counter[str]()
    for code, choice in last.items():
        given_[str(choice)] += weights[code]
    async with database.transaction(readonly=True) as session:
        units = Counter(
            (
                await session.execute(
                    text("SELECT choice FROM unit_ballots WHERE ballot_id = :b"), {"b": ballot}
                )
            )
            .scalars()
            .all()
        )
        assert units == given_  # the units per choice weigh what the members gave
        participation = dict(
            (
                await session.execute(
                    text(
                        "SELECT m.cbs_code, m.weight FROM votes v JOIN meeting_members m"
                        " ON m.member_id = v.member_id AND m.meeting_id = :m WHERE v.ballot_id = :b"
                    ),
                    {"m": meeting, "b": ballot},
                )
            ).all()
        )
        assert participation == {code: weights[code] for code in last}
        assert sum(participation.values()) == sum(units.values())
        # The tally recomputed from the units is the stored result.
        stored = await session.get(Ballot, ballot)
        assert stored is not None and stored.election_result is not None
        result: dict[str, Any] = stored.election_result
        assert {c["id"]: c["votes"] for c in result["candidates"]} == {c: units[str(c)] for c in candidates}
        assert result["abstain"] == units[ABSTAIN]
        assert result["cast"] == sum(units[str(c)] for c in candidates)
        assert result["members_voted"] == len(last)
        # No stored row names a member beside a choice; nothing sealed stays.
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).mappings():
                _no_link(table.name, dict(row), candidates)
        for empty in ("sealed_votes", "ballot_keys"):
            assert (await session.execute(text(f"SELECT count(*) FROM {empty}"))).scalar_one() == 0


def _no_link(table: str, row: dict[str, Any], candidates: list[int]) -> None:
    """A row that names a member carries no choice (only "sealed"), nor does a log entry's data."""
    if any(row.get(column) is not None for column in MEMBER_COLUMNS):
        for column in CHOICE_COLUMNS:
            assert row.get(column) in (None, "sealed"), (table, row)
    for value in row.values():
        if isinstance(value, str) and value.startswith("{"):
            _no_link_in(json.loads(value), table, candidates)


def _no_link_in(value: Any, table: str, candidates: list[int]) -> None:
    if isinstance(value, dict):
        if "member" in value or "member_id" in value:
            assert all(value.get(key) in (None, "sealed") for key in CHOICE_COLUMNS), (table, value)
        for item in value.values():
            _no_link_in(item, table, candidates)
    elif isinstance(value, list):
        for item in value:
            _no_link_in(item, table, candidates)
