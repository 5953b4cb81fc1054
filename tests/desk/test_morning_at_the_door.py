"""Acceptance (issue 4): a morning at the door, against a real server.

Cards are issued for the shipped register, the 271 representatives of the real attendance list
check in with them, two hand-overs, one check-out and return, one card re-issued; then exactly
the active passes can vote, a revoked pass is refused with 4403, and the feed's presence is 271
members with 11,248 votes.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import websockets
from aiosmtpd.controller import Controller
from websockets.exceptions import ConnectionClosed

from server.db import Database
from server.demo import attendance_codes, demo_agenda
from server.register.reference import shipped_register_text
from server.security import new_token
from tests.cards.test_mail import Mailbox, free_port
from tests.servers import ServerProcess

ROLES = ["burgemeester", "wethouder", "raadslid", "secretaris", "griffier"]


async def kiosk_votes(server: ServerProcess, token: str, ballot_id: int, vote_id: str) -> str:
    """Connect with a pass and vote; answers "ack", or the close code if the pass is refused."""
    try:
        async with websockets.connect(f"{server.ws}/ws/kiosk", open_timeout=30) as connection:
            await connection.send(json.dumps({"type": "hello", "pass": token}))
            welcome = json.loads(await asyncio.wait_for(connection.recv(), 30))
            assert welcome["type"] == "welcome"
            frame = {"type": "vote", "ballot": ballot_id, "choice": "for", "vote_id": vote_id}
            await connection.send(json.dumps(frame))
            while True:
                message = json.loads(await asyncio.wait_for(connection.recv(), 30))
                if message.get("vote_id") == vote_id:
                    return str(message["type"])
    except ConnectionClosed as closed:
        return str(closed.rcvd.code if closed.rcvd else "closed")


async def test_a_morning_at_the_door(database: Database) -> None:
    admin_token = new_token("vht")
    mailbox = Mailbox(refuse="nobody@refused.example")
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    server = ServerProcess(
        database.url,
        env={
            "VOTEHALL_ADMIN_TOKEN": admin_token,
            "VOTEHALL_DESK_CHECKINS_PER_MINUTE": "1000",
            "VOTEHALL_SMTP_HOST": "127.0.0.1",
            "VOTEHALL_SMTP_PORT": str(smtp.port),
            "VOTEHALL_SMTP_FROM": "VNG ALV <alv@vng.nl>",
        },
    )
    server.start()
    try:
        present = await _morning(server, admin_token, mailbox)
    finally:
        server.stop()
        smtp.stop()
    assert present == {"members": 271, "weight": 11_248, "of_members": 342, "of_weight": 13_111}


async def _morning(server: ServerProcess, admin_token: str, mailbox: Mailbox) -> dict[str, int]:
    admin = {"Authorization": f"Bearer {admin_token}"}
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as client:

        async def post(path: str, headers: dict[str, str], **kwargs: Any) -> Any:
            response = await client.post(path, headers=headers, **kwargs)
            assert response.status_code in (200, 201), (path, response.text)
            return response.json()

        await post("/api/members/import", admin, content=shipped_register_text())
        agenda = demo_agenda()
        meeting = await post("/api/meetings", admin, json={
            "title": agenda["meeting"]["title"], "date": agenda["meeting"]["date"], "agenda": agenda["items"],
        })  # fmt: skip
        meeting_id = meeting["id"]
        await post(f"/api/meetings/{meeting_id}/open", admin)
        cards = {c["member"]: c["card"] for c in await post(f"/api/meetings/{meeting_id}/cards", admin)}
        assert len(cards) == 342

        # Every secretary gets the card by mail; one address bounces at the SMTP level.
        codes = sorted(cards)
        addresses = {code: f"griffie-{code.lower()}@gemeente.example" for code in codes[1:]}
        addresses[codes[0]] = "nobody@refused.example"
        csv = "cbs_code,email\n" + "".join(f"{code},{address}\n" for code, address in addresses.items())
        assert (await post("/api/members/emails", admin, content=csv))["updated"] == 342
        report = await post(f"/api/meetings/{meeting_id}/cards/send", admin, json={"dry_run": False})
        assert (report["sent"], report["refused"], report["no_address"]) == (341, 1, 0)
        delivered = {message["To"]: message for message in mailbox.received}
        assert len(delivered) == 341
        attached = next(iter(delivered[addresses[codes[1]]].iter_attachments()))
        assert attached.get_filename() == f"stemkaart-{cards[codes[1]]}.pdf"
        desk = {
            "Authorization": f"Bearer {(await post('/api/tokens', admin, json={'role': 'desk'}))['token']}"
        }
        chair = {
            "Authorization": f"Bearer {(await post('/api/tokens', admin, json={'role': 'chair'}))['token']}"
        }

        present = attendance_codes()
        assert len(present) == len(set(present)) == 271

        # One card is re-issued before its member arrives: the old card is refused, the new one works.
        lost = present[10]
        old_card = cards[lost]
        cards[lost] = (await post(f"/api/meetings/{meeting_id}/cards/{lost}/reissue", admin))["card"]

        async def check_in(code: str, name: str, role: str, **extra: Any) -> httpx.Response:
            body = {"card": cards[code], "representative": {"name": name, "role": role}} | extra
            return await client.post(f"/api/meetings/{meeting_id}/checkins", json=body, headers=desk)

        refused = await client.post(
            f"/api/meetings/{meeting_id}/checkins", headers=desk,
            json={"card": old_card, "representative": {"name": "Iemand", "role": "raadslid"}},
        )  # fmt: skip
        assert (refused.status_code, refused.json()["error"]) == (409, "card_replaced")

        passes: dict[str, dict[str, Any]] = {}
        for i, code in enumerate(present):
            response = await check_in(code, f"Vertegenwoordiger {i}", ROLES[i % len(ROLES)])
            assert response.status_code == 201, response.text
            passes[code] = response.json()

        # Every handheld pairs: the desk's answers hold no pass token, only the pairing code.
        async def pair(code: str) -> str:
            assert "vhp_" not in json.dumps(passes[code])
            token: str = (
                await post("/api/kiosk/pair", {}, json={"pairing_code": passes[code]["pairing_code"]})
            )["pass"]
            return token

        tokens = {code: await pair(code) for code in present}

        # Two hand-overs: the first representative leaves, a colleague takes over the votes.
        revoked_tokens = []
        for code in present[:2]:
            assert (await check_in(code, "Collega", "wethouder")).json()["error"] == "pass_active"
            handed = await check_in(code, "Collega", "wethouder", hand_over=True)
            assert handed.status_code == 201
            assert handed.json()["replaced_pass_id"] == passes[code]["pass_id"]
            revoked_tokens.append(tokens[code])
            passes[code] = handed.json()
            tokens[code] = await pair(code)

        # One check-out and return; the handheld forgot the pass at the check-out, and pairs anew.
        leaving = passes[present[5]]["pass_id"]
        await post(f"/api/passes/{leaving}/checkout", desk)
        assert (await client.get("/api/feed")).json()["present"]["members"] == 270
        await post(f"/api/passes/{leaving}/return", desk)
        passes[present[5]] |= await post(f"/api/passes/{leaving}/pairing", desk)
        tokens[present[5]] = await pair(present[5])

        feed = (await client.get("/api/feed")).json()
        assert feed["present"] == {"members": 271, "weight": 11_248, "of_members": 342, "of_weight": 13_111}

        ballot = await post(
            f"/api/meetings/{meeting_id}/ballots",
            chair,
            json={"agenda": "5", "title": "Jaarverslag 2024", "kind": "voorstel"},
        )
        await post(f"/api/ballots/{ballot['id']}/open", chair)

        results = await asyncio.gather(
            *(kiosk_votes(server, tokens[code], ballot["id"], f"m-{code}") for code in passes),
            *(kiosk_votes(server, token, ballot["id"], f"r-{i}") for i, token in enumerate(revoked_tokens)),
        )
        assert results[: len(passes)] == ["ack"] * 271
        assert results[len(passes) :] == ["4403", "4403"]

        closed = await post(f"/api/ballots/{ballot['id']}/close", chair)
        assert (closed["result"]["members_voted"], closed["result"]["for"]) == (271, 11_248)
        listed = (await client.get(f"/api/meetings/{meeting_id}/passes", headers=desk)).json()
        assert sum(p["status"] == "active" for p in listed) == 271
        assert sum(p["status"] == "revoked" for p in listed) == 2
        present: dict[str, int] = (await client.get("/api/feed")).json()["present"]
    return present
