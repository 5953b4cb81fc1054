"""Closing a secret ballot through a real server, timed, while the hall screens stay live (issue 14).

    PYTHONPATH=. python bench/secret_close.py                  # SQLite, both halls, twice each
    PYTHONPATH=. python bench/secret_close.py --postgres URL   # PostgreSQL: URL's public schema is dropped
    PYTHONPATH=. python bench/secret_close.py --only demo --runs 1

Each run is a fresh database and a fresh `votehall serve` process (server.loadtest.spawn, as the
load test starts it): a meeting with the vote-counting committee's key (set through
`POST /api/meetings/{id}/committee-key`), one secret `benoeming` ballot opened by the chair, and
two halls:

- demo: the 271 members present on 29 November 2024 (server.demo.attendance_codes) with their
  weights from the shipped register, 11,248 units; target: the close within 1 s;
- large: 10,000 made-up members whose populations are drawn (seeded) from those 271 members', so
  their weights are distributed like the real ones: about 415,000 units; target: within 30 s.

Every member votes for real: a child process connects one handheld per member to `/ws/kiosk`,
says hello, votes with a fresh secret (as the handheld does: `secret` in the vote message, sealed
by the server's hub, stored by its writer) and waits for the ack; nothing is seeded past the
server. The handhelds stay connected through the close, as in the hall.

Then the chair closes the ballot (`POST /api/ballots/{id}/close`) while the hall screens are
watched: `--screens` `/ws/display` subscribers, each pinged every `--probe-ms` (the pong comes
from the server's event loop, so a stalled loop shows as a late pong), and a `GET /api/feed`
every `--probe-ms`. Printed per run: the close's answer (the session commits before the answer,
so this is also "until the result is stored"), the first screen snapshot that shows the ballot
closed, and the worst ping and feed latencies from the request until half a second after the
screens showed it (the pushes of the closed ballot to the handhelds come just after the
screens'). The screens count as live when every probe answers within `--live-ms` (1,000 ms).
For comparison the same probes' worst at the open (whose pushes to every handheld and screen
are the same as the close's) and while the votes come in are printed too, and the server's CPU
during the close. Each run then checks that the units stored equal the acked members' weights
and the result's figures, and runs `votehall verify` on the meeting's exported log (after the
probes, outside the timed close; `--no-verify` skips it).

With `--py-spy FILE` (py-spy on the PATH) the server is profiled through the close, as raw
collapsed stacks with idle frames and threads (`bench/profile_summary.py` reads them).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx
import orjson
from burst import machine
from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from server.auth.roles import Role
from server.ballots.models import UnitBallot
from server.ballots.schemas import BallotCreate
from server.db import Database
from server.loadtest.kiosks import collector_paused
from server.loadtest.pool import event_loop_runner, raise_open_files_limit
from server.loadtest.spawn import Child, as_ws, reset_postgres, votehall_server
from server.migrate import upgrade
from server.rules import BallotKind
from server.secret.keys import generate_committee_key
from server.secret.sealing import new_secret
from server.seed import SeedMember, plain_meeting, seed_meeting

TARGETS = {"demo": 1.0, "large": 30.0}  # seconds for the close
CHOICES = (b"for", b"against", b"abstain")
CONNECT_CONCURRENCY = 200
VOTE_TIMEOUT = 600.0
SETTLE = 0.5  # s of probing after the screens showed the open or the close


@dataclass(frozen=True, slots=True)
class HallSpec:
    name: str
    members: list[SeedMember]
    present: list[str]


def demo_hall() -> HallSpec:
    """The shipped register; the 271 members of the real attendance list present."""
    from server.demo import attendance_codes
    from server.register.reference import shipped_register

    members = [SeedMember(row.cbs_code, row.name, row.population) for row in shipped_register().rows]
    return HallSpec("demo", members, attendance_codes())


def large_hall(count: int) -> HallSpec:
    """`count` made-up members, populations drawn from the demo's present members'."""
    demo = demo_hall()
    population = {member.code: member.population for member in demo.members}
    real = [population[code] for code in demo.present]
    rng = random.Random(14)
    members = [SeedMember(f"SB{n:05d}", f"Gemeente {n:05d}", rng.choice(real)) for n in range(1, count + 1)]
    return HallSpec("large", members, [member.code for member in members])


@dataclass(slots=True)
class Seeded:
    meeting_id: int
    ballot_id: int
    chair: str
    admin: str
    passes: list[str]


async def seed(url: str, hall: HallSpec) -> Seeded:
    if url.startswith("postgresql"):
        await reset_postgres(url)
    await asyncio.to_thread(upgrade, url)
    ballot = BallotCreate(
        agenda="12", title="Benoeming bestuurslid (geheim, ja/nee)", kind=BallotKind.BENOEMING, secret=True
    )
    database = Database(url)
    try:
        seeded = await seed_meeting(
            database, plain_meeting(), members=hall.members, ballots=[ballot], present=hall.present
        )
    finally:
        await database.dispose()
    return Seeded(
        seeded.meeting_id,
        seeded.ballot_ids[0],
        seeded.tokens[Role.CHAIR],
        seeded.tokens[Role.ADMIN],
        [seeded.passes[code] for code in hall.present],
    )


async def stored_units(url: str, ballot_id: int) -> int:
    database = Database(url)
    try:
        async with database.transaction(readonly=True) as session:
            count = await session.scalar(
                select(func.count()).select_from(UnitBallot).where(UnitBallot.ballot_id == ballot_id)
            )
    finally:
        await database.dispose()
    return int(count or 0)


# The handhelds: a child process, so that ten thousand sockets do not share the probes' loop.


@dataclass(slots=True)
class Voted:
    acked: int = 0
    weight: int = 0  # the acked members' weights together: the units the close must make
    errors: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


async def _hello(url: str, token: str) -> tuple[ClientConnection, int]:
    """Connect a handheld and say hello: the connection and the member's weight."""
    connection = await connect(url, proxy=None, compression=None, ping_interval=None, open_timeout=60)
    await connection.send(b'{"type":"hello","pass":"%s"}' % token.encode(), text=True)
    welcome = orjson.loads(await connection.recv(decode=False))
    if welcome.get("type") != "welcome":
        await connection.close()
        raise ValueError(f"no welcome: {welcome.get('type')}")
    return connection, int(welcome["member"]["weight"])


async def _vote(connection: ClientConnection, ballot: int, choice: bytes) -> None:
    """Vote with a fresh secret, as the handheld does, and wait for the ack."""
    vote_id = uuid.uuid4().hex
    await connection.send(
        b'{"type":"vote","ballot":%d,"choice":"%s","vote_id":"%s","secret":"%s"}'
        % (ballot, choice, vote_id.encode(), new_secret().encode()),
        text=True,
    )
    while True:  # the push of the opened ballot may come first
        answer = orjson.loads(await connection.recv(decode=False))
        if answer.get("vote_id") == vote_id:
            if answer.get("type") != "ack":
                raise ValueError(str(answer.get("code")))
            return


async def _handhelds(pipe: Connection, base_ws: str, tokens: list[str], ballot: int) -> None:
    """Connect every handheld (before the ballot opens, as in the hall), tell the parent, vote
    when it says so, tell it what was acked, and hold the connections until it says stop."""
    url = base_ws + "/ws/kiosk"
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    rng = random.Random(ballot)
    voted = Voted()
    connected: list[tuple[ClientConnection, int]] = []

    def failed(error: BaseException) -> None:
        reason = str(error) if isinstance(error, ValueError) else type(error).__name__
        voted.errors[reason] = voted.errors.get(reason, 0) + 1

    async def hello(token: str) -> None:
        async with gate:
            try:
                connected.append(await _hello(url, token))
            except (OSError, ConnectionClosed, TimeoutError, ValueError) as error:
                failed(error)

    async def vote(connection: ClientConnection, weight: int, choice: bytes) -> None:
        try:
            await _vote(connection, ballot, choice)
        except (OSError, ConnectionClosed, TimeoutError, ValueError) as error:
            failed(error)
            return
        voted.acked += 1
        voted.weight += weight

    with collector_paused():
        await asyncio.wait_for(asyncio.gather(*(hello(token) for token in tokens)), VOTE_TIMEOUT)
        pipe.send(len(connected))
        if await asyncio.to_thread(pipe.recv) == "vote":  # the ballot is open
            started = time.monotonic()
            choices = rng.choices(CHOICES, weights=(6, 3, 1), k=len(connected))
            votes = (vote(c, weight, choice) for (c, weight), choice in zip(connected, choices, strict=True))
            await asyncio.wait_for(asyncio.gather(*votes), VOTE_TIMEOUT)
            voted.seconds = time.monotonic() - started
            pipe.send(voted)
            await asyncio.to_thread(pipe.recv)  # hold the connections until the parent says so
    await asyncio.gather(*(c.close() for c, _ in connected), return_exceptions=True)


def _handhelds_process(pipe: Connection, base_ws: str, tokens: list[str], ballot: int) -> None:
    raise_open_files_limit()
    event_loop_runner(lambda: _handhelds(pipe, base_ws, tokens, ballot))


# The screens and the probes.


class Screen:
    """A `/ws/display` subscriber that keeps when it first saw the ballot in each status, and
    pings the server every so often (the pong comes from the server's event loop)."""

    def __init__(self, base_ws: str, ballot_id: int) -> None:
        self.url = base_ws + "/ws/display"
        self.ballot_id = ballot_id
        self.seen: dict[str, float] = {}  # the ballot's status -> when a snapshot first showed it
        self.pings: list[tuple[float, float]] = []  # (sent, round trip)
        self._changed = asyncio.Event()
        self._connection: ClientConnection | None = None
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self, every: float) -> None:
        self._connection = await connect(self.url, proxy=None, compression=None, max_size=None)
        self._tasks = [asyncio.create_task(self._read()), asyncio.create_task(self._ping(every))]

    async def shows(self, status: str, wait: float) -> float:
        """When this screen first showed the ballot `status` (NaN if not within `wait` s)."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(wait):
                while status not in self.seen:
                    self._changed.clear()
                    await self._changed.wait()
        return self.seen.get(status, float("nan"))

    async def _read(self) -> None:
        assert self._connection is not None
        with contextlib.suppress(ConnectionClosed):
            async for frame in self._connection:
                now = time.monotonic()
                ballot = orjson.loads(frame).get("ballot") or {}
                if ballot.get("id") == self.ballot_id:
                    self.seen.setdefault(str(ballot.get("status")), now)
                    self._changed.set()

    async def _ping(self, every: float) -> None:
        assert self._connection is not None
        with contextlib.suppress(ConnectionClosed):
            while True:
                sent = time.monotonic()
                await (await self._connection.ping())
                self.pings.append((sent, time.monotonic() - sent))
                await asyncio.sleep(max(0.0, every - (time.monotonic() - sent)))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._connection is not None:
            await self._connection.close()


async def feed_probe(base: str, every: float, out: list[tuple[float, float]], stop: asyncio.Event) -> None:
    async with httpx.AsyncClient(base_url=base, trust_env=False, timeout=120) as client:
        while not stop.is_set():
            sent = time.monotonic()
            (await client.get("/api/feed")).raise_for_status()
            out.append((sent, time.monotonic() - sent))
            await asyncio.sleep(max(0.0, every - (time.monotonic() - sent)))


def worst_within(samples: list[tuple[float, float]], start: float, end: float) -> float:
    """The longest round trip of the probes sent within [start, end], or still out at `start`."""
    inside = [rtt for sent, rtt in samples if start <= sent + rtt and sent <= end]
    return max(inside, default=float("nan"))


# One run.


async def verify_export(base: str, seeded: Seeded, workdir: Path) -> tuple[bool, float, str]:
    """Export the meeting's log (`GET /api/meetings/{id}/audit`) and run `votehall verify` on it:
    (passed, seconds of the verify, the end of its output)."""
    async with httpx.AsyncClient(base_url=base, trust_env=False, timeout=600) as client:
        response = await client.get(
            f"/api/meetings/{seeded.meeting_id}/audit", headers={"Authorization": f"Bearer {seeded.admin}"}
        )
    response.raise_for_status()
    path = workdir / f"audit-{uuid.uuid4().hex}.ndjson"
    path.write_bytes(response.content)
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "server", "verify", str(path),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await process.communicate()
    path.unlink()
    return process.returncode == 0, time.monotonic() - started, out.decode(errors="replace")[-2000:]


def py_spy(pid: int, output: str) -> subprocess.Popen[bytes]:
    """`py-spy record` on the server through the close (raw collapsed stacks, with idle frames,
    so that a stalled event loop shows where it stood); bench/profile_summary.py reads them."""
    spy = subprocess.Popen(
        ["py-spy", "record", "--pid", str(pid), "--output", output, "--format", "raw", "--rate", "200",
         "--idle", "--threads", "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    time.sleep(1.0)  # attached
    return spy


@dataclass(slots=True)
class RunResult:
    hall: str
    backend: str
    members: int
    units: int
    vote_seconds: float
    answer: float
    screens: float
    worst_ping: float
    worst_feed: float
    pings: int
    feeds: int
    worst_at_open: (
        float  # the worst probe from the open's request until half a second after the screens showed it
    )
    worst_at_votes: float  # the worst probe while the votes came in
    server_cpu: float
    peak_mb: float
    verify_seconds: float  # `votehall verify` of the exported log (NaN: not run)
    problems: list[str]


async def post(client: httpx.AsyncClient, path: str, token: str, **body: Any) -> dict[str, Any]:
    response = await client.post(path, json=body or None, headers={"Authorization": f"Bearer {token}"})
    if response.status_code != 200:
        raise RuntimeError(f"POST {path}: {response.status_code} {response.text[:500]}")
    answer: dict[str, Any] = response.json()
    return answer


async def one_run(url: str, hall: HallSpec, workdir: Path, options: argparse.Namespace) -> RunResult:
    seeded = await seed(url, hall)
    server: Child = votehall_server(url, workdir)
    backend = "postgresql" if url.startswith("postgresql") else "sqlite"
    problems: list[str] = []
    pipe, child_pipe = multiprocessing.get_context("spawn").Pipe()
    handhelds = None
    screens: list[Screen] = []
    stop = asyncio.Event()
    feeds: list[tuple[float, float]] = []
    probe: asyncio.Task[None] | None = None
    try:
        await server.wait_ready(http=True)
        base_ws = as_ws(server.base)
        async with httpx.AsyncClient(base_url=server.base, trust_env=False, timeout=600) as client:
            committee = generate_committee_key()
            await post(client, f"/api/meetings/{seeded.meeting_id}/committee-key", seeded.admin,
                       public_key=committee.public.text)  # fmt: skip
            handhelds = multiprocessing.get_context("spawn").Process(
                target=_handhelds_process, args=(child_pipe, base_ws, seeded.passes, seeded.ballot_id)
            )
            handhelds.start()
            connected: int = await asyncio.to_thread(pipe.recv)
            if connected != len(seeded.passes):
                problems.append(f"{connected} of {len(seeded.passes)} handhelds connected")
            screens = [Screen(base_ws, seeded.ballot_id) for _ in range(options.screens)]
            every = options.probe_ms / 1000
            for screen in screens:
                await screen.start(every)
            probe = asyncio.create_task(feed_probe(server.base, every, feeds, stop))
            await asyncio.sleep(1.0)  # the probes settle
            # The open, for comparison: the same pushes to every handheld and screen.
            opening = time.monotonic()
            opened = await post(client, f"/api/ballots/{seeded.ballot_id}/open", seeded.chair)
            if not opened.get("secret") or not opened.get("sealing_key"):
                raise RuntimeError("the ballot did not open secret")
            shown_open = max([await screen.shows("open", 60) for screen in screens])
            await asyncio.sleep(SETTLE)
            open_window = (opening, max(time.monotonic(), shown_open + SETTLE))
            voting = time.monotonic()
            pipe.send("vote")
            voted: Voted = await asyncio.to_thread(pipe.recv)
            vote_window = (voting, time.monotonic())
            if voted.errors:
                problems.append(f"votes not acked: {voted.errors}")
            await asyncio.sleep(1.0)  # the votes' pushes are out
            spy = py_spy(server.pid, options.py_spy) if options.py_spy else None
            cpu = server.cpu_seconds()
            started = time.monotonic()
            closed = await post(client, f"/api/ballots/{seeded.ballot_id}/close", seeded.chair)
            answered = time.monotonic()
            shown = max([await screen.shows("closed", 60) for screen in screens])
            await asyncio.sleep(SETTLE)  # the pushes to the handhelds come after the screens'
            server_cpu = server.cpu_seconds() - cpu
            if spy is not None:
                spy.send_signal(signal.SIGINT)
                await asyncio.to_thread(spy.wait, 60)
            close_window = (started, max(answered, shown if shown == shown else answered) + SETTLE)
        stop.set()
        await probe
        pings = [sample for screen in screens for sample in screen.pings]
        units = await stored_units(url, seeded.ballot_id)
        result = closed.get("result") or {}
        figures = sum(int(result.get(k) or 0) for k in ("for", "against", "abstain"))
        if units != voted.weight:
            problems.append(f"{units} units stored, but the acked members weigh {voted.weight}")
        if figures != voted.weight or result.get("members_voted") != voted.acked:
            problems.append(
                f"the result {result} does not add up to {voted.acked} members, {voted.weight} units"
            )
        verified = float("nan")
        if options.verify:
            passed, verified, said = await verify_export(server.base, seeded, workdir)
            if not passed:
                problems.append(f"votehall verify failed on the exported log:\n{said}")
        if server.process.poll() is not None:
            problems.append(f"the server exited with {server.process.returncode}")
        both = pings + feeds
        return RunResult(
            hall.name, backend, voted.acked, units, voted.seconds,
            answered - started, shown - started,
            worst_within(pings, *close_window), worst_within(feeds, *close_window),
            sum(1 for sent, _ in pings if close_window[0] <= sent <= close_window[1]),
            sum(1 for sent, _ in feeds if close_window[0] <= sent <= close_window[1]),
            worst_within(both, *open_window), worst_within(both, *vote_window),
            server_cpu, server.peak_rss_mb(), verified, problems,
        )  # fmt: skip
    except BaseException:
        sys.stderr.write(f"--- server output ---\n{server.output()}\n")
        raise
    finally:
        stop.set()
        if probe is not None and not probe.done():
            probe.cancel()
        for screen in screens:
            await screen.stop()
        if handhelds is not None:
            pipe.send("stop")
            await asyncio.to_thread(handhelds.join, 60)
            if handhelds.is_alive():
                handhelds.terminate()
        await server.stop()


# The report.


def ms(seconds: float) -> str:
    return "-" if seconds != seconds else f"{seconds * 1000:,.0f}"


FIGURES: tuple[tuple[str, Callable[[RunResult], str]], ...] = (
    ("members voted (acked)", lambda run: f"{run.members:,}"),
    ("units stored", lambda run: f"{run.units:,}"),
    ("votes in (connect excluded), s", lambda run: f"{run.vote_seconds:.1f}"),
    ("close: request to answer (stored), ms", lambda run: ms(run.answer)),
    ("close: request to screens showing it, ms", lambda run: ms(run.screens)),
    ("worst display ping meanwhile, ms", lambda run: ms(run.worst_ping)),
    ("worst GET /api/feed meanwhile, ms", lambda run: ms(run.worst_feed)),
    ("probes sent meanwhile (pings + GETs)", lambda run: f"{run.pings} + {run.feeds}"),
    ("for comparison: worst probe at the open, ms", lambda run: ms(run.worst_at_open)),
    ("for comparison: worst probe as the votes came in, ms", lambda run: ms(run.worst_at_votes)),
    ("server CPU during the close, s", lambda run: f"{run.server_cpu:.1f}"),
    ("server peak memory (VmHWM), MB", lambda run: f"{run.peak_mb:,.0f}"),
    (
        "votehall verify of the exported log, s",
        lambda run: "-" if run.verify_seconds != run.verify_seconds else f"{run.verify_seconds:.1f}",
    ),
    ("check (units = acked weights = result; verify)", lambda run: "PASS" if not run.problems else "FAIL"),
)


def print_runs(console: Console, runs: list[RunResult], live_ms: float) -> None:
    table = Table(title="Closing a secret ballot, one column per run (a fresh server each)")
    table.add_column("figure")
    for number, run in enumerate(runs, start=1):
        table.add_column(f"#{number} {run.hall}, {run.backend}", justify="right")
    for name, show in FIGURES:
        table.add_row(name, *(show(run) for run in runs))
    console.print(table)
    for number, run in enumerate(runs, start=1):
        for problem in run.problems:
            console.print(f"[red]#{number}: {problem}[/red]")
    summary = Table(
        title=f"Best and worst per hall (the screens are live when every probe answers within {live_ms:,.0f} ms)"
    )
    for column in (
        "hall",
        "db",
        "runs",
        "close, best / worst",
        "target",
        "worst probe, best / worst run",
        "met",
    ):
        summary.add_column(column)
    for (name, backend), group in _grouped(runs).items():
        answers = [run.answer for run in group]
        worst = [max(run.worst_ping, run.worst_feed) for run in group]
        target = TARGETS[name]
        met = max(answers) < target and max(worst) * 1000 < live_ms and not any(run.problems for run in group)
        summary.add_row(
            name, backend, str(len(group)), f"{min(answers):.3f} / {max(answers):.3f} s",
            f"< {target:g} s, screens live", f"{ms(min(worst))} / {ms(max(worst))} ms", "yes" if met else "NO",
        )  # fmt: skip
    console.print(summary)


def _grouped(runs: list[RunResult]) -> dict[tuple[str, str], list[RunResult]]:
    groups: dict[tuple[str, str], list[RunResult]] = {}
    for run in runs:
        groups.setdefault((run.hall, run.backend), []).append(run)
    return groups


async def run_all(options: argparse.Namespace, report: Callable[[RunResult], Awaitable[None]]) -> None:
    members: int = options.members
    halls: dict[str, Callable[[], HallSpec]] = {"demo": demo_hall, "large": lambda: large_hall(members)}
    with tempfile.TemporaryDirectory(prefix="votehall-secret-close-") as folder:
        workdir = Path(folder)
        for name, make in halls.items():
            if options.only and name != options.only:
                continue
            hall = make()
            for _ in range(options.runs):
                url = options.postgres or f"sqlite+aiosqlite:///{workdir / f'close-{uuid.uuid4().hex}.db'}"
                await report(await one_run(url, hall, workdir, options))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--postgres", metavar="URL", help="run on PostgreSQL; its public schema is dropped")
    parser.add_argument("--only", choices=["demo", "large"])
    parser.add_argument("--runs", type=int, default=2, help="runs per hall, each a fresh server")
    parser.add_argument("--members", type=int, default=10_000, help="members of the large hall")
    parser.add_argument("--screens", type=int, default=3, help="hall screens (/ws/display) during the close")
    parser.add_argument("--probe-ms", type=float, default=50.0, help="a ping and a feed GET this often")
    parser.add_argument(
        "--py-spy", metavar="FILE", help="profile the server during the close (py-spy on PATH)"
    )
    parser.add_argument(
        "--no-verify", dest="verify", action="store_false", help="skip `votehall verify` of the exported log"
    )
    parser.add_argument("--live-ms", type=float, default=1000.0, help="the worst probe latency still live")
    options = parser.parse_args()
    raise_open_files_limit()
    console = Console()
    if not console.is_terminal:  # a file or a pipe: the tables unwrapped
        console = Console(width=150)
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    console.print(f"machine: {machine()}; load average before (1, 5, 15 min): {load}")
    runs: list[RunResult] = []

    async def report(run: RunResult) -> None:
        runs.append(run)
        console.print(
            f"{run.hall} ({run.backend}): {run.units:,} units, answer {ms(run.answer)} ms, "
            f"screens {ms(run.screens)} ms, worst ping {ms(run.worst_ping)} ms, "
            f"worst feed {ms(run.worst_feed)} ms" + (f", problems: {run.problems}" if run.problems else "")
        )

    event_loop_runner(lambda: run_all(options, report))
    print_runs(console, runs, options.live_ms)
    return 0 if all(not run.problems for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
