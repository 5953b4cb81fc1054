"""The feed version is the log position of the state it shows (README "Feed versions"): every
process names the same state alike, and a commit seen before an earlier one does not move it."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from server.ballots.lifecycle import act
from server.ballots.models import Ballot
from server.live import read_model, repository, sync
from server.live.sync import VERSION_BASE
from server.meetings import service as meetings
from server.meetings.schemas import MeetingCreate
from server.rules import BallotAction, Choice
from tests.live.hub.conftest import Live, count_rebuilds, log_head, pass_of, until


async def test_the_version_is_the_meetings_log_position(live: Live) -> None:
    hub = live.hub
    assert hub.meeting is not None
    meeting = hub.meeting.id
    assert hub.feed_version() == meeting * VERSION_BASE + await log_head(live, meeting)

    ballot = live.seeded.ballot_ids[0]
    await live.act(ballot, BallotAction.OPEN)
    await hub.vote(pass_of(hub, "GM0002"), ballot, Choice.FOR, "v-1")
    await hub.vote(pass_of(hub, "GM0003"), ballot, Choice.AGAINST, "v-2")
    assert hub.feed_version() == meeting * VERSION_BASE + await log_head(live, meeting)
    hub.feed.refresh()
    assert hub.feed.frame().version == hub.feed_version()


async def test_a_commit_past_a_gap_waits_for_the_gap(live: Live) -> None:
    hub = live.hub
    assert hub.meeting is not None
    meeting, head = hub.meeting.id, hub.head
    hub.feed.refresh()
    before = hub.feed.version

    hub.sync.advance({meeting: (head + 3, head + 4)})  # seqs head+1 and head+2 not seen yet
    assert hub.head == head
    hub.feed.refresh()
    assert hub.feed.version == before  # nothing new is published past a gap

    hub.sync.advance({meeting: (head + 1, head + 2)})
    assert hub.head == head + 4
    hub.sync.advance({meeting: (head + 1, head + 2)})  # seen twice (a resync, a repeat): no change
    hub.sync.advance({meeting + 1: (1, 9)})  # another chain: not the feed's
    assert hub.head == head + 4
    hub.feed.refresh()
    assert hub.feed.version == before + 4


async def test_a_span_the_log_does_not_have_is_forgotten(live: Live, monkeypatch: pytest.MonkeyPatch) -> None:
    hub = live.hub
    assert hub.meeting is not None
    monkeypatch.setattr(sync, "GAP_WAIT", 0.05)
    meeting, head = hub.meeting.id, hub.head
    hub.sync.advance({meeting: (head + 5, head + 5)})  # a span the log does not (yet) have
    assert hub.head == head
    for _ in range(100):
        if hub.sync._gap_task is not None and hub.sync._gap_task.done():
            break
        await asyncio.sleep(0.02)
    # The catch-up read the log, and forgot the span the log never had.
    assert hub.head == await log_head(live, meeting)
    assert hub.sync._ahead == {}


async def test_a_commit_during_a_reload_does_not_take_the_version_back(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub = live.hub
    assert hub.meeting is not None
    meeting = hub.meeting.id
    ballot = live.seeded.ballot_ids[0]
    await live.act(ballot, BallotAction.OPEN)
    seen: list[int] = []
    load = repository.load_followed_meeting

    async def load_while_a_vote_commits(session):  # type: ignore[no-untyped-def]
        # The position is read; now a vote commits and its span moves the head on.
        await hub.vote(pass_of(hub, "GM0002"), ballot, Choice.FOR, "during-reload")
        seen.append(hub.feed_version())
        return await load(session)

    monkeypatch.setattr(repository, "load_followed_meeting", load_while_a_vote_commits)
    await hub.sync.reload()

    assert hub.head == await log_head(live, meeting)
    assert hub.feed_version() >= seen[0]
    assert hub.sync._ahead == {}
    assert hub.meeting is not None and hub.meeting.ballots[ballot].choices


async def test_a_change_that_could_not_be_applied_does_not_move_the_version(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub = live.hub
    assert hub.meeting is not None
    ballot = live.seeded.ballot_ids[0]
    head = hub.head

    async def fail(*args: object) -> None:
        raise ConnectionError("the database went away")

    monkeypatch.setattr(read_model, "prepare", fail)
    monkeypatch.setattr(hub.sync, "reload", fail)
    monkeypatch.setattr(hub.sync, "rebuild_later", lambda: None)
    await live.act(ballot, BallotAction.OPEN)  # committed; the read model could not follow
    assert hub.head == head


async def test_a_gap_of_votes_is_filled_from_the_log(
    two_processes: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Votes another process committed and this one never heard of (no fan-out here) are read
    from the log when this process's own commit shows the gap: no rebuild needed."""
    live = two_processes
    first, other = live.hubs
    ballot = live.seeded.ballot_ids[0]
    await live.act(ballot, BallotAction.OPEN)
    assert first.meeting is not None
    meeting = first.meeting.id
    rebuilds = count_rebuilds(first, monkeypatch)
    await other.vote(pass_of(other, "GM0002"), ballot, Choice.AGAINST, "b-1")
    await first.vote(pass_of(first, "GM0001"), ballot, Choice.FOR, "a-1")
    head = await log_head(live, meeting)
    assert first.head < head  # the other's vote is a gap
    await until(lambda: first.head == head)
    assert first.meeting is not None
    assert len(first.meeting.ballots[ballot].choices) == 2
    assert first.meeting.acks.keys() >= {(pass_of(first, "GM0002").member_id, "b-1")}
    assert rebuilds == []


async def test_a_gap_with_an_operator_change_rebuilds(live: Live) -> None:
    """A change made beside the server (a command-line tool) shows as a gap at the next commit;
    the log past the head holds more than votes, so the hub rebuilds from the database."""
    hub = live.hub
    ballot = live.seeded.ballot_ids[0]
    async with live.database.transaction() as session:  # nobody tells the hub
        await act(session, ballot, BallotAction.OPEN)
    assert hub.meeting is not None and hub.meeting.open_ballot is None
    await hub.after_commit([], spans={hub.meeting.id: (hub.head + 2, hub.head + 2)})  # the next commit
    await until(lambda: hub.meeting is not None and hub.meeting.open_ballot is not None)


async def test_redis_away_each_process_reads_the_others_votes_from_the_log(redis_away: Live) -> None:
    """Two processes configured for a Redis that does not answer: interleaved commits leave
    each a gap the fan-out cannot fill; each reads it from the log at once instead of freezing
    its feed, and both show the same state under the same version."""
    live = redis_away
    ballot = live.seeded.ballot_ids[0]
    await live.act(ballot, BallotAction.OPEN)
    first, other = live.hubs
    assert first.meeting is not None
    meeting = first.meeting.id
    await first.vote(pass_of(first, "GM0001"), ballot, Choice.FOR, "a-1")
    await other.vote(pass_of(other, "GM0002"), ballot, Choice.AGAINST, "b-1")
    await first.vote(pass_of(first, "GM0003"), ballot, Choice.FOR, "a-2")
    head = await log_head(live, meeting)
    await until(lambda: first.head == head and other.head == head)
    for hub in live.hubs:
        assert hub.meeting is not None
        assert len(hub.meeting.ballots[ballot].choices) == 3
    first.feed.refresh()
    other.feed.refresh()
    assert first.feed.frame().text == other.feed.frame().text


async def test_versions_grow_when_an_older_meeting_opens_after_a_newer_one(live: Live) -> None:
    """A rehearsal meeting created after the real one and held first: the real one opens
    later, with a lower id. Its versions must still be above the rehearsal's."""
    hub = live.hub
    assert hub.meeting is not None
    real = live.seeded.meeting_id
    later_created = await live.operate(
        lambda s: meetings.create_meeting(s, MeetingCreate(title="Oefen-ALV", date=date(2025, 6, 17)))
    )
    other_ballot = await live.operate(lambda s: s.get(Ballot, live.other_meeting_ballot))
    assert other_ballot is not None
    older_draft = other_ballot.meeting_id  # seed_hall's "Volgende ALV", still a draft
    assert older_draft < later_created.id
    versions = [hub.feed_version()]
    for step in (
        lambda s: meetings.close_meeting(s, real, confirm=True),
        lambda s: meetings.open_meeting(s, later_created.id),
        lambda s: meetings.close_meeting(s, later_created.id, confirm=True),
        lambda s: meetings.open_meeting(s, older_draft),
    ):
        await live.operate(step)
        versions.append(hub.feed_version())
    assert hub.meeting is not None and hub.meeting.id == older_draft
    assert versions == sorted(set(versions)), versions


@pytest.mark.parametrize("database_template", ["postgresql"], indirect=True)
async def test_a_reload_shows_exactly_the_position_it_read(
    two_processes: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL the position and the state come from one snapshot: another process's vote
    committed between the two reads is in neither (the log fills it in later), so a version
    never labels a state that holds more than it names."""
    live = two_processes
    first, other = live.hubs
    ballot = live.seeded.ballot_ids[0]
    await live.act(ballot, BallotAction.OPEN)
    load = repository.load_followed_meeting

    async def load_after_another_commit(session):  # type: ignore[no-untyped-def]
        await other.vote(pass_of(other, "GM0002"), ballot, Choice.FOR, "between")
        return await load(session)

    monkeypatch.setattr(repository, "load_followed_meeting", load_after_another_commit)
    await first.sync.reload()
    assert first.meeting is not None
    assert first.head < await log_head(live, first.meeting.id)  # the vote is past the position ...
    assert first.meeting.ballots[ballot].choices == {}  # ... and not in the state either
