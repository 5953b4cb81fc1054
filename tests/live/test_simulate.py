from __future__ import annotations

from server.auth.roles import Role
from server.simulate import Pace, simulate_hall
from tests.live.conftest import Hall


async def test_simulated_hall_plays_every_ballot(hall: Hall) -> None:
    await simulate_hall(
        hall.server.base,
        hall.seeded.tokens[Role.CHAIR],
        hall.seeded.meeting_id,
        hall.seeded.passes,
        Pace(voting=1.0, result=0.1, between=0.0),
    )
    for ballot_id in hall.seeded.ballot_ids:
        ballot = await hall.ballot(ballot_id)
        assert ballot["status"] == "closed"
        assert ballot["result"]["members_voted"] == 4  # every present member's handheld voted
    feed = await hall.feed()
    assert [d["ballot"] for d in feed["decisions"]] == hall.seeded.ballot_ids[:2]  # the test ballot is none
