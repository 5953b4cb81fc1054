"""Slow, idle and too many clients, and forwarded addresses (issue 13 items 4 and 5), each against
a real `votehall serve` over raw sockets, with the deadlines set short (README "Hostile input")."""

from __future__ import annotations

import asyncio
import json
import socket
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import websockets
import websockets.sync.client
from websockets.exceptions import ConnectionClosed, InvalidStatus

from server.db import Database
from server.limits.connections import CLOSE_TOO_MANY
from tests.servers import REDIS_URL, ServerProcess, require_redis

WAIT = 10.0  # seconds: a liveness bound, never a performance claim


def assert_too_many(closed: ConnectionClosed) -> None:
    """The socket was closed as one over the per-address limit: 4429, with the reason."""
    assert closed.rcvd is not None
    assert (closed.rcvd.code, closed.rcvd.reason) == (
        CLOSE_TOO_MANY,
        "too many connections from your address",
    )


SHORT = {"VOTEHALL_HEADER_TIMEOUT": "1", "VOTEHALL_BODY_TIMEOUT": "1", "VOTEHALL_KEEPALIVE_TIMEOUT": "1"}


@contextmanager
def serving(tmp_path: Path, **env: str) -> Iterator[ServerProcess]:
    """A server on a fresh SQLite database (`serve` migrates it), with these settings."""
    server = ServerProcess(f"sqlite+aiosqlite:///{tmp_path / 'slow.db'}", env=env)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def connect(port: int, source: str = "127.0.0.1") -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((source, 0))
    sock.connect(("127.0.0.1", port))
    sock.settimeout(WAIT)
    return sock


def closed_by_server(sock: socket.socket) -> bytes:
    """What the server sent before it closed the connection; fails if it is still open after WAIT."""
    received = bytearray()
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        except TimeoutError:
            raise AssertionError(f"the server held the connection for {WAIT:g} s") from None
        if not chunk:
            break
        received += chunk
    sock.close()
    return bytes(received)


def dribble(sock: socket.socket, data: bytes, every: float) -> bool:
    """Send `data` a byte at a time; True when the server closed the connection before the end."""
    for byte in data:
        try:
            sock.sendall(bytes([byte]))
        except OSError:
            return True
        time.sleep(every)
    return False


# Slow and idle clients


def test_a_silent_and_a_dribbling_client_are_closed(tmp_path: Path) -> None:
    with serving(tmp_path, **SHORT) as server:
        silent = connect(server.port)
        slow = connect(server.port)
        header = b"GET /api/feed HTTP/1.1\r\nHost: votehall\r\nUser-Agent: " + b"s" * 200 + b"\r\n\r\n"
        # A byte every 50 ms would take 12 s for the whole header: closed after about one.
        assert dribble(slow, header, every=0.05), "the dribbling client was never closed"
        assert closed_by_server(silent) == b""
        closed_by_server(slow)
        # An honest request on a fresh connection is answered as ever.
        assert httpx.get(f"{server.base}/api/feed", timeout=WAIT).status_code == 200
        assert "Traceback" not in server.output()


def test_a_slow_body_is_closed(tmp_path: Path) -> None:
    with serving(tmp_path, **SHORT) as server:
        slow = connect(server.port)
        slow.sendall(
            b"POST /api/kiosk/pair HTTP/1.1\r\nHost: votehall\r\nContent-Type: application/json\r\n"
            b"Content-Length: 400\r\n\r\n{"
        )
        assert dribble(slow, b'"pairing_code": "' + b"x" * 300 + b'"}', every=0.05)
        closed_by_server(slow)
        assert "Traceback" not in server.output()


def test_an_idle_keep_alive_connection_is_closed(tmp_path: Path) -> None:
    request = b"GET /api/feed HTTP/1.1\r\nHost: votehall\r\n\r\n"
    with serving(tmp_path, **SHORT) as server:
        idle = connect(server.port)
        idle.sendall(request)
        answer = closed_by_server(idle)  # the answer, then nothing more: closed while idle
        assert answer.startswith(b"HTTP/1.1 200 OK"), answer[:200]
        assert answer.lower().count(b"http/1.1 200") == 1 and b"connection: close" not in answer.lower()
        # One that starts its next request and then dribbles it is closed too (the keep-alive
        # timer stops at the first byte; the header deadline starts there).
        slow = connect(server.port)
        slow.sendall(request)
        assert slow.recv(65536).startswith(b"HTTP/1.1 200 OK")
        assert dribble(slow, request.replace(b"Host", b"X-Padding: " + b"p" * 200 + b"\r\nHost"), every=0.05)
        closed_by_server(slow)


async def test_a_websocket_outlives_the_deadlines(tmp_path: Path) -> None:
    with serving(tmp_path, **SHORT) as server:
        async with websockets.connect(f"{server.ws}/ws/display") as display:
            first = json.loads(await asyncio.wait_for(display.recv(), WAIT))
            await asyncio.sleep(3)  # three times every deadline
            await display.ping()
            assert "version" in first
            pong = await display.ping()
            await asyncio.wait_for(pong, WAIT)


# Connections per address, on every route


def test_connections_per_address_on_plain_http(tmp_path: Path) -> None:
    env = {"VOTEHALL_MAX_CONNECTIONS_PER_ADDRESS": "3", "VOTEHALL_HEADER_TIMEOUT": "60"}
    with serving(tmp_path, **env) as server:
        held = [connect(server.port) for _ in range(3)]  # three that say nothing
        try:
            time.sleep(0.2)
            refused = closed_by_server(connect(server.port))  # answered before it says anything
            assert refused.startswith(b"HTTP/1.1 429 "), refused
            assert json.loads(refused.split(b"\r\n\r\n", 1)[1]) == {
                "error": "too_many_connections",
                "detail": "too many connections from your address",
            }
            for _ in range(3):  # a request and a WebSocket handshake read the same answer
                answer = httpx.get(f"{server.base}/api/feed", timeout=WAIT)
                assert (answer.status_code, answer.json()["error"]) == (429, "too_many_connections")
                with pytest.raises(InvalidStatus) as handshake:
                    websockets.sync.client.connect(f"{server.ws}/ws/kiosk", open_timeout=WAIT)
                assert handshake.value.response.status_code == 429
            # Another address has its own slots.
            other = connect(server.port, source="127.0.0.2")
            other.sendall(b"GET /api/feed HTTP/1.1\r\nHost: votehall\r\nConnection: close\r\n\r\n")
            assert closed_by_server(other).startswith(b"HTTP/1.1 200 OK")
            # A connection that ends gives its place back.
            held.pop().close()
            time.sleep(0.2)
            assert httpx.get(f"{server.base}/api/feed", timeout=WAIT).status_code == 200
            assert "Traceback" not in server.output()
        finally:
            for sock in held:
                sock.close()


async def test_live_connections_per_forwarded_address(tmp_path: Path) -> None:
    """Behind a trusted proxy the socket's address is the proxy's, not counted; the app counts
    each forwarded address and closes the one over the limit with 4429."""
    env = {"VOTEHALL_MAX_CONNECTIONS_PER_ADDRESS": "2", "VOTEHALL_TRUSTED_PROXIES": "127.0.0.1"}

    def forwarded(address: str) -> dict[str, str]:
        return {"X-Forwarded-For": address}

    with serving(tmp_path, **env) as server:
        url = f"{server.ws}/ws/display"
        first = [
            await websockets.connect(url, additional_headers=forwarded("198.51.100.1")) for _ in range(2)
        ]
        for display in first:
            assert "version" in json.loads(await asyncio.wait_for(display.recv(), WAIT))
        async with websockets.connect(url, additional_headers=forwarded("198.51.100.1")) as refused:
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(refused.recv(), WAIT)
        assert_too_many(closed.value)
        async with httpx.AsyncClient(base_url=server.base, headers=forwarded("198.51.100.1")) as client:
            stream = await client.get("/api/feed")
            assert (stream.status_code, stream.json()["error"]) == (429, "too_many_connections")
        async with websockets.connect(url, additional_headers=forwarded("198.51.100.2")) as other:
            assert "version" in json.loads(await asyncio.wait_for(other.recv(), WAIT))
        for display in first:
            await display.close()


async def test_kiosk_sockets_take_the_same_slots_per_forwarded_address(tmp_path: Path) -> None:
    """`/ws/kiosk` is answered ahead of the middleware (issue 16): it counts against the same
    slots itself, refuses the socket over the limit with 4429, and gives its slot back."""
    env = {"VOTEHALL_MAX_CONNECTIONS_PER_ADDRESS": "2", "VOTEHALL_TRUSTED_PROXIES": "127.0.0.1"}
    client = {"X-Forwarded-For": "198.51.100.7"}
    with serving(tmp_path, **env) as server:
        kiosk_url = f"{server.ws}/ws/kiosk"
        display = await websockets.connect(f"{server.ws}/ws/display", additional_headers=client)
        assert "version" in json.loads(await asyncio.wait_for(display.recv(), WAIT))
        kiosk = await websockets.connect(kiosk_url, additional_headers=client)  # the second slot
        async with websockets.connect(kiosk_url, additional_headers=client) as refused:
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(refused.recv(), WAIT)
        assert_too_many(closed.value)
        await kiosk.close()
        await asyncio.sleep(0.3)
        # Its slot is free again: a new kiosk socket is admitted and gets to say hello (a pass
        # the server does not know is closed with 4401, not 4429).
        async with websockets.connect(kiosk_url, additional_headers=client) as again:
            await again.send(json.dumps({"type": "hello", "pass": "vhp_" + "x" * 40}))
            with pytest.raises(ConnectionClosed) as unknown:
                await asyncio.wait_for(again.recv(), WAIT)
        assert unknown.value.rcvd is not None and unknown.value.rcvd.code == 4401
        await display.close()


# Forwarded addresses


def wrong_pairings(server: ServerProcess, count: int, forged: bool) -> list[int]:
    """Status codes of `count` wrong pairing codes, each naming another client address in
    X-Forwarded-For when `forged`."""
    statuses = []
    with httpx.Client(base_url=server.base, timeout=WAIT) as client:
        for n in range(count):
            headers = {"X-Forwarded-For": f"203.0.113.{n + 1}"} if forged else {}
            response = client.post("/api/kiosk/pair", json={"pairing_code": "WRONG-0000"}, headers=headers)
            statuses.append(response.status_code)
    return statuses


def test_forwarded_for_from_an_untrusted_peer_is_ignored(tmp_path: Path) -> None:
    """The pairing route blocks an address after 30 wrong codes; a client that names another
    address in each request is still one address."""
    with serving(tmp_path) as server:
        statuses = wrong_pairings(server, 32, forged=True)
        assert statuses[:30] == [404] * 30 and statuses[30:] == [429, 429], statuses
        assert "203.0.113." not in server.output()  # nor in the access log


def test_forwarded_for_from_a_trusted_proxy_is_honoured(tmp_path: Path) -> None:
    with serving(tmp_path, VOTEHALL_TRUSTED_PROXIES="127.0.0.1") as server:
        assert wrong_pairings(server, 32, forged=True) == [404] * 32  # 32 addresses, one try each
        assert "203.0.113.32:0" in server.output()  # the access log names the client, not the proxy
        # Without the header the proxy's own requests count as one address.
        statuses = wrong_pairings(server, 31, forged=False)
        assert statuses[:30] == [404] * 30 and statuses[30] == 429, statuses


# Under --workers N each worker process builds the protocol from the same options


@pytest.mark.parametrize("database_template", ["postgresql"], indirect=True)
async def test_serve_with_workers_closes_slow_clients(database: Database) -> None:
    await require_redis()
    env = {
        **SHORT,
        "VOTEHALL_MAX_CONNECTIONS_PER_ADDRESS": "2",
        "VOTEHALL_REDIS_URL": REDIS_URL,
        "VOTEHALL_REDIS_CHANNEL": f"votehall-test-{uuid.uuid4().hex}",
    }
    server = ServerProcess(database.url, env=env, args=("--workers", "2"))
    await asyncio.to_thread(server.start)
    try:
        # Each worker counts its own connections: two workers take at most four from one address.
        sockets = [connect(server.port) for _ in range(5)]
        seen = await asyncio.gather(*(asyncio.to_thread(closed_by_server, sock) for sock in sockets))
        assert sorted(answer.startswith(b"HTTP/1.1 429 ") for answer in seen).count(False) <= 4
        assert b"" in seen  # the silent ones were closed, by whichever worker held them
        async with websockets.connect(f"{server.ws}/ws/display") as display:
            assert "version" in json.loads(await asyncio.wait_for(display.recv(), WAIT))
            await asyncio.sleep(2)  # the deadlines do not cut an upgraded socket in a worker either
            await asyncio.wait_for(await display.ping(), WAIT)
    finally:
        await asyncio.to_thread(server.stop)
