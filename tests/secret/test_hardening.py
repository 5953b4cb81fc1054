"""What protects a secret ballot beyond its cryptography: no core dumps of a process holding a
ballot key, and SQLite overwriting what a close deletes (DESIGN.md "Secret votes that stay
verifiable")."""

from __future__ import annotations

import os
import resource
import secrets
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event, text

from server.db import Database
from tests.test_cli import free_port

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="prctl and /proc are Linux's")


def _allow_core_dumps() -> None:
    """Raise the soft core limit above 0, as far as the hard limit lets it."""
    hard = resource.getrlimit(resource.RLIMIT_CORE)[1]
    resource.setrlimit(resource.RLIMIT_CORE, (hard if hard != resource.RLIM_INFINITY else 4096, hard))


@pytest.fixture(autouse=True)
def _core_dumps_allowed_here() -> None:
    if resource.getrlimit(resource.RLIMIT_CORE)[1] == 0:
        pytest.skip("core dumps are forbidden here already (hard limit 0): the tests could not fail")


def test_forbid_core_dumps_sets_the_core_limit_to_zero_and_the_process_not_dumpable() -> None:
    # In a process of its own: the test runner itself stays as it was.
    probe = textwrap.dedent(
        """
        import ctypes, ctypes.util, resource
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
        PR_GET_DUMPABLE = 3
        print(libc.prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), resource.getrlimit(resource.RLIMIT_CORE)[0] != 0)
        from server.secret.hardening import dumpable, forbid_core_dumps
        forbid_core_dumps()
        forbid_core_dumps()  # twice is harmless
        print(libc.prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), resource.getrlimit(resource.RLIMIT_CORE), dumpable())
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
        preexec_fn=_allow_core_dumps,
    )
    assert result.stdout.splitlines() == ["1 True", "0 (0, 0) False"]


def test_votehall_serve_runs_without_core_dumps(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "server", "serve", "--port", str(port)],
        env={**os.environ, "VOTEHALL_DATABASE_URL": f"sqlite:///{tmp_path / 'hall.db'}"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=_allow_core_dumps,  # the server starts allowed to dump, whatever this shell says
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, "the server exited"
            try:
                httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server did not answer within 30 s"
                time.sleep(0.1)
        limits = Path(f"/proc/{process.pid}/limits").read_text()
        (core,) = [line for line in limits.splitlines() if line.startswith("Max core file size")]
        assert core.split()[4:6] == ["0", "0"], core
    finally:
        process.terminate()
        process.wait(timeout=10)


def _insecure_first(dbapi_connection: Any, _record: Any) -> None:
    # As a SQLite built without SQLITE_SECURE_DELETE starts (this machine's is built with it):
    # only the server's own PRAGMA can turn it on.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA secure_delete=OFF")
    cursor.close()


async def test_every_sqlite_connection_of_the_server_has_secure_delete_on(tmp_path: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'hall.db'}")
    for engine in (database.engine, database.read_engine):
        event.listen(engine.sync_engine, "connect", _insecure_first, insert=True)
    try:
        for readonly in (False, True):
            async with database.transaction(readonly=readonly) as session:
                assert await session.scalar(text("PRAGMA secure_delete")) == 1, readonly
    finally:
        await database.dispose()


def _file_after_checkpoint(path: Path) -> bytes:
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return path.read_bytes()


async def test_a_row_the_server_deletes_leaves_no_trace_in_the_file(tmp_path: Path) -> None:
    marker = secrets.token_bytes(64)
    box = secrets.token_bytes(60) + marker + secrets.token_bytes(52)  # a sealed box's 176 bytes

    # The control: a connection with secure_delete off leaves the deleted bytes in the file.
    plain = tmp_path / "plain.db"
    with sqlite3.connect(plain) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA secure_delete=OFF")
        connection.execute("CREATE TABLE sealed (id INTEGER PRIMARY KEY, box BLOB)")
        connection.execute("INSERT INTO sealed (box) VALUES (?)", (box,))
        connection.execute("INSERT INTO sealed (box) VALUES (?)", (secrets.token_bytes(176),))
        connection.commit()
        connection.execute("DELETE FROM sealed WHERE id = 1")
        connection.commit()
    connection.close()
    assert marker in _file_after_checkpoint(plain)

    path = tmp_path / "hall.db"
    database = Database(f"sqlite+aiosqlite:///{path}")
    event.listen(database.engine.sync_engine, "connect", _insecure_first, insert=True)
    try:
        async with database.transaction() as session:
            await session.execute(text("CREATE TABLE sealed (id INTEGER PRIMARY KEY, box BLOB)"))
            await session.execute(text("INSERT INTO sealed (box) VALUES (:box)"), {"box": box})
            await session.execute(
                text("INSERT INTO sealed (box) VALUES (:box)"), {"box": secrets.token_bytes(176)}
            )
        assert marker in _file_after_checkpoint(path)
        async with database.transaction() as session:
            await session.execute(text("DELETE FROM sealed WHERE id = 1"))
    finally:
        await database.dispose()
    assert marker not in _file_after_checkpoint(path)
