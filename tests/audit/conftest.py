"""A small meeting played in-process (services and a live hub, no HTTP) and its exported log."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from server.audit.service import export_chain
from server.ballots.drafts import create_ballot
from server.ballots.schemas import BallotCreate
from server.cards.service import issue_missing
from server.db import Database
from server.desk.service import issue_pass, pair
from server.live.state import Ack
from server.meetings.service import close_meeting
from server.rules import BallotAction, BallotKind, Choice, Majority, RepresentativeRole
from tests.live.conftest import seed_hall
from tests.live.hub.conftest import Live, pass_of, start_hubs, two_processes

__all__ = ["two_processes"]  # a fixture the log tests share with the hub tests


@dataclass
class Played:
    live: Live
    acks: dict[str, Ack] = field(default_factory=dict)  # vote_id -> ack
    ballots: dict[str, int] = field(default_factory=dict)

    async def log(self) -> str:
        async with self.live.database.transaction(readonly=True) as session:
            return b"".join(
                [line async for line in export_chain(session, self.live.seeded.meeting_id)]
            ).decode()

    async def vote(self, code: str, ballot: int, choice: Choice, vote_id: str) -> None:
        hub = self.live.hub
        self.acks[vote_id] = await hub.vote(pass_of(hub, code), ballot, choice, vote_id)


async def play(live: Live) -> Played:
    """Weights: GM0001 75, GM0002 42, GM0003 1, GM0004 75; GM0005 (12) absent.

    Ballot 1 (simple): for 75 + 42 (changed from against) + 0; against 0; GM0003 abstains; GM0004
    for. The test ballot runs. The motion is decided by acclamation. After a hand-over of GM0004,
    a two-thirds ballot: for 75 + 1, against 42 + 75, so rejected. One motion is withdrawn.
    """
    played = Played(live)
    first, motion, test = live.seeded.ballot_ids
    meeting = live.seeded.meeting_id
    played.ballots.update(first=first, motion=motion, test=test)

    async def more_ballots(session):  # type: ignore[no-untyped-def]
        two_thirds = await create_ballot(session, meeting, BallotCreate(
            agenda="4", title="Gezamenlijke digitalisering", kind=BallotKind.VOORSTEL,
            majority=Majority.TWO_THIRDS,
        ))  # fmt: skip
        withdrawn = await create_ballot(
            session, meeting, BallotCreate(agenda="4", title="Motie ingetrokken", kind=BallotKind.MOTIE)
        )
        return two_thirds.id, withdrawn.id

    two_thirds, withdrawn = await live.operate(more_ballots)
    played.ballots.update(two_thirds=two_thirds, withdrawn=withdrawn)

    await live.operate(lambda session: issue_missing(session, meeting))
    await live.operate(lambda session: pair(session, live.seeded.pairing_codes["GM0001"]))
    await live.act(first, BallotAction.OPEN)
    await played.vote("GM0001", first, Choice.FOR, "a1")
    await played.vote("GM0002", first, Choice.AGAINST, "a2")
    await played.vote("GM0003", first, Choice.ABSTAIN, "a3")
    await played.vote("GM0002", first, Choice.FOR, "a4")  # a change: the last vote counts
    await played.vote("GM0004", first, Choice.FOR, "a5")
    await live.act(first, BallotAction.CLOSE)

    await live.act(test, BallotAction.OPEN)
    await played.vote("GM0001", test, Choice.AGAINST, "t1")
    await live.act(test, BallotAction.CLOSE)

    await live.act(motion, BallotAction.ACCLAMATION)

    await live.operate(
        lambda session: issue_pass(
            session, meeting, _member_id(live, "GM0004"), "Wethouder B", RepresentativeRole.WETHOUDER,
            hand_over=True,
        )
    )  # fmt: skip
    await live.act(two_thirds, BallotAction.OPEN)
    await played.vote("GM0001", two_thirds, Choice.FOR, "b1")
    await played.vote("GM0002", two_thirds, Choice.AGAINST, "b2")
    await played.vote("GM0003", two_thirds, Choice.FOR, "b3")
    await played.vote("GM0004", two_thirds, Choice.AGAINST, "b4")
    await live.act(two_thirds, BallotAction.CLOSE)
    await live.act(withdrawn, BallotAction.WITHDRAW)
    await live.operate(lambda session: close_meeting(session, meeting, confirm=True))
    return played


def _member_id(live: Live, code: str) -> int:
    meeting = live.hub.meeting
    assert meeting is not None
    return next(seat.member_id for seat in meeting.seats.values() if seat.code == code)


@pytest.fixture
async def played(database: Database) -> AsyncIterator[Played]:
    seeded, other = await seed_hall(database)
    hubs = await start_hubs([database])
    try:
        yield await play(Live(database, seeded, other, hubs))
    finally:
        for hub in hubs:
            await hub.stop()
