"""A public election end to end (SPEC 2.10, 4.1-4.3) against a real uvicorn process with real
kiosk WebSockets, on SQLite and on PostgreSQL: three candidates through a first round, a second,
a run-off and a lot, each close checked against an independent count of the votes cast."""

from __future__ import annotations

import json
from typing import Any

import httpx
import orjson
from sqlalchemy import select
from websockets.asyncio.client import ClientConnection

from server.audit.chain import parse_line
from server.audit.models import LogEntry
from server.audit.replay import replay
from server.auth.roles import Role
from server.db import Database
from tests.live.conftest import Hall
from tests.live.test_kiosk_protocol import receive

WEIGHTS = {"GM0001": 75, "GM0002": 42, "GM0003": 1, "GM0004": 75}
NAMES = ["Anna Alfa", "Bert Beta", "Cees Gamma"]


async def send_vote(kiosk: ClientConnection, ballot: int, choice: object, vote_id: str) -> dict[str, Any]:
    await kiosk.send(json.dumps({"type": "vote", "ballot": ballot, "choice": choice, "vote_id": vote_id}))
    while True:
        message = await receive(kiosk)
        if message["type"] in ("ack", "error") and message.get("vote_id") == vote_id:
            return message


async def chair(hall: Hall, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
    async with httpx.AsyncClient(base_url=hall.server.base, timeout=10) as client:
        return await client.post(path, headers=hall.chair(), json=body)


def counted(ledger: dict[str, str], ids: dict[str, int]) -> dict[str, Any]:
    """The figures of a round, counted here from what the members chose (names or abstain)."""
    votes = {name: sum(WEIGHTS[m] for m, chose in ledger.items() if chose == name) for name in ids}
    cast = sum(votes.values())
    return {
        "votes": {ids[name]: n for name, n in votes.items()},
        "members": {ids[name]: sum(1 for chose in ledger.values() if chose == name) for name in ids},
        "abstain": sum(WEIGHTS[m] for m, chose in ledger.items() if chose == "abstain"),
        "cast": cast,
    }


def figures(election: dict[str, Any]) -> dict[str, Any]:
    return {
        "votes": {c["id"]: c["votes"] for c in election["candidates"]},
        "members": {c["id"]: c["members"] for c in election["candidates"]},
        "abstain": election["abstain"],
        "cast": election["cast"],
    }


async def run_round(
    hall: Hall, kiosks: dict[str, ClientConnection], ballot: dict[str, Any], ledger: dict[str, str], tag: str
) -> dict[str, Any]:
    """Let every member vote on the open round as `ledger` says, check the chair's running tally,
    close the round and answer the closed ballot (its stored result checked against the count)."""
    ids = {c["name"]: c["id"] for c in ballot["candidates"]}
    for code, chose in ledger.items():
        choice = "abstain" if chose == "abstain" else ids[chose]
        ack = await send_vote(kiosks[code], ballot["id"], choice, f"{tag}-{code}")
        assert (ack["type"], ack["choice"]) == ("ack", choice), ack
    running = (await hall.ballot(ballot["id"]))["election"]
    assert figures(running) == counted(ledger, ids)
    closed: dict[str, Any] = (await chair(hall, f"/api/ballots/{ballot['id']}/close")).json()
    assert closed["status"] == "closed", closed
    assert figures(closed["result"]["election"]) == counted(ledger, ids)
    return closed


async def next_round(hall: Hall, ballot: dict[str, Any]) -> dict[str, Any]:
    response = await chair(hall, f"/api/ballots/{ballot['id']}/next-round")
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    assert (await chair(hall, f"/api/ballots/{created['id']}/open")).status_code == 200
    return created


async def logged(database: Database, meeting: int, type_: str) -> list[dict[str, Any]]:
    async with database.transaction(readonly=True) as session:
        rows = await session.scalars(
            select(LogEntry.body)
            .where(LogEntry.chain == meeting, LogEntry.type == type_)
            .order_by(LogEntry.seq)
        )
        return [orjson.loads(body)["data"] for body in rows]


async def test_an_election_through_every_round_to_the_lot(hall: Hall, database: Database) -> None:
    meeting = hall.seeded.meeting_id
    created = await chair(hall, f"/api/meetings/{meeting}/ballots", {
        "agenda": "9", "title": "Voorzitter", "kind": "benoeming", "secret": False,
        "show_live_tally": True, "candidates": [{"name": name} for name in NAMES],
    })  # fmt: skip
    assert created.status_code == 201, created.text
    first = created.json()
    a, b, c = (candidate["id"] for candidate in first["candidates"])
    kiosks = {code: (await hall.kiosk(code))[0] for code in WEIGHTS}
    assert (await chair(hall, f"/api/ballots/{first['id']}/open")).status_code == 200
    pushed = (await receive(kiosks["GM0001"], "ballot"))["ballot"]
    assert [candidate["name"] for candidate in pushed["candidates"]] == NAMES

    # Refused from memory: choices that do not fit the election.
    for bad in ("for", "against", 99999, str(a), True):
        error = await send_vote(kiosks["GM0001"], first["id"], bad, f"bad-{len(str(bad))}-{bad}")
        assert (error["type"], error["code"]) == ("error", "bad_message"), error
    # A change of vote moves the member's weight from Anna to Cees (in run_round's votes).
    assert (await send_vote(kiosks["GM0003"], first["id"], a, "change-1"))["choice"] == a
    assert figures((await hall.ballot(first["id"]))["election"])["votes"] == {a: 1, b: 0, c: 0}
    shown = (await hall.feed())["ballot"]["election"]  # the ballot shows its running tally
    assert shown["candidates"][0] == {
        "id": a,
        "name": "Anna Alfa",
        "votes": 1,
        "members": 1,
        "percent": "100.00",
    }

    # First round: nobody has more than half of 193 cast votes.
    ledger = {"GM0001": "Anna Alfa", "GM0004": "Bert Beta", "GM0002": "Cees Gamma", "GM0003": "Cees Gamma"}
    closed = await run_round(hall, kiosks, first, ledger, "r1")
    result = closed["result"]
    assert (result["outcome"], result["election"]["next_round"]) == ("next_round", "second")
    assert result["minutes"] == "geen kandidaat heeft de volstrekte meerderheid; tweede vrije stemming"
    response = await chair(hall, f"/api/ballots/{first['id']}/lot", {"candidate": a})
    assert (response.status_code, response.json()["error"]) == (409, "no_lot")

    # Second round: the same candidates; Anna and Cees tie for first, Bert is out.
    second = await next_round(hall, first)
    assert (second["title"], second["round"], second["round_of"]) == (
        "Voorzitter (tweede stemming)",
        "second",
        first["id"],
    )
    assert [candidate["name"] for candidate in second["candidates"]] == NAMES
    response = await chair(hall, f"/api/ballots/{first['id']}/next-round")
    assert (response.status_code, response.json()["error"]) == (409, "round_already_followed")
    ledger = {"GM0001": "Anna Alfa", "GM0002": "Bert Beta", "GM0003": "abstain", "GM0004": "Cees Gamma"}
    result = (await run_round(hall, kiosks, second, ledger, "r2"))["result"]
    assert result["outcome"] == "next_round"
    assert result["minutes"] == (
        "geen kandidaat heeft de volstrekte meerderheid; herstemming tussen Anna Alfa en Cees Gamma"
    )

    # Run-off between Anna and Cees: 75 against 75, so the lot decides.
    runoff = await next_round(hall, second)
    assert (runoff["title"], runoff["round"]) == ("Voorzitter (herstemming)", "runoff")
    assert [candidate["name"] for candidate in runoff["candidates"]] == ["Anna Alfa", "Cees Gamma"]
    ledger = {"GM0001": "Anna Alfa", "GM0004": "Cees Gamma", "GM0002": "abstain", "GM0003": "abstain"}
    closed = await run_round(hall, kiosks, runoff, ledger, "r3")
    assert (closed["result"]["outcome"], closed["result"]["minutes"]) == (
        "lot",
        "de stemmen staken; het lot beslist",
    )
    response = await chair(hall, f"/api/ballots/{runoff['id']}/next-round")
    assert (response.status_code, response.json()["error"]) == (409, "no_next_round")
    response = await chair(
        hall, f"/api/ballots/{runoff['id']}/lot", {"candidate": second["candidates"][1]["id"]}
    )
    assert (response.status_code, response.json()["error"]) == (422, "not_in_lot")
    cees = runoff["candidates"][1]["id"]
    drawn = await chair(
        hall, f"/api/ballots/{runoff['id']}/lot", {"candidate": cees, "drawn_by": "de notaris"}
    )
    assert drawn.status_code == 200, drawn.text
    result = drawn.json()["result"]
    assert (result["outcome"], result["minutes"]) == ("elected", "gekozen bij loting: Cees Gamma")
    assert result["election"]["elected"] == {"id": cees, "name": "Cees Gamma"}
    response = await chair(hall, f"/api/ballots/{runoff['id']}/lot", {"candidate": cees})
    assert (response.status_code, response.json()["error"]) == (409, "no_lot")

    # The feed's decisions carry every round's result and minutes.
    feed = await hall.feed()
    decisions = {d["ballot"]: d for d in feed["decisions"]}
    assert decisions[runoff["id"]]["outcome"] == "elected"
    assert decisions[runoff["id"]]["minutes"]["nl"] == "gekozen bij loting: Cees Gamma"
    assert decisions[first["id"]]["election"]["next_round"] == "second"
    # The log: every close's result as stored; the lot with who drew it.
    closes = {entry["ballot"]: entry["result"] for entry in await logged(database, meeting, "ballot_closed")}
    for ballot in (first, second, runoff):
        stored = closes[ballot["id"]]
        assert {c["id"]: c["votes"] for c in stored["candidates"]} == figures(
            (await hall.ballot(ballot["id"]))["result"]["election"]
        )["votes"]
    assert closes[runoff["id"]]["outcome"] == "lot"
    (lot,) = await logged(database, meeting, "ballot_lot")
    assert (lot["ballot"], lot["candidate"], lot["drawn_by"]) == (runoff["id"], cees, "de notaris")
    assert (lot["result"]["outcome"], lot["result"]["elected"], lot["result"]["drawn"]) == (
        "elected",
        cees,
        [cees],
    )
    votes = await logged(database, meeting, "vote")
    assert {v["choice"] for v in votes if v["ballot"] == runoff["id"]} == {
        runoff["candidates"][0]["id"],
        cees,
        "abstain",
    }
    # The log the server wrote verifies: every round recomputed from its votes, the next rounds'
    # candidates from the rules, the lot among the tied (votehall verify's replay).
    async with httpx.AsyncClient(base_url=hall.server.base, timeout=10) as client:
        audit = await client.get(
            f"/api/meetings/{meeting}/audit",
            headers={"Authorization": f"Bearer {hall.seeded.tokens[Role.ADMIN]}"},
        )
    assert audit.status_code == 200, audit.text
    state = replay([parse_line(line) for line in audit.text.splitlines()])
    assert [problem.message() for problem in state.problems] == []
    assert state.ballots[runoff["id"]].outcome == "elected"
    for kiosk in kiosks.values():
        await kiosk.close()
