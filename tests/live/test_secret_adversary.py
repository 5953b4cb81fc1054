"""The adversarial test of secret ballots (issue 14's acceptance; SPEC 2.9, DESIGN.md "Secret votes
that stay verifiable"): an administrator who reads everything it can reach learns nothing about
any member's choice beyond what the totals and participation imply.

Two WORLDS hold the same secret election on a real served process: the same members with
distinct weights, the same participation, in the same order, the same totals per candidate, but
with the choices assigned to members differently. Weights 11 + 29 = 17 + 23: world A gives GM0101
and GM0102 to Anna and GM0103 and GM0104 to Bert, world B the reverse; and 5 + 3 = 8: in world A
GM0105 and GM0106 abstain and GM0107 votes for Cees, in world B the reverse. GM0101 first votes
for Cees and then changes its vote, in both. In each world the test reads, during the ballot, after
its close and after release and publication: every GET route with an admin, a chair and a desk
token and without one (`adversary.get_routes`: a new route is read unless listed out of scope
with a reason), the SSE feed, the hall screen's and the chair's WebSockets, every kiosk's
messages (acks, a resend's ack during and after the ballot, the welcome of a handheld that pairs a
fresh code for a member who voted), a subscriber on the Redis fan-out channel, every table with
its system columns (SQLite's rowid and page counts, PostgreSQL's xmin and ctid), and the
server's log with every logger at DEBUG. After normalizing what is fresh in every run
(adversary.Normalizer, units_as_counts, comparable_places, log_lines, each with its reason) the
two worlds' observations must be equal: nothing tells A from B. (This found that the DEBUG line of
each WebSocket frame gave its length, longer for "abstain" than for a candidate's id.) The test then checks directly that no row or
message names a voter together with a candidate, that the unit ballots' physical order follows
their random receipts (one member's units are scattered, not in a block), that the values
normalized away are fresh (no world shares one with the other) and that no secret or choice
reaches the debug log.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import re
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import websockets
from sqlalchemy import text
from websockets.asyncio.client import ClientConnection

from server.audit.verify import main as verify
from server.auth.roles import Role
from server.db import Database
from server.meetings.schemas import MeetingCreate
from server.secret.keys import CommitteeKeyFiles, write_committee_key
from server.secret.sealing import new_secret, secret_tag
from server.secret.units import unit_receipts
from server.seed import SeedMember, seed_meeting
from tests.conftest import TABLES
from tests.live.adversary import (
    OUT_OF_SCOPE,
    Normalizer,
    Reader,
    comparable_places,
    differences,
    get_routes,
    log_lines,
    sqlite_pages,
    table_rows,
    units_as_counts,
    websocket_routes,
)
from tests.live.secret_hall import SecretHall, fan_out_env, listen, served
from tests.security.test_log_scan import LOUD_LOGGING

# Distinct weights (population // 1000): 11 + 29 = 17 + 23 and 5 + 3 = 8, so that swapping those
# members' choices between two candidates, or between a candidate and abstaining, keeps every total.
MEMBERS = [
    SeedMember("GM0101", "Aadorp", 11_500),  # 11
    SeedMember("GM0102", "Beekveld", 29_200),  # 29
    SeedMember("GM0103", "Crabbendam", 17_900),  # 17
    SeedMember("GM0104", "Dalfsen", 23_100),  # 23
    SeedMember("GM0105", "Eext", 5_300),  # 5
    SeedMember("GM0106", "Flakkee", 3_700),  # 3
    SeedMember("GM0107", "Gaast", 8_800),  # 8
    SeedMember("GM0108", "Hoorn", 2_400),  # 2: present, never votes
]
CANDIDATES = ["Anna Alfa", "Bert Beta", "Cees Gamma"]
ANNA, BERT, CEES, ABSTAIN = 0, 1, 2, "abstain"
# Final choices per world (a candidate's index, or abstain): the same totals in both, Anna 40,
# Bert 40, Cees 8 and 8 abstained; nobody has more than half of the 88 cast.
WORLDS: dict[str, dict[str, int | str]] = {
    "A": {
        "GM0101": ANNA, "GM0102": ANNA, "GM0103": BERT, "GM0104": BERT,
        "GM0105": ABSTAIN, "GM0106": ABSTAIN, "GM0107": CEES,
    },
    "B": {
        "GM0101": BERT, "GM0102": BERT, "GM0103": ANNA, "GM0104": ANNA,
        "GM0105": CEES, "GM0106": CEES, "GM0107": ABSTAIN,
    },
}  # fmt: skip
VOTERS = list(WORLDS["A"])
CODES = [m.code for m in MEMBERS]


class Kiosk:
    """A handheld's socket with every message it receives kept, in order."""

    def __init__(self, connection: ClientConnection, welcome: dict[str, Any]) -> None:
        self.connection, self.heard = connection, [welcome]
        self.arrived = asyncio.Event()
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for raw in self.connection:
                self.heard.append(json.loads(raw))
                self.arrived.set()

    async def vote(self, ballot: int, choice: str | int, vote_id: str, secret: str) -> dict[str, Any]:
        """Send a vote; answer the ack or error that names its vote_id."""
        start = len(self.heard)
        message = {"type": "vote", "ballot": ballot, "choice": choice, "vote_id": vote_id, "secret": secret}
        await self.connection.send(json.dumps(message))
        async with asyncio.timeout(10):
            while True:
                for answer in self.heard[start:]:
                    if answer.get("vote_id") == vote_id:
                        return answer
                self.arrived.clear()
                await self.arrived.wait()

    async def close(self) -> None:
        await self.connection.close()
        await self.task


class Socket:
    """A feed socket (the hall screen's, the chair's) with every frame kept."""

    def __init__(self, url: str, hello: dict[str, str] | None = None) -> None:
        self.url, self.hello, self.heard = url, hello, []
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        connection = await websockets.connect(self.url)
        if self.hello is not None:
            await connection.send(json.dumps(self.hello))
        self.task = asyncio.create_task(self._read(connection))

    async def _read(self, connection: ClientConnection) -> None:
        try:
            async for raw in connection:
                self.heard.append(json.loads(raw))
        except websockets.ConnectionClosed:
            self.heard.append("closed")  # the server's shutdown closes it
        finally:
            await connection.close()


@dataclass
class World:
    """What one world's administrator saw, and what the test knows to check it with."""

    seen: dict[str, Any] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    member_ids: dict[str, int] = field(default_factory=dict)
    candidates: list[int] = field(default_factory=list)
    ballot: int = 0
    log: str = ""
    audit: str = ""  # the published event log, as its bytes
    dialect: str = ""
    sealed_bytes: list[bytes] = field(default_factory=list)  # boxes, wrapped key, tags while open
    committee_key: dict[str, str] = field(default_factory=dict)
    files_after: bytes = b""  # SQLite: the database and WAL files after the close


async def fresh_database(template: str, folder: Path) -> Database:
    """A migrated, empty database: a copy of the SQLite template, or PostgreSQL's tables emptied
    (with their sequences restarted, so that both worlds number their rows alike)."""
    if template.startswith("postgresql"):
        database = Database(template)
        async with database.engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))
        return database
    path = folder / "votehall.db"
    await asyncio.to_thread(folder.mkdir)
    await asyncio.to_thread(shutil.copyfile, template, path)
    return Database(f"sqlite+aiosqlite:///{path}")


async def snapshot(hall: SecretHall, reader: Reader, database: Database) -> dict[str, Any]:
    seen: dict[str, Any] = {
        "get": await reader.every_get(),
        "stream": await reader.stream_event(),
        "tables": await table_rows(database),
    }
    if database.dialect == "sqlite":
        seen["pages"] = await sqlite_pages(database, Path(database.engine.url.database or ""))
    return seen


async def settled(display: Socket, members: int) -> None:
    """Wait until the hall screen's socket shows `members` votes: each vote is taken before the
    next. The socket, not a poll of /api/feed: /metrics counts every request, and a poll's count
    is timing that differs between the two worlds."""
    for _ in range(500):
        frames = [frame for frame in display.heard if isinstance(frame, dict)]
        if frames and ((frames[-1].get("ballot") or {}).get("voted") or {}).get("members") == members:
            break
        await asyncio.sleep(0.02)
    else:
        raise AssertionError(f"the hall screen never showed {members} votes")
    await asyncio.sleep(0.3)  # the feed's frames of this vote have gone out to the other sockets


async def run_world(picks: dict[str, int | str], database: Database, committee: CommitteeKeyFiles) -> World:
    world = World(secrets={code: new_secret() for code in VOTERS}, dialect=database.dialect)
    public = committee.public_path.read_text().split()[1]
    world.committee_key = {"public": public, "fingerprint": committee.fingerprint}
    seeded = await seed_meeting(
        database, MeetingCreate(title="ALV", date=date(2025, 6, 18)), members=MEMBERS, present=CODES
    )
    python_path = os.pathsep.join(filter(None, [str(LOUD_LOGGING), os.environ.get("PYTHONPATH")]))
    env = {**fan_out_env(), "PYTHONPATH": python_path}
    heard: list[bytes] = []  # the fan-out from the start, the committee's key included
    ready = asyncio.Event()
    listener = asyncio.create_task(listen(env["VOTEHALL_REDIS_CHANNEL"], heard, ready))
    await ready.wait()
    async with served(database, seeded, committee, env=env) as hall:
        display = Socket(f"{hall.server.ws}/ws/display")
        chair = Socket(f"{hall.server.ws}/ws/chair", {"type": "hello", "token": seeded.tokens[Role.CHAIR]})
        await display.start()
        await chair.start()
        kiosks = {code: Kiosk(*await hall.kiosk(code)) for code in CODES}

        ballot = await hall.secret_ballot(
            agenda="12", title="Voorzitter", candidates=[{"name": name} for name in CANDIDATES]
        )
        candidates = [c["id"] for c in (await hall.ballot(ballot))["candidates"]]
        world.ballot, world.candidates = ballot, candidates
        reader = Reader(
            hall.server.base,
            seeded.tokens,
            {"meeting_id": str(seeded.meeting_id), "ballot_id": str(ballot), "member_code": "GM0101"},
        )

        def choice(code: str) -> int | str:
            pick = picks[code]
            return pick if pick == ABSTAIN else candidates[int(pick)]

        acks: list[dict[str, Any]] = []

        async def cast(code: str, pick: int | str, vote_id: str, members: int | None) -> None:
            acks.append(await kiosks[code].vote(ballot, pick, vote_id, world.secrets[code]))
            assert (acks[-1]["type"], acks[-1]["choice"]) == ("ack", None), acks[-1]
            if members is not None:
                await settled(display, members)

        # Some votes, a change among them, then what an administrator reads during the ballot.
        await cast("GM0101", candidates[CEES], "v-0101-1", 1)
        await cast("GM0102", choice("GM0102"), "v-0102", 2)
        await cast("GM0103", choice("GM0103"), "v-0103", 3)
        await cast("GM0101", choice("GM0101"), "v-0101-2", 3)
        world.seen["during"] = await snapshot(hall, reader, database)
        for number, code in enumerate(("GM0104", "GM0105", "GM0106", "GM0107"), start=4):
            await cast(code, choice(code), f"v-{code[2:]}", number)
        await cast("GM0102", choice("GM0102"), "v-0102", 7)  # a resend: the same ack again
        # A handheld pairs a fresh code for a member who voted, and reads its welcome.
        async with hall.client() as client:
            desk = {"Authorization": f"Bearer {seeded.tokens[Role.DESK]}"}
            code = (
                await client.post(f"/api/passes/{seeded.pass_ids['GM0101']}/pairing", headers=desk)
            ).json()
            paired = await client.post("/api/kiosk/pair", json={"pairing_code": code["pairing_code"]})
        assert paired.status_code == 200, paired.text
        fresh, welcome = await hall.kiosk("GM0101", paired.json()["pass"])
        assert (welcome["vote"], welcome["voted"]) == (None, True), welcome
        await fresh.close()
        world.seen["welcome"] = welcome
        world.seen["voted"] = await snapshot(hall, reader, database)
        async with database.engine.connect() as connection:
            for statement in ("SELECT box FROM sealed_votes", "SELECT wrapped FROM ballot_keys"):
                world.sealed_bytes += [
                    bytes(b) for b in (await connection.execute(text(statement))).scalars()
                ]
        world.sealed_bytes += [secret_tag(s).encode() for s in world.secrets.values()]

        closed = await hall.post(f"/api/ballots/{ballot}/close")
        assert closed.status_code == 200, closed.text
        await asyncio.sleep(0.3)
        world.seen["closed"] = await snapshot(hall, reader, database)
        # A resend after the close: the ack again, without the choice (the handheld keeps its own).
        await cast("GM0103", choice("GM0103"), "v-0103", None)
        meeting = f"/api/meetings/{seeded.meeting_id}"
        for step in (f"/api/ballots/{ballot}/release", f"{meeting}/close", f"{meeting}/publish"):
            answer = await hall.post(step)
            assert answer.status_code == 200, answer.text
        await asyncio.sleep(0.3)
        world.seen["published"] = await snapshot(hall, reader, database)
        async with hall.client() as client:  # the published log, as anyone downloads it
            world.audit = (await client.get(f"{meeting}/audit")).text
        if database.dialect == "sqlite":
            path = Path(database.engine.url.database or "")
            world.files_after = await asyncio.to_thread(
                lambda: path.read_bytes() + Path(f"{path}-wal").read_bytes()
            )

        world.seen["acks"] = acks
        for kiosk in kiosks.values():
            await kiosk.close()
        for socket, name in ((display, "display"), (chair, "chair")):
            assert socket.task is not None
            socket.task.cancel()
            await asyncio.gather(socket.task, return_exceptions=True)
            world.seen[name] = collapsed(socket.heard)
        world.seen["kiosks"] = {code: collapsed(kiosk.heard) for code, kiosk in kiosks.items()}
        listener.cancel()
        await asyncio.gather(listener, return_exceptions=True)
        world.seen["redis"] = [json.loads(raw) for raw in heard]
        async with database.engine.connect() as connection:
            world.member_ids = {
                code: member
                for code, member in (
                    await connection.execute(text("SELECT cbs_code, member_id FROM meeting_members"))
                ).all()
            }
        assert hall.server.process is not None
        hall.server.process.terminate()
        await asyncio.to_thread(hall.server.process.wait, 15)
        world.log = hall.server.output()
    return world


def collapsed(frames: list[Any]) -> list[Any]:
    """Frames with a repeat of the one before left out: the feed sends a state, and whether a
    change of vote (which changes no public figure) sends it once more depends on timing."""
    kept: list[Any] = []
    for frame in frames:
        if not kept or kept[-1] != frame:
            kept.append(frame)
    return kept


@pytest.fixture
async def worlds(database_template: str, tmp_path: Path) -> AsyncIterator[dict[str, World]]:
    committee = write_committee_key(tmp_path / "committee")  # the committee's own, in both worlds
    ran: dict[str, World] = {}
    for name, picks in WORLDS.items():
        database = await fresh_database(database_template, tmp_path / f"world-{name}")
        try:
            ran[name] = await run_world(picks, database, committee)
        finally:
            await database.dispose()
    yield ran


async def test_an_administrator_cannot_tell_two_worlds_apart(
    worlds: dict[str, World], tmp_path: Path
) -> None:
    # Every route was read, or is out of scope with a reason; every socket was read.
    assert set(OUT_OF_SCOPE) <= set(get_routes())
    assert websocket_routes() == ["/ws/chair", "/ws/display", "/ws/kiosk"]
    for world in worlds.values():
        for state in ("during", "voted", "closed", "published"):
            read = world.seen[state]["get"]
            assert sorted(read) == sorted(set(get_routes()) - set(OUT_OF_SCOPE))
            assert all(seen["status"] < 500 for by in read.values() for seen in by.values())
        normalizers = {name: Normalizer() for name in worlds}
    seen = {
        name: normalizers[name](units_as_counts(comparable_places(world.seen)))
        for name, world in worlds.items()
    }
    assert differences(seen["A"], seen["B"]) == []
    lines = {name: log_lines(world.log) for name, world in worlds.items()}
    assert sorted((lines["A"] - lines["B"]).items()) == sorted((lines["B"] - lines["A"]).items()) == []

    # What was normalized away is fresh: no world has a value of the other, but the committee's
    # key (made once, for both) with its fingerprint, and two constants that match a pattern: the
    # chain's first `prev` (64 zeros) and the desk page's example of a pairing code.
    shared = {
        kind: set(normalizers["A"].fresh[kind]) & set(normalizers["B"].fresh[kind])
        for kind in normalizers["A"].fresh
        if kind != "time"
    }
    committee = worlds["A"].committee_key
    assert shared == {
        "hex": {committee["fingerprint"], "0" * 64}, "base64": {committee["public"]},
        "pairing": {"XXXXX-XXXXX"},
        **{kind: set() for kind in shared if kind not in ("hex", "base64", "pairing")},
    }  # fmt: skip
    for name, world in worlds.items():
        check_world(world, tmp_path / f"audit-{name}.ndjson")


def check_world(world: World, log_path: Path) -> None:
    """The direct checks of one world's observations."""
    weights = {m.code: m.population // 1000 for m in MEMBERS}
    names = CANDIDATES
    # No row or message names a voter beside a candidate (a choice, a candidate's name).
    for where, observation in world.seen.items():
        assert_no_link(observation, world, where)
    for code, messages in world.seen["kiosks"].items():  # a kiosk's messages are its member's
        assert_no_vote(messages, f"kiosk {code}")
    # The units' physical order is their receipts' order: each member's units scattered.
    for state in ("closed", "published"):
        units = world.seen[state]["tables"]["unit_ballots"]
        receipts = [row["receipt"] for row in units]
        assert receipts == sorted(set(receipts)) and len(receipts) == sum(weights[c] for c in VOTERS)
        owner = {
            r: code
            for code in VOTERS
            for r in unit_receipts(world.secrets[code], world.ballot, weights[code])
        }
        assert set(owner) == set(receipts)  # the test knows whose each unit is, from the secrets
        for code in VOTERS:
            places = [i for i, r in enumerate(receipts) if owner[r] == code]
            assert places[-1] - places[0] + 1 > len(places), f"{code}'s units lie in one block"
        ids = [row["id"] for row in units]
        assert ids == sorted(ids)  # ids too follow the receipts, not the members
    # No secret, no tag, no sealed byte and no choice in the server's log at DEBUG.
    log = world.log
    # The log is worth reading: it has the kiosks' frames and the statements (the units go in
    # through PostgreSQL's COPY, which its driver does not print).
    assert "DEBUG:" in log and "< TEXT <hidden>" in log and "INSERT INTO sealed_votes" in log
    assert "INSERT INTO unit_ballots" in log or world.dialect == "postgresql"
    for secret in world.secrets.values():
        assert secret not in log and secret_tag(secret) not in log
        assert secret not in json.dumps(world.seen)
    for line in log.splitlines():
        if any(code in line for code in VOTERS):
            assert not any(name in line for name in names), line
        assert not re.search(r"choice\W+(?:abstain|\d)", line), line
    assert not any(piece in world.files_after for piece in world.sealed_bytes)  # SQLite's files
    # Every log hash follows from the log's content: the chain verifies, and every member finds
    # all of its units with its secret.
    log_path.write_text(world.audit, encoding="utf-8")
    own = [f"--secret=VH1:{world.ballot}:{code}:{secret}" for code, secret in world.secrets.items()]
    out, err = io.StringIO(), io.StringIO()
    assert verify([str(log_path), *own], out=out, err=err) == 0, out.getvalue() + err.getvalue()


MEMBER_KEYS = ("member", "member_id", "code", "cbs_code", "member_code")
CHOICE_KEYS = ("choice", "vote", "candidate", "candidate_id", "elected", "pick")


def assert_no_link(value: Any, world: World, where: str) -> None:
    """No object that names a voter carries a choice or a candidate's name (JSON text in a
    column is read as JSON)."""
    if isinstance(value, str) and value[:1] in "{[":
        with contextlib.suppress(ValueError):
            value = json.loads(value)
    if isinstance(value, dict):
        voters = {*VOTERS, *(world.member_ids[c] for c in VOTERS)}
        if any(
            value.get(key) in voters for key in MEMBER_KEYS if not isinstance(value.get(key), dict | list)
        ):
            assert_no_choice(value, world, where)
        for item in value.values():
            assert_no_link(item, world, where)
    elif isinstance(value, list):
        for item in value:
            assert_no_link(item, world, where)
    elif isinstance(value, str):
        for line in value.splitlines():  # a CSV row, a page's line, a PDF's line
            if any(code in line for code in VOTERS):
                assert not any(name in line for name in CANDIDATES), (where, line)


def assert_no_vote(value: Any, where: str) -> None:
    """No `choice` or `vote` anywhere in `value` says one."""
    if isinstance(value, dict):
        for key in ("choice", "vote"):
            assert value.get(key) in (None, True, False, "sealed"), (where, value)
        value = list(value.values())
    if isinstance(value, list):
        for item in value:
            assert_no_vote(item, where)


def assert_no_choice(value: dict[str, Any], world: World, where: str) -> None:
    for key in CHOICE_KEYS:
        assert value.get(key) in (None, True, False, "sealed"), (where, value)
    text_ = json.dumps(value)
    assert not any(name in text_ for name in CANDIDATES), (where, value)
