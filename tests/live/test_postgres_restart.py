"""PostgreSQL restarted under load (issue 6 item 2; SPEC 5 "Durable", DESIGN invariants 1-2;
docs/DATABASE_OUTAGE.md).

A real `votehall serve` process runs on a private PostgreSQL instance that the test starts
itself (never the machine's shared one, which other test runs use at the same time). Several
kiosks vote without pause, each keeping a ledger of the acks it received and resending an
unacknowledged vote with the same vote_id after an error or a reconnect, as the real kiosk
does. PostgreSQL is restarted in a quiet moment, then under that stream with `pg_ctl restart -m
fast` and `-m immediate` (a crash and crash recovery), then crashed and left down for a while
before it is started again. The same server process, never restarted itself, must:

- never ack a vote that is not stored, and answer every vote with an ack or `unavailable`;
- not refuse a vote that was sent and answered while PostgreSQL was up (no dead pooled
  connection fails a commit or a request after the restart);
- answer /readyz with 503 while the database is away, and 200 once it is back;
- welcome a kiosk that connects during the outage (the hello reads no database);
- take votes again after each restart;
- in the end count every acknowledged vote exactly once: the closed result equals the ledger,
  every ack's receipt is the stored vote event of that vote_id, nothing else is stored, and the
  event log verifies.
"""

from __future__ import annotations

import asyncio
import glob
import io
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import websockets
from sqlalchemy import select
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from server.audit.verify import verify
from server.auth.roles import Role
from server.ballots.models import Ballot, Vote, VoteEvent
from server.ballots.schemas import BallotCreate
from server.db import Database
from server.meetings.schemas import MeetingCreate
from server.migrate import upgrade
from server.register.models import Member
from server.rules import BallotKind
from server.seed import Seeded, seed_meeting, synthetic_members
from tests.servers import ServerProcess, free_port

KIOSKS = 12
CHOICES = ("for", "against", "abstain")
ACKS_PER_PHASE = 150  # acks wanted before the first restart and after each one
RETRY_PAUSE = 0.2  # what a kiosk waits before resending after `unavailable` or a lost link
WAIT = 120.0  # generous: the machine has two cores, shared with other test runs
SILENCE = 60.0  # a vote without any answer for this long is a hang


# A private PostgreSQL instance


def _postgres_bin() -> Path | None:
    """The directory of initdb and pg_ctl: VOTEHALL_TEST_POSTGRES_BIN, the newest Debian
    installation, or the PATH."""
    configured = os.environ.get("VOTEHALL_TEST_POSTGRES_BIN")
    candidates = [configured] if configured else []
    candidates += sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True
    )
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(str(Path(on_path).parent))
    for candidate in candidates:
        if (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    return None


class PrivatePostgres:
    """initdb, start, restart and stop a PostgreSQL of our own, on a free port.

    PostgreSQL refuses to run as root, so as root the binaries run as the `postgres` user.
    """

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="votehall-pg-"))
        self.data = self.root / "data"
        self.logfile = self.root / "postgres.log"
        self.port = free_port()
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._as:
            shutil.chown(self.root, "postgres", "postgres")

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/votehall"

    def _run(self, *args: str, timeout: float = 120) -> None:
        done = subprocess.run(
            [*self._as, *args], capture_output=True, text=True, timeout=timeout, check=False
        )
        if done.returncode != 0:
            raise AssertionError(
                f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}\n{self.log()}"
            )

    def log(self) -> str:
        try:
            return self.logfile.read_text()[-3000:]
        except OSError:
            return ""

    def init(self) -> None:
        # --no-sync only spares initdb's own fsyncs; the server below runs with fsync=on.
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                  "--no-sync", "-E", "UTF8", "--locale=C")  # fmt: skip
        self.start()

    def _ctl(self, action: str, *extra: str) -> None:
        options = (
            f"-c port={self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.root} "
            "-c fsync=on -c synchronous_commit=on -c max_connections=40 -c shared_buffers=16MB"
        )
        self._run(str(self.bindir / "pg_ctl"), action, "-D", str(self.data), "-l", str(self.logfile),
                  "-w", "-t", "120", "-o", options, *extra)  # fmt: skip

    def start(self) -> None:
        self._ctl("start")

    def restart(self, mode: str) -> None:
        self._ctl("restart", "-m", mode)

    def stop(self, mode: str) -> None:
        self._run(str(self.bindir / "pg_ctl"), "stop", "-D", str(self.data), "-w", "-t", "120", "-m", mode)

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            subprocess.run(
                [*self._as, str(self.bindir / "pg_ctl"), "stop", "-D", str(self.data), "-m", "immediate"],
                capture_output=True,
                timeout=60,
                check=False,
            )
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    bindir = _postgres_bin()
    if bindir is None:
        reason = "no PostgreSQL binaries (initdb, pg_ctl) under /usr/lib/postgresql/*/bin or on the PATH"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI needs them for this test (or set VOTEHALL_TEST_POSTGRES_BIN)")
        print(f"skipping: {reason}")
        pytest.skip(f"{reason}; set VOTEHALL_TEST_POSTGRES_BIN, or CI=true to make this fatal")
    instance = PrivatePostgres(bindir)
    try:
        instance.init()
        yield instance
    finally:
        instance.remove()


async def _create_database(instance: PrivatePostgres) -> None:
    connection = await asyncpg.connect(
        host="127.0.0.1", port=instance.port, user="postgres", database="postgres"
    )
    try:
        await connection.execute("CREATE DATABASE votehall")
    finally:
        await connection.close()


# Kiosks that keep their own ledger


@dataclass
class Ledger:
    """What the kiosks saw, together."""

    acks: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (code, vote_id) -> ack
    last: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> (vote_id, choice) acked last
    unavailable: int = 0  # `unavailable` errors seen
    lost_links: int = 0  # connections that dropped or could not be made
    welcomes: int = 0
    wrong: list[str] = field(default_factory=list)  # anything a kiosk must never see
    refused_while_up: list[str] = field(default_factory=list)  # `unavailable`, sent and answered
    # while PostgreSQL was up (pg_ctl had said it was ready, and no restart had begun since)
    go: asyncio.Event = field(default_factory=asyncio.Event)  # cleared: kiosks pause between votes
    busy: int = 0  # kiosks delivering a vote
    _up: bool = True
    _period: int = 0  # a new number each time PostgreSQL goes down or comes up

    @property
    def count(self) -> int:
        return len(self.acks)

    def database(self, *, up: bool) -> None:
        self._up, self._period = up, self._period + 1

    def up_period(self) -> int | None:
        """Which period of PostgreSQL being up this is, or None while it is (going) down."""
        return self._period if self._up else None


class Kiosk:
    """One handheld: votes in a loop, one vote in flight, resending it until it is acked."""

    def __init__(self, server: ServerProcess, code: str, token: str, ballot: int, ledger: Ledger) -> None:
        self.server, self.code, self.token, self.ballot, self.ledger = server, code, token, ballot, ledger
        self.connection: ClientConnection | None = None

    async def run(self, stop: asyncio.Event, offset: int) -> None:
        number = 0
        try:
            while not stop.is_set():
                number += 1
                vote_id = f"{self.code}-{number}"
                choice = CHOICES[(number + offset) % len(CHOICES)]
                await self.ledger.go.wait()
                self.ledger.busy += 1
                try:
                    await self._deliver(vote_id, choice)
                finally:
                    self.ledger.busy -= 1
                await asyncio.sleep(0.01)
        finally:
            if self.connection is not None:
                await self.connection.close()

    async def _connect(self) -> ClientConnection:
        while True:
            try:
                connection = await websockets.connect(f"{self.server.ws}/ws/kiosk", open_timeout=10)
                await connection.send(json.dumps({"type": "hello", "pass": self.token}))
                welcome = json.loads(await asyncio.wait_for(connection.recv(), 15))
            except (OSError, TimeoutError, ConnectionClosed, InvalidHandshake) as error:
                self.ledger.lost_links += 1
                if (
                    isinstance(error, ConnectionClosed)
                    and error.rcvd is not None
                    and error.rcvd.code in (4401, 4403)
                ):
                    self.ledger.wrong.append(f"{self.code}: hello refused with {error.rcvd.code}")
                await asyncio.sleep(RETRY_PAUSE)
                continue
            if welcome.get("type") != "welcome":
                self.ledger.wrong.append(f"{self.code}: answered hello with {welcome}")
                await connection.close()
                await asyncio.sleep(RETRY_PAUSE)
                continue
            self.ledger.welcomes += 1
            return connection

    async def _deliver(self, vote_id: str, choice: str) -> None:
        frame = json.dumps({"type": "vote", "ballot": self.ballot, "choice": choice, "vote_id": vote_id})
        while True:
            if self.connection is None:
                self.connection = await self._connect()
            sent_while_up = self.ledger.up_period()
            try:
                await self.connection.send(frame)
                answer = await self._answer(self.connection, vote_id)
            except (ConnectionClosed, TimeoutError) as error:
                # The link dropped: the vote may or may not be stored; reconnect and send it
                # again with the same vote_id. (The server never drops it for a database restart,
                # and never leaves a vote unanswered.)
                self.ledger.lost_links += 1
                if isinstance(error, TimeoutError):
                    self.ledger.wrong.append(f"{self.code}: no answer to {vote_id} within {SILENCE:g} s")
                await self.connection.close()
                self.connection = None
                await asyncio.sleep(RETRY_PAUSE)
                continue
            if answer["type"] == "ack":
                if (answer["vote_id"], answer["ballot"], answer["choice"]) != (vote_id, self.ballot, choice):
                    self.ledger.wrong.append(f"{self.code}: ack {answer} for {vote_id} {choice}")
                self.ledger.acks[self.code, vote_id] = answer
                self.ledger.last[self.code] = (vote_id, choice)
                return
            if answer.get("code") == "unavailable":
                self.ledger.unavailable += 1
                if sent_while_up is not None and sent_while_up == self.ledger.up_period():
                    self.ledger.refused_while_up.append(f"{self.code} {vote_id}: {answer['message']}")
            else:
                self.ledger.wrong.append(f"{self.code}: {answer} for {vote_id}")
            await asyncio.sleep(RETRY_PAUSE)

    @staticmethod
    async def _answer(connection: ClientConnection, vote_id: str) -> dict[str, Any]:
        while True:
            message: dict[str, Any] = json.loads(await asyncio.wait_for(connection.recv(), SILENCE))
            if message["type"] in ("ack", "error") and message.get("vote_id") == vote_id:
                return message


async def _until(
    condition: Callable[[], Awaitable[bool]], what: str, server: ServerProcess, ledger: Ledger
) -> None:
    deadline = asyncio.get_running_loop().time() + WAIT
    while not await condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(
                f"waited {WAIT:g} s for {what}; ledger {ledger.count} acks, {ledger.unavailable} unavailable, "
                f"wrong {ledger.wrong[:5]}\n{server.output()[-4000:]}"
            )
        await asyncio.sleep(0.1)


def _warnings(server: ServerProcess) -> str:
    """The server's own account of the failures, for an assertion's message."""
    return "\n".join(line for line in server.output().splitlines() if "WARNING" in line or "ERROR" in line)[
        -6000:
    ]


async def _readyz(server: ServerProcess) -> tuple[int, str]:
    async with httpx.AsyncClient(timeout=10) as client:
        answer = await client.get(f"{server.base}/readyz")
        return answer.status_code, answer.text


@dataclass
class Scene:
    instance: PrivatePostgres
    database: Database
    server: ServerProcess
    seeded: Seeded


@pytest.fixture
async def scene(private_postgres: PrivatePostgres) -> AsyncIterator[Scene]:
    await _create_database(private_postgres)
    await asyncio.to_thread(upgrade, private_postgres.url)
    database = Database(private_postgres.url)
    server = ServerProcess(
        private_postgres.url,
        env={"VOTEHALL_KIOSK_MESSAGES_PER_SECOND": "1000", "VOTEHALL_KIOSK_MESSAGE_BURST": "1000"},
    )
    try:
        seeded = await seed_meeting(
            database,
            MeetingCreate(title="ALV", date=date(2025, 6, 18)),
            members=synthetic_members(KIOSKS, prefix="PG"),
            ballots=[BallotCreate(agenda="1", title="Jaarverslag", kind=BallotKind.VOORSTEL)],
        )
        server.start()
        yield Scene(private_postgres, database, server, seeded)
    finally:
        server.stop()
        await database.dispose()


async def test_postgres_restart_under_load_loses_and_doubles_no_acked_vote(scene: Scene) -> None:
    server, seeded, ledger = scene.server, scene.seeded, Ledger()
    ledger.go.set()
    ballot_id = seeded.ballot_ids[0]
    chair = {"Authorization": f"Bearer {seeded.tokens[Role.CHAIR]}"}
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as client:
        assert (await client.post(f"/api/ballots/{ballot_id}/open", headers=chair)).status_code == 200
    pid = server.process.pid if server.process else None

    stop = asyncio.Event()
    kiosks = [
        asyncio.create_task(Kiosk(server, code, seeded.passes[code], ballot_id, ledger).run(stop, offset))
        for offset, code in enumerate(sorted(seeded.passes))
    ]

    async def more_acks(than: int) -> None:
        async def grown() -> bool:
            for task in kiosks:
                if task.done():
                    task.result()  # a kiosk that failed says why
            return ledger.count >= than + ACKS_PER_PHASE

        await _until(grown, f"{ACKS_PER_PHASE} more acks than {than}", server, ledger)

    async def restart(mode: str) -> None:
        """`pg_ctl restart` under load; votes sent once it answers must be acked, not refused."""
        ledger.database(up=False)
        await asyncio.to_thread(scene.instance.restart, mode)
        ledger.database(up=True)
        await more_acks(ledger.count)

    try:
        await more_acks(0)

        # 0. A restart in a quiet moment (between two ballots, say): nothing has touched the
        # pooled connections since they died, and the first to use them must not fail for it.
        ledger.go.clear()

        async def quiet() -> bool:
            return ledger.busy == 0

        await _until(quiet, "the kiosks to pause", server, ledger)
        ledger.database(up=False)
        await asyncio.to_thread(scene.instance.restart, "fast")
        ready = await _readyz(server)
        assert ready[0] == 200 or "within" in ready[1], (ready, _warnings(server))  # or a slow machine
        async with httpx.AsyncClient(base_url=server.base, timeout=30) as client:
            read = await client.get(f"/api/ballots/{ballot_id}", headers=chair)
            assert read.status_code == 200, (read.text, _warnings(server))
        ledger.database(up=True)
        ledger.go.set()
        await more_acks(ledger.count)

        # 1. A fast restart: PostgreSQL ends every session and comes back at once.
        await restart("fast")
        # 2. A crash (no shutdown checkpoint, sessions killed) and crash recovery at once.
        await restart("immediate")

        # 3. A crash, and PostgreSQL stays away for a while: the server says it is not ready,
        # kiosks get `unavailable` (never an ack), and a kiosk that connects now is welcomed.
        ledger.database(up=False)
        await asyncio.to_thread(scene.instance.stop, "immediate")
        unavailable = ledger.unavailable

        async def not_ready() -> bool:
            return (await _readyz(server))[0] == 503

        async def refused() -> bool:
            return ledger.unavailable > unavailable

        await _until(not_ready, "/readyz to answer 503 while PostgreSQL is down", server, ledger)
        await _until(refused, "kiosks to see `unavailable` while PostgreSQL is down", server, ledger)
        newcomer = Kiosk(server, "PG00001", seeded.passes["PG00001"], ballot_id, ledger)
        welcomed = ledger.welcomes
        await (await asyncio.wait_for(newcomer._connect(), WAIT)).close()
        assert ledger.welcomes == welcomed + 1

        await asyncio.to_thread(scene.instance.start)
        ledger.database(up=True)

        async def ready() -> bool:
            return (await _readyz(server))[0] == 200

        await _until(ready, "/readyz to answer 200 once PostgreSQL is back", server, ledger)
        await more_acks(ledger.count)
    finally:
        stop.set()
        ledger.go.set()
        finished = await asyncio.wait_for(asyncio.gather(*kiosks, return_exceptions=True), WAIT)
    for outcome in finished:
        if isinstance(outcome, BaseException):
            raise outcome

    print(
        f"{ledger.count} acks, {ledger.unavailable} unavailable, {ledger.lost_links} lost links, "
        f"{ledger.welcomes} welcomes"
    )
    # The same process served throughout.
    assert server.process is not None and server.process.poll() is None and server.process.pid == pid
    assert ledger.wrong == [], ledger.wrong[:10]
    # Once PostgreSQL answered again, no vote was refused: a pooled connection that died with
    # the old server is replaced, not handed to the writer to fail the first batch.
    assert ledger.refused_while_up == [], (ledger.refused_while_up[:10], _warnings(server))

    async with httpx.AsyncClient(base_url=server.base, timeout=30) as client:
        closed = await client.post(f"/api/ballots/{ballot_id}/close", headers=chair)
        assert closed.status_code == 200, closed.text
        result = closed.json()["result"]
        admin = {"Authorization": f"Bearer {seeded.tokens[Role.ADMIN]}"}
        audit = await client.get(f"/api/meetings/{seeded.meeting_id}/audit", headers=admin)
        assert audit.status_code == 200, audit.text

    # Counted once: the result is the last acked vote of every member, weighted.
    weights = {code: seeded.weights[code] for code in seeded.passes}
    expected = {choice: 0 for choice in CHOICES}
    for code, (_, choice) in ledger.last.items():
        expected[choice] += weights[code]
    assert (result["for"], result["against"], result["abstain"], result["members_voted"]) == (
        expected["for"], expected["against"], expected["abstain"], len(ledger.last),
    )  # fmt: skip

    # Every ack is a stored vote event with the ack's receipt, stored once; every vote the kiosks
    # sent was acked in the end, so nothing else is stored either.
    # A new engine: the test's own pool still holds connections from before the restarts.
    await scene.database.dispose()
    async with scene.database.transaction(readonly=True) as session:
        codes = dict((await session.execute(select(Member.id, Member.cbs_code))).all())
        events = (
            await session.execute(
                select(VoteEvent.member_id, VoteEvent.vote_id, VoteEvent.choice, VoteEvent.receipt).where(
                    VoteEvent.ballot_id == ballot_id
                )
            )
        ).all()
        current = (
            await session.execute(
                select(Vote.member_id, Vote.vote_id, Vote.choice).where(Vote.ballot_id == ballot_id)
            )
        ).all()
        status = await session.scalar(select(Ballot.status).where(Ballot.id == ballot_id))
    assert status == "closed"
    stored = [(codes[member], vote_id) for member, vote_id, _, _ in events]
    assert len(stored) == len(set(stored)), "a vote_id is stored twice"
    by_key = {(codes[member], vote_id): (choice, receipt) for member, vote_id, choice, receipt in events}
    missing = [key for key in ledger.acks if key not in by_key]
    assert missing == [], f"acked but not stored: {missing[:10]}"
    for key, ack in ledger.acks.items():
        assert by_key[key] == (ack["choice"], ack["receipt"]), (key, ack, by_key[key])
    assert sorted(by_key) == sorted(ledger.acks), "stored votes that no kiosk was acked for"
    assert {codes[member]: (vote_id, choice) for member, vote_id, choice in current} == ledger.last

    # The event log survived both restarts intact and replays to the same result.
    report = verify(audit.text, out=io.StringIO())
    assert report.problems == [], report.problems[:10]
