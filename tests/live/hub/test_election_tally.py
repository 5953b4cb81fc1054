"""An election's running tally per candidate in the read model (SPEC 2.10): choices that do not
fit the ballot are refused from memory, and every way votes arrive (the writer, another process
through the log, a reload, a resync) keeps the tally per candidate equal to an independent count
of the stored votes."""

from __future__ import annotations

import pytest

from server.ballots.drafts import create_ballot
from server.ballots.schemas import BallotCreate, CandidateIn
from server.errors import BadMessage
from server.live.hub import LiveHub
from server.rules import BallotAction, BallotKind, Choice, VoteChoice
from tests.live.hub.conftest import Live, pass_of, until

WEIGHTS = {"GM0001": 75, "GM0002": 42, "GM0003": 1, "GM0004": 75}
NAMES = ["Anna Alfa", "Bert Beta", "Cees Gamma"]


async def election(live: Live) -> tuple[int, list[int]]:
    """An open public election with three candidates: (ballot id, candidate ids in order)."""
    data = BallotCreate(
        agenda="9",
        title="Voorzitter",
        kind=BallotKind.BENOEMING,
        secret=False,
        candidates=[CandidateIn(name=name) for name in NAMES],
    )
    ballot = await live.operate(lambda session: create_ballot(session, live.seeded.meeting_id, data))
    await live.act(ballot.id, BallotAction.OPEN)
    meeting = live.hub.meeting
    assert meeting is not None
    return ballot.id, [c.id for c in meeting.ballots[ballot.id].candidates]


def expected(ledger: dict[str, VoteChoice], candidates: list[int]) -> dict[str, object]:
    """The per-candidate figures counted independently of the rules' tally."""
    votes = {c: sum(WEIGHTS[m] for m, v in ledger.items() if v == c) for c in candidates}
    members = {c: sum(1 for v in ledger.values() if v == c) for c in candidates}
    abstain = [m for m, v in ledger.items() if v == Choice.ABSTAIN]
    return {"votes": votes, "members": members, "abstain": sum(WEIGHTS[m] for m in abstain)}


def shown(hub: LiveHub, ballot: int) -> dict[str, object]:
    meeting = hub.meeting
    assert meeting is not None
    tally = meeting.ballots[ballot].election
    assert tally is not None
    return {"votes": dict(tally.votes), "members": dict(tally.members), "abstain": tally.abstain}


async def test_a_choice_that_does_not_fit_the_ballot_is_refused_from_memory(live: Live) -> None:
    ballot, candidates = await election(live)
    hub, voter = live.hub, pass_of(live.hub, "GM0001")
    for choice in (Choice.FOR, Choice.AGAINST, 9999):
        with pytest.raises(BadMessage, match=f"ballot {ballot} .*Voorzitter.* is an election"):
            await hub.vote(voter, ballot, choice, f"bad-{choice}")
    await live.act(ballot, BallotAction.CLOSE)
    yes_no = live.seeded.ballot_ids[0]
    await live.act(yes_no, BallotAction.OPEN)
    with pytest.raises(BadMessage, match=f"ballot {yes_no} .*Jaarverslag.* is a yes/no vote"):
        await hub.vote(voter, yes_no, candidates[0], "bad-id")
    assert hub.meeting is not None and hub.meeting.acks == {}  # nothing reached the writer


async def test_the_tally_per_candidate_follows_every_way_votes_arrive(redis_away: Live) -> None:
    live = redis_away
    ballot, (a, b, c) = await election(live)
    first, other = live.hubs
    ledger: dict[str, VoteChoice] = {}
    # Through the first process's writer, and through the other's (the first reads them from the log).
    for hub, code, choice in [
        (first, "GM0001", a),
        (other, "GM0002", b),
        (other, "GM0003", a),
        (first, "GM0004", Choice.ABSTAIN),
    ]:
        ack = await hub.vote(pass_of(hub, code), ballot, choice, f"{code}-1")
        assert ack.choice == choice
        ledger[code] = choice
    # A change of vote moves the member's weight from one candidate to another.
    await other.vote(pass_of(other, "GM0001"), ballot, c, "GM0001-2")
    ledger["GM0001"] = c
    await until(lambda: first.head == other.head and shown(first, ballot) == shown(other, ballot))
    want = expected(ledger, [a, b, c])
    assert shown(first, ballot) == shown(other, ballot) == want
    assert want["votes"] == {a: 1, b: 42, c: 75}
    assert first.welcome(pass_of(first, "GM0001"))["vote"] == c  # the welcome gives the id back
    await first.sync.reload()
    assert shown(first, ballot) == want
    await first.sync.resync()
    assert shown(first, ballot) == want
