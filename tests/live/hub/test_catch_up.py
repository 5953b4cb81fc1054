"""A process that misses commits (no fan-out, Redis away, a command-line tool) reads them from
the log: catch_up applies votes, ballots and passes as the fan-out would have, rebuilds only for
a change of the meeting, and a process that commits nothing itself still follows."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from server.audit import journal
from server.ballots.lifecycle import act
from server.ballots.models import Ballot
from server.desk.service import end_pass
from server.live import repository
from server.live.events import take
from server.live.hub import LiveHub
from server.meetings import service as meetings
from server.rules import BallotAction, Choice
from server.rules.representation import PassStatus
from tests.live.hub.conftest import Live, count_rebuilds, log_head, pass_of, until


async def only(hub: LiveHub, live: Live, work: Any) -> None:
    """An operator's change through one process only (the other never hears of it)."""
    async with live.database.transaction() as session:
        await work(session)
        events = take(session)
    await hub.after_commit(events, spans=journal.spans(session))


async def test_redis_away_a_process_that_commits_nothing_still_follows(redis_away: Live) -> None:
    live = redis_away
    first, other = live.hubs
    ballot = live.seeded.ballot_ids[0]
    await only(other, live, lambda session: act(session, ballot, BallotAction.OPEN))
    await other.vote(pass_of(other, "GM0002"), ballot, Choice.FOR, "b-1")
    # The first process commits nothing; it learns of the open ballot and the vote from the log.
    await until(lambda: first.meeting is not None and first.meeting.open_ballot is not None)
    await until(lambda: first.head == other.head)
    assert first.meeting is not None
    assert first.meeting.ballots[ballot].choices == {pass_of(first, "GM0002").member_id: Choice.FOR}
    await first.vote(pass_of(first, "GM0001"), ballot, Choice.FOR, "a-1")  # and takes votes


async def test_a_pass_ended_elsewhere_is_applied_from_the_log_without_a_rebuild(
    redis_away: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    live = redis_away
    first, other = live.hubs
    rebuilds = count_rebuilds(first, monkeypatch)
    revoked = pass_of(first, "GM0003")
    await only(other, live, lambda session: end_pass(session, revoked.pass_id, PassStatus.REVOKED))
    await until(lambda: first.meeting is not None and first.meeting.active_pass(revoked.pass_id) is None)
    assert first.head == other.head
    assert rebuilds == []


async def test_a_meeting_opened_beside_a_single_process_is_followed(live: Live) -> None:
    """`votehall meetings close` and `open` while `votehall serve` runs: the server follows
    within seconds, though nothing told it (it used to need a restart)."""
    hub = live.hub
    other_ballot = await live.operate(lambda session: session.get(Ballot, live.other_meeting_ballot))
    assert other_ballot is not None
    async with live.database.transaction() as session:  # nobody tells the hub
        await meetings.close_meeting(session, live.seeded.meeting_id, confirm=True)
    # SPEC 2.11: the closed meeting stays on the screens, marked closed, until another opens.
    await until(lambda: hub.meeting is not None and hub.meeting.closed)
    async with live.database.transaction() as session:
        await meetings.open_meeting(session, other_ballot.meeting_id)
    await until(lambda: hub.meeting is not None and hub.meeting.id == other_ballot.meeting_id)
    assert hub.feed_version() > 0


async def test_a_catch_up_that_finds_the_model_replaced_leaves_no_gap_behind(
    two_processes: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    live = two_processes
    first, other = live.hubs
    ballot = live.seeded.ballot_ids[0]
    await live.act(ballot, BallotAction.OPEN)
    assert first.meeting is not None
    meeting = first.meeting.id
    log_after = repository.log_after
    slow = [True]

    async def slow_log_after(*args: Any, **kwargs: Any) -> Any:
        if slow:
            slow.clear()
            await asyncio.sleep(0.5)
        return await log_after(*args, **kwargs)

    monkeypatch.setattr(repository, "log_after", slow_log_after)
    await other.vote(pass_of(other, "GM0002"), ballot, Choice.FOR, "o-1")
    await first.vote(pass_of(first, "GM0001"), ballot, Choice.FOR, "f-1")  # a gap: a slow catch-up
    await until(lambda: first.sync._gap_task is not None and not first.sync._gap_task.done())
    load = repository.load_followed_meeting
    once = [True]

    async def load_while_votes_commit(session: Any) -> Any:
        if once:
            once.clear()
            await other.vote(pass_of(other, "GM0003"), ballot, Choice.AGAINST, "o-2")
            await first.vote(pass_of(first, "GM0004"), ballot, Choice.AGAINST, "f-2")
        return await load(session)

    monkeypatch.setattr(repository, "load_followed_meeting", load_while_votes_commit)
    await first.sync.reload()  # replaces the model while the catch-up reads; a gap remains
    head = await log_head(live, meeting)
    await until(lambda: first.head == head)


class Recorder:
    """Stands in for the Redis fan-out of one process: keeps what it would publish."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.subscribed = asyncio.Event()
        self.subscribed.set()

    def publish(self, kind: str, **body: Any) -> None:
        self.messages.append({"k": kind, **body})

    async def stop(self) -> None:
        return None


async def test_a_vote_read_by_a_catch_up_before_the_writer_applies_it_is_still_published(
    two_processes: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    live = two_processes
    first, other = live.hubs
    recorder = Recorder()
    first.fanout = recorder  # type: ignore[assignment]
    ballot = live.seeded.ballot_ids[0]
    await live.act(ballot, BallotAction.OPEN)
    commit = first.writer._commit

    async def commit_then_catch_up(batch: Any, *, look_up: bool) -> Any:
        result = await commit(batch, look_up=look_up)
        await first.sync.catch_up()  # a catch-up that read this commit resumes before the writer
        return result

    monkeypatch.setattr(first.writer, "_commit", commit_then_catch_up)
    await first.vote(pass_of(first, "GM0002"), ballot, Choice.FOR, "a-1")
    for message in recorder.messages:
        if message["k"] == "v":
            await other._remote({"o": "first", **message})
    assert other.meeting is not None
    assert pass_of(other, "GM0002").member_id in other.meeting.ballots[ballot].choices
