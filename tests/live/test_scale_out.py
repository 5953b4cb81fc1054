"""Several server processes on one PostgreSQL and Redis (SPEC 5 "Scale out", issue 6 item 1):
votes go in through either process, both displays show the same tally and decisions; with Redis
cut, votes are still acked, and the displays catch up from the database when Redis is back."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import websockets
from websockets.asyncio.client import ClientConnection

from server.auth.roles import Role
from server.config import Settings
from server.db import Database
from server.seed import Seeded
from tests.live.conftest import seed_hall
from tests.servers import ServerProcess, require_redis

# Several processes share PostgreSQL; on SQLite one process serves (serve --workers refuses).
on_postgresql = pytest.mark.parametrize("database_template", ["postgresql"], indirect=True)

WEIGHTS = {"GM0001": 75, "GM0002": 42, "GM0003": 1, "GM0004": 75}


class Proxy:
    """A TCP proxy in front of Redis that a test can cut and restore (Redis itself is shared)."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.close()
        await self._server.wait_closed()
        self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self._writers |= {writer, up_writer}

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                sink.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self._writers -= {writer, up_writer}


@pytest.fixture
async def redis_proxy() -> AsyncIterator[Proxy]:
    pool = await require_redis()
    proxy = Proxy(pool.get("host", "127.0.0.1"), pool.get("port", 6379))
    await proxy.start()
    yield proxy
    if proxy._server is not None:
        await proxy.cut()


@pytest.fixture
async def two_servers(
    database: Database, redis_proxy: Proxy
) -> AsyncIterator[tuple[ServerProcess, ServerProcess, Seeded]]:
    seeded, _ = await seed_hall(database)
    env = {
        "VOTEHALL_REDIS_URL": f"redis://127.0.0.1:{redis_proxy.port}/0",
        "VOTEHALL_REDIS_CHANNEL": f"votehall-test-{uuid.uuid4().hex}",
    }
    servers = (ServerProcess(database.url, env=env), ServerProcess(database.url, env=env))
    for server in servers:
        server.start()
    try:
        yield servers[0], servers[1], seeded
    finally:
        for server in servers:
            server.stop()


async def kiosk(server: ServerProcess, token: str) -> ClientConnection:
    connection = await websockets.connect(f"{server.ws}/ws/kiosk")
    await connection.send(json.dumps({"type": "hello", "pass": token}))
    assert json.loads(await connection.recv())["type"] == "welcome"
    return connection


async def vote(connection: ClientConnection, ballot: int, choice: str | int, vote_id: str) -> dict[str, Any]:
    await connection.send(
        json.dumps({"type": "vote", "ballot": ballot, "choice": choice, "vote_id": vote_id})
    )
    while True:
        frame: dict[str, Any] = json.loads(await asyncio.wait_for(connection.recv(), 10))
        if frame.get("vote_id") == vote_id:
            assert frame["type"] == "ack", frame
            return frame


async def feeds_until(
    servers: tuple[ServerProcess, ...],
    check: Callable[[list[dict[str, Any]]], bool],
    within: float = 15,
) -> list[dict[str, Any]]:
    """Every server's feed, once they satisfy `check` (or the last ones seen, for the message)."""
    deadline = asyncio.get_running_loop().time() + within
    async with httpx.AsyncClient(timeout=5) as client:
        while True:
            feeds = [(await client.get(f"{server.base}/api/feed")).json() for server in servers]
            if check(feeds) or asyncio.get_running_loop().time() > deadline:
                return feeds
            await asyncio.sleep(0.1)


def every(check: Callable[[dict[str, Any]], bool]) -> Callable[[list[dict[str, Any]]], bool]:
    return lambda feeds: all(check(feed) for feed in feeds)


def alike(check: Callable[[dict[str, Any]], bool]) -> Callable[[list[dict[str, Any]]], bool]:
    """Every feed passes `check`, and all of them are the same snapshot, version included."""
    return lambda feeds: all(check(feed) for feed in feeds) and all(feed == feeds[0] for feed in feeds)


def tally_of(ledger: dict[str, str]) -> dict[str, int]:
    sums = {"for": 0, "against": 0, "abstain": 0}
    for code, choice in ledger.items():
        sums[choice] += WEIGHTS[code]
    return sums


def shows(ballot: int, ledger: dict[str, str]) -> Callable[[dict[str, Any]], bool]:
    def check(feed: dict[str, Any]) -> bool:
        shown = feed.get("ballot") or {}
        tally = shown.get("tally") or {}
        return (
            shown.get("id") == ballot
            and shown.get("voted", {}).get("members") == len(ledger)
            and {k: tally.get(k) for k in ("for", "against", "abstain")} == tally_of(ledger)
        )

    return check


async def chair(server: ServerProcess, seeded: Seeded, ballot: int, action: str) -> None:
    headers = {"Authorization": f"Bearer {seeded.tokens[Role.CHAIR]}"}
    async with httpx.AsyncClient(base_url=server.base, timeout=10) as client:
        response = await client.post(f"/api/ballots/{ballot}/{action}", headers=headers)
    assert response.status_code == 200, response.text


@on_postgresql
async def test_votes_through_either_process_reach_both_displays(
    two_servers: tuple[ServerProcess, ServerProcess, Seeded],
) -> None:
    a, b, seeded = two_servers
    shown = seeded.ballot_ids[2]  # shows its running tally on the public feed
    first = seeded.ballot_ids[0]
    kiosks = {
        "GM0001": await kiosk(a, seeded.passes["GM0001"]),
        "GM0002": await kiosk(a, seeded.passes["GM0002"]),
        "GM0003": await kiosk(b, seeded.passes["GM0003"]),
        "GM0004": await kiosk(b, seeded.passes["GM0004"]),
    }
    await chair(a, seeded, shown, "open")
    await feeds_until((a, b), every(lambda feed: (feed.get("ballot") or {}).get("status") == "open"))
    # Both processes commit at once: their fan-out messages cross on the way.
    ledger = {"GM0001": "for", "GM0002": "against", "GM0003": "abstain", "GM0004": "for"}
    await asyncio.gather(*(vote(kiosks[code], shown, choice, f"{code}-1") for code, choice in ledger.items()))
    # GM0001's handheld loses its connection to A, comes back through B, and changes its vote.
    await kiosks["GM0001"].close()
    kiosks["GM0001"] = await kiosk(b, seeded.passes["GM0001"])
    await vote(kiosks["GM0001"], shown, "against", "GM0001-2")
    ledger["GM0001"] = "against"
    feeds = await feeds_until((a, b), alike(shows(shown, ledger)))
    assert all(shows(shown, ledger)(feed) for feed in feeds), feeds
    # The same state has the same version on every process (it is the log position).
    assert feeds[0] == feeds[1], feeds
    await chair(b, seeded, shown, "close")

    await chair(b, seeded, first, "open")
    ledger = {}
    for code, choice in [("GM0001", "for"), ("GM0002", "for"), ("GM0003", "against"), ("GM0004", "against")]:
        await vote(kiosks[code], first, choice, f"{code}-first")
        ledger[code] = choice
    await chair(a, seeded, first, "close")
    feeds = await feeds_until(
        (a, b), alike(lambda feed: any(d["ballot"] == first for d in feed["decisions"]))
    )
    assert feeds[0] == feeds[1], feeds
    decision = next(d for d in feeds[0]["decisions"] if d["ballot"] == first)
    assert (decision["outcome"], decision["percent_for"]) == ("adopted", "60.62")  # 117 of 193
    assert feeds[0]["present"] == feeds[1]["present"]
    for connection in kiosks.values():
        await connection.close()


@on_postgresql
async def test_with_redis_cut_votes_are_acked_and_the_displays_catch_up(
    two_servers: tuple[ServerProcess, ServerProcess, Seeded], redis_proxy: Proxy
) -> None:
    a, b, seeded = two_servers
    shown = seeded.ballot_ids[2]
    on_a = await kiosk(a, seeded.passes["GM0001"])
    on_b = await kiosk(b, seeded.passes["GM0004"])
    await chair(a, seeded, shown, "open")
    await feeds_until((a, b), every(lambda feed: (feed.get("ballot") or {}).get("status") == "open"))

    await redis_proxy.cut()
    ack_a = await vote(on_a, shown, "for", "down-a")  # acked with Redis away: PostgreSQL is the truth
    ack_b = await vote(on_b, shown, "against", "down-b")
    assert ack_a["receipt"] and ack_b["receipt"]
    ledger = {"GM0001": "for", "GM0004": "against"}

    await redis_proxy.start()  # Redis is back: both rebuild from the database
    feeds = await feeds_until((a, b), alike(shows(shown, ledger)), within=30)
    assert all(shows(shown, ledger)(feed) for feed in feeds), feeds
    assert feeds[0] == feeds[1], feeds
    # And the fan-out works again after the catch-up.
    await vote(on_b, shown, "abstain", "after-b")
    ledger["GM0004"] = "abstain"
    feeds = await feeds_until((a, b), alike(shows(shown, ledger)))
    assert feeds[0] == feeds[1], feeds
    await on_a.close()
    await on_b.close()


async def welcomed(server: ServerProcess, token: str) -> tuple[ClientConnection, dict[str, Any]]:
    connection = await websockets.connect(f"{server.ws}/ws/kiosk")
    await connection.send(json.dumps({"type": "hello", "pass": token}))
    welcome: dict[str, Any] = json.loads(await asyncio.wait_for(connection.recv(), 10))
    assert welcome["type"] == "welcome", welcome
    return connection, welcome


async def close_code(connection: ClientConnection, within: float = 10) -> int | None:
    """The code the server closed `connection` with (None when it stays open `within` s)."""
    try:
        while True:
            await asyncio.wait_for(connection.recv(), within)
    except websockets.ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None
    except TimeoutError:
        return None


@on_postgresql
async def test_a_hello_on_another_process_closes_the_older_connection(
    two_servers: tuple[ServerProcess, ServerProcess, Seeded],
) -> None:
    """SPEC 4.2 item 5 across processes: the hello reaches the other process through the
    fan-out, which closes its connection of the pass with 4409; the newer welcome shows the
    vote made on the older connection."""
    a, b, seeded = two_servers
    shown = seeded.ballot_ids[0]
    await chair(a, seeded, shown, "open")
    await feeds_until((a, b), every(lambda feed: (feed.get("ballot") or {}).get("status") == "open"))
    on_a, _ = await welcomed(a, seeded.passes["GM0002"])
    await vote(on_a, shown, "for", "x-1")
    on_b, welcome = await welcomed(b, seeded.passes["GM0002"])
    assert welcome["vote"] == "for"
    assert await close_code(on_a) == 4409
    await vote(on_b, shown, "against", "x-2")
    back_on_a, welcome = await welcomed(a, seeded.passes["GM0002"])
    assert welcome["vote"] == "against"
    assert await close_code(on_b) == 4409
    await vote(back_on_a, shown, "abstain", "x-3")
    feeds = await feeds_until((a, b), alike(lambda feed: feed["ballot"]["voted"]["members"] == 1))
    assert feeds[0]["ballot"]["voted"]["members"] == 1, feeds
    await back_on_a.close()


@on_postgresql
async def test_with_redis_away_each_process_keeps_its_own_and_the_older_closes_when_it_is_back(
    two_servers: tuple[ServerProcess, ServerProcess, Seeded], redis_proxy: Proxy
) -> None:
    """While Redis is away a hello on one process is not seen by the other (documented in
    SECURITY.md); each process still allows one connection per pass, and once Redis is back
    the processes tell each other their connections again and the older one is closed."""
    a, b, seeded = two_servers
    await redis_proxy.cut()
    on_a, _ = await welcomed(a, seeded.passes["GM0003"])
    again_on_a, _ = await welcomed(a, seeded.passes["GM0003"])
    assert await close_code(on_a) == 4409  # the same process: at once, Redis or not
    on_b, _ = await welcomed(b, seeded.passes["GM0003"])
    await redis_proxy.start()
    assert await close_code(again_on_a, within=30) == 4409
    assert await close_code(on_b, within=1) is None
    await on_b.close()


def test_several_workers_without_redis_or_postgresql_are_refused() -> None:
    from server.cli import several_processes_problem

    sqlite = Settings(database_url="sqlite+aiosqlite:///x.db", redis_url="redis://127.0.0.1:6379/0")
    assert "PostgreSQL" in (several_processes_problem(sqlite) or "")
    no_redis = Settings(database_url="postgresql+asyncpg://postgres@127.0.0.1/test")
    assert "VOTEHALL_REDIS_URL" in (several_processes_problem(no_redis) or "")
    both = Settings(database_url="postgresql+asyncpg://postgres@127.0.0.1/test", redis_url="redis://x:6379/0")
    assert several_processes_problem(both) is None


@on_postgresql
async def test_an_election_tally_per_candidate_reaches_both_displays(
    two_servers: tuple[ServerProcess, ServerProcess, Seeded],
) -> None:
    a, b, seeded = two_servers
    headers = {"Authorization": f"Bearer {seeded.tokens[Role.CHAIR]}"}
    async with httpx.AsyncClient(base_url=a.base, timeout=10) as client:
        response = await client.post(f"/api/meetings/{seeded.meeting_id}/ballots", headers=headers, json={
            "agenda": "9", "title": "Voorzitter", "kind": "benoeming", "secret": False, "show_live_tally": True,
            "candidates": [{"name": "Anna Alfa"}, {"name": "Bert Beta"}],
        })  # fmt: skip
    assert response.status_code == 201, response.text
    ballot = response.json()
    anna, bert = (candidate["id"] for candidate in ballot["candidates"])
    kiosks = {
        "GM0001": await kiosk(a, seeded.passes["GM0001"]),
        "GM0002": await kiosk(b, seeded.passes["GM0002"]),
        "GM0003": await kiosk(a, seeded.passes["GM0003"]),
    }
    await chair(b, seeded, ballot["id"], "open")
    await feeds_until((a, b), every(lambda feed: (feed.get("ballot") or {}).get("status") == "open"))
    await asyncio.gather(
        vote(kiosks["GM0001"], ballot["id"], anna, "e-1"),
        vote(kiosks["GM0002"], ballot["id"], bert, "e-2"),
        vote(kiosks["GM0003"], ballot["id"], "abstain", "e-3"),
    )
    await vote(kiosks["GM0001"], ballot["id"], bert, "e-4")  # a change

    def per_candidate(feed: dict[str, Any]) -> bool:
        election = (feed.get("ballot") or {}).get("election") or {}
        votes = {c["id"]: c["votes"] for c in election.get("candidates", [])}
        return votes == {anna: 0, bert: 75 + 42} and election.get("abstain") == 1

    feeds = await feeds_until((a, b), alike(per_candidate))
    assert all(per_candidate(feed) for feed in feeds) and feeds[0] == feeds[1], feeds
    await chair(a, seeded, ballot["id"], "close")
    feeds = await feeds_until(
        (a, b), alike(lambda feed: (feed.get("ballot") or {}).get("outcome") == "elected")
    )
    assert feeds[0] == feeds[1], feeds
    assert feeds[0]["ballot"]["election"]["elected"] == {"id": bert, "name": "Bert Beta"}
    for connection in kiosks.values():
        await connection.close()
