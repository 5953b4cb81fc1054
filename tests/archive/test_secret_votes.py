"""A meeting with a secret election in the archive (docs/SECRET_BALLOTS.md): the votes table says
only "sealed" for it, the log has participations and the unit ballots, and an import takes the
document back with every unit's candidate mapped to its new id (the log keeps the old ones, as
every id in the log)."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from server.archive.service import import_meeting
from server.audit import journal
from server.auth.service import COMMAND_LINE
from server.ballots.drafts import create_ballot
from server.ballots.lifecycle import act
from server.ballots.models import Ballot, Candidate, UnitBallot, Vote
from server.ballots.schemas import BallotCreate, CandidateIn
from server.db import Database
from server.live import sealed
from server.live.events import take
from server.meetings.committee import set_committee_key
from server.meetings.service import close_meeting
from server.rules import BallotAction, BallotKind, Choice
from server.secret.keys import generate_committee_key
from server.secret.sealing import new_secret
from tests.archive.conftest import comparable, exported
from tests.live.conftest import seed_hall
from tests.live.hub.conftest import Live, pass_of, start_hubs


async def secret_election_played(database: Database) -> int:
    """A closed meeting with a secret election decided by three members: its meeting id."""
    seeded, other = await seed_hall(database)
    live = Live(database, seeded, other, await start_hubs([database]))
    hub = live.hub
    data = BallotCreate(agenda="9", title="Voorzitter", kind=BallotKind.BENOEMING, secret=True,
                        candidates=[CandidateIn(name="Anna Alfa"), CandidateIn(name="Bert Beta")])  # fmt: skip
    try:
        async with database.transaction() as session:
            await set_committee_key(
                session, seeded.meeting_id, generate_committee_key().public.text, COMMAND_LINE
            )
            ballot_id = (await create_ballot(session, seeded.meeting_id, data)).id
        for action in (BallotAction.OPEN, BallotAction.CLOSE):
            if action is BallotAction.CLOSE:
                meeting = hub.meeting
                assert meeting is not None
                anna, bert = (c.id for c in meeting.ballots[ballot_id].candidates)
                await hub.vote(pass_of(hub, "GM0001"), ballot_id, bert, "s-1", new_secret())
                await hub.vote(pass_of(hub, "GM0002"), ballot_id, anna, "s-2", new_secret())
                await hub.vote(pass_of(hub, "GM0003"), ballot_id, Choice.ABSTAIN, "s-3", new_secret())
            async with database.transaction() as session:
                await act(session, ballot_id, action, override_order=True, keys=hub.sealed)
                events = take(session)
            sealed.settle(session, hub.sealed)
            await hub.after_commit(events, spans=journal.spans(session))
        async with database.transaction() as session:
            await close_meeting(session, seeded.meeting_id, confirm=True, operator=COMMAND_LINE)
    finally:
        await hub.stop()
    return seeded.meeting_id


async def test_a_secret_election_round_trips_with_its_units_remapped(
    database: Database, target: Database
) -> None:
    document = await exported(database, await secret_election_played(database))
    assert {v["choice"] for v in document["votes"]} == {"sealed"}
    assert {e["choice"] for e in document["vote_events"]} == {"sealed"}
    assert len(document["unit_ballots"]) == 75 + 42 + 1  # GM0001, GM0002, GM0003's weights
    async with target.transaction() as session:
        imported = (await import_meeting(session, document)).id
    again = await exported(target, imported)
    assert comparable(again) == comparable(document)
    async with target.transaction(readonly=True) as session:
        ballot = await session.scalar(select(Ballot).where(Ballot.meeting_id == imported, Ballot.secret))
        assert ballot is not None
        named = {
            c.id: c.name
            for c in await session.scalars(select(Candidate).where(Candidate.ballot_id == ballot.id))
        }
        units = Counter(
            named[int(u.choice)] if u.choice.isdigit() else u.choice
            for u in await session.scalars(select(UnitBallot).where(UnitBallot.ballot_id == ballot.id))
        )
        votes = {v.choice for v in await session.scalars(select(Vote).where(Vote.ballot_id == ballot.id))}
    assert units == {"Bert Beta": 75, "Anna Alfa": 42, "abstain": 1}
    assert votes == {"sealed"}
