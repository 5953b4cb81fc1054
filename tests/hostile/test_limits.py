"""The limits against hostile clients (README "Hostile input"), each against a real server:
request body size, live connections per address, the kiosk's message rate, and a reader that
never reads on the event stream and the display socket."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import date
from ipaddress import ip_network
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from websockets.exceptions import ConnectionClosed, InvalidStatus

from server.auth.roles import Role
from server.ballots.schemas import BallotCreate
from server.db import Database
from server.limits.connections import AddressCount, networks
from server.meetings.schemas import MeetingCreate
from server.rules import BallotKind
from server.seed import seed_meeting
from tests.hostile.conftest import HONEST, HOSTILE
from tests.live.conftest import MEMBERS, Hall
from tests.servers import ServerProcess

WAIT = 10.0  # seconds: a liveness bound, never a performance claim


@contextmanager
def serving(tmp_path: Path, **env: str) -> Iterator[ServerProcess]:
    """A server on a fresh SQLite database (`serve` migrates it), with these settings."""
    server = ServerProcess(f"sqlite+aiosqlite:///{tmp_path / 'limits.db'}", env=env)
    server.start()
    try:
        yield server
    finally:
        server.stop()


# Request bodies


def test_body_limits(tmp_path: Path) -> None:
    env = {
        "VOTEHALL_MAX_BODY_BYTES": "1024",
        "VOTEHALL_MAX_IMPORT_BYTES": "4096",
        "VOTEHALL_ADMIN_TOKEN": "a" * 32,
    }
    with serving(tmp_path, **env) as server, httpx.Client(base_url=server.base, timeout=WAIT) as client:
        admin = {"Authorization": f"Bearer {'a' * 32}"}
        small = client.post("/api/meetings", json={"title": "ALV", "date": "2025-06-18"}, headers=admin)
        assert small.status_code == 201, small.text

        declared = client.post("/api/meetings", content=b"x" * 2000, headers=admin)
        assert (declared.status_code, declared.json()["error"]) == (413, "body_too_large")
        assert declared.headers["connection"] == "close"

        def chunks() -> Iterator[bytes]:  # no Content-Length: chunked, counted as it comes
            for _ in range(40):
                yield b"x" * 100

        streamed = client.post("/api/meetings", content=chunks(), headers=admin)
        assert "content-length" not in streamed.request.headers
        assert (streamed.status_code, streamed.json()) == (
            413,
            {"error": "body_too_large", "detail": "the request body is larger than 1024 bytes"},
        )
        # The imports take larger files: 3,000 bytes reach the parser, 5,000 do not.
        csv = "cbs_code,name,population\n" + "GM0014,Groningen,243768\n" * 120
        assert 1024 < len(csv) < 4096
        imported = client.post(
            "/api/members/import", content=csv, headers=admin | {"content-type": "text/csv"}
        )
        assert imported.status_code == 422 and imported.json()["error"] == "invalid_register", imported.text
        big = client.post(
            "/api/members/import", content=csv * 2, headers=admin | {"content-type": "text/csv"}
        )
        assert (big.status_code, big.json()["error"]) == (413, "body_too_large")
        assert client.get("/api/feed").status_code == 200
        assert "Traceback" not in server.output()


# Connections per address


def test_address_count() -> None:
    count = AddressCount(2, networks("127.0.0.0/8, ::1"))
    assert (
        not count.counted("127.0.0.1") and not count.counted("::1") and not count.counted("::ffff:127.0.0.5")
    )
    assert count.counted("192.0.2.7") and count.counted("2001:db8::1")
    with (
        count.hold("192.0.2.7") as first,
        count.hold("192.0.2.7") as second,
        count.hold("192.0.2.7") as third,
    ):
        assert (first, second, third) == (True, True, False)
        with count.hold("192.0.2.8") as other, count.hold("127.0.0.1") as loopback:
            assert other and loopback
    assert count.open == {}
    assert networks("") == () and networks(" 10.0.0.0/8 ,::1") == (
        ip_network("10.0.0.0/8"),
        ip_network("::1"),
    )
    assert not AddressCount(0).counted("192.0.2.7")  # 0: no limit


async def test_connections_per_address(tmp_path: Path) -> None:
    """Direct clients are counted on the socket, every route together: over the cap the
    WebSocket handshake is answered 429 (tests/hostile/test_slow_clients.py has the plain HTTP
    routes, and 4429 for addresses a trusted proxy forwards)."""
    env = {"VOTEHALL_MAX_CONNECTIONS_PER_ADDRESS": "3"}
    with serving(tmp_path, **env) as server:
        displays = [await websockets.connect(f"{server.ws}/ws/display") for _ in range(2)]
        kiosk = await websockets.connect(f"{server.ws}/ws/kiosk")
        for display in displays:
            assert "version" in json.loads(await asyncio.wait_for(display.recv(), WAIT))
        for path in ("/ws/display", "/ws/kiosk", "/ws/chair"):
            with pytest.raises(InvalidStatus) as refused:
                await websockets.connect(f"{server.ws}{path}", open_timeout=WAIT)
            assert refused.value.response.status_code == 429
            assert json.loads(refused.value.response.body or b"") == {
                "error": "too_many_connections",
                "detail": "too many connections from your address",
            }
        async with httpx.AsyncClient(base_url=server.base) as client:
            stream = await client.get("/api/feed/stream")  # answered before it is read
            assert (stream.status_code, stream.json()["error"]) == (429, "too_many_connections")
        # A connection that ends gives its place back.
        await kiosk.close()
        await asyncio.sleep(0.2)
        again = await websockets.connect(f"{server.ws}/ws/display")
        assert "version" in json.loads(await asyncio.wait_for(again.recv(), WAIT))
        for connection in [*displays, again]:
            await connection.close()


# The kiosk's message rate, at its defaults (5 a second, bursts of 20)


async def test_kiosk_message_rate(hall: Hall) -> None:
    ballot = hall.seeded.ballot_ids[0]
    await hall.action(ballot, "open")
    server = hall.server
    flooder = await websockets.connect(f"{server.ws}/ws/kiosk")
    await flooder.send(json.dumps({"type": "hello", "pass": hall.seeded.passes[HOSTILE]}))
    assert json.loads(await flooder.recv())["type"] == "welcome"
    started = time.monotonic()
    for _ in range(40):
        await flooder.send("{}")
    answers = [json.loads(await asyncio.wait_for(flooder.recv(), WAIT))["code"] for _ in range(40)]
    elapsed = time.monotonic() - started
    # The burst of 20 passes (each gets its own error), plus what 5 a second refill meanwhile.
    assert answers.count("bad_message") <= 20 + 5 * elapsed + 1
    assert answers.count("rate_limited") >= 40 - 20 - 5 * elapsed - 1
    assert answers[:20] == ["bad_message"] * 20
    await asyncio.sleep(0.5)  # two tokens come back
    await flooder.send("{}")
    assert json.loads(await asyncio.wait_for(flooder.recv(), WAIT))["code"] == "bad_message"

    # A kiosk beside the flood votes as ever; the flood, 200 refusals in a row, is closed 1008.
    honest = await websockets.connect(f"{server.ws}/ws/kiosk")
    await honest.send(json.dumps({"type": "hello", "pass": hall.seeded.passes[HONEST]}))
    assert json.loads(await honest.recv())["type"] == "welcome"
    for _ in range(260):
        await flooder.send("{}")
    vote = {"type": "vote", "ballot": ballot, "choice": "for", "vote_id": "beside-the-flood"}
    await honest.send(json.dumps(vote))
    assert json.loads(await asyncio.wait_for(honest.recv(), WAIT))["type"] == "ack"
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            await asyncio.wait_for(flooder.recv(), WAIT)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
    await honest.close()
    assert "Traceback" not in server.output()


# A reader that never reads


def raw_client(port: int, request: bytes) -> socket.socket:
    """A socket with a small receive buffer that sends `request` and then reads nothing."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connect: a small window
    sock.connect(("127.0.0.1", port))
    sock.sendall(request)
    return sock


def read_all(sock: socket.socket, until: bytes | None = None) -> bytes:
    """Everything the server sends until it closes, `until` appears, or nothing comes for 5 s."""
    sock.settimeout(5)
    received = bytearray()
    while until is None or until not in received:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            break
        if not chunk:
            break
        received += chunk
    return bytes(received)


@pytest.fixture
async def big_feed(database: Database) -> AsyncIterator[tuple[ServerProcess, dict[Role, str], list[int]]]:
    """A meeting with 200 drafts of long titles: each decision by acclamation is a new snapshot,
    and the decisions make the snapshots up to 100 KB, 12 MB in all: more than the kernel buffers
    for a socket that is not read (up to 4 MB here, net.ipv4.tcp_wmem) and the server's own."""
    ballots = [
        BallotCreate(
            agenda=str(n), title=f"{n} " + "Voorstel over de lange titel " * 16, kind=BallotKind.VOORSTEL
        )
        for n in range(200)
    ]
    seeded = await seed_meeting(database, MeetingCreate(title="ALV", date=date(2025, 6, 18)), members=MEMBERS,
                                ballots=ballots)  # fmt: skip
    server = ServerProcess(database.url)
    server.start()
    try:
        yield server, seeded.tokens, seeded.ballot_ids
    finally:
        server.stop()


async def decide_all(server: ServerProcess, token: str, ballots: list[int], seen: Any) -> None:
    """Decide each ballot by acclamation; after each, `seen(ballot)` must see it promptly."""
    async with httpx.AsyncClient(base_url=server.base, headers={"Authorization": f"Bearer {token}"}) as chair:
        for ballot in ballots:
            response = await chair.post(f"/api/ballots/{ballot}/acclamation")
            assert response.status_code == 200, response.text
            await asyncio.wait_for(seen(ballot), WAIT)


def decided(snapshot: dict[str, Any]) -> set[int]:
    return {decision["ballot"] for decision in snapshot["decisions"]}


async def test_slow_reader_on_the_event_stream(
    big_feed: tuple[ServerProcess, dict[Role, str], list[int]],
) -> None:
    server, tokens, ballots = big_feed
    slow = raw_client(server.port, b"GET /api/feed/stream HTTP/1.1\r\nHost: votehall\r\n\r\n")
    snapshots: list[dict[str, Any]] = []
    async with (
        httpx.AsyncClient(base_url=server.base, timeout=None) as client,
        client.stream("GET", "/api/feed/stream") as stream,
    ):
        lines = stream.aiter_lines()

        async def seen(ballot: int) -> None:
            while not snapshots or ballot not in decided(snapshots[-1]):
                line = await anext(lines)
                if line.startswith("data: "):
                    snapshots.append(json.loads(line.removeprefix("data: ")))

        await decide_all(server, tokens[Role.CHAIR], ballots, seen)
    # The reader that kept up saw every decision, one new snapshot each, versions only growing.
    assert decided(snapshots[-1]) == set(ballots)
    versions = [snapshot["version"] for snapshot in snapshots]
    assert versions == sorted(set(versions)) and len(snapshots) >= len(ballots)
    # The one that never read was dropped, not fed: what the server still had for it is a few
    # snapshots in the socket's buffers, then the end of the stream (the chunked terminator).
    received = await asyncio.to_thread(read_all, slow, b"\r\n0\r\n\r\n")
    slow.close()
    assert received.endswith(b"\r\n0\r\n\r\n"), received[-200:]
    assert received.count(b"event: snapshot") < len(ballots)
    assert "Traceback" not in server.output()


async def test_slow_reader_on_the_display_socket(
    big_feed: tuple[ServerProcess, dict[Role, str], list[int]],
) -> None:
    server, tokens, ballots = big_feed
    key = base64.b64encode(os.urandom(16))
    slow = raw_client(
        server.port,
        b"GET /ws/display HTTP/1.1\r\nHost: votehall\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: " + key + b"\r\nSec-WebSocket-Version: 13\r\n\r\n",
    )
    display = await websockets.connect(f"{server.ws}/ws/display", max_size=None)
    latest: list[dict[str, Any]] = [json.loads(await display.recv())]

    async def seen(ballot: int) -> None:
        while ballot not in decided(latest[-1]):
            latest.append(json.loads(await display.recv()))

    await decide_all(server, tokens[Role.CHAIR], ballots, seen)
    await display.close()
    assert decided(latest[-1]) == set(ballots)
    received = await asyncio.to_thread(read_all, slow, b"reconnect for the latest snapshot")
    slow.close()
    frames = ws_frames(received.split(b"\r\n\r\n", 1)[1])
    texts = [payload for opcode, payload in frames if opcode == 1]
    assert frames[-1][0] == 8, frames[-1]  # a close frame: 1013, try again later
    assert int.from_bytes(frames[-1][1][:2], "big") == 1013
    assert len(texts) < len(ballots)
    assert "Traceback" not in server.output()


def ws_frames(data: bytes) -> list[tuple[int, bytes]]:
    """Unmasked server frames as (opcode, payload); a cut-off last frame is left out."""
    frames: list[tuple[int, bytes]] = []
    at = 0
    while at + 2 <= len(data):
        opcode, length = data[at] & 0x0F, data[at + 1] & 0x7F
        at += 2
        if length == 126:
            length, at = int.from_bytes(data[at : at + 2], "big"), at + 2
        elif length == 127:
            length, at = int.from_bytes(data[at : at + 8], "big"), at + 8
        if at + length > len(data):
            break
        frames.append((opcode, data[at : at + length]))
        at += length
    return frames
