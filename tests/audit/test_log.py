"""The event log as the server writes it (issue 5 items 1-3, DESIGN invariant 4)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from server.audit import entries
from server.audit.chain import check_chain, parse_line
from server.audit.models import LogEntry, LogHead
from server.audit.replay import replay, result_of
from server.ballots.models import Ballot, VoteEvent
from server.rules import BallotAction, Choice
from tests.audit.conftest import Played
from tests.live.hub.conftest import Live, pass_of


async def test_every_state_change_is_in_one_unbroken_chain(played: Played) -> None:
    lines = [parse_line(line) for line in (await played.log()).splitlines()]
    assert check_chain(lines) == []
    types = [line.entry["type"] for line in lines]
    assert types[0] == entries.MEETING_CREATED
    for kind in (
        entries.MEETING_OPENED, entries.CARD_ISSUED, entries.PASS_ISSUED, entries.PASS_PAIRED,
        entries.PASS_ENDED, entries.BALLOT_CREATED, entries.BALLOT_OPENED, entries.VOTE,
        entries.BALLOT_CLOSED, entries.BALLOT_ACCLAMATION, entries.BALLOT_WITHDRAWN,
        entries.MEETING_CLOSED,
    ):  # fmt: skip
        assert kind in types, kind
    assert types.count(entries.VOTE) == 10
    assert types.count(entries.CARD_ISSUED) == 5
    state = replay(lines)
    assert state.problems == []
    first = state.ballots[played.ballots["first"]]
    assert first.choices["GM0002"] is Choice.FOR  # the change counts
    assert first.decision is not None
    assert (first.decision.for_, first.decision.abstain, first.decision.outcome.value) == (192, 1, "adopted")
    two_thirds = state.ballots[played.ballots["two_thirds"]].decision
    assert two_thirds is not None and (two_thirds.for_, two_thirds.cast) == (76, 193)
    assert two_thirds.outcome.value == "rejected"


async def test_no_secret_and_no_name_of_a_representative_is_logged(played: Played) -> None:
    log = await played.log()
    assert "Wethouder B" not in log and "Vertegenwoordiger" not in log
    for token in played.live.seeded.passes.values():
        assert token not in log
    for code in played.live.seeded.pairing_codes.values():
        assert code not in log
    assert "VHC" not in log  # card codes


async def test_a_receipt_is_the_hash_of_the_votes_entry(played: Played) -> None:
    lines = {line.hash: line for line in map(parse_line, (await played.log()).splitlines())}
    for vote_id, ack in played.acks.items():
        entry = lines[ack.receipt].entry
        assert entry["type"] == entries.VOTE
        assert entry["data"]["vote_id"] == vote_id and entry["data"]["choice"] == ack.choice.value
    async with played.live.database.transaction(readonly=True) as session:
        stored = dict((await session.execute(select(VoteEvent.vote_id, VoteEvent.receipt))).all())
    assert stored == {vote_id: ack.receipt for vote_id, ack in played.acks.items()}


async def test_each_decision_keeps_the_head_of_the_log_at_that_moment(played: Played) -> None:
    lines = [parse_line(line) for line in (await played.log()).splitlines()]
    by_seq = {line.entry["seq"]: line for line in lines}
    async with played.live.database.transaction(readonly=True) as session:
        ballots = (
            await session.scalars(select(Ballot).where(Ballot.meeting_id == played.live.seeded.meeting_id))
        ).all()
    decided = [b for b in ballots if b.outcome is not None]
    assert len(decided) == 5
    for ballot in decided:
        line = by_seq[ballot.close_seq]
        assert line.hash == ballot.close_hash
        assert line.entry["data"]["ballot"] == ballot.id
    first = next(b for b in ballots if b.id == played.ballots["first"])
    close = by_seq[first.close_seq].entry
    state = replay(lines)
    decision = state.ballots[first.id].decision
    assert decision is not None
    assert close["data"]["result"] == result_of(decision)


@pytest.mark.parametrize("statement", ["UPDATE log_entries SET type = 'vote'", "DELETE FROM log_entries"])
async def test_the_database_refuses_to_change_or_delete_an_entry(played: Played, statement: str) -> None:
    database = played.live.database
    with pytest.raises(DBAPIError, match="append-only"):
        async with database.transaction() as session:
            await session.execute(text(f"{statement} WHERE seq = 3"))
    async with database.transaction(readonly=True) as session:
        assert await session.scalar(select(LogEntry.type).where(LogEntry.seq == 3)) is not None


async def test_two_processes_writing_at_once_make_one_chain(two_processes: Live) -> None:
    """Invariant 4: the head is locked per batch, so two writers never fork the chain."""
    live = two_processes
    a, b = live.hubs
    ballot = live.seeded.ballot_ids[0]
    await live.act(ballot, BallotAction.OPEN)
    codes = ["GM0001", "GM0002", "GM0003", "GM0004"]
    choices = [Choice.FOR, Choice.AGAINST, Choice.ABSTAIN]
    votes = [
        (hub, code, choices[(i + n) % 3], f"{code}-{n}-{i}")
        for n in range(15)
        for i, (hub, code) in enumerate(zip([a, b, a, b], codes, strict=True))
    ]
    await asyncio.gather(
        *(hub.vote(pass_of(hub, code), ballot, choice, vid) for hub, code, choice, vid in votes)
    )
    await live.act(ballot, BallotAction.CLOSE)
    async with live.database.transaction(readonly=True) as session:
        rows = (
            await session.execute(
                select(LogEntry.body, LogEntry.prev_hash, LogEntry.hash)
                .where(LogEntry.chain == live.seeded.meeting_id)
                .order_by(LogEntry.seq)
            )
        ).all()
        head = (
            await session.execute(
                select(LogHead.seq, LogHead.hash).where(LogHead.chain == live.seeded.meeting_id)
            )
        ).one()
    from server.audit.service import export_line

    lines = [parse_line(export_line(*row).decode()) for row in rows]
    assert check_chain(lines) == []
    assert (head.seq, head.hash) == (lines[-1].entry["seq"], lines[-1].hash)
    assert sum(line.entry["type"] == entries.VOTE for line in lines) == len(votes)
    assert replay(lines).problems == []
