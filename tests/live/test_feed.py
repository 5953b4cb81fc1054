"""The feed of SPEC 4.3 on every channel, against a real server."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import websockets

from server.auth.roles import Role
from server.secret.keys import generate_committee_key
from tests.live.conftest import Hall
from tests.live.test_kiosk_protocol import closed_with, vote


async def next_snapshot(connection: Any, wait: float = 5) -> dict[str, Any]:
    snapshot: dict[str, Any] = json.loads(await asyncio.wait_for(connection.recv(), wait))
    return snapshot


async def until(connection: Any, predicate: Any, wait: float = 10) -> dict[str, Any]:
    """Read snapshots until one satisfies `predicate`; versions must only grow on the way."""
    last = -1
    async with asyncio.timeout(wait):
        while True:
            snapshot = await next_snapshot(connection)
            assert snapshot["version"] > last
            last = snapshot["version"]
            if predicate(snapshot):
                return snapshot


async def test_display_follows_a_ballot_and_hides_the_running_tally(hall: Hall) -> None:
    ballot_id = hall.seeded.ballot_ids[0]
    async with websockets.connect(f"{hall.server.ws}/ws/display") as display:
        first = await next_snapshot(display)
        assert first["meeting"]["title"] == "ALV"
        assert first["present"] == {"members": 4, "weight": 193, "of_members": 5, "of_weight": 205}
        assert first["ballot"] is None and first["decisions"] == []

        await hall.action(ballot_id, "open")
        opened = await until(display, lambda s: s["ballot"] and s["ballot"]["status"] == "open")
        assert opened["ballot"]["voted"] == {"members": 0, "weight": 0}
        kiosk, _ = await hall.kiosk("GM0001")
        await vote(kiosk, ballot_id, "for", "d-1")
        progress = await until(display, lambda s: s["ballot"]["voted"]["members"] == 1)
        assert progress["ballot"]["tally"] is None  # SPEC 2.9: the hall sees progress only
        assert progress["ballot"]["voted"]["weight"] == 75
        assert (await hall.feed())["ballot"]["tally"] is None

        closed = await hall.action(ballot_id, "close")
        final = await until(display, lambda s: s["ballot"]["status"] == "closed")
        assert final["ballot"]["tally"] == {
            "for": 75, "against": 0, "abstain": 0, "cast": 75, "percent_for": "100.00"
        }  # fmt: skip
        assert final["ballot"]["outcome"] == closed["result"]["outcome"] == "adopted"
        assert final["decisions"] == [
            {"ballot": ballot_id, "agenda": "1", "title": "Jaarverslag", "kind": "voorstel",
             "outcome": "adopted", "percent_for": "100.00",
             "minutes": {"nl": "aangenomen met 100,00% van de stemmen", "en": "adopted with 100.00% of the votes"},
             "election": None, "void_reason": None, "counted_by_hand": False, "revote_of": None}
        ]  # fmt: skip
        await kiosk.close()


async def test_live_tally_shown_when_the_ballot_says_so_and_test_ballots_are_no_decisions(hall: Hall) -> None:
    test_ballot = hall.seeded.ballot_ids[2]  # show_live_tally=True, test=True
    await hall.action(test_ballot, "open")
    kiosk, _ = await hall.kiosk("GM0002")
    await vote(kiosk, test_ballot, "against", "t-1")
    feed = await hall.feed()
    assert feed["ballot"]["test"] is True
    assert feed["ballot"]["tally"]["against"] == 42
    await hall.action(test_ballot, "close")
    assert (await hall.feed())["decisions"] == []
    await kiosk.close()


async def test_chair_channel_has_the_tally_and_who_has_not_voted(hall: Hall) -> None:
    ballot_id = hall.seeded.ballot_ids[0]
    await hall.action(ballot_id, "open")
    kiosk, _ = await hall.kiosk("GM0003")
    await vote(kiosk, ballot_id, "abstain", "c-1")
    async with websockets.connect(f"{hall.server.ws}/ws/chair") as chair:
        await chair.send(json.dumps({"type": "hello", "token": hall.seeded.tokens[Role.CHAIR]}))
        snapshot = await next_snapshot(chair)
        assert snapshot["ballot"]["tally"]["abstain"] == 1
        assert [m["code"] for m in snapshot["not_voted"]] == ["GM0001", "GM0002", "GM0004"]  # by name
    async with websockets.connect(f"{hall.server.ws}/ws/chair") as desk:
        await desk.send(json.dumps({"type": "hello", "token": hall.seeded.tokens[Role.DESK]}))
        assert await closed_with(desk) == 4403
    async with websockets.connect(f"{hall.server.ws}/ws/chair") as stranger:
        await stranger.send(json.dumps({"type": "hello", "token": "vht_guess"}))
        assert await closed_with(stranger) == 4401
    await kiosk.close()


async def test_server_sent_events(hall: Hall) -> None:
    ballot_id = hall.seeded.ballot_ids[0]
    async with (
        httpx.AsyncClient(base_url=hall.server.base, timeout=10) as client,
        client.stream("GET", "/api/feed/stream") as stream,
    ):
        assert stream.headers["content-type"].startswith("text/event-stream")
        events: list[dict[str, Any]] = []
        opened = False
        async for line in stream.aiter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line[len("data: ") :]))
                if not opened:
                    await hall.action(ballot_id, "open")
                    opened = True
                elif events[-1]["ballot"] and events[-1]["ballot"]["status"] == "open":
                    break
        versions = [event["version"] for event in events]
        assert versions == sorted(set(versions))
        assert events[0]["ballot"] is None


async def test_feed_of_another_meeting(hall: Hall) -> None:
    async with httpx.AsyncClient(base_url=hall.server.base) as client:
        other = (await client.get("/api/feed", params={"meeting": 2})).json()
        assert other["meeting"]["title"] == "Volgende ALV"
        missing = await client.get("/api/feed", params={"meeting": 99})
        assert (missing.status_code, missing.json()["error"]) == (404, "unknown_meeting")


async def test_an_election_on_every_channel_and_a_secret_one_shows_no_running_tally(hall: Hall) -> None:
    body = {
        "agenda": "4", "title": "Voorzitter", "kind": "benoeming", "secret": True,
        "candidates": [{"name": "Anna Alfa", "note": "Aa en Hunze"}, {"name": "Bert Beta"}],
    }  # fmt: skip
    async with httpx.AsyncClient(base_url=hall.server.base) as client:
        response = await client.post(
            f"/api/meetings/{hall.seeded.meeting_id}/ballots", json=body, headers=hall.chair()
        )
    assert response.status_code == 201, response.text
    created = response.json()
    listed = [{"id": c["id"], "name": c["name"], "note": c["note"]} for c in created["candidates"]]
    assert [c["name"] for c in listed] == ["Anna Alfa", "Bert Beta"]

    # A secret ballot opens only with the committee's key (docs/SECRET_BALLOTS.md "Keys").
    committee = generate_committee_key().public.text
    async with httpx.AsyncClient(base_url=hall.server.base) as client:
        response = await client.post(
            f"/api/meetings/{hall.seeded.meeting_id}/committee-key",
            json={"public_key": committee},
            headers={"Authorization": f"Bearer {hall.seeded.tokens[Role.ADMIN]}"},
        )
    assert response.status_code == 200, response.text
    kiosk, _ = await hall.kiosk("GM0001")
    await hall.action(created["id"], "open")
    pushed = json.loads(await asyncio.wait_for(kiosk.recv(), 5))
    assert pushed["type"] == "ballot"
    assert (pushed["ballot"]["secret"], pushed["ballot"]["candidates"], pushed["ballot"]["round"]) == (
        True, listed, "first",
    )  # fmt: skip
    feed = await hall.feed()
    assert (feed["ballot"]["secret"], feed["ballot"]["candidates"], feed["ballot"]["round"]) == (
        True,
        listed,
        "first",
    )
    assert feed["ballot"]["tally"] is None
    async with websockets.connect(f"{hall.server.ws}/ws/chair") as chair:
        await chair.send(json.dumps({"type": "hello", "token": hall.seeded.tokens[Role.CHAIR]}))
        snapshot = await next_snapshot(chair)
        assert snapshot["ballot"]["id"] == created["id"]
        assert snapshot["ballot"]["tally"] is None  # SPEC 2.9: not even the chair
    await kiosk.close()
