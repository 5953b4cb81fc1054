"""A public election's votes in the archive (docs/SECRET_BALLOTS.md "Choices on the wire"): a
vote names a candidate by its id, which an import maps to the candidate's new id, in the votes
and in the stored result alike."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from server.archive.service import import_meeting
from server.auth.roles import Role
from server.auth.service import Operator
from server.ballots.corrections import count_by_hand
from server.ballots.drafts import create_ballot
from server.ballots.models import Ballot, Candidate, Vote
from server.ballots.schemas import BallotCreate, CandidateIn, HandCountIn
from server.db import Database
from server.meetings.schemas import MeetingCreate
from server.meetings.service import close_meeting, create_meeting
from server.rules import BallotAction, BallotKind, Choice
from tests.archive.conftest import comparable, exported
from tests.live.conftest import seed_hall
from tests.live.hub.conftest import Live, pass_of, start_hubs


async def election_played(database: Database) -> int:
    """A closed meeting with a public election decided by three votes: its meeting id."""
    seeded, other = await seed_hall(database)
    live = Live(database, seeded, other, await start_hubs([database]))
    data = BallotCreate(agenda="9", title="Voorzitter", kind=BallotKind.BENOEMING, secret=False,
                        candidates=[CandidateIn(name="Anna Alfa"), CandidateIn(name="Bert Beta")])  # fmt: skip
    try:
        ballot = await live.operate(lambda session: create_ballot(session, seeded.meeting_id, data))
        await live.act(ballot.id, BallotAction.OPEN)
        meeting = live.hub.meeting
        assert meeting is not None
        anna, bert = (c.id for c in meeting.ballots[ballot.id].candidates)
        hub = live.hub
        await hub.vote(pass_of(hub, "GM0001"), ballot.id, bert, "a-1")
        await hub.vote(pass_of(hub, "GM0002"), ballot.id, anna, "a-2")
        await hub.vote(pass_of(hub, "GM0003"), ballot.id, Choice.ABSTAIN, "a-3")
        await live.act(ballot.id, BallotAction.CLOSE)
        await live.operate(lambda session: close_meeting(session, seeded.meeting_id, confirm=True))
    finally:
        for started in live.hubs:
            await started.stop()
    return seeded.meeting_id


async def test_the_export_names_candidates_by_their_ids(database: Database) -> None:
    document = await exported(database, await election_played(database))
    election = next(b for b in document["ballots"] if b["candidates"])
    anna, bert = (c["id"] for c in election["candidates"])
    assert {v["member"]: v["choice"] for v in document["votes"] if v["ballot"] == election["id"]} == {
        "GM0001": bert, "GM0002": anna, "GM0003": "abstain",
    }  # fmt: skip
    assert {e["vote_id"]: e["choice"] for e in document["vote_events"] if e["ballot"] == election["id"]} == {
        "a-1": bert, "a-2": anna, "a-3": "abstain",
    }  # fmt: skip
    assert election["election_result"]["elected"] == bert  # 75 of 117 cast


# The import checks the document against a replay of its log, which knows elections.
async def test_an_election_round_trips_with_its_candidates_remapped(
    database: Database, target: Database
) -> None:
    document = await exported(database, await election_played(database))
    async with target.transaction() as session:  # candidates there already: the import's get new ids
        elsewhere = await create_meeting(session, MeetingCreate(title="Elders", date=date(2025, 1, 1)))
        names = [CandidateIn(name=f"Kandidaat {n}") for n in range(5)]
        await create_ballot(session, elsewhere.id, BallotCreate(
            agenda="1", title="Elders", kind=BallotKind.BENOEMING, secret=False, candidates=names,
        ))  # fmt: skip
    async with target.transaction() as session:
        imported = (await import_meeting(session, document)).id
    again = await exported(target, imported)
    assert comparable(again) == comparable(document)
    async with target.transaction(readonly=True) as session:
        ballot = await session.scalar(
            select(Ballot).where(Ballot.meeting_id == imported, Ballot.round.is_not(None))
        )
        assert ballot is not None
        rows = await session.scalars(select(Candidate).where(Candidate.ballot_id == ballot.id))
        named = {c.id: c.name for c in rows}
        votes = {v.choice for v in await session.scalars(select(Vote).where(Vote.ballot_id == ballot.id))}
    assert {named[int(v)] if v.isdigit() else v for v in votes} == {"Anna Alfa", "Bert Beta", "abstain"}
    assert ballot.election_result is not None and named[ballot.election_result["elected"]] == "Bert Beta"


async def test_an_election_counted_by_hand_round_trips(database: Database, target: Database) -> None:
    """A round counted by hand (SPEC 2.7) stores its result without any member count; the import
    remaps its candidates and checks it against the replay of its log."""
    seeded, other = await seed_hall(database)
    live = Live(database, seeded, other, await start_hubs([database]))
    data = BallotCreate(agenda="9", title="Voorzitter", kind=BallotKind.BENOEMING, secret=False,
                        candidates=[CandidateIn(name="Anna Alfa"), CandidateIn(name="Bert Beta")])  # fmt: skip
    chair = Operator(Role.CHAIR, None, "test chair")
    try:
        ballot = await live.operate(lambda session: create_ballot(session, seeded.meeting_id, data))
        meeting = live.hub.meeting
        assert meeting is not None
        anna, bert = (c.id for c in meeting.ballots[ballot.id].candidates)
        count = HandCountIn.model_validate({"candidates": [{"id": anna, "votes": 42}, {"id": bert, "votes": 150}],
                                            "abstain": 1, "confirmed_by": "J. de Vries"})  # fmt: skip
        await live.operate(lambda session: count_by_hand(session, ballot.id, count, chair))
        await live.operate(lambda session: close_meeting(session, seeded.meeting_id, confirm=True))
    finally:
        for started in live.hubs:
            await started.stop()
    document = await exported(database, seeded.meeting_id)
    counted = next(b for b in document["ballots"] if b["candidates"])
    assert counted["counted_by_hand"] and counted["election_result"]["members_voted"] is None
    assert counted["election_result"]["elected"] == bert
    async with target.transaction() as session:
        imported = (await import_meeting(session, document)).id
    assert comparable(await exported(target, imported)) == comparable(document)
