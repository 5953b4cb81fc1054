"""Issue 5 acceptance: a meeting played against a real server, published, and then the record,
the feed's decisions and `votehall verify` agree exactly, on both backends."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import subprocess
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import websockets
from websockets.asyncio.client import ClientConnection

from server.audit.chain import check_chain, parse_line
from server.audit.replay import replay, result_of
from server.auth.roles import Role
from server.db import Database
from server.rules import format_percent
from tests.live.conftest import seed_hall
from tests.servers import VOTEHALL, ServerProcess

# A cell without a vote: present when the ballot closed (True) or absent (False).
DUTCH = {"for": "voor", "against": "tegen", "abstain": "onthouding", True: "niet gestemd", False: "afwezig"}


class Kiosk:
    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self.receipts: dict[str, str] = {}

    @classmethod
    async def connect(cls, server: ServerProcess, token: str) -> Kiosk:
        connection = await websockets.connect(f"{server.ws}/ws/kiosk")
        await connection.send(json.dumps({"type": "hello", "pass": token}))
        welcome = json.loads(await connection.recv())
        assert welcome["type"] == "welcome", welcome
        return cls(connection)

    async def vote(self, ballot: int, choice: str, vote_id: str) -> str:
        await self.connection.send(
            json.dumps({"type": "vote", "ballot": ballot, "choice": choice, "vote_id": vote_id})
        )
        while True:
            frame = json.loads(await asyncio.wait_for(self.connection.recv(), 10))
            if frame["type"] == "ack" and frame["vote_id"] == vote_id:
                self.receipts[vote_id] = frame["receipt"]
                return str(frame["receipt"])
            assert frame["type"] != "error", frame


@pytest.fixture
async def server(database: Database) -> AsyncIterator[tuple[ServerProcess, Any]]:
    seeded, _ = await seed_hall(database)
    process = ServerProcess(database.url)
    process.start()
    try:
        yield process, seeded
    finally:
        process.stop()


async def test_record_feed_and_verify_agree(server: tuple[ServerProcess, Any]) -> None:
    process, seeded = server
    meeting = seeded.meeting_id
    chair = {"Authorization": f"Bearer {seeded.tokens[Role.CHAIR]}"}
    admin = {"Authorization": f"Bearer {seeded.tokens[Role.ADMIN]}"}
    desk = {"Authorization": f"Bearer {seeded.tokens[Role.DESK]}"}
    first, motion, test = seeded.ballot_ids
    async with httpx.AsyncClient(base_url=process.base, timeout=30) as http:

        async def call(method: str, path: str, headers: dict[str, str], **kwargs: Any) -> Any:
            response = await http.request(method, path, headers=headers, **kwargs)
            assert response.status_code < 300, (path, response.status_code, response.text)
            return response.json()

        async def ballot(title: str, kind: str, **extra: Any) -> int:
            body = {"agenda": "4", "title": title, "kind": kind, **extra}
            return int((await call("POST", f"/api/meetings/{meeting}/ballots", chair, json=body))["id"])

        two_thirds = await ballot("Gezamenlijke digitalisering", "voorstel", majority="two_thirds")
        withdrawn = await ballot("Motie over de agenda", "motie")
        cards = {c["member"]: c["card"] for c in await call("POST", f"/api/meetings/{meeting}/cards", admin)}
        kiosks = {
            code: await Kiosk.connect(process, seeded.passes[code])
            for code in ("GM0001", "GM0002", "GM0003", "GM0004")
        }

        await call("POST", f"/api/ballots/{first}/open", chair)
        await kiosks["GM0001"].vote(first, "for", "a1")
        await kiosks["GM0002"].vote(first, "against", "a2")
        await kiosks["GM0003"].vote(first, "abstain", "a3")
        await kiosks["GM0002"].vote(first, "for", "a4")  # a change of vote
        await kiosks["GM0004"].vote(first, "for", "a5")
        await call("POST", f"/api/ballots/{first}/close", chair)

        await call("POST", f"/api/ballots/{test}/open", chair)
        await kiosks["GM0001"].vote(test, "against", "t1")
        await call("POST", f"/api/ballots/{test}/close", chair)

        await call("POST", f"/api/ballots/{motion}/acclamation", chair)

        handed = await call("POST", f"/api/meetings/{meeting}/checkins", desk, json={
            "card": cards["GM0004"], "representative": {"name": "B. de Wethouder", "role": "wethouder"},
            "hand_over": True,
        })  # fmt: skip
        paired = await call("POST", "/api/kiosk/pair", {}, json={"pairing_code": handed["pairing_code"]})
        kiosks["GM0004"] = await Kiosk.connect(process, paired["pass"])

        await call("POST", f"/api/ballots/{two_thirds}/open", chair)
        await kiosks["GM0001"].vote(two_thirds, "for", "b1")
        await kiosks["GM0002"].vote(two_thirds, "against", "b2")
        await kiosks["GM0003"].vote(two_thirds, "for", "b3")
        await kiosks["GM0004"].vote(two_thirds, "against", "b4")
        closed = await call("POST", f"/api/ballots/{two_thirds}/close", chair)
        await call("POST", f"/api/ballots/{withdrawn}/withdraw", chair)
        feed = await call("GET", "/api/feed", {})

        assert (await http.get(f"/api/meetings/{meeting}/record.csv")).status_code == 403
        await call("POST", f"/api/meetings/{meeting}/close", chair)
        await call("POST", f"/api/meetings/{meeting}/publish", chair)
        record = await call("GET", f"/api/meetings/{meeting}/record.json", {})
        record_csv = (await http.get(f"/api/meetings/{meeting}/record.csv")).content.decode("utf-8-sig")
        audit = (await http.get(f"/api/meetings/{meeting}/audit")).text
        for kiosk in kiosks.values():
            await kiosk.connection.close()

    # votehall verify, as the committee runs it, against the published audit route.
    verified = await asyncio.to_thread(
        subprocess.run,
        [VOTEHALL, "verify", f"{process.base}/api/meetings/{meeting}/audit", "--lang", "en", "--head", closed["result"]["log_hash"]],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "published record compared with the log" in verified.stdout

    lines = [parse_line(line) for line in audit.splitlines()]
    assert check_chain(lines) == []
    state = replay(lines)
    assert state.problems == [] and state.published

    # The feed's decisions: the decided, non-test ballots, in order, with outcome and percentage.
    decided = [b for b in state.ballots.values() if not b.test and b.outcome is not None]
    by_close = sorted(decided, key=lambda b: b.close_seq or 0)
    assert [(d["ballot"], d["outcome"], d["percent_for"]) for d in feed["decisions"]] == [
        (b.id, b.outcome, b.decision.percent_for if b.decision else None) for b in by_close
    ]
    assert [d["ballot"] for d in feed["decisions"]] == [first, motion, two_thirds, withdrawn]

    # record.json: every figure equals the replay; the test ballot is nowhere.
    assert {b["id"] for b in record["ballots"]} == {first, motion, two_thirds, withdrawn}
    for row in record["ballots"]:
        replayed = state.ballots[row["id"]]
        if replayed.decision is not None:
            assert {k: row[k] for k in result_of(replayed.decision)} == result_of(replayed.decision)
        else:
            assert row["outcome"] == replayed.outcome and row["for"] is None
        assert row["minutes"] == replayed.minutes("nl")
        assert row["log_hash"] == replayed.close_hash
    assert record["log_head"] == {"seq": state.head[0], "hash": state.head[1]} if state.head else False

    # record.csv: one row per member with the choice on every electronic ballot, then the totals.
    rows = list(csv.reader(io.StringIO(record_csv), delimiter=";"))
    header, body = rows[0], rows[1:]
    electronic = [b for b in decided if b.decision is not None]
    assert header[:4] == ["code", "naam", "stemgewicht", "rol"]
    assert header[4:6] == ["aanwezig", "vertegenwoordiger"]
    columns_before = 6
    assert sorted(header[columns_before:]) == sorted(f"{b.agenda} {b.title} (#{b.id})" for b in electronic)
    assert len(header) == columns_before + len(electronic) == 8
    columns = {b.id: header.index(f"{b.agenda} {b.title} (#{b.id})") for b in electronic}
    members = {row[0]: row for row in body if row and row[0].startswith("GM")}
    assert sorted(members) == sorted(state.register)
    for code, row in members.items():
        assert int(row[2]) == state.register[code].weight
        for ballot_id, column in columns.items():
            replayed = state.ballots[ballot_id]
            choice = replayed.choices.get(code)
            present = code in (replayed.present or ())
            assert row[column] == DUTCH[choice.value if choice else present], (code, ballot_id)
        assert row[4] == ("ja" if code in state.roles else "nee")
        assert row[5] == ""  # the public reads no representatives' names
    assert members["GM0002"][columns[first]] == "voor"  # the last vote counts
    assert members["GM0005"][columns[first]] == "afwezig"
    assert members["GM0004"][3] == "wethouder"  # the representative after the hand-over
    summary = {row[0]: row for row in body if row and not row[0].startswith("GM")}
    for ballot_id, column in columns.items():
        decision = state.ballots[ballot_id].decision
        assert decision is not None
        assert int(summary["voor"][column]) == decision.for_
        assert int(summary["tegen"][column]) == decision.against
        assert int(summary["onthouding"][column]) == decision.abstain
        assert int(summary["uitgebracht"][column]) == decision.cast
        assert decision.percent_for is not None
        assert summary["percentage voor"][column] == format_percent(decision.percent_for).rstrip("%")
        assert summary["uitslag"][column] == state.ballots[ballot_id].minutes("nl")
    assert summary["uitslag"][columns[first]] == "aangenomen met 100,00% van de stemmen"
    assert summary["uitslag"][columns[two_thirds]] == "verworpen met 39,38% van de stemmen vóór"

    # Every receipt a kiosk got is a vote entry of the published log.
    hashes = {line.hash: line.entry for line in lines}
    for kiosk in kiosks.values():
        for vote_id, receipt in kiosk.receipts.items():
            assert hashes[receipt]["data"]["vote_id"] == vote_id
