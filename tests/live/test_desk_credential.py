"""Issue 13 item 1: the desk never holds a credential that can vote (SPEC 4.1), against a real
server on SQLite and PostgreSQL.

No desk route answers a pass token; only `POST /api/kiosk/pair` makes one, once per code. A
desk can still vote by pairing a code itself, but then it is seen: the code names the desk's
operator token in `desk_log` and in the event log, the pairing names the token that made its
code, and the representative's handheld is closed with 4403.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import httpx
import websockets
from sqlalchemy import select
from websockets.asyncio.client import ClientConnection

from server.audit.verify import main as verify
from server.auth.models import OperatorToken
from server.auth.roles import Role
from server.db import Database
from server.desk.models import DeskLogEntry
from server.security import hash_token
from tests.live.conftest import Hall
from tests.live.test_kiosk_protocol import closed_with, receive, vote


def bearer(hall: Hall, role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {hall.seeded.tokens[role]}"}


async def hello(hall: Hall, token: str) -> tuple[ClientConnection, dict[str, Any]]:
    connection = await websockets.connect(f"{hall.server.ws}/ws/kiosk")
    await connection.send(json.dumps({"type": "hello", "pass": token}))
    return connection, await receive(connection)


async def test_no_desk_route_answers_a_pass_token(hall: Hall) -> None:
    meeting = hall.seeded.meeting_id
    desk = bearer(hall, Role.DESK)
    answers: list[httpx.Response] = []
    async with httpx.AsyncClient(base_url=hall.server.base, timeout=30) as client:

        async def call(method: str, path: str, **kwargs: Any) -> Any:
            response = await client.request(method, path, headers=desk, **kwargs)
            assert response.status_code < 300, (path, response.text)
            answers.append(response)
            return response.json()

        admin = bearer(hall, Role.ADMIN)
        cards = (await client.post(f"/api/meetings/{meeting}/cards", headers=admin)).json()
        card = {c["member"]: c["card"] for c in cards}
        representative = {"name": "A. de Vries", "role": "wethouder"}

        # Every desk route a pass goes through: look-up, check-in, list, re-pairing, hand-over,
        # check-out, return, revoke.
        await call("POST", f"/api/meetings/{meeting}/cards/lookup", json={"card": card["GM0005"]})
        checked_in = await call(
            "POST",
            f"/api/meetings/{meeting}/checkins",
            json={"card": card["GM0005"], "representative": representative},
        )
        assert set(checked_in) >= {"pass_id", "pairing_code", "member", "weight"} and "pass" not in checked_in
        await call("GET", f"/api/meetings/{meeting}/passes")
        reprinted = await call("POST", f"/api/passes/{checked_in['pass_id']}/pairing")
        handed = await call(
            "POST", f"/api/meetings/{meeting}/checkins",
            json={"card": card["GM0005"], "representative": representative | {"name": "B. Jansen"}, "hand_over": True},
        )  # fmt: skip
        await call("POST", f"/api/meetings/{meeting}/cards/lookup", json={"card": card["GM0005"]})
        await call("POST", f"/api/passes/{handed['pass_id']}/checkout")
        await call("POST", f"/api/passes/{handed['pass_id']}/return")
        await call("POST", f"/api/passes/{hall.seeded.pass_ids['GM0003']}/revoke")
        await call("GET", f"/api/meetings/{meeting}/passes")
        for answer in answers:
            assert "vhp_" not in answer.text, (answer.request.url, answer.text)

        # The codes of an ended pass buy nothing; the code of the active pass buys the token.
        for code in (checked_in["pairing_code"], reprinted["pairing_code"]):
            refused = await client.post("/api/kiosk/pair", json={"pairing_code": code})
            assert (refused.status_code, refused.json()["error"]) == (404, "unknown_pairing_code")
        paired = await client.post("/api/kiosk/pair", json={"pairing_code": handed["pairing_code"]})
        assert paired.status_code == 200, paired.text
        token = paired.json()["pass"]
        again = await client.post("/api/kiosk/pair", json={"pairing_code": handed["pairing_code"]})
        assert again.status_code == 404  # once per code

    # The token that pairing returned is the one that votes.
    ballot = hall.seeded.ballot_ids[0]
    await hall.action(ballot, "open")
    kiosk, welcome = await hello(hall, token)
    assert welcome["type"] == "welcome" and welcome["member"]["code"] == "GM0005"
    assert (await vote(kiosk, ballot, "for", "k-1"))["type"] == "ack"
    await kiosk.close()
    assert (await hall.ballot(ballot))["tally"]["members_voted"] == 1


async def test_a_desk_that_pairs_a_code_itself_is_seen(
    hall: Hall, database: Database, tmp_path: Path
) -> None:
    meeting = hall.seeded.meeting_id
    pass_id = hall.seeded.pass_ids["GM0001"]
    async with database.transaction(readonly=True) as session:
        desk_token = await session.scalar(
            select(OperatorToken).where(OperatorToken.token_hash == hash_token(hall.seeded.tokens[Role.DESK]))
        )
    assert desk_token is not None
    desk_operator = {"token": desk_token.id, "label": desk_token.label}

    async with httpx.AsyncClient(base_url=hall.server.base, timeout=30) as client:
        # The representative's handheld pairs with the code handed out at the door.
        paired = await client.post(
            "/api/kiosk/pair", json={"pairing_code": hall.seeded.pairing_codes["GM0001"]}
        )
        handheld, welcome = await hello(hall, paired.json()["pass"])
        assert welcome["type"] == "welcome"

        # The desk makes a new code for that pass and pairs it itself.
        reprinted = await client.post(f"/api/passes/{pass_id}/pairing", headers=bearer(hall, Role.DESK))
        assert reprinted.status_code == 200 and "vhp_" not in reprinted.text
        taken = await client.post("/api/kiosk/pair", json={"pairing_code": reprinted.json()["pairing_code"]})
        assert taken.status_code == 200, taken.text
        desk_token_for_votes = taken.json()["pass"]

    # The representative's handheld is closed: it goes to the desk, and the take-over is known.
    assert await receive(handheld) == {"type": "revoked"}
    assert await closed_with(handheld) == 4403
    ballot = hall.seeded.ballot_ids[0]
    await hall.action(ballot, "open")
    taken_over, _ = await hello(hall, desk_token_for_votes)
    assert (await vote(taken_over, ballot, "against", "d-1"))["type"] == "ack"
    await taken_over.close()
    # A pass token made before the change (seeded, as the old check-in answer did) still votes.
    old, _ = await hello(hall, hall.seeded.passes["GM0002"])
    assert (await vote(old, ballot, "for", "o-1"))["type"] == "ack"
    await old.close()
    await hall.action(ballot, "close")

    # desk_log: the code that the votes came from was made with the desk's operator token.
    async with database.transaction(readonly=True) as session:
        actions = (
            await session.execute(
                select(DeskLogEntry.action, DeskLogEntry.operator_token_id).where(
                    DeskLogEntry.pass_id == pass_id
                )
            )
        ).all()
    assert [tuple(row) for row in actions] == [("pairing", desk_token.id)]

    # The event log: the code entry names the desk's token, the pairing names the token that
    # made its code, and the vote comes after that pairing.
    async with httpx.AsyncClient(base_url=hall.server.base, timeout=30) as client:
        response = await client.get(f"/api/meetings/{meeting}/audit", headers=bearer(hall, Role.ADMIN))
        assert response.status_code == 200, response.text
        closed = await client.post(
            f"/api/meetings/{meeting}/close", headers=bearer(hall, Role.CHAIR), json={"confirm": True}
        )
        assert closed.status_code == 200, closed.text
        log = (await client.get(f"/api/meetings/{meeting}/audit", headers=bearer(hall, Role.ADMIN))).text
    lines = [json.loads(line) for line in log.splitlines()]
    of_pass = [
        (e["type"], e["data"]) for e in lines if e["data"].get("pass") == pass_id and e["type"] != "vote"
    ]
    assert of_pass[:4] == [
        ("pass_issued", {"pass": pass_id, "member": "GM0001", "role": "burgemeester", "replaces": None}),
        ("pass_paired", {"pass": pass_id, "code_by": None}),  # seeded in bulk: no desk made its code
        ("pass_pairing_code", {"pass": pass_id, "operator": desk_operator}),
        ("pass_paired", {"pass": pass_id, "code_by": desk_operator}),
    ]
    seq = {(e["type"], e["data"].get("code_by") is not None): e["seq"] for e in lines}
    desk_vote = next(e for e in lines if e["type"] == "vote" and e["data"]["vote_id"] == "d-1")
    assert desk_vote["data"]["pass"] == pass_id and desk_vote["seq"] > seq[("pass_paired", True)]

    # The log with these entries verifies, as do logs without them.
    path = tmp_path / "audit.ndjson"
    path.write_text(log, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert verify([str(path)], out=out, err=err) == 0, out.getvalue() + err.getvalue()
