"""What a handheld and a screen can reach, against a real server (SECURITY.md threats 1, 3, 5).

Weights in the hall: GM0001 75, GM0002 42, GM0003 1, GM0004 75; GM0005 has no pass.
"""

from __future__ import annotations

import json

import websockets

from server.auth.roles import Role
from tests.live.conftest import Hall
from tests.live.test_kiosk_protocol import closed_with, desk, hall_client, receive, vote


async def test_votes_cast_before_a_revocation_stay(hall: Hall) -> None:
    """A stolen handheld: the desk revokes its pass; the kiosk is told and closed with 4403, its
    token is refused from then on, and the vote it cast before stays counted (SPEC 2.3)."""
    ballot_id = hall.seeded.ballot_ids[0]
    await hall.action(ballot_id, "open")
    kiosk, _ = await hall.kiosk("GM0002")
    assert (await vote(kiosk, ballot_id, "against", "s-1"))["type"] == "ack"
    async with hall_client(hall) as client:
        revoked = await client.post(
            f"/api/passes/{hall.seeded.pass_ids['GM0002']}/revoke", headers=desk(hall)
        )
        assert revoked.status_code == 200, revoked.text
    assert await receive(kiosk) == {"type": "revoked"}
    assert await closed_with(kiosk) == 4403
    async with websockets.connect(f"{hall.server.ws}/ws/kiosk") as thief:
        await thief.send(json.dumps({"type": "hello", "pass": hall.seeded.passes["GM0002"]}))
        assert await closed_with(thief) == 4403
    tally = (await hall.ballot(ballot_id))["tally"]
    assert (tally["against"], tally["members_voted"]) == (42, 1)
    closed = await hall.action(ballot_id, "close")
    assert (closed["result"]["against"], closed["result"]["members_voted"]) == (42, 1)


async def test_a_kiosk_votes_only_for_its_own_member(hall: Hall) -> None:
    """A vote names no member: the server takes the member from the pass. A frame that tries to
    name another member is refused as a bad message, and the connection stays."""
    ballot_id = hall.seeded.ballot_ids[0]
    await hall.action(ballot_id, "open")
    kiosk, welcome = await hall.kiosk("GM0003")
    assert welcome["member"]["code"] == "GM0003"
    frame = {"type": "vote", "ballot": ballot_id, "choice": "for", "vote_id": "o-1", "member": "GM0004"}
    await kiosk.send(json.dumps(frame))
    refused = await receive(kiosk, "error")
    assert (refused["code"], refused["vote_id"]) == ("bad_message", "o-1")
    assert (await vote(kiosk, ballot_id, "for", "o-2"))["type"] == "ack"
    tally = (await hall.ballot(ballot_id))["tally"]
    assert (tally["for"], tally["members_voted"]) == (1, 1)  # GM0003's weight, not GM0004's 75
    await kiosk.close()


async def test_the_chair_feed_takes_its_token_from_the_hello_only(hall: Hall) -> None:
    """Secrets never travel in a URL (SPEC 3): a token in the query string opens nothing."""
    chair = hall.seeded.tokens[Role.CHAIR]
    async with websockets.connect(f"{hall.server.ws}/ws/chair?token={chair}") as screen:
        await screen.send(json.dumps({"type": "hello", "token": "vht_not-the-token"}))
        assert await closed_with(screen) == 4401
    async with websockets.connect(f"{hall.server.ws}/ws/chair") as screen:
        await screen.send(json.dumps({"type": "hello", "token": chair}))
        snapshot = json.loads(await screen.recv())
        assert "not_voted" in snapshot
