"""Votes on a secret ballot through the hub (docs/SECRET_BALLOTS.md): the writer's tag rules within
one batch, and the participation (never a choice) reaching another process through the log and
a reload; the key stays with the process that opened the ballot."""

from __future__ import annotations

import asyncio

import pytest

from server.auth.service import COMMAND_LINE
from server.ballots.lifecycle import act
from server.ballots.round_service import next_round
from server.ballots.sealed_close import release
from server.errors import BadMessage, ChangeNotAllowed, Conflict, VoteHallError
from server.live.state import Ack
from server.rules import BallotAction, Choice
from server.secret.sealing import new_secret
from tests.live.hub.conftest import Live, open_secret_ballot, pass_of, until


async def test_one_batch_keeps_one_secret_per_member_and_one_member_per_secret(live: Live) -> None:
    hub = live.hub
    ballot = await open_secret_ballot(live, hub)
    assert ballot in hub.sealed
    shared, own = new_secret(), new_secret()
    # Queued together, so that the writer sees them in one batch: the second use of a secret by
    # another member is refused, as is a member's second secret.
    answers = await asyncio.gather(
        hub.vote(pass_of(hub, "GM0001"), ballot, Choice.FOR, "a-1", shared),
        hub.vote(pass_of(hub, "GM0002"), ballot, Choice.AGAINST, "b-1", shared),
        hub.vote(pass_of(hub, "GM0003"), ballot, Choice.FOR, "c-1", own),
        hub.vote(pass_of(hub, "GM0003"), ballot, Choice.AGAINST, "c-2", new_secret()),
        return_exceptions=True,
    )
    assert [type(a) for a in answers] == [Ack, BadMessage, Ack, ChangeNotAllowed]
    assert all(a.choice is None for a in answers if isinstance(a, Ack))
    meeting = hub.meeting
    assert meeting is not None
    live_ballot = meeting.ballots[ballot]
    assert live_ballot.choices == {} and live_ballot.tally.members_voted == 0
    assert set(live_ballot.participants) == {pass_of(hub, c).member_id for c in ("GM0001", "GM0003")}
    assert live_ballot.voted() == (2, 75 + 1)
    # The writer never held a choice: the public vote path refuses a secret on a public ballot.
    public = live.seeded.ballot_ids[0]
    try:
        await hub.vote(pass_of(hub, "GM0004"), public, Choice.FOR, "d-1", new_secret())
    except VoteHallError as error:
        assert error.code == "bad_message"
    else:
        raise AssertionError("a secret on a public ballot was taken")


async def test_another_process_learns_participations_from_the_log(redis_away: Live) -> None:
    live = redis_away
    first, other = live.hubs
    ballot = await open_secret_ballot(live, other)
    assert ballot in other.sealed and ballot not in first.sealed
    await other.vote(pass_of(other, "GM0002"), ballot, Choice.FOR, "b-1", new_secret())
    # The first process hears of the open ballot from the log, and seals with its public key.
    await until(lambda: first.meeting is not None and first.meeting.open_ballot is not None)
    await first.vote(pass_of(first, "GM0004"), ballot, Choice.AGAINST, "d-1", new_secret())
    member = pass_of(first, "GM0002").member_id
    await until(lambda: first.meeting is not None and member in first.meeting.ballots[ballot].participants)
    await until(lambda: first.head == other.head)
    for hub in (first, other):
        assert hub.meeting is not None
        assert hub.meeting.ballots[ballot].voted() == (2, 42 + 75)
        assert hub.meeting.ballots[ballot].choices == {}
    # A reload reads the participations from the votes stored "sealed".
    await first.sync.reload()
    assert first.meeting is not None and first.meeting.ballots[ballot].voted() == (2, 42 + 75)
    welcome = first.welcome(pass_of(first, "GM0002"))
    assert (welcome["vote"], welcome["voted"]) == (None, True)
    assert first.welcome(pass_of(first, "GM0001"))["voted"] is False


async def test_the_next_round_of_a_secret_election_waits_for_the_release(live: Live) -> None:
    """The hall sees a secret round's votes before it votes again: the next round is refused until
    the chair has released the result (a newcomer opened round 2 on an unreleased round 1); then
    it is prepared and opens."""
    hub = live.hub
    ballot = await open_secret_ballot(live, hub, ["Anna Alfa", "Bert Beta", "Cees Gamma"])
    meeting = hub.meeting
    assert meeting is not None
    candidates = [c.id for c in meeting.ballots[ballot].candidates]
    for code, pick in (("GM0001", 0), ("GM0004", 1), ("GM0002", 2)):  # 75, 75, 42: no majority
        await hub.vote(pass_of(hub, code), ballot, candidates[pick], f"v-{code}", new_secret())
    async with live.database.transaction() as session:
        closed = await act(session, ballot, BallotAction.CLOSE, keys=hub.sealed)
        assert closed.outcome == "next_round"
    with pytest.raises(Conflict) as refused:
        async with live.database.transaction() as session:
            await next_round(session, ballot)
    assert refused.value.code == "result_not_released"
    async with live.database.transaction() as session:
        await release(session, ballot, COMMAND_LINE)
    async with live.database.transaction() as session:
        second = await next_round(session, ballot)
        assert (second.round_of_id, second.round, second.secret) == (ballot, "second", True)
    async with live.database.transaction() as session:
        opened = await act(session, second.id, BallotAction.OPEN)
        assert opened.status == "open"
