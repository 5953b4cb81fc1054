from __future__ import annotations

from typing import Any

from server.auth.roles import Role
from server.simulate import Pace, simulate_hall
from tests.live.conftest import Hall


class Recorder:
    """What `votehall demo --simulate` draws as progress bars, as a list."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, Any]] = []

    def connecting(self, connected: int, total: int) -> None:
        self.seen.append(("connecting", (connected, total)))

    def opened(self, ballot: dict[str, Any], number: int, total: int, voters: int) -> None:
        self.seen.append(("opened", (ballot["id"], number, total, voters)))

    def acked(self, ballot_id: int) -> None:
        self.seen.append(("acked", ballot_id))

    def closed(self, ballot: dict[str, Any]) -> None:
        self.seen.append(("closed", (ballot["id"], ballot["result"]["minutes"])))

    def done(self) -> None:
        self.seen.append(("done", None))


async def test_simulated_hall_plays_every_ballot(hall: Hall) -> None:
    recorder = Recorder()
    await simulate_hall(
        hall.server.base,
        hall.seeded.tokens[Role.CHAIR],
        hall.seeded.meeting_id,
        hall.seeded.passes,
        Pace(voting=1.0, result=0.1, between=0.0),
        observer=recorder,
    )
    ballots = len(hall.seeded.ballot_ids)
    assert recorder.seen[0] == ("connecting", (0, 4)) and ("connecting", (4, 4)) in recorder.seen
    assert [what for kind, what in recorder.seen if kind == "opened"] == [
        (ballot_id, number, ballots, 4) for number, ballot_id in enumerate(hall.seeded.ballot_ids, start=1)
    ]
    for ballot_id in hall.seeded.ballot_ids:  # each handheld's first ack, once per ballot
        assert recorder.seen.count(("acked", ballot_id)) == 4
    assert [what[0] for kind, what in recorder.seen if kind == "closed"] == hall.seeded.ballot_ids
    assert recorder.seen[-1] == ("done", None)
    for ballot_id in hall.seeded.ballot_ids:
        ballot = await hall.ballot(ballot_id)
        assert ballot["status"] == "closed"
        assert ballot["result"]["members_voted"] == 4  # every present member's handheld voted
    feed = await hall.feed()
    assert [d["ballot"] for d in feed["decisions"]] == hall.seeded.ballot_ids[:2]  # the test ballot is none
