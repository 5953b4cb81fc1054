"""The hub and its writer while the database restarts (issue 6 item 2; tests/live/
test_postgres_restart.py restarts a real PostgreSQL under a real server). Here the failures are
made on purpose, on both backends: a connection that dies under a group commit, a COMMIT whose
answer is lost on a ballot that allows no change, and a read model that cannot be rebuilt while
the database is away."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy.exc import InterfaceError

from server.errors import VoteHallError
from server.live import sync
from server.live.state import Ack
from server.live.sync import LogSync
from server.live.writer import VoteWriter
from server.rules import BallotAction, Choice
from tests.live.hub.conftest import Live, pass_of


def _connection_lost() -> InterfaceError:
    return InterfaceError(
        "SELECT 1", {}, ConnectionResetError("connection is closed"), connection_invalidated=True
    )


async def test_a_group_commit_on_a_connection_that_died_is_tried_once_more(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub = live.hub
    ballot = live.seeded.ballot_ids[0]
    await live.act(ballot, BallotAction.OPEN)
    original = VoteWriter._commit
    attempts: list[int] = []
    failures = [_connection_lost()]  # the pooled connection died with the old server

    async def commit(self: VoteWriter, batch: list[Any], **options: Any) -> Any:
        attempts.append(len(batch))
        if failures:
            raise failures.pop()
        return await original(self, batch, **options)

    monkeypatch.setattr(VoteWriter, "_commit", commit)
    ack = await hub.vote(pass_of(hub, "GM0002"), ballot, Choice.FOR, "after-restart")
    assert isinstance(ack, Ack)
    assert attempts == [1, 1]

    # Once only: a database that stays away answers `unavailable`, and the writer goes on.
    failures.extend([_connection_lost(), _connection_lost()])
    with pytest.raises(VoteHallError) as refused:
        await hub.vote(pass_of(hub, "GM0001"), ballot, Choice.AGAINST, "still-away")
    assert refused.value.code == "unavailable"
    assert attempts == [1, 1, 1, 1]
    assert isinstance(await hub.vote(pass_of(hub, "GM0001"), ballot, Choice.AGAINST, "still-away"), Ack)
    assert hub.meeting is not None
    tally = hub.meeting.ballots[ballot].tally
    assert (tally.for_, tally.against) == (42, 75)


async def test_a_lost_commit_answer_on_a_ballot_without_changes_is_acked_on_resend(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The COMMIT took place but its answer was lost. On a ballot that allows no change the
    member has a stored vote that memory does not know: the resend of that same vote_id is that
    vote (its ack), not a refused change. And when the ballot cannot be read again right then,
    the ack still goes out; the ballot is read again after the next commit."""
    hub = live.hub
    ballot = live.seeded.ballot_ids[1]  # "Motie zonder wijzigen"
    await live.act(ballot, BallotAction.OPEN)
    original_commit, original_resync = VoteWriter._commit, VoteWriter._resync
    lost: list[bool] = []
    resync_failures = [_connection_lost()]

    async def commit_then_lose_the_answer(self: VoteWriter, batch: list[Any], **options: Any) -> Any:
        decided = await original_commit(self, batch, **options)
        if not lost:
            lost.append(True)
            raise InterfaceError("COMMIT", {}, ConnectionResetError("connection is closed"))
        return decided

    async def resync(self: VoteWriter, *args: Any) -> None:
        if resync_failures:
            raise resync_failures.pop()
        await original_resync(self, *args)

    monkeypatch.setattr(VoteWriter, "_commit", commit_then_lose_the_answer)
    monkeypatch.setattr(VoteWriter, "_resync", resync)
    voter = pass_of(hub, "GM0002")
    with pytest.raises(VoteHallError) as first:
        await hub.vote(voter, ballot, Choice.FOR, "lost-1")
    assert first.value.code == "unavailable"

    resend = await hub.vote(voter, ballot, Choice.FOR, "lost-1")
    assert isinstance(resend, Ack), resend
    assert (resend.vote_id, resend.choice) == ("lost-1", Choice.FOR)
    with pytest.raises(VoteHallError) as change:
        await hub.vote(voter, ballot, Choice.AGAINST, "lost-2")
    assert change.value.code == "change_not_allowed"

    await hub.vote(pass_of(hub, "GM0001"), ballot, Choice.AGAINST, "next")  # the next commit
    assert hub.meeting is not None
    tally = hub.meeting.ballots[ballot].tally
    assert (tally.for_, tally.against, tally.members_voted) == (42, 75, 2)


async def test_a_rebuild_with_the_database_away_is_tried_again_until_it_answers(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`resync` (Redis came back, a fan-out message could not be applied, a gap in the log) must
    not raise into the fan-out's loops while the database restarts; it tries again later."""
    hub = live.hub
    monkeypatch.setattr(sync, "REBUILD_FIRST", 0.01)
    original = LogSync.reload
    failures = [_connection_lost(), _connection_lost(), _connection_lost()]
    done = asyncio.Event()

    async def reload(self: LogSync) -> None:
        if failures:
            raise failures.pop()
        await original(self)
        done.set()

    monkeypatch.setattr(LogSync, "reload", reload)
    await hub.sync.resync()  # does not raise
    assert not done.is_set()
    await asyncio.wait_for(done.wait(), 30)
    assert failures == []
    assert hub.meeting is not None and hub.meeting.id == live.seeded.meeting_id
