"""A second server process that would show different tallies is refused at start-up (SPEC 5
"Scale out"): two processes on one database need Redis, and SQLite is served by one process."""

from __future__ import annotations

import os
import signal

import httpx
import pytest

from server.db import Database
from tests.servers import ServerProcess

REDIS_URL = os.environ.get("VOTEHALL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def refused(server: ServerProcess) -> str:
    try:
        with pytest.raises(AssertionError, match="the server exited") as failure:
            server.start()
    finally:
        server.stop()
    return str(failure.value)


async def test_a_second_process_without_redis_is_refused(database: Database) -> None:
    first = ServerProcess(database.url)
    first.start()
    try:
        message = refused(ServerProcess(database.url))
        if database.dialect == "postgresql":
            assert "several processes need VOTEHALL_REDIS_URL" in message
            assert first.process is not None
            assert f"pid {first.process.pid}" in message  # the refusal names the holder
            # Nor may a process with Redis join one that has none.
            joining = ServerProcess(database.url, env={"VOTEHALL_REDIS_URL": REDIS_URL})
            assert "without VOTEHALL_REDIS_URL" in refused(joining)
        else:
            assert "one process serves an SQLite database" in message
    finally:
        first.stop()
    # Once the first has stopped (its lock ends with it), another may serve.
    second = ServerProcess(database.url)
    second.start()
    second.stop()


@pytest.mark.parametrize("database_template", ["postgresql"], indirect=True)
async def test_processes_that_share_redis_serve_together(database: Database) -> None:
    env = {"VOTEHALL_REDIS_URL": REDIS_URL, "VOTEHALL_REDIS_CHANNEL": "votehall-test-serving-lock"}
    servers = [ServerProcess(database.url, env=env), ServerProcess(database.url, env=env)]
    try:
        for server in servers:
            server.start()
        assert "several processes need VOTEHALL_REDIS_URL" in refused(ServerProcess(database.url))
    finally:
        for server in servers:
            server.stop()


async def test_a_killed_process_lets_go_at_once(database: Database) -> None:
    first = ServerProcess(database.url)
    first.start()
    # It holds the lock: another process is refused while it lives.
    assert "another VoteHall process" in refused(ServerProcess(database.url))
    first.kill()  # SIGKILL: no shutdown code runs; the lock ends with the process
    assert first.process is not None and first.process.returncode == -signal.SIGKILL
    first.stop()  # (only closes its log)
    second = ServerProcess(database.url)
    second.start()  # raises if the killed process's lock still refused it
    try:
        async with httpx.AsyncClient(base_url=second.base, timeout=10) as client:
            ready = await client.get("/readyz")
        assert (ready.status_code, ready.json()) == (200, {"status": "ready"})
        # And the lock is now the second's: a third process is refused again.
        assert "another VoteHall process" in refused(ServerProcess(database.url))
    finally:
        second.stop()
