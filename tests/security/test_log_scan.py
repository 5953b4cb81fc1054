"""No secret in any log (issue 6 item 5, SPEC 3): a whole small meeting against a real server
with every logger at DEBUG and access logs on, then a scan of everything the server printed and
of the database for every operator token, pass token, pairing code and card code of the meeting.

The meeting goes through the real APIs the way the desk, the handhelds and the chair use them:
cards issued, looked up and checked in (one typed by hand, one mistyped), a hand-over, pairing
codes exchanged (two re-printed, one used twice), votes over /ws/kiosk with paired tokens (the
desk never gets one), a replayed vote, replaced and revoked passes trying again, a desk token with a typo, the
chair's actions and /ws/chair, the public feed, publication, and the record and the audit log
downloaded.
"""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import websockets
from sqlalchemy import select
from websockets.exceptions import ConnectionClosed

from server.cards import codes
from server.db import Database
from server.models import Base
from server.security import new_token
from tests.servers import ServerProcess

LOUD_LOGGING = Path(__file__).parent / "loud_logging"  # sitecustomize.py: every logger at DEBUG
REGISTER = """cbs_code,name,population
GM0001,Grootstad,150500
GM0002,Middenburg,42999
GM0003,Kleindorp,640
GM0004,Randmeer,75000
GM0005,Afwezig,12000
"""
# The shortest piece of a secret the scan looks for: 12 symbols are 60 bits or more of a random
# value, too many to turn up by chance, and few enough that a log line which shortens a long
# value ("vhp_UfBMCpknaqaSfVAU...QgM36jE7bB8nq9pJfcrXg") is still caught.
PIECE = 12


@dataclass
class Secrets:
    """Every secret the meeting used, by kind: (kind, the secret as the server handed it out)."""

    used: list[tuple[str, str]] = field(default_factory=list)

    def add(self, kind: str, *secrets: str) -> None:
        self.used.extend((kind, secret) for secret in secrets)

    def of(self, kind: str) -> list[str]:
        return [secret for k, secret in self.used if k == kind]


def pieces(kind: str, secret: str) -> set[str]:
    """The secret in every form it is written or typed in, and every run of PIECE symbols of its
    random part."""
    if kind.endswith("token"):  # "vht_" or "vhp_" and URL-safe base64, where "-" is a symbol
        forms, random = {secret}, secret[4:]
    elif kind == "card code":  # "VHC" + 28 symbols; printed in groups of four
        forms, random = {secret, codes.grouped(secret)}, secret
    else:  # pairing code "7KQ2M-X9DTA", typed with or without the dash
        random = secret.replace("-", "")
        forms = {secret, random}
    return forms | {random[i : i + PIECE] for i in range(max(1, len(random) - PIECE + 1))}


def leaks(text: str, secrets: list[tuple[str, str]]) -> list[str]:
    """Which secrets show up in `text`, whole or in part (case-insensitively, as codes are typed)."""
    folded = text.upper()
    return sorted(
        f"{kind} {secret}"
        for kind, secret in secrets
        if any(piece.upper() in folded for piece in pieces(kind, secret))
    )


def test_the_scan_finds_a_secret_cut_short_or_typed_differently() -> None:
    token, card, pairing = new_token("vhp"), codes.new_card_code(), "7KQ2M-X9DTA"
    secrets = [("pass token", token), ("card code", card), ("pairing code", pairing)]
    assert leaks(f"< TEXT '{token[:24]}...{token[-20:]}'", secrets) == [f"pass token {token}"]
    assert leaks(f"card {codes.grouped(card).lower()}", secrets) == [f"card code {card}"]
    assert leaks("code 7kq2mx9dta", secrets) == [f"pairing code {pairing}"]
    assert leaks("nothing secret here: vhp_ VHC 7KQ2M", secrets) == []


async def test_no_secret_in_the_logs_of_a_whole_meeting(database: Database) -> None:
    secrets = Secrets()
    admin_token = new_token("vht")
    secrets.add("operator token", admin_token)
    python_path = os.pathsep.join(filter(None, [str(LOUD_LOGGING), os.environ.get("PYTHONPATH")]))
    server = ServerProcess(database.url, env={"VOTEHALL_ADMIN_TOKEN": admin_token, "PYTHONPATH": python_path})
    server.start()
    try:
        await _meeting(server, admin_token, secrets)
        # Shutting down prints too: let the process end before reading what it wrote.
        assert server.process is not None
        server.process.terminate()
        await asyncio.to_thread(server.process.wait, 15)
        output = server.output()
    finally:
        server.stop()

    # The scan is only worth something when the server did print at DEBUG, with access logs,
    # the kiosks' frames and SQLAlchemy's statements.
    for sign in ("DEBUG:", '"POST /api/meetings/1/checkins HTTP/1.1" 201', "< TEXT", "INSERT INTO cards"):
        assert sign in output, (sign, output[-3000:])
    leaking_lines = [line for line in output.splitlines() if leaks(line, secrets.used)]
    assert leaking_lines == [], "\n".join(leaking_lines)[:5000]

    assert leaks(await _rows(database, ["log_entries", "log_heads", "desk_log"]), secrets.used) == []
    # Stored hashed (SPEC 3): no token and no pairing code in any table at all. A card code is
    # kept as it was printed, in `cards.code` and nowhere else (SECURITY.md).
    others = [table.name for table in Base.metadata.sorted_tables if table.name != "cards"]
    assert leaks(await _rows(database, others), secrets.used) == []
    cards = secrets.of("card code")
    assert leaks(await _rows(database, ["cards"]), secrets.used) == sorted(f"card code {c}" for c in cards)


async def _rows(database: Database, names: list[str]) -> str:
    tables = {table.name: table for table in Base.metadata.sorted_tables}
    async with database.transaction(readonly=True) as session:
        rows = [row for name in names for row in (await session.execute(select(tables[name]))).all()]
    return "\n".join(repr(tuple(row)) for row in rows)


@dataclass
class Api:
    client: httpx.AsyncClient

    async def __call__(self, method: str, path: str, token: str | None, expect: int = 200, **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.client.request(method, path, headers=headers, **kw)
        assert response.status_code == expect, (method, path, response.text)
        if response.headers.get("content-type", "").startswith("application/json"):
            return response.json()
        return response.text


async def _meeting(server: ServerProcess, admin: str, secrets: Secrets) -> None:
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as client:
        api = Api(client)
        await api("POST", "/api/members/import", admin, content=REGISTER, params={"allow_new_codes": "true"})
        meeting = (
            await api("POST", "/api/meetings", admin, 201, json={"title": "ALV", "date": "2025-06-18"})
        )["id"]
        await api("POST", f"/api/meetings/{meeting}/open", admin)
        cards = {c["member"]: c["card"] for c in await api("POST", f"/api/meetings/{meeting}/cards", admin)}
        cards["GM0005"] = (await api("POST", f"/api/meetings/{meeting}/cards/GM0005/reissue", admin))["card"]
        secrets.add("card code", *cards.values())
        desk = (await api("POST", "/api/tokens", admin, 201, json={"role": "desk", "label": "desk 1"}))[
            "token"
        ]
        chair = (await api("POST", "/api/tokens", admin, 201, json={"role": "chair"}))["token"]
        # A desk token with a typo is refused; the typo is as secret as the token.
        await api("GET", f"/api/meetings/{meeting}/passes", desk + "x", 401)
        secrets.add("operator token", desk, chair, desk + "x")

        async def check_in(member: str, card: str | None = None, expect: int = 201, **extra: Any) -> Any:
            representative = {"name": "Vertegenwoordiger", "role": "wethouder"}
            body = {"card": card or cards[member], "representative": representative} | extra
            answer = await api("POST", f"/api/meetings/{meeting}/checkins", desk, expect, json=body)
            if expect == 201:
                assert "pass" not in answer  # the desk never holds a pass token
                secrets.add("pairing code", answer["pairing_code"])
            return answer

        async def pair(code: str) -> str:
            token: str = (await api("POST", "/api/kiosk/pair", None, json={"pairing_code": code}))["pass"]
            secrets.add("pass token", token)
            return token

        # The desk scans a card to see whose it is; one card is typed by hand, one mistyped.
        looked_up = await api(
            "POST", f"/api/meetings/{meeting}/cards/lookup", desk, json={"card": cards["GM0001"]}
        )
        assert looked_up["member"]["code"] == "GM0001"
        passes = {"GM0001": await check_in("GM0001", codes.grouped(cards["GM0001"]).lower())}
        mistyped = cards["GM0002"][:-1] + ("0" if cards["GM0002"][-1] != "0" else "1")
        assert (await check_in("GM0002", mistyped, 422))["error"] == "invalid_card"
        for member in ("GM0002", "GM0003", "GM0004"):
            passes[member] = await check_in(member)
        replaced = await pair(passes["GM0003"]["pairing_code"])
        passes["GM0003"] = await check_in("GM0003", hand_over=True)

        # Handhelds pair: GM0001 with its code (used once only) and then a re-printed one (which
        # ends the first handheld), GM0003 with a re-printed one only.
        first_code = passes["GM0001"]["pairing_code"]
        paired_away = await pair(first_code)
        await api("POST", "/api/kiosk/pair", None, 404, json={"pairing_code": first_code})
        reprinted = {}
        for member in ("GM0001", "GM0003"):
            reprinted[member] = (await api("POST", f"/api/passes/{passes[member]['pass_id']}/pairing", desk))[
                "pairing_code"
            ]
            secrets.add("pairing code", reprinted[member])
        kiosks = {
            "GM0001": await pair(reprinted["GM0001"]),
            "GM0002": await pair(passes["GM0002"]["pairing_code"]),
            "GM0003": await pair(reprinted["GM0003"].lower()),
            "GM0004": await pair(passes["GM0004"]["pairing_code"]),
        }

        body = {"agenda": "1", "title": "Jaarverslag", "kind": "voorstel"}
        ballot = (await api("POST", f"/api/meetings/{meeting}/ballots", chair, 201, json=body))["id"]
        # The chair's screen sends its token in the hello; this client also (needlessly) sends it
        # in a header on the upgrade request, which websockets prints at DEBUG.
        async with (
            websockets.connect(
                f"{server.ws}/ws/chair", additional_headers={"Authorization": f"Bearer {chair}"}
            ) as chair_feed,
            websockets.connect(f"{server.ws}/ws/display") as display,
        ):
            await chair_feed.send(json.dumps({"type": "hello", "token": chair}))
            await asyncio.wait_for(chair_feed.recv(), 10)
            await asyncio.wait_for(display.recv(), 10)
            await api("POST", f"/api/ballots/{ballot}/open", chair)
            for member, token in kiosks.items():
                assert await _vote(server, token, ballot, f"v-{member}") == "ack"
            assert await _vote(server, kiosks["GM0001"], ballot, "v-GM0001") == "ack"  # a replay
            assert await _vote(server, replaced, ballot, "handed-over") == "4403"
            assert await _vote(server, paired_away, ballot, "paired-away") == "4403"
            await api("GET", f"/api/ballots/{ballot}", chair)
            await api("POST", f"/api/passes/{passes['GM0004']['pass_id']}/revoke", desk)
            assert await _vote(server, kiosks["GM0004"], ballot, "revoked") == "4403"
            await api("POST", f"/api/ballots/{ballot}/close", chair)
        await api("GET", "/api/feed", None)

        await api("POST", f"/api/meetings/{meeting}/close", chair)
        await api("POST", f"/api/meetings/{meeting}/publish", chair)
        for download in ("audit", "record.json", "record.csv", "record.html"):
            await api("GET", f"/api/meetings/{meeting}/{download}", None)


async def _vote(server: ServerProcess, token: str, ballot: int, vote_id: str) -> str:
    """Hello with `token` and one vote: "ack", the error's code, or the close code."""
    try:
        async with websockets.connect(f"{server.ws}/ws/kiosk") as kiosk:
            await kiosk.send(json.dumps({"type": "hello", "pass": token}))
            vote = {"type": "vote", "ballot": ballot, "choice": "for", "vote_id": vote_id}
            await kiosk.send(json.dumps(vote))
            while True:
                message = json.loads(await asyncio.wait_for(kiosk.recv(), 10))
                if message.get("vote_id") == vote_id:
                    return str(message["type"] if message["type"] == "ack" else message["code"])
    except ConnectionClosed as closed:
        return str(closed.rcvd.code if closed.rcvd else "closed")
