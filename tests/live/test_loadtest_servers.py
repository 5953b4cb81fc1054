"""`votehall loadtest --url A --url B`: the load client against two server processes of one hall
(PostgreSQL and Redis, SPEC 5 "Scale out"), as the two-process benchmark runs it. The kiosks
are spread over both, each process has a display, and every display must show the ledger."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from server.auth.roles import Role
from server.db import Database
from server.loadtest.main import split_urls
from server.loadtest.pool import raise_open_files_limit
from server.seed import Seeded
from tests.live.crowd import seed_crowd
from tests.servers import REDIS_URL, ServerProcess, require_redis

KIOSKS = 200

on_postgresql = pytest.mark.parametrize("database_template", ["postgresql"], indirect=True)


@pytest.fixture
async def two_servers(database: Database) -> AsyncIterator[tuple[ServerProcess, ServerProcess, Seeded]]:
    await require_redis()
    raise_open_files_limit()
    seeded = await seed_crowd(database, KIOSKS)
    env = {"VOTEHALL_REDIS_URL": REDIS_URL, "VOTEHALL_REDIS_CHANNEL": f"votehall-test-{uuid.uuid4().hex}"}
    servers = (ServerProcess(database.url, env=env), ServerProcess(database.url, env=env))
    try:
        for server in servers:
            await asyncio.to_thread(server.start)
        yield servers[0], servers[1], seeded
    finally:
        for server in servers:
            await asyncio.to_thread(server.stop)


@on_postgresql
async def test_kiosks_spread_over_two_servers_and_every_display_shows_the_ledger(
    two_servers: tuple[ServerProcess, ServerProcess, Seeded], tmp_path: Path
) -> None:
    a, b, seeded = two_servers
    passes = tmp_path / "passes.json"
    passes.write_text(json.dumps(seeded.passes))
    assert a.process is not None and b.process is not None
    command = [
        sys.executable, "-m", "server", "loadtest", "--json", "--no-echo", "--votes", "2",
        "--url", a.base, "--url", f"{b.base}/",  # a trailing slash is the same server
        "--chair-token", seeded.tokens[Role.CHAIR], "--passes", str(passes),
        "--ballot", str(seeded.ballot_ids[0]),
        "--server-pid", str(a.process.pid), "--server-pid", str(b.process.pid),
    ]  # fmt: skip
    completed = await asyncio.to_thread(
        subprocess.run,
        command,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert completed.returncode == 0, completed.stderr + completed.stdout
    [target] = json.loads(completed.stdout)["targets"]
    assert (target["passed"], target["problems"], target["errors"]) == (True, [], {})
    assert (target["servers"], target["connected"], target["votes_acked"]) == (2, KIOSKS, 2 * KIOSKS)
    displays = target["display_ms_by_server"]
    assert set(displays) == {a.ws, b.ws}
    assert all(len(figures) == 1 and figures[0] is not None for figures in displays.values()), displays
    assert target["server_cpu_ms_per_1000_votes"] is not None


def test_urls_repeat_or_come_as_a_comma_list() -> None:
    assert split_urls(None) == ()
    assert split_urls(["http://a:1", "http://b:2/,http://c:3", " http://a:1/ "]) == (
        "http://a:1",
        "http://b:2",
        "http://c:3",
    )
