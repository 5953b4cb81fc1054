"""Spawn mode: a fresh database, a seeded meeting, and the servers under test as child processes.

The server runs as `python -m server serve`, exactly as an operator starts it, in its own
process, so what /proc says about that process (CPU seconds, peak resident memory) is the
server's cost alone, not the load client's.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx
from sqlalchemy import make_url, text

from server.auth.roles import Role
from server.ballots.schemas import BallotCreate
from server.db import Database
from server.migrate import upgrade
from server.rules import BallotKind
from server.seed import plain_meeting, seed_meeting, synthetic_members

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
START_TIMEOUT = 60.0
LOAD_CLIENT_ADDRESSES = "127.0.0.1, ::1"


@dataclass(slots=True)
class Hall:
    """What the load client needs to drive a server: where it is, the chair, passes, ballots.
    `more` are further server processes of the same hall (scale out): the kiosks are spread
    over all of them, each gets a display, the chair talks to the first."""

    base: str
    chair_token: str | None
    passes: list[tuple[str, str]]
    ballots: list[int]
    more: list[str] = field(default_factory=list)

    @property
    def ws(self) -> str:
        return as_ws(self.base)

    @property
    def ws_bases(self) -> list[str]:
        return [as_ws(base) for base in (self.base, *self.more)]


def as_ws(base: str) -> str:
    """http://host:port -> ws://host:port (https -> wss)."""
    return "ws" + base.rstrip("/").removeprefix("http")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds of process `pid` so far (/proc/PID/stat fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, all cores (/proc/stat): to tell a
    server starved by other processes on the shared cores from one that is simply waiting."""
    ticks = [int(field) for field in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle + iowait
    total = sum(ticks[:8])  # guest time is already inside user time
    return (total - idle) / CLOCK_TICKS, total / CLOCK_TICKS


def peak_rss_mb(pid: int) -> float:
    """VmHWM: the most resident memory process `pid` has held."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def reset_postgres(url: str) -> None:
    """A scratch PostgreSQL database starts empty: drop and recreate its public schema (and
    create the database itself when the server does not have it yet)."""
    parsed = make_url(url)
    maintenance = Database(
        parsed.set(database="postgres").render_as_string(hide_password=False), isolation_level="AUTOCOMMIT"
    )
    try:
        async with maintenance.engine.connect() as connection:
            found = await connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database}
            )
            if found is None:
                await connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    finally:
        await maintenance.dispose()
    database = Database(url)
    try:
        async with database.engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    finally:
        await database.dispose()


async def seed_hall(url: str, kiosks: int, bursts: int) -> Hall:
    """Migrate `url` and seed an open meeting with `kiosks` passes and `bursts` ballots that show
    their tally live (so the display can be held against the ledger during the burst)."""
    if url.startswith("postgresql"):
        await reset_postgres(url)
    await asyncio.to_thread(upgrade, url)
    ballots = [
        BallotCreate(agenda=str(n), title=f"Loadtest {n}", kind=BallotKind.VOORSTEL, show_live_tally=True)
        for n in range(1, bursts + 1)
    ]
    database = Database(url)
    try:
        seeded = await seed_meeting(
            database, plain_meeting(), members=synthetic_members(kiosks), ballots=ballots
        )
    finally:
        await database.dispose()
    return Hall(
        base="",
        chair_token=seeded.tokens[Role.CHAIR],
        passes=sorted(seeded.passes.items()),
        ballots=seeded.ballot_ids,
    )


class Child:
    """A server under test as a child process, with its output kept in a file for diagnosis."""

    def __init__(self, argv: list[str], log_path: Path, env: dict[str, str] | None = None) -> None:
        self.name = " ".join(argv[1:])
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self._log: IO[str] = log_path.open("w+")
        self.process = subprocess.Popen(
            [*argv, "--port", str(self.port)],
            env={**os.environ, **(env or {})},
            stdout=self._log,
            stderr=subprocess.STDOUT,
            text=True,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self, tail: int = 4000) -> str:
        self._log.flush()
        self._log.seek(0)
        return self._log.read()[-tail:]

    async def wait_ready(self, http: bool) -> None:
        """Wait until the child answers: GET /api/feed for VoteHall, a TCP accept for the echo."""
        deadline = time.monotonic() + START_TIMEOUT
        async with httpx.AsyncClient(base_url=self.base, trust_env=False, timeout=2) as client:
            while True:
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.name} exited:\n{self.output()}")
                try:
                    if http:
                        (await client.get("/api/feed")).raise_for_status()
                    else:
                        _, writer = await asyncio.open_connection("127.0.0.1", self.port)
                        writer.close()
                        await writer.wait_closed()
                    return
                except (httpx.TransportError, httpx.HTTPStatusError, OSError):
                    if time.monotonic() > deadline:
                        raise RuntimeError(
                            f"no answer within {START_TIMEOUT:g} s:\n{self.output()}"
                        ) from None
                    await asyncio.sleep(0.05)

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)

    def peak_rss_mb(self) -> float:
        return peak_rss_mb(self.pid)

    async def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                await asyncio.to_thread(self.process.wait, 20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                await asyncio.to_thread(self.process.wait, 10)
        self._log.close()


def votehall_server(url: str, workdir: Path, *, index: int = 0, env: dict[str, str] | None = None) -> Child:
    """`votehall serve` on `url`; `index` and `env` (Redis) for one of several processes.

    The load client opens every kiosk from 127.0.0.1: that one address is exempt from the limit
    of connections per address on the servers it starts itself (the rest of the loopback, where
    `--slow-clients` connects from, is not)."""
    env = {
        "VOTEHALL_DATABASE_URL": url,
        "VOTEHALL_ENV": "development",
        "VOTEHALL_CONNECTION_LIMIT_EXEMPT": LOAD_CLIENT_ADDRESSES,
        **(env or {}),
    }
    log = workdir / (f"server-{index}.log" if index else "server.log")
    return Child([sys.executable, "-m", "server", "serve", "--host", "127.0.0.1"], log, env)


def echo_server(workdir: Path) -> Child:
    return Child([sys.executable, "-m", "server.loadtest.echo"], workdir / "echo.log")
