"""The read model, the snapshot builder and the feed publisher, without a server."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

from server.live.feed import SUBSCRIBER_QUEUE, FeedPublisher
from server.live.snapshot import snapshot
from server.live.state import ActivePass, LiveBallot, LiveMeeting, Result, Seat
from server.rules import BallotStatus, Choice


def ballot(ballot_id: int = 1, **fields: Any) -> LiveBallot:
    values: dict[str, Any] = {
        "id": ballot_id, "agenda": "1", "title": "Voorstel", "kind": "voorstel", "status": BallotStatus.OPEN,
        "majority": "simple", "abstain_is_cast": False, "allow_change": True, "test": False,
        "show_live_tally": False, "preadvies": None, "amends": None, "submitters": [], "decided_at": None,
        "result": None,
    }  # fmt: skip
    return LiveBallot(**(values | fields))


def meeting(*ballots: LiveBallot) -> LiveMeeting:
    seats = {1: Seat(1, "GM0001", "Aa", 75), 2: Seat(2, "GM0002", "Bb", 42), 3: Seat(3, "GM0003", "Cc", 1)}
    passes = {"h1": ActivePass(11, 1, "h1"), "h2": ActivePass(12, 2, "h2")}
    return LiveMeeting(
        id=1, title="ALV", date=date(2025, 6, 18), seats=seats, passes=passes, ended_passes=set(),
        ballots={b.id: b for b in ballots}, acks={},
    )  # fmt: skip


def test_a_vote_change_moves_the_weight() -> None:
    live = ballot()
    live.apply_vote(1, Choice.FOR, 75)
    live.apply_vote(2, Choice.AGAINST, 42)
    live.apply_vote(1, Choice.ABSTAIN, 75)
    assert (live.tally.for_, live.tally.against, live.tally.abstain) == (0, 42, 75)
    assert (live.tally.members_voted, live.tally.weight_voted) == (2, 117)


def test_presence_and_a_replaced_token() -> None:
    hall = meeting()
    assert hall.present() == (2, 117)
    replaced = hall.add_pass(ActivePass(12, 2, "h2-new"))
    assert replaced == ActivePass(12, 2, "h2")
    assert "h2" in hall.ended_passes and "h2" not in hall.passes
    assert hall.present() == (2, 117)
    hall.end_pass(11)
    assert hall.present() == (1, 42)
    assert hall.active_pass(11) is None


def test_public_snapshot_hides_the_running_tally_the_chair_sees_it() -> None:
    live = ballot()
    live.apply_vote(1, Choice.FOR, 75)
    hall = meeting(live)
    public = snapshot(hall, 7)
    assert public["ballot"]["tally"] is None
    assert public["ballot"]["voted"] == {"members": 1, "weight": 75}
    chair = snapshot(hall, 7, chair=True)
    assert chair["ballot"]["tally"] == {
        "for": 75,
        "against": 0,
        "abstain": 0,
        "cast": 75,
        "percent_for": "100.00",
    }
    assert chair["not_voted"] == [{"code": "GM0002", "name": "Bb", "weight": 42}]
    live.show_live_tally = True
    assert snapshot(hall, 8)["ballot"]["tally"] is not None


def test_decided_ballots_and_the_shown_ballot() -> None:
    early = datetime(2025, 6, 18, 10, tzinfo=UTC)
    late = datetime(2025, 6, 18, 11, tzinfo=UTC)
    adopted = ballot(1, status=BallotStatus.CLOSED, decided_at=early,
                     result=Result("adopted", 75, 0, 0, 75, 1, "100.00"))  # fmt: skip
    trial = ballot(2, status=BallotStatus.CLOSED, test=True, decided_at=late,
                   result=Result("rejected", 0, 0, 0, 0, 0, None))  # fmt: skip
    held = ballot(
        3,
        status=BallotStatus.HELD,
        decided_at=late,
        result=Result("held", None, None, None, None, None, None),
    )
    hall = meeting(adopted, trial, held)
    body = snapshot(hall, 1)
    assert [d["ballot"] for d in body["decisions"]] == [1, 3]  # a test ballot is never a decision
    assert (
        body["ballot"]["id"] == 3 and body["ballot"]["tally"] is None and body["ballot"]["outcome"] == "held"
    )


async def test_publisher_coalesces_and_drops_a_slow_subscriber() -> None:
    builds: list[int] = []

    def build(version: int, chair: bool) -> dict[str, Any]:
        builds.append(version)
        return {"version": version}

    publisher = FeedPublisher(build, interval=0.2)
    publisher.start()
    try:
        fast = publisher.subscribe()
        slow = publisher.subscribe()
        first = await fast.queue.get()
        assert first is not None
        for _ in range(10):
            publisher.mark_dirty()
        await asyncio.sleep(0.05)
        coalesced = await fast.queue.get()
        assert coalesced is not None and coalesced.version > first.version
        assert fast.queue.empty()  # ten changes in one tick: one snapshot
        for _ in range(SUBSCRIBER_QUEUE + 1):
            publisher.refresh()
            if not fast.queue.empty():
                await fast.queue.get()
        # The slow subscriber never read: its queue overflowed, it is dropped and told so.
        drained = [slow.queue.get_nowait() for _ in range(slow.queue.qsize())]
        assert drained[-1] is None
        assert publisher.dropped == 1
        versions = [frame.version for frame in drained if frame is not None]
        assert versions == sorted(versions)
    finally:
        await publisher.stop()


def test_a_members_older_vote_arriving_late_does_not_undo_its_newer_one() -> None:
    """Two processes may deliver one member's votes out of order: the log seq decides."""
    live = ballot()
    live.apply_vote(7, Choice.FOR, 10, seq=12)
    live.apply_vote(7, Choice.AGAINST, 10, seq=10)  # older, arriving late
    assert live.choices[7] is Choice.FOR and (live.tally.for_, live.tally.against) == (10, 0)
    live.apply_vote(7, Choice.ABSTAIN, 10, seq=15)
    assert live.choices[7] is Choice.ABSTAIN and live.tally.weight_voted == 10
    live.reset({7: (Choice.FOR, 20)}, {7: Seat(7, "GM0007", "Zeven", 10)})
    live.apply_vote(7, Choice.AGAINST, 10, seq=15)  # older than what the database holds
    assert live.choices[7] is Choice.FOR and live.seqs[7] == 20
