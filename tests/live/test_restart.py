"""Resend after a restart: the ack survives the server, and the vote is counted once."""

from __future__ import annotations

import json

import websockets

from tests.live.conftest import Hall
from tests.live.test_kiosk_protocol import receive, vote


async def test_resend_after_a_crash_returns_the_same_ack(hall: Hall) -> None:
    ballot_id = hall.seeded.ballot_ids[0]
    await hall.action(ballot_id, "open")
    kiosk, _ = await hall.kiosk("GM0002")
    ack = await vote(kiosk, ballot_id, "for", "r-1")
    assert ack["type"] == "ack"

    hall.server.kill()  # SIGKILL: nothing graceful
    hall.server.start()

    async with websockets.connect(f"{hall.server.ws}/ws/kiosk") as again:
        await again.send(json.dumps({"type": "hello", "pass": hall.seeded.passes["GM0002"]}))
        welcome = await receive(again, "welcome")
        assert welcome["ballot"]["id"] == ballot_id
        assert welcome["vote"] == "for"
        assert await vote(again, ballot_id, "for", "r-1") == ack
        assert (await vote(again, ballot_id, "against", "r-1"))["code"] == "vote_id_reused"
    tally = (await hall.ballot(ballot_id))["tally"]
    assert (tally["for"], tally["against"], tally["members_voted"]) == (42, 0, 1)
    closed = await hall.action(ballot_id, "close")
    assert (closed["result"]["for"], closed["result"]["members_voted"]) == (42, 1)
